# The pages of the subscriber portal and the store counter console.
# Placeholders ({ $name }) must stay the same in every language; the tests check it.

platform-name = simrenew
skip-to-content = Skip to content
nav-label = Main menu
nav-lines = My lines
nav-history = History
nav-stores = Stores
nav-account = Account
nav-counter = Counter
nav-sign-in = Sign in
nav-sign-out = Sign out
language-switch-label = Language
footer-operated-by = Prepaid mobile service of
date-at-time = { $date } at { $time }
percent = { $value } %

## Sign-in
signin-title = Sign in
signin-intro = Sign in with the number of one of your lines, or with your e-mail address. We send you a one-time code.
signin-by-phone = With your phone number
signin-phone-label = Phone number
signin-phone-hint = In international form, for example +32 470 12 34 56.
signin-send-code = Send me a code
signin-by-email = With your e-mail address
signin-email-label = E-mail address
signin-brand-label = Your operator
signin-passkey-title = With a passkey
signin-passkey-hint = If you added a passkey, your device can sign you in without a code.
signin-passkey-button = Sign in with a passkey
signin-passkey-failed = Signing in with a passkey did not work. Use a code instead.
signin-staff-link = Store staff: sign in to the counter console
signin-totp-needed = This account also asks for the code of your authenticator app.
code-title = Enter your code
code-intro = We sent a 6-digit code to { $address }. It is valid for 5 minutes.
code-label = Code
code-hint = 6 digits.
code-submit = Sign in
code-ask-again = Did not get a code? Ask for a new one
code-totp-label = Code from your authenticator app
code-totp-hint = 6 digits, from the app you set up for two-step sign-in.
code-recovery-summary = Lost your authenticator?
code-recovery-label = Recovery code

## My lines
lines-title = My lines
lines-hello = Hello { $name }.
lines-none = There are no lines on your account yet.
lines-renew = Renew
lines-account-centre = Extend account
lines-grace-warning = This line has expired and is in its grace period. Renew it now to keep your number.
lines-lapsed = This line has lapsed: its number was released after the grace period.
lines-pending-identification = This line can be used once you have been identified. Visit a store that identifies, with your identity document.
lines-syncing = Your last renewal is being synced with the network. This can take a few minutes.
line-number = Number
line-kind = Kind
line-state = State
line-plan = Plan
line-credit = Credit
line-expiry = Valid until
line-no-expiry = Not renewed yet
line-grace-until = Grace period ends
line-esim-install = eSIM
line-auto-renew = Automatic renewal
line-data = Data left
line-data-left = { $left } left of { $total }
line-days-left = { $days ->
    [one] 1 day left
   *[other] { $days } days left
}
line-expired-days-ago = { $days ->
    [0] expired today
    [one] expired yesterday
   *[other] expired { $days } days ago
}
data-unlimited = Unlimited
esim-installed = Installed on a device
esim-not-installed = Not installed yet
auto-renew-on = On
auto-renew-off = Off

kind-physical_sim = SIM card
kind-esim = eSIM
kind-virtual_sim = Virtual SIM

state-active = Active
state-grace = In grace period
state-lapsed = Lapsed
state-suspended = Suspended
state-pending_identification = Waiting for identification
state-syncing = Syncing with the network

## Renewing
renew-title = Renew your line
account-centre-title = Account centre
account-centre-intro = A virtual SIM is an account: extend it by as many periods as you like.
account-centre-plan = Package
account-centre-period = Extension period (number of periods)
account-centre-state = Account state
account-centre-confirm = Confirm the extension
steps-label = Steps
step-plan = Plan
step-quote = Price and details
step-pay = Payment
step-done = Done
renew-plan = Plan
renew-periods = Number of periods
renew-periods-hint = Renewing early never loses days: the new time starts when the current one ends.
renew-promo-code = Promo code (optional)
renew-promo-hint = The best promotion for you is applied by itself.
renew-see-price = See the price
renew-no-plans = There is no plan for this line on the portal. Visit a store.
plan-summary = { $data } · { $validity }
validity-days = { $days ->
    [one] 1 day
   *[other] { $days } days
}
validity-months = { $months ->
    [one] 1 month
   *[other] { $months } months
}
validity-add-on = until the end of the current period
periods-days = { $count ->
    [one] 1 period of { $days } days
   *[other] { $count } periods of { $days } days
}
periods-months = { $months ->
    [one] 1 month
   *[other] { $months } months
}
periods-add-on = add-on for the current period
periods-count = { $count ->
    [one] 1 period
   *[other] { $count } periods
}

