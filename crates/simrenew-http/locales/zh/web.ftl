# 用户门户与门店柜台控制台的页面。
# 占位符（{ $name }）在每种语言中必须相同；测试会检查。

platform-name = simrenew
skip-to-content = 跳到正文
nav-label = 主菜单
nav-lines = 我的号码
nav-history = 历史记录
nav-stores = 门店
nav-account = 账户
nav-counter = 柜台
nav-sign-in = 登录
nav-sign-out = 退出
language-switch-label = 语言
footer-operated-by = 预付费移动服务提供方：
date-at-time = { $date } { $time }
percent = { $value }%

## Sign-in
signin-title = 登录
signin-intro = 使用您任一号码或电子邮箱登录。我们会向您发送一次性验证码。
signin-by-phone = 使用手机号码
signin-phone-label = 手机号码
signin-phone-hint = 请使用国际格式，例如 +32 470 12 34 56。
signin-send-code = 发送验证码
signin-by-email = 使用电子邮箱
signin-email-label = 电子邮箱
signin-brand-label = 您的运营商
signin-passkey-title = 使用通行密钥
signin-passkey-hint = 如果您已添加通行密钥，您的设备无需验证码即可为您登录。
signin-passkey-button = 使用通行密钥登录
signin-passkey-failed = 通行密钥登录未成功。请改用验证码。
signin-staff-link = 门店员工：登录柜台控制台
signin-totp-needed = 此账户还需要您身份验证器应用中的验证码。
code-title = 输入验证码
code-intro = 我们已向 { $address } 发送 6 位验证码，5 分钟内有效。
code-label = 验证码
code-hint = 6 位数字。
code-submit = 登录
code-ask-again = 没有收到验证码？重新获取
code-totp-label = 身份验证器应用中的验证码
code-totp-hint = 6 位数字，来自您为两步登录设置的应用。
code-recovery-summary = 身份验证器丢失了？
code-recovery-label = 恢复码

## My lines
lines-title = 我的号码
lines-hello = 您好，{ $name }。
lines-none = 您的账户中还没有号码。
lines-renew = 续费
lines-account-centre = 延长账户
lines-grace-warning = 此号码已到期，正处于宽限期。请立即续费以保留您的号码。
lines-lapsed = 此号码已失效：宽限期结束后号码已被释放。
lines-pending-identification = 完成身份核验后即可使用此号码。请携带身份证件前往可办理核验的门店。
lines-syncing = 您最近的续费正在与网络同步，可能需要几分钟。
line-number = 号码
line-kind = 类型
line-state = 状态
line-plan = 套餐
line-credit = 余额
line-expiry = 有效期至
line-no-expiry = 尚未续费
line-grace-until = 宽限期结束
line-esim-install = eSIM
line-auto-renew = 自动续费
line-data = 剩余流量
line-data-left = 剩余 { $left }，共 { $total }
line-days-left = { $days ->
   *[other] 剩余 { $days } 天
}
line-expired-days-ago = { $days ->
    [0] 今天到期
   *[other] 已于 { $days } 天前到期
}
data-unlimited = 无限
esim-installed = 已安装到设备
esim-not-installed = 尚未安装
auto-renew-on = 开
auto-renew-off = 关

kind-physical_sim = SIM 卡
kind-esim = eSIM
kind-virtual_sim = 虚拟 SIM

state-active = 正常
state-grace = 宽限期中
state-lapsed = 已失效
state-suspended = 已暂停
state-pending_identification = 等待身份核验
state-syncing = 正在与网络同步

