# Reminders sent to subscribers before their line lapses, by e-mail and SMS.
# Placeholders ({ $name }) must stay the same in every language; the tests check it.

reminder-subject-before = { $brand }: your line { $number } expires { $days ->
    [one] tomorrow
   *[other] in { $days } days
}
reminder-subject-today = { $brand }: your line { $number } expires today
reminder-subject-grace = { $brand }: your line { $number } has expired
reminder-greeting = Hello { $name },
reminder-before = Your { $brand } line { $number } expires on { $date } at { $time }, { $days ->
    [one] tomorrow
   *[other] in { $days } days
}. Renew it in time to keep your number and your data.
reminder-today = Your { $brand } line { $number } expires today, { $date } at { $time }. Renew it now to keep your number and your data.
reminder-grace = Your { $brand } line { $number } expired on { $date }. You can still renew it until { $grace_date }; after that it is suspended.
reminder-renew-at = Renew at { $portal }
reminder-check = Is this message really from { $brand }? Enter its code { $code } at { $check }. We never ask for your card number or a sign-in code by message.
reminder-signature = { $brand }
sms-reminder-before = { $brand }: line { $number } expires { $date } ({ $days ->
    [one] tomorrow
   *[other] in { $days } days
}). Renew: { $portal } Code { $code }
sms-reminder-today = { $brand }: line { $number } expires today at { $time }. Renew: { $portal } Code { $code }
sms-reminder-grace = { $brand }: line { $number } expired. Renew before { $grace_date }: { $portal } Code { $code }

# Notices of data used: 80 % and 100 % of a bundle; { $date } is the bundle's end.
data-subject-80 = { $brand }: 80 % of the data on { $number } is used
data-subject-100 = { $brand }: the data on { $number } is used up
data-80 = You have used 80 % of the data of your { $brand } line { $number } (the bundle runs until { $date }). Add a bundle in time if you need more.
data-100 = You have used all the data of your { $brand } line { $number } (the bundle runs until { $date }). Add a bundle to go on using data; calls and your number are not affected.
data-buy-at = Add a bundle at { $portal }
sms-data-80 = { $brand }: 80 % of the data on { $number } used (bundle until { $date }). More: { $portal } Code { $code }
sms-data-100 = { $brand }: data on { $number } used up (bundle until { $date }). More: { $portal } Code { $code }

# An automatic renewal that did not happen: the subscriber renews by hand. { $date } is the
# line's expiry.
autorenew-subject-limit = { $brand }: renew { $number } by hand this time
autorenew-subject-cap = { $brand }: renew { $number } by hand this time
autorenew-subject-failed = { $brand }: we could not renew { $number } automatically
autorenew-subject-confirm = { $brand }: your bank wants you to confirm the renewal of { $number }
autorenew-limit = Your { $brand } line { $number } was not renewed automatically: it has been renewed automatically as often this month as { $brand } allows. Nothing was charged. Renew it by hand before { $date } at { $time } to keep your number and your data.
autorenew-cap = Your { $brand } line { $number } was not renewed automatically: it would have gone over the monthly cap you set. Nothing was charged. Renew it by hand before { $date } at { $time }, or raise the cap.
autorenew-failed = Your { $brand } line { $number } could not be renewed automatically: the payment did not go through, several times. Renew it by hand before { $date } at { $time } to keep your number and your data.
autorenew-confirm = Your bank wants you to confirm the automatic renewal of your { $brand } line { $number }, so nothing was charged. Renew it yourself before { $date } at { $time }; your bank will ask you to confirm.
sms-autorenew-limit = { $brand }: { $number } not renewed automatically (monthly limit). Renew before { $date }: { $portal } Code { $code }
sms-autorenew-cap = { $brand }: { $number } not renewed automatically (your cap). Renew before { $date }: { $portal } Code { $code }
sms-autorenew-failed = { $brand }: payment for { $number } failed. Renew before { $date }: { $portal } Code { $code }
sms-autorenew-confirm = { $brand }: your bank must confirm the renewal of { $number }. Renew before { $date }: { $portal } Code { $code }
topup-subject-limit = { $brand }: add data to { $number } by hand this time
topup-subject-cap = { $brand }: add data to { $number } by hand this time
topup-subject-failed = { $brand }: we could not add data to { $number } automatically
topup-subject-confirm = { $brand }: your bank wants you to confirm the data top-up of { $number }
topup-limit = Your { $brand } line { $number } is low on data, but it was not topped up automatically: automatic charges reached what { $brand } allows this month. Nothing was charged. Add data by hand if you need more; the line runs until { $date }.
topup-cap = Your { $brand } line { $number } is low on data, but it was not topped up automatically: it would have gone over the monthly cap you set. Nothing was charged. Add data by hand, or raise the cap; the line runs until { $date }.
topup-failed = Your { $brand } line { $number } is low on data, and the automatic top-up could not be paid, several times. Add data by hand if you need more; the line runs until { $date }.
topup-confirm = Your { $brand } line { $number } is low on data, and your bank wants you to confirm the automatic top-up, so nothing was charged. Add data yourself; your bank will ask you to confirm. The line runs until { $date }.
sms-topup-limit = { $brand }: { $number } low on data, not topped up (monthly limit). Until { $date }. Add data: { $portal } Code { $code }
sms-topup-cap = { $brand }: { $number } low on data, not topped up (your cap). Until { $date }. Add data: { $portal } Code { $code }
sms-topup-failed = { $brand }: data top-up of { $number } failed. Until { $date }. Add data: { $portal } Code { $code }
sms-topup-confirm = { $brand }: your bank must confirm the data top-up of { $number }. Until { $date }. Add data: { $portal } Code { $code }

# A notice of a price change of the plan a line renews automatically. { $date } is when the
# new price comes into force.
price-subject = { $brand }: the price of { $plan } on { $number } changes
price-change = The price of your plan { $plan } on your { $brand } line { $number } changes from { $old_price } to { $new_price } from { $date }. Your automatic renewals keep { $old_price } until at least 30 days after this message. If you do not want the new price, choose another plan or switch automatic renewal off before then.
price-choose-at = Choose at { $portal }
sms-price = { $brand }: { $plan } on { $number } goes from { $old_price } to { $new_price } on { $date } (30 days' notice). Choose: { $portal } Code { $code }
