# 线路到期前通过电子邮件和短信发送给用户的提醒。
# 占位符（{ $name }）在每种语言中必须相同；测试会检查。

reminder-subject-before = { $brand }：您的线路 { $number } 将于 { $days ->
    [one] 明天
   *[other] { $days } 天后
}到期
reminder-subject-today = { $brand }：您的线路 { $number } 今天到期
reminder-subject-grace = { $brand }：您的线路 { $number } 已到期
reminder-greeting = { $name }，您好：
reminder-before = 您的 { $brand } 线路 { $number } 将于 { $date } { $time } 到期（{ $days ->
    [one] 明天
   *[other] { $days } 天后
}）。请及时续费，以保留您的号码和流量。
reminder-today = 您的 { $brand } 线路 { $number } 今天（{ $date } { $time }）到期。请立即续费，以保留您的号码和流量。
reminder-grace = 您的 { $brand } 线路 { $number } 已于 { $date } 到期。您仍可在 { $grace_date } 之前续费；之后线路将被暂停。
reminder-renew-at = 续费网址：{ $portal }
reminder-check = 这条消息真的来自 { $brand } 吗？请在 { $check } 输入验证码 { $code }。我们绝不会通过消息索要您的银行卡号或登录验证码。
reminder-signature = { $brand }
sms-reminder-before = { $brand }：线路 { $number } 将于 { $date } 到期（{ $days ->
    [one] 明天
   *[other] { $days } 天后
}）。续费：{ $portal } 验证码 { $code }
sms-reminder-today = { $brand }：线路 { $number } 今天 { $time } 到期。续费：{ $portal } 验证码 { $code }
sms-reminder-grace = { $brand }：线路 { $number } 已到期。请在 { $grace_date } 前续费：{ $portal } 验证码 { $code }

# 流量用量提醒：套餐用掉 80 % 和 100 % 时；{ $date } 是套餐结束日期。
data-subject-80 = { $brand }：{ $number } 的流量已用 80 %
data-subject-100 = { $brand }：{ $number } 的流量已用完
data-80 = 您的 { $brand } 线路 { $number } 已用掉 80 % 的流量（套餐有效期至 { $date }）。如需更多流量，请及时加购套餐。
data-100 = 您的 { $brand } 线路 { $number } 的流量已全部用完（套餐有效期至 { $date }）。加购套餐即可继续使用流量；通话和号码不受影响。
data-buy-at = 加购套餐：{ $portal }
sms-data-80 = { $brand }：{ $number } 流量已用 80 %（套餐至 { $date }）。加购：{ $portal } 验证码 { $code }
sms-data-100 = { $brand }：{ $number } 流量已用完（套餐至 { $date }）。加购：{ $portal } 验证码 { $code }

# 未能完成的自动续费：用户需手动续费。{ $date } 是号码的到期日。
autorenew-subject-limit = { $brand }：这次请手动为 { $number } 续费
autorenew-subject-cap = { $brand }：这次请手动为 { $number } 续费
autorenew-subject-failed = { $brand }：我们未能自动为 { $number } 续费
autorenew-subject-confirm = { $brand }：您的银行要求您确认 { $number } 的续费
autorenew-limit = 您的 { $brand } 线路 { $number } 未自动续费：本月自动续费次数已达到 { $brand } 允许的上限。未扣任何费用。请在 { $date } { $time } 之前手动续费，以保留您的号码和流量。
autorenew-cap = 您的 { $brand } 线路 { $number } 未自动续费：这将超出您设定的每月上限。未扣任何费用。请在 { $date } { $time } 之前手动续费，或提高上限。
autorenew-failed = 您的 { $brand } 线路 { $number } 未能自动续费：付款多次失败。请在 { $date } { $time } 之前手动续费，以保留您的号码和流量。
autorenew-confirm = 您的银行要求您确认 { $brand } 线路 { $number } 的自动续费，因此未扣任何费用。请在 { $date } { $time } 之前自行续费；银行会请您确认。
sms-autorenew-limit = { $brand }：{ $number } 未自动续费（每月上限）。请在 { $date } 前续费：{ $portal } 验证码 { $code }
sms-autorenew-cap = { $brand }：{ $number } 未自动续费（您的上限）。请在 { $date } 前续费：{ $portal } 验证码 { $code }
sms-autorenew-failed = { $brand }：{ $number } 付款失败。请在 { $date } 前续费：{ $portal } 验证码 { $code }
sms-autorenew-confirm = { $brand }：银行需确认 { $number } 的续费。请在 { $date } 前续费：{ $portal } 验证码 { $code }
topup-subject-limit = { $brand }：这次请手动为 { $number } 加购流量
topup-subject-cap = { $brand }：这次请手动为 { $number } 加购流量
topup-subject-failed = { $brand }：我们未能自动为 { $number } 加购流量
topup-subject-confirm = { $brand }：您的银行要求您确认 { $number } 的流量加购
topup-limit = 您的 { $brand } 线路 { $number } 流量即将用完，但未自动加购：本月自动扣款已达到 { $brand } 允许的上限。未扣任何费用。如需更多流量，请手动加购；线路有效期至 { $date }。
topup-cap = 您的 { $brand } 线路 { $number } 流量即将用完，但未自动加购：这会超过您设定的每月上限。未扣任何费用。请手动加购，或提高上限；线路有效期至 { $date }。
topup-failed = 您的 { $brand } 线路 { $number } 流量即将用完，自动加购多次付款失败。如需更多流量，请手动加购；线路有效期至 { $date }。
topup-confirm = 您的 { $brand } 线路 { $number } 流量即将用完，您的银行要求您确认自动加购，因此未扣任何费用。请自行加购；银行会要求您确认。线路有效期至 { $date }。
sms-topup-limit = { $brand }：{ $number } 流量即将用完，未自动加购（每月上限）。有效期至 { $date }。加购：{ $portal } 验证码 { $code }
sms-topup-cap = { $brand }：{ $number } 流量即将用完，未自动加购（您的上限）。有效期至 { $date }。加购：{ $portal } 验证码 { $code }
sms-topup-failed = { $brand }：{ $number } 的流量加购失败。有效期至 { $date }。加购：{ $portal } 验证码 { $code }
sms-topup-confirm = { $brand }：您的银行需要确认 { $number } 的流量加购。有效期至 { $date }。加购：{ $portal } 验证码 { $code }

# 线路自动续费套餐的价格变更通知。{ $date } 是新价格生效的日期。
price-subject = { $brand }：{ $number } 上 { $plan } 的价格将变更
price-change = 您的 { $brand } 线路 { $number } 上的套餐 { $plan } 价格将自 { $date } 起由 { $old_price } 调整为 { $new_price }。您的自动续费在本消息发出后至少 30 天内仍按 { $old_price } 收费。如果您不接受新价格，请在此之前选择其他套餐或关闭自动续费。
price-choose-at = 请在 { $portal } 选择
sms-price = { $brand }：{ $number } 的 { $plan } 将于 { $date } 由 { $old_price } 调整为 { $new_price }（提前 30 天通知）。选择：{ $portal } 验证码 { $code }