## Renewing
renew-title = 为您的号码续费
account-centre-title = 账户中心
account-centre-intro = 虚拟 SIM 是一个账户：您可以按需延长任意个周期。
account-centre-plan = 套餐
account-centre-period = 延长时长（周期数）
account-centre-state = 账户状态
account-centre-confirm = 确认延长
steps-label = 步骤
step-plan = 套餐
step-quote = 价格与资料
step-pay = 付款
step-done = 完成
renew-plan = 套餐
renew-periods = 周期数
renew-periods-hint = 提前续费不会损失天数：新的时段从当前时段结束时开始。
renew-promo-code = 优惠码（可选）
renew-promo-hint = 系统会自动为您使用最优惠的活动。
renew-see-price = 查看价格
renew-no-plans = 门户上没有适用于此号码的套餐。请前往门店。
plan-summary = { $data } · { $validity }
validity-days = { $days ->
   *[other] { $days } 天
}
validity-months = { $months ->
   *[other] { $months } 个月
}
validity-add-on = 至当前周期结束
periods-days = { $count ->
   *[other] { $count } 个周期，每期 { $days } 天
}
periods-months = { $months ->
   *[other] { $months } 个月
}
periods-add-on = 当前周期的加油包
periods-count = { $count ->
   *[other] { $count } 个周期
}

## The quote
quote-title = 价格与资料
quote-valid-until = 此价格在 { $time } 前有效。
quote-new = 重新获取价格
price-item = 项目
price-amount = 金额
price-vat-of = 增值税（{ $rate }）
price-total = 合计
price-line-plan = { $plan } × { $count }
price-line-free = { $count ->
   *[other] 赠送 { $count } 个周期（{ $promotion }）
}
price-line-discount = 折扣（{ $promotion }）
price-promotion-applied = 已使用优惠：
price-vat-included = 价格已含增值税。
details-title = 您登记的资料
details-intro = 每次续费前请核对您的资料。
details-name = 姓名
details-email = 电子邮箱
details-language = 语言
details-no-email = 无
details-confirm = 以上资料无误
details-wrong = 资料有误？可办理核验的门店可以为您更正。
details-wrong-link = 查找这样的门店
pay-method = 您想如何付款？
pay-no-method = 此处不提供付款方式。请前往门店。
pay-credit-hint = 使用余额：可用 { $credit }。
pay-voucher-hint = 在门店购买的充值码。
pay-voucher-code = 充值码
pay-card-hint = 银行卡付款，由您的银行确认。
pay-paypal-hint = 您将前往 PayPal 网站继续。
pay-cash-hint = 在柜台收取现金。
pay-card-terminal-hint = 在门店刷卡机上支付。
pay-button = 支付 { $total }
method-credit = 余额
method-voucher = 充值码
method-card = 银行卡
method-bancontact = Bancontact
method-paypal = PayPal
method-cash = 现金
method-card_terminal = 刷卡机

## The order
order-title = 您的订单
order-heading = 订单 { $id }
order-syncing-title = 正在与网络同步
order-syncing-text = 已收到您的付款，号码已续费。正在通知网络，可能需要几分钟。
order-completed-title = 您的号码已续费。
order-review-text = 我们收到的付款与此订单不符，正在核查；您不会被重复扣款。
order-failed-title = 您的付款未成功
order-failed-text = 没有扣款，号码也没有续费。请重试，或选择其他付款方式。
order-waiting-text = 您的付款尚未确认。请在付款页面完成，或改用其他方式付款。
order-new-expiry = 您的号码现在有效期至
order-new-start = 新的时段从 { $time } 开始。
order-state = 状态
order-placed = 下单时间
order-paid = 付款时间
order-method = 付款方式
order-receipt-link = 收据（可打印）
order-pay-again = 支付此订单
order-back-to-lines = 返回我的号码
order-state-pending_payment = 等待付款
order-state-syncing = 正在与网络同步
order-state-completed = 已完成
order-state-cancelled = 已取消
order-state-review = 核查中

## Receipt
receipt-title = 收据
receipt-number = 订单 { $id } 的收据
receipt-line = 号码
receipt-store = 付款门店
receipt-vat-note = 金额已含 { $rate } 增值税。
receipt-print = 打印
receipt-back = 返回订单

## History
history-title = 历史记录
history-none = 您还没有订单。
history-caption = 您的订单，最新的在前
history-date = 日期
history-line = 号码
history-plan = 套餐
history-total = 合计
history-state = 状态
history-receipt = 详情
history-open = 订单 { $id }

