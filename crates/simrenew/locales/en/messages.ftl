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