## The quote
quote-title = Price and details
quote-valid-until = This price holds until { $time }.
quote-new = Ask for a new price
price-item = Item
price-amount = Amount
price-vat-of = VAT ({ $rate })
price-total = Total
price-line-plan = { $plan } × { $count }
price-line-free = { $count ->
    [one] 1 free period ({ $promotion })
   *[other] { $count } free periods ({ $promotion })
}
price-line-discount = Discount ({ $promotion })
price-promotion-applied = Promotion applied:
price-vat-included = Prices include VAT.
details-title = Your details on record
details-intro = Please check your details before each renewal.
details-name = Name
details-email = E-mail
details-language = Language
details-no-email = none
details-confirm = These details are correct
details-wrong = Something wrong? A store that identifies can correct it.
details-wrong-link = Find such a store
pay-method = How do you want to pay?
pay-no-method = No payment method is offered here. Visit a store.
pay-credit-hint = From your credit: { $credit } available.
pay-voucher-hint = A voucher code from a shop.
pay-voucher-code = Voucher code
pay-card-hint = Card payment, confirmed with your bank.
pay-paypal-hint = You continue on PayPal's site.
pay-cash-hint = Cash taken at the counter.
pay-card-terminal-hint = Paid on the store's card terminal.
pay-button = Pay { $total }
method-credit = Credit
method-voucher = Voucher
method-card = Card
method-bancontact = Bancontact
method-paypal = PayPal
method-cash = Cash
method-card_terminal = Card terminal

## The order
order-title = Your order
order-heading = Order { $id }
order-syncing-title = Syncing with the network
order-syncing-text = Your payment is received and your line is renewed. The network is being told; this can take a few minutes.
order-completed-title = Your line is renewed.
order-review-text = We received a payment that does not match this order. We are looking into it; you will not be charged twice.
order-failed-title = Your payment did not go through
order-failed-text = Nothing was charged and your line was not renewed. Try again, or choose another way to pay.
order-waiting-text = Your payment is not confirmed yet. Finish it on the payment page, or pay another way.
order-new-expiry = Your line is now valid until
order-new-start = The new time starts on { $time }.
order-state = State
order-placed = Ordered
order-paid = Paid
order-method = Paid with
order-receipt-link = Receipt (printable)
order-pay-again = Pay this order
order-back-to-lines = Back to my lines
order-state-pending_payment = Waiting for payment
order-state-syncing = Syncing with the network
order-state-completed = Completed
order-state-cancelled = Cancelled
order-state-review = Being checked

## Receipt
receipt-title = Receipt
receipt-number = Receipt for order { $id }
receipt-line = Line
receipt-store = Paid at
receipt-vat-note = Amounts include VAT at { $rate }.
receipt-print = Print
receipt-back = Back to the order

## History
history-title = History
history-none = You have no orders yet.
history-caption = Your orders, newest first
history-date = Date
history-line = Line
history-plan = Plan
history-total = Total
history-state = State
history-receipt = Details
history-open = Order { $id }

## Stores
stores-title = Store finder
stores-intro = Find a store that can help you, so that you never travel to one that cannot.
stores-filter = The store must
stores-apply = Show stores
stores-count = { $count ->
    [0] No store matches
    [one] 1 store
   *[other] { $count } stores
}
stores-hours = Opening hours:
stores-capabilities = What this store does
capability-sells_sims = Sells SIM cards
capability-activates_esims = Activates eSIMs
capability-identifies = Identifies subscribers
capability-renews_cash = Renews for cash
capability-renews_card_terminal = Renews by card
capability-checks_devices = Checks devices

## Account
account-title = Account
passkeys-title = Passkeys
passkeys-intro = A passkey signs you in with your device's screen lock, without a code.
passkeys-none = You have no passkey yet.
passkeys-added = added { $date }
passkeys-label = Name of the passkey
passkeys-default-label = My phone
passkeys-add = Add a passkey
passkeys-added-now = The passkey was added.
passkeys-failed = The passkey could not be added.
passkeys-need-script = Adding a passkey needs a browser that supports them.

## The demo's card step
demo-card-title = Confirm your card payment
demo-card-banner = Demo: a simulated card payment. No card is charged and no money moves.
demo-card-intro = This page plays your bank's 3-D Secure check. Approve to pay, or decline to see what a refused payment does.
demo-card-amount = Amount
demo-card-for = For
demo-card-approve = Approve the payment
demo-card-decline = Decline the payment