## Stores
stores-title = 门店查询
stores-intro = 找到能为您办理业务的门店，避免白跑一趟。
stores-filter = 门店须能
stores-apply = 显示门店
stores-count = { $count ->
    [0] 没有符合条件的门店
   *[other] { $count } 家门店
}
stores-hours = 营业时间：
stores-capabilities = 此门店可办理
capability-sells_sims = 出售 SIM 卡
capability-activates_esims = 激活 eSIM
capability-identifies = 核验用户身份
capability-renews_cash = 现金续费
capability-renews_card_terminal = 刷卡续费
capability-checks_devices = 检测设备

## Account
account-title = 账户
passkeys-title = 通行密钥
passkeys-intro = 通行密钥使用设备的屏幕锁为您登录，无需验证码。
passkeys-none = 您还没有通行密钥。
passkeys-added = 添加于 { $date }
passkeys-label = 通行密钥名称
passkeys-default-label = 我的手机
passkeys-add = 添加通行密钥
passkeys-added-now = 通行密钥已添加。
passkeys-failed = 无法添加通行密钥。
passkeys-need-script = 添加通行密钥需要支持它的浏览器。

## The demo's card step
demo-card-title = 确认您的银行卡付款
demo-card-banner = 演示：模拟的银行卡付款。不会扣款，也不会有资金流动。
demo-card-intro = 此页面模拟您银行的 3-D Secure 验证。批准即付款，拒绝可查看付款被拒时的情形。
demo-card-amount = 金额
demo-card-for = 用途
demo-card-approve = 批准付款
demo-card-decline = 拒绝付款

## Counter console
counter-console-name = 柜台
counter-sign-in-title = 柜台登录
counter-sign-in-intro = 门店员工专用：您的电子邮箱、密码以及身份验证器应用中的验证码。
counter-email = 电子邮箱
counter-password = 密码
counter-sign-in-button = 登录
counter-agents-only = 柜台控制台仅供门店店员使用。
counter-title = 柜台
counter-look-up-label = 客户号码或 SIM 卡号（ICCID）
counter-look-up-hint = 例如 +32 470 12 34 56，或 SIM 卡上的 19 或 20 位数字。
counter-look-up-button = 查询
counter-customer-title = 客户
counter-check-id = 与身份证件核对
counter-no-subscriber = 此号码尚无已核验身份的用户。
counter-identification = 已登记的身份核验
counter-no-identification = 没有身份核验记录。
counter-iccid = SIM 卡号（ICCID）
counter-renew = 续费
counter-next = 下一位客户
counter-quote-title = 收款
counter-store = 门店
counter-terminal-ref = 刷卡机参考号
counter-terminal-ref-hint = 刷卡机打印的交易编号。
counter-take = 已收款 { $total }
counter-store-does-not-renew = 此门店不办理续费。
counter-store-does-not-take = 您的门店不接受此付款方式。
counter-back = 返回柜台

identification-eid = 已读取比利时电子身份证
identification-itsme = itsme
identification-bank_payment = 银行付款
identification-passport_at_store = 在门店核验护照

