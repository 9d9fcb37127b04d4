# Herinneringen aan abonnees voordat hun lijn vervalt, per e-mail en sms.
# Placeholders ({ $name }) blijven in elke taal dezelfde; de tests controleren dat.

reminder-subject-before = { $brand }: uw lijn { $number } verloopt { $days ->
    [one] morgen
   *[other] over { $days } dagen
}
reminder-subject-today = { $brand }: uw lijn { $number } verloopt vandaag
reminder-subject-grace = { $brand }: uw lijn { $number } is verlopen
reminder-greeting = Beste { $name },
reminder-before = Uw { $brand }-lijn { $number } verloopt op { $date } om { $time }, { $days ->
    [one] morgen
   *[other] over { $days } dagen
}. Verleng op tijd om uw nummer en uw data te behouden.
reminder-today = Uw { $brand }-lijn { $number } verloopt vandaag, { $date } om { $time }. Verleng nu om uw nummer en uw data te behouden.
reminder-grace = Uw { $brand }-lijn { $number } is verlopen op { $date }. U kunt nog verlengen tot { $grace_date }; daarna wordt de lijn opgeschort.
reminder-renew-at = Verlengen via { $portal }
reminder-check = Komt dit bericht echt van { $brand }? Geef de code { $code } in op { $check }. We vragen nooit per bericht naar uw kaartnummer of een aanmeldcode.
reminder-signature = { $brand }
sms-reminder-before = { $brand }: lijn { $number } verloopt { $date } ({ $days ->
    [one] morgen
   *[other] over { $days } dagen
}). Verlengen: { $portal } Code { $code }
sms-reminder-today = { $brand }: lijn { $number } verloopt vandaag om { $time }. Verlengen: { $portal } Code { $code }
sms-reminder-grace = { $brand }: lijn { $number } is verlopen. Verleng voor { $grace_date }: { $portal } Code { $code }

# Meldingen van verbruikte data: 80 % en 100 % van een bundel; { $date } is het einde van de bundel.
data-subject-80 = { $brand }: 80 % van de data op { $number } is verbruikt
data-subject-100 = { $brand }: de data op { $number } is op
data-80 = U hebt 80 % van de data van uw { $brand }-lijn { $number } verbruikt (de bundel loopt tot { $date }). Neem tijdig een extra bundel als u meer nodig hebt.
data-100 = U hebt alle data van uw { $brand }-lijn { $number } verbruikt (de bundel loopt tot { $date }). Neem een extra bundel om verder data te gebruiken; bellen en uw nummer blijven gewoon werken.
data-buy-at = Een bundel nemen via { $portal }
sms-data-80 = { $brand }: 80 % data op { $number } verbruikt (bundel tot { $date }). Meer: { $portal } Code { $code }
sms-data-100 = { $brand }: data op { $number } is op (bundel tot { $date }). Meer: { $portal } Code { $code }