## Counter console
counter-console-name = Counter
counter-sign-in-title = Counter sign-in
counter-sign-in-intro = For store staff: your e-mail address, your password and the code of your authenticator app.
counter-email = E-mail address
counter-password = Password
counter-sign-in-button = Sign in
counter-agents-only = The counter console is for store agents.
counter-title = Counter
counter-look-up-label = Customer's number or SIM card number (ICCID)
counter-look-up-hint = For example +32 470 12 34 56, or the 19 or 20 digits on the SIM card.
counter-look-up-button = Look up
counter-customer-title = Customer
counter-check-id = Check against the identity document
counter-no-subscriber = This line has no identified subscriber yet.
counter-identification = Identification on record
counter-no-identification = No identification recorded.
counter-iccid = SIM card number (ICCID)
counter-renew = Renew
counter-next = Next customer
counter-quote-title = Take the payment
counter-store = Store
counter-terminal-ref = Terminal reference
counter-terminal-ref-hint = The transaction number printed by the card terminal.
counter-take = Payment of { $total } received
counter-store-does-not-renew = This store does not renew lines.
counter-store-does-not-take = Your store does not take this payment method.
counter-back = Back to the counter

identification-eid = Belgian eID read
identification-itsme = itsme
identification-bank_payment = Bank payment
identification-passport_at_store = Passport checked at a store

## Errors
error-title = Something went wrong
error-back-home = Back to the start
error-page-not-found = This page does not exist.
error-form-expired = This form has expired. Go back, reload the page and try again.
error-form-in-progress = This request is already being handled. Wait a moment and look at your history.
error-internal = Something failed on our side. Nothing was changed; try again.
error-unavailable = The service is busy. Nothing was changed; try again in a moment.
error-conflict = This cannot be done in the current state. Reload the page and try again.
error-not-found = Not found.
error-not-found-line = No line with this number is known to you.
error-not-found-quote = This price is not known. Ask for a new one.
error-not-found-order = This order is not known to you.
error-address-missing = Enter your phone number, or your e-mail address.
error-invalid-input = Check what you entered.
error-invalid-phone = Enter a phone number in international form, starting with + and the country code, for example +32 470 12 34 56.
error-invalid-email = Enter an e-mail address such as name@example.com.
error-invalid-brand = Choose your operator.
error-invalid-code = The code is 6 digits.
error-invalid-iccid = This SIM card number is not valid: check the digits.
error-invalid-look-up = Enter a phone number in international form, or the SIM card's number.
error-invalid-plan = Choose a plan.
error-invalid-periods = Choose the number of periods.
error-invalid-promo-code = This promo code is not written correctly.
error-invalid-voucher = Enter the voucher code as printed on the voucher.
error-invalid-method = Choose how to pay.
error-details-confirm = Confirm that your details are correct, or have them corrected first.
error-code-wrong = This code is wrong or has expired. Ask for a new code if needed.
error-totp-wrong = The authenticator code is wrong. Try the current code.
error-staff-sign-in = Wrong e-mail address, password or code.
error-rate-limited = { $minutes ->
    [one] Too many attempts. Try again in 1 minute.
   *[other] Too many attempts. Try again in { $minutes } minutes.
}
error-periods = { $max ->
    [one] You can buy 1 period at a time.
   *[other] You can buy 1 to { $max } periods at a time.
}
error-plan-not-sold = This plan is not sold for this line here.
error-addon-periods = An add-on is bought one at a time.
error-addon-without-bundle = An add-on needs a running plan: renew the line first.
error-not-renewable = This line cannot be renewed: { $state }.
error-promo-unknown = This promo code is not known.
error-promo-not-yet-valid = This promo code is not valid yet.
error-promo-expired = This promo code has expired.
error-promo-exhausted = This promotion has been used up.
error-promo-already-used = You have already used this promo code.
error-promo-other-plan = This promo code does not apply to this plan.
error-promo-other-channel = This promo code does not apply here.
error-promo-first-renewal = This promo code is for a first renewal only.
error-promo-too-few-periods = { $buy ->
    [one] This promotion needs at least 1 period.
   *[other] This promotion needs at least { $buy } periods.
}
error-insufficient-credit = Your credit is too low: { $needed } needed, { $available } available. Choose another way to pay.
error-auto-renew-limit = This line was already renewed automatically { $limit ->
    [one] once
   *[other] { $limit } times
} this month, the most allowed. Renew it by hand.
error-auto-renew-cap = This automatic renewal would go over your monthly cap of { $cap }. Renew by hand, or raise the cap.
error-voucher-used = This voucher has already been used.
error-voucher-expired = This voucher has expired.
error-voucher-other-plan = This voucher is for another plan.
error-voucher-unknown = This voucher code is not known.
error-quote-expired = This price has expired. Ask for a new one.
error-order-not-payable = This order cannot be paid any more. Look at your history.
error-method-not-offered = This way of paying is not offered here.
error-terminal-ref = Enter the card terminal's reference.
error-payment-declined = The payment was declined. Nothing was charged.
error-provider-unavailable = The payment service did not answer. You will not be charged twice: try again.