## Errors
error-title = 出错了
error-back-home = 返回首页
error-page-not-found = 此页面不存在。
error-form-expired = 此表单已过期。请返回，刷新页面后重试。
error-form-in-progress = 此请求正在处理中。请稍候并查看您的历史记录。
error-internal = 我们这边出了问题。没有任何更改；请重试。
error-unavailable = 服务繁忙。没有任何更改；请稍后重试。
error-conflict = 当前状态下无法执行此操作。请刷新页面后重试。
error-not-found = 未找到。
error-not-found-line = 没有您名下的此号码。
error-not-found-quote = 此价格不存在。请重新获取。
error-not-found-order = 没有您名下的此订单。
error-address-missing = 请输入您的手机号码或电子邮箱。
error-invalid-input = 请检查您输入的内容。
error-invalid-phone = 请输入国际格式的手机号码，以 + 和国家代码开头，例如 +32 470 12 34 56。
error-invalid-email = 请输入类似 name@example.com 的电子邮箱。
error-invalid-brand = 请选择您的运营商。
error-invalid-code = 验证码为 6 位数字。
error-invalid-iccid = 此 SIM 卡号无效：请检查数字。
error-invalid-look-up = 请输入国际格式的手机号码，或 SIM 卡号。
error-invalid-plan = 请选择套餐。
error-invalid-periods = 请选择周期数。
error-invalid-promo-code = 此优惠码格式不正确。
error-invalid-voucher = 请按充值券上印的内容输入充值码。
error-invalid-method = 请选择付款方式。
error-details-confirm = 请确认您的资料无误，或先更正资料。
error-code-wrong = 验证码错误或已过期。如有需要请重新获取。
error-totp-wrong = 身份验证器验证码错误。请输入当前的验证码。
error-staff-sign-in = 电子邮箱、密码或验证码错误。
error-rate-limited = { $minutes ->
   *[other] 尝试次数过多。请在 { $minutes } 分钟后重试。
}
error-periods = { $max ->
   *[other] 每次可购买 1 至 { $max } 个周期。
}
error-plan-not-sold = 此处不为此号码销售该套餐。
error-addon-periods = 加油包每次只能购买一个。
error-addon-without-bundle = 加油包需要正在使用的套餐：请先为号码续费。
error-not-renewable = 此号码无法续费：{ $state }。
error-promo-unknown = 此优惠码不存在。
error-promo-not-yet-valid = 此优惠码尚未生效。
error-promo-expired = 此优惠码已过期。
error-promo-exhausted = 此优惠已被领完。
error-promo-already-used = 您已使用过此优惠码。
error-promo-other-plan = 此优惠码不适用于此套餐。
error-promo-other-channel = 此优惠码不适用于此处。
error-promo-first-renewal = 此优惠码仅适用于首次续费。
error-promo-too-few-periods = { $buy ->
   *[other] 此优惠需要至少 { $buy } 个周期。
}
error-insufficient-credit = 您的余额不足：需要 { $needed }，可用 { $available }。请选择其他付款方式。
error-auto-renew-limit = 本月此号码已自动续费 { $limit } 次，已达上限。请手动续费。
error-auto-renew-cap = 此次自动续费将超出您每月 { $cap } 的上限。请手动续费，或提高上限。
error-voucher-used = 此充值码已被使用。
error-voucher-expired = 此充值码已过期。
error-voucher-other-plan = 此充值码适用于其他套餐。
error-voucher-unknown = 此充值码不存在。
error-quote-expired = 此价格已过期。请重新获取。
error-order-not-payable = 此订单已无法支付。请查看您的历史记录。
error-method-not-offered = 此处不提供该付款方式。
error-terminal-ref = 请输入刷卡机参考号。
error-payment-declined = 付款被拒绝。没有扣款。
error-provider-unavailable = 支付服务没有响应。您不会被重复扣款：请重试。

## 核实消息
nav-check = 核实消息
check-title = 这条消息是我们发的吗？
check-intro = 我们发送的每条提醒都带有一个由十个字母和数字组成的验证码。在此输入，即可查看消息是否来自我们以及其内容。
check-code-label = 验证码
check-code-hint = 与消息中的一致，例如 K7Q4M-ZPA2X。
check-submit = 核实
check-genuine = 这条消息由 { $brand } 发送。
check-genuine-about = 它涉及线路 { $number }，该线路将于 { $date } 到期。
check-genuine-portal = 请只在 { $portal } 续费。
check-unknown = 我们没有发送过带有此验证码的消息。
check-unknown-advice = 请勿点击其中的链接，请勿回复，切勿提供您的银行卡号或登录验证码。请只在您运营商的官方网址续费。
error-invalid-check-code = 验证码由十个字母和数字组成，例如 K7Q4M-ZPA2X。

