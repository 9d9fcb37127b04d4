# Erinnerungen an Teilnehmer, bevor ihre Leitung verfällt, per E-Mail und SMS.
# Platzhalter ({ $name }) bleiben in jeder Sprache gleich; die Tests prüfen es.

reminder-subject-before = { $brand }: Ihre Leitung { $number } läuft { $days ->
    [one] morgen
   *[other] in { $days } Tagen
} ab
reminder-subject-today = { $brand }: Ihre Leitung { $number } läuft heute ab
reminder-subject-grace = { $brand }: Ihre Leitung { $number } ist abgelaufen
reminder-greeting = Hallo { $name },
reminder-before = Ihre { $brand }-Leitung { $number } läuft am { $date } um { $time } ab, { $days ->
    [one] also morgen
   *[other] in { $days } Tagen
}. Verlängern Sie rechtzeitig, um Ihre Nummer und Ihre Daten zu behalten.
reminder-today = Ihre { $brand }-Leitung { $number } läuft heute ab, am { $date } um { $time }. Verlängern Sie jetzt, um Ihre Nummer und Ihre Daten zu behalten.
reminder-grace = Ihre { $brand }-Leitung { $number } ist am { $date } abgelaufen. Sie können sie noch bis zum { $grace_date } verlängern; danach wird sie gesperrt.
reminder-renew-at = Verlängern unter { $portal }
reminder-check = Kommt diese Nachricht wirklich von { $brand }? Geben Sie ihren Code { $code } unter { $check } ein. Wir fragen nie per Nachricht nach Ihrer Kartennummer oder einem Anmeldecode.
reminder-signature = { $brand }
sms-reminder-before = { $brand }: Leitung { $number } läuft am { $date } ab ({ $days ->
    [one] morgen
   *[other] in { $days } Tagen
}). Verlängern: { $portal } Code { $code }
sms-reminder-today = { $brand }: Leitung { $number } läuft heute um { $time } ab. Verlängern: { $portal } Code { $code }
sms-reminder-grace = { $brand }: Leitung { $number } ist abgelaufen. Verlängern bis { $grace_date }: { $portal } Code { $code }

# Hinweise zum Datenverbrauch: 80 % und 100 % eines Pakets; { $date } ist das Ende des Pakets.
data-subject-80 = { $brand }: 80 % der Daten von { $number } sind verbraucht
data-subject-100 = { $brand }: die Daten von { $number } sind aufgebraucht
data-80 = Sie haben 80 % der Daten Ihrer { $brand }-Leitung { $number } verbraucht (das Paket läuft bis { $date }). Buchen Sie rechtzeitig ein Paket dazu, wenn Sie mehr brauchen.
data-100 = Sie haben alle Daten Ihrer { $brand }-Leitung { $number } verbraucht (das Paket läuft bis { $date }). Buchen Sie ein Paket dazu, um weiter Daten zu nutzen; Anrufe und Ihre Nummer sind nicht betroffen.
data-buy-at = Ein Paket buchen unter { $portal }
sms-data-80 = { $brand }: 80 % der Daten von { $number } verbraucht (Paket bis { $date }). Mehr: { $portal } Code { $code }
sms-data-100 = { $brand }: Daten von { $number } aufgebraucht (Paket bis { $date }). Mehr: { $portal } Code { $code }