## Checking a message
nav-check = Check a message
check-title = Is this message from us?
check-intro = Every reminder we send carries a verification code of ten letters and digits. Enter it here to see whether the message came from us and what it was about.
check-code-label = Verification code
check-code-hint = As printed in the message, for example K7Q4M-ZPA2X.
check-submit = Check
check-genuine = This message was sent by { $brand }.
check-genuine-about = It is about the line { $number }, which expires on { $date }.
check-genuine-portal = Renew only at { $portal }.
check-unknown = We did not send a message with this code.
check-unknown-advice = Do not follow its links, do not answer it and never give your card number or a sign-in code. Renew only at your operator's own address.
error-invalid-check-code = A verification code has ten letters and digits, as in K7Q4M-ZPA2X.

## Calendar feed
calendar-name = { $brand }: when your lines expire
calendar-expiry = { $brand } line { $number } expires
calendar-grace-end = { $brand } line { $number }: last day to renew before it is suspended
calendar-renew-at = Renew at { $portal }
calendar-alarm = Your line { $number } expires in 3 days
account-calendar-title = Expiry dates in your calendar
account-calendar-intro = Subscribe to this address in your calendar app (Google Calendar, Apple Calendar, Outlook): it shows when each of your lines expires, and reminds you three days before.
account-calendar-made = Your calendar address, shown only now. Copy it into your calendar app:
account-calendar-new = Make a calendar address
account-calendar-private = Anyone who has the address sees your expiry dates. Making a new one ends the old one at once.

## A new eSIM
lines-new-esim = Add a new eSIM line
esim-new-title = A new eSIM line
esim-new-intro = Choose a plan for your new number. You pay for it on the next page; then you install the eSIM on your phone by scanning a QR code.
esim-step-install = Install
esim-new-no-plans = No eSIM plans are on sale here at the moment.
esim-eid-label = Your phone's EID (optional)
esim-eid-hint = Check that your phone takes an eSIM: a phone that does shows a 32-digit EID under Settings › About (on Android, Settings › About phone › SIM status). Give it to bind the eSIM to this phone.
esim-plan-label = Plan
esim-new-identification = Belgian law asks us to identify every prepaid customer: once you are identified, the eSIM can be installed.
esim-new-continue = Continue to payment
esim-title = Your eSIM
esim-pay = Pay for it
esim-scan-title = Scan the QR code
esim-scan-text = On your phone, open Settings › Mobile data › Add eSIM (or Add mobile plan), then scan this code with the phone's camera. Keep Wi-Fi on while it installs.
esim-qr-alt = QR code of your eSIM's activation code
esim-iphone-title = On an iPhone
esim-iphone-link = Install on this iPhone (iOS 17.5 or later)
esim-manual-title = Or type it in
esim-manual-text = If you cannot scan the code, choose to enter the details manually and type these two:
esim-smdp-address = SM-DP+ address
esim-activation-code = Activation code
esim-full-code = Whole code
esim-code-secret = Anyone with this code can install your eSIM: do not share it.
esim-refresh = Refresh to see where it stands
esim-open = Install and follow the eSIM
error-invalid-eid = An EID is 32 digits, as shown in your phone's settings.
error-no-new-lines = No new line can be sold right now. Please try again later, or visit a store.
esim-stage-awaiting_payment = Waiting for payment
esim-stage-awaiting_payment-text = Pay for the plan, and your eSIM is prepared.
esim-stage-preparing = Being prepared
esim-stage-preparing-text = Your eSIM is being prepared by the network. This takes a minute or two.
esim-stage-awaiting_identification = Waiting for identification
esim-stage-awaiting_identification-text = Your eSIM is ready for you once you are identified. Visit a store that identifies, with your identity document.
esim-stage-ready_to_install = Ready to install
esim-stage-ready_to_install-text = Your eSIM is ready: install it on your phone as below.
esim-stage-installing = Installing
esim-stage-installing-text = Your phone is downloading the eSIM.
esim-stage-installed = Installed
esim-stage-installed-text = The eSIM is on your phone. Switch it on in the phone's settings to use it.
esim-stage-in_use = In use
esim-stage-in_use-text = The eSIM is installed and switched on.
esim-stage-not_on_phone = Not on a phone
esim-stage-not_on_phone-text = The eSIM was removed from the phone, or its install did not finish. You can install it again with the same code.
esim-stage-cancelled = Cancelled
esim-stage-cancelled-text = This eSIM was cancelled and cannot be installed.