## 日历订阅
calendar-name = { $brand }：您的线路何时到期
calendar-expiry = { $brand } 线路 { $number } 到期
calendar-grace-end = { $brand } 线路 { $number }：暂停前续费的最后一天
calendar-renew-at = 续费网址：{ $portal }
calendar-alarm = 您的线路 { $number } 将在 3 天后到期
account-calendar-title = 在日历中查看到期日
account-calendar-intro = 在您的日历应用（Google 日历、Apple 日历、Outlook）中订阅此地址：它会显示您每条线路的到期时间，并提前三天提醒您。
account-calendar-made = 您的日历地址，仅此一次显示。请将其复制到您的日历应用中：
account-calendar-new = 生成日历地址
account-calendar-private = 任何拥有此地址的人都能看到您的到期日。生成新地址会立即使旧地址失效。

## 新的 eSIM
lines-new-esim = 添加新的 eSIM 号码
esim-new-title = 新的 eSIM 号码
esim-new-intro = 为您的新号码选择套餐。您在下一页付款；然后扫描二维码，把 eSIM 安装到手机上。
esim-step-install = 安装
esim-new-no-plans = 目前这里没有在售的 eSIM 套餐。
esim-eid-label = 您手机的 EID（可选）
esim-eid-hint = 请确认您的手机支持 eSIM：支持的手机会在“设置 › 关于本机”（Android：“设置 › 关于手机 › SIM 卡状态”）中显示 32 位数字的 EID。填写后，eSIM 将绑定到这部手机。
esim-plan-label = 套餐
esim-new-identification = 比利时法律要求我们对每位预付费客户进行身份验证：验证通过后即可安装 eSIM。
esim-new-continue = 继续付款
esim-title = 您的 eSIM
esim-pay = 去付款
esim-scan-title = 扫描二维码
esim-scan-text = 在手机上打开“设置 › 蜂窝网络 › 添加 eSIM”（或“添加套餐”），然后用相机扫描此二维码。安装期间请保持 Wi-Fi 开启。
esim-qr-alt = 您的 eSIM 激活码的二维码
esim-iphone-title = 在 iPhone 上
esim-iphone-link = 安装到这部 iPhone（iOS 17.5 或更高版本）
esim-manual-title = 或手动输入
esim-manual-text = 如果无法扫描二维码，请选择手动输入，并填写以下两项：
esim-smdp-address = SM-DP+ 地址
esim-activation-code = 激活码
esim-full-code = 完整代码
esim-code-secret = 任何拿到此代码的人都能安装您的 eSIM：请勿分享。
esim-refresh = 刷新查看进度
esim-open = 安装并跟踪 eSIM
error-invalid-eid = EID 为 32 位数字，可在手机设置中查看。
error-no-new-lines = 目前无法出售新号码。请稍后再试，或前往门店。
esim-stage-awaiting_payment = 等待付款
esim-stage-awaiting_payment-text = 支付套餐后，我们将为您准备 eSIM。
esim-stage-preparing = 准备中
esim-stage-preparing-text = 网络正在准备您的 eSIM，大约需要一两分钟。
esim-stage-awaiting_identification = 等待身份验证
esim-stage-awaiting_identification-text = 您完成身份验证后即可使用 eSIM。请携带身份证件前往可办理身份验证的门店。
esim-stage-ready_to_install = 可以安装
esim-stage-ready_to_install-text = 您的 eSIM 已就绪：请按以下方式安装到手机上。
esim-stage-installing = 安装中
esim-stage-installing-text = 您的手机正在下载 eSIM。
esim-stage-installed = 已安装
esim-stage-installed-text = eSIM 已在您的手机上。请在手机设置中开启它后使用。
esim-stage-in_use = 使用中
esim-stage-in_use-text = eSIM 已安装并开启。
esim-stage-not_on_phone = 不在手机上
esim-stage-not_on_phone-text = eSIM 已从手机上删除，或安装未完成。您可以用同一代码重新安装。
esim-stage-cancelled = 已取消
esim-stage-cancelled-text = 此 eSIM 已取消，无法安装。