# Eine automatische Verlängerung, die nicht stattfand: der Kunde verlängert selbst. { $date }
# ist das Ablaufdatum der Leitung.
autorenew-subject-limit = { $brand }: Verlängern Sie { $number } diesmal selbst
autorenew-subject-cap = { $brand }: Verlängern Sie { $number } diesmal selbst
autorenew-subject-failed = { $brand }: Wir konnten { $number } nicht automatisch verlängern
autorenew-subject-confirm = { $brand }: Ihre Bank möchte die Verlängerung von { $number } bestätigt haben
autorenew-limit = Ihre { $brand }-Leitung { $number } wurde nicht automatisch verlängert: Sie wurde diesen Monat schon so oft automatisch verlängert, wie { $brand } erlaubt. Es wurde nichts abgebucht. Verlängern Sie sie selbst vor dem { $date } um { $time }, um Ihre Nummer und Ihre Daten zu behalten.
autorenew-cap = Ihre { $brand }-Leitung { $number } wurde nicht automatisch verlängert: Das hätte Ihr selbst gesetztes Monatslimit überschritten. Es wurde nichts abgebucht. Verlängern Sie sie selbst vor dem { $date } um { $time } oder erhöhen Sie das Limit.
autorenew-failed = Ihre { $brand }-Leitung { $number } konnte nicht automatisch verlängert werden: Die Zahlung ist mehrmals fehlgeschlagen. Verlängern Sie sie selbst vor dem { $date } um { $time }, um Ihre Nummer und Ihre Daten zu behalten.
autorenew-confirm = Ihre Bank möchte, dass Sie die automatische Verlängerung Ihrer { $brand }-Leitung { $number } bestätigen; es wurde daher nichts abgebucht. Verlängern Sie sie selbst vor dem { $date } um { $time }; Ihre Bank bittet Sie dann um Bestätigung.
sms-autorenew-limit = { $brand }: { $number } nicht automatisch verlängert (Monatslimit). Verlängern bis { $date }: { $portal } Code { $code }
sms-autorenew-cap = { $brand }: { $number } nicht automatisch verlängert (Ihr Limit). Verlängern bis { $date }: { $portal } Code { $code }
sms-autorenew-failed = { $brand }: Zahlung für { $number } fehlgeschlagen. Verlängern bis { $date }: { $portal } Code { $code }
sms-autorenew-confirm = { $brand }: Ihre Bank muss { $number } bestätigen. Verlängern bis { $date }: { $portal } Code { $code }
topup-subject-limit = { $brand }: Laden Sie diesmal selbst Daten auf { $number } nach
topup-subject-cap = { $brand }: Laden Sie diesmal selbst Daten auf { $number } nach
topup-subject-failed = { $brand }: Wir konnten { $number } nicht automatisch Daten nachladen
topup-subject-confirm = { $brand }: Ihre Bank möchte, dass Sie das Daten-Nachladen für { $number } bestätigen
topup-limit = Ihre { $brand }-Leitung { $number } hat kaum noch Daten, wurde aber nicht automatisch aufgeladen: Die automatischen Abbuchungen haben erreicht, was { $brand } diesen Monat erlaubt. Es wurde nichts abgebucht. Laden Sie selbst Daten nach, wenn Sie mehr brauchen; die Leitung läuft bis zum { $date }.
topup-cap = Ihre { $brand }-Leitung { $number } hat kaum noch Daten, wurde aber nicht automatisch aufgeladen: Das hätte Ihre selbst gesetzte Monatsgrenze überschritten. Es wurde nichts abgebucht. Laden Sie selbst Daten nach oder erhöhen Sie die Grenze; die Leitung läuft bis zum { $date }.
topup-failed = Ihre { $brand }-Leitung { $number } hat kaum noch Daten, und das automatische Nachladen konnte mehrmals nicht bezahlt werden. Laden Sie selbst Daten nach, wenn Sie mehr brauchen; die Leitung läuft bis zum { $date }.
topup-confirm = Ihre { $brand }-Leitung { $number } hat kaum noch Daten, und Ihre Bank möchte, dass Sie das automatische Nachladen bestätigen; es wurde daher nichts abgebucht. Laden Sie selbst Daten nach; Ihre Bank bittet Sie dann um Bestätigung. Die Leitung läuft bis zum { $date }.
sms-topup-limit = { $brand }: { $number } fast ohne Daten, nicht aufgeladen (Monatslimit). Bis { $date }. Nachladen: { $portal } Code { $code }
sms-topup-cap = { $brand }: { $number } fast ohne Daten, nicht aufgeladen (Ihre Grenze). Bis { $date }. Nachladen: { $portal } Code { $code }
sms-topup-failed = { $brand }: Daten-Nachladen für { $number } fehlgeschlagen. Bis { $date }. Nachladen: { $portal } Code { $code }
sms-topup-confirm = { $brand }: Ihre Bank muss das Daten-Nachladen für { $number } bestätigen. Bis { $date }. Nachladen: { $portal } Code { $code }

# Eine Mitteilung über eine Preisänderung des Tarifs, den eine Leitung automatisch verlängert.
# { $date } ist, ab wann der neue Preis gilt.
price-subject = { $brand }: Der Preis von { $plan } auf { $number } ändert sich
price-change = Der Preis Ihres Tarifs { $plan } auf Ihrer { $brand }-Leitung { $number } ändert sich ab dem { $date } von { $old_price } auf { $new_price }. Ihre automatischen Verlängerungen behalten { $old_price } bis mindestens 30 Tage nach dieser Nachricht. Wenn Sie den neuen Preis nicht möchten, wählen Sie bis dahin einen anderen Tarif oder schalten Sie die automatische Verlängerung aus.
price-choose-at = Wählen unter { $portal }
sms-price = { $brand }: { $plan } auf { $number } ab { $date } { $new_price } statt { $old_price } (30 Tage Frist). Wählen: { $portal } Code { $code }