## Selling a new eSIM at the counter
counter-esim-sell = Sell a new eSIM line
counter-esim-title = A new eSIM line
counter-esim-intro = The customer's details, their identity document where this store identifies, the plan and the payment. The eSIM's QR code shows on the customer's page once the network has prepared it.
counter-esim-customer = The customer
counter-esim-identification-hint = Check the identity document now, and the line works at once; without it, the customer is identified later at a store that identifies.
counter-esim-document-method = Document checked
counter-esim-document-number = Document number
counter-esim-not-identified = Not identified now
counter-esim-no-identify = This store does not identify: the customer will be identified later at a store that does.
counter-esim-submit = Sell and take the payment
counter-store-does-not-activate = Your store does not activate eSIMs.
counter-sim-sell = Sell a new SIM card
counter-sim-title = A new line on a SIM card
counter-sim-intro = A SIM card from this store's stock: the number printed on the card, the customer's details, their identity document where this store identifies, the plan and the payment. The line gets its phone number from the brand's numbers.
counter-sim-iccid-hint = The 19 or 20 digits printed on the card and its holder, starting with 89.
counter-sim-no-plans = No plans for SIM cards are on sale here at the moment.
counter-store-does-not-sell-sims = Your store does not sell SIM cards.
error-sim-on-line = This SIM card is already on a line: take another card from the stock.
counter-store-does-not-identify = Your store does not identify customers.
error-name-needed = The customer's name is needed, as on their document.
error-invalid-document = Enter the document number as printed on it.
counter-esim-identification = Identification

# Automatic renewal of a line.
lines-auto-renew = Automatic renewal
auto-renew-title = Automatic renewal
auto-renew-how = How it works
auto-renew-lead = We renew the line { $hours } hours before it expires, with the plan you choose, and charge the way of paying you choose here. You can switch it off at any time.
auto-renew-limit = { $brand } renews a line automatically at most { $limit ->
    [one] once
   *[other] { $limit } times
} per calendar month. Past that, or past your own cap, nothing is charged: we send you a message and you renew by hand.
auto-renew-this-month = This month: { $count ->
    [0] no automatic renewals yet
    [one] 1 automatic renewal
   *[other] { $count } automatic renewals
}, { $charged } charged.
auto-renew-plan-label = The plan it buys
auto-renew-pay-label = Paid with
auto-renew-pay-credit = Credit on the line (now { $credit })
auto-renew-pay-hint = A card or PayPal account is charged without asking you again; if your bank wants you to confirm, we tell you and nothing is charged.
auto-renew-cap-label = Your monthly cap (optional)
auto-renew-cap-hint = The most automatic renewals may charge this line in a calendar month, for example 25.00. Leave empty for no cap of your own.
auto-renew-save = Save
auto-renew-saved = Saved.
auto-renew-stopped = The last automatic renewal did not happen (a limit, your cap, or a payment that failed or needs your confirmation). We sent you a message. Renew by hand, or save this page again to start it again.
auto-renew-renew-by-hand = Renew by hand
auto-renew-no-plans = No plan of this line is sold for automatic renewal.
auto-renew-top-up-legend = Data top-up
auto-renew-top-up-hint = When the data left falls under the amount you set, we buy the add-on you choose, paid as above and within the same limits. You are charged for each top-up.
auto-renew-top-up-on = Top up my data automatically
auto-renew-top-up-plan = The add-on it buys
auto-renew-top-up-below = When less than this is left (MB)
error-top-up-plan = Choose an add-on sold for automatic top-ups.
error-top-up-below = Give a whole number of MB, less than the add-on gives.
error-auto-renew-cap-invalid = Enter the cap as an amount above zero, such as 25.00, or leave it empty.