## 在柜台出售新的 eSIM
counter-esim-sell = 出售新的 eSIM 号码
counter-esim-title = 新的 eSIM 号码
counter-esim-intro = 填写客户信息、（本店可办理身份验证时的）身份证件、套餐和付款。网络准备好 eSIM 后，其二维码会显示在客户页面上。
counter-esim-customer = 客户
counter-esim-identification-hint = 现在核对身份证件，号码即可立即使用；否则客户需稍后到可办理身份验证的门店完成验证。
counter-esim-document-method = 已核对的证件
counter-esim-document-number = 证件号码
counter-esim-not-identified = 暂不验证
counter-esim-no-identify = 本店不办理身份验证：客户需稍后到可办理的门店完成验证。
counter-esim-submit = 出售并收款
counter-store-does-not-activate = 您的门店不开通 eSIM。
counter-sim-sell = 销售新的 SIM 卡
counter-sim-title = 新的 SIM 卡线路
counter-sim-intro = 本店库存中的一张 SIM 卡：卡上印的号码、客户的信息、本店可办理身份核验时的身份证件、套餐和付款。线路的电话号码从品牌的号码中分配。
counter-sim-iccid-hint = 印在卡片及卡托上的 19 或 20 位数字，以 89 开头。
counter-sim-no-plans = 目前这里没有在售的 SIM 卡套餐。
counter-store-does-not-sell-sims = 您的门店不销售 SIM 卡。
error-sim-on-line = 这张 SIM 卡已属于一条线路：请从库存中另取一张。
counter-store-does-not-identify = 您的门店不办理客户身份验证。
error-name-needed = 需要客户姓名，与证件一致。
error-invalid-document = 请按证件上印刷的内容输入证件号码。
counter-esim-identification = 身份验证

# 线路的自动续费。
lines-auto-renew = 自动续费
auto-renew-title = 自动续费
auto-renew-how = 如何运作
auto-renew-lead = 我们会在线路到期前 { $hours } 小时，按您选择的套餐续费，并以您在此选择的方式扣款。您可以随时关闭。
auto-renew-limit = { $brand } 每个自然月最多自动续费一条线路 { $limit } 次。超过此次数或您自己的上限时不会扣款：我们会给您发消息，由您手动续费。
auto-renew-this-month = 本月：{ $count } 次自动续费，已扣 { $charged }。
auto-renew-plan-label = 续费的套餐
auto-renew-pay-label = 付款方式
auto-renew-pay-credit = 线路余额（当前 { $credit }）
auto-renew-pay-hint = 银行卡或 PayPal 账户将直接扣款，不再询问您；如果银行要求您确认，我们会通知您，且不会扣款。
auto-renew-cap-label = 您的每月上限（可选）
auto-renew-cap-hint = 自动续费每个自然月对此线路最多可扣的金额，例如 25.00。留空表示不设上限。
auto-renew-save = 保存
auto-renew-saved = 已保存。
auto-renew-stopped = 上一次自动续费未能完成（达到限制、超出您的上限，或付款失败或需要您确认）。我们已给您发消息。请手动续费，或再次保存此页以重新开启。
auto-renew-renew-by-hand = 手动续费
auto-renew-no-plans = 此线路没有可自动续费的套餐。
auto-renew-top-up-legend = 流量自动加购
auto-renew-top-up-hint = 当剩余流量低于您设定的数值时，我们会购买您选择的加油包，按上面的方式付款，并受同样的限额约束。每次加购都会扣费。
auto-renew-top-up-on = 自动为我加购流量
auto-renew-top-up-plan = 购买的加油包
auto-renew-top-up-below = 剩余少于此数值时（MB）
error-top-up-plan = 请选择可用于自动加购的加油包。
error-top-up-below = 请输入整数 MB，且小于加油包提供的流量。
error-auto-renew-cap-invalid = 请输入大于零的金额，例如 25.00，或留空。
