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

# Een automatische verlenging die niet gebeurde: de abonnee verlengt zelf. { $date } is de
# vervaldatum van de lijn.
autorenew-subject-limit = { $brand }: verleng { $number } deze keer zelf
autorenew-subject-cap = { $brand }: verleng { $number } deze keer zelf
autorenew-subject-failed = { $brand }: we konden { $number } niet automatisch verlengen
autorenew-subject-confirm = { $brand }: je bank wil dat je de verlenging van { $number } bevestigt
autorenew-limit = Je { $brand }-lijn { $number } werd niet automatisch verlengd: ze werd deze maand al zo vaak automatisch verlengd als { $brand } toelaat. Er werd niets aangerekend. Verleng ze zelf vóór { $date } om { $time } om je nummer en je data te houden.
autorenew-cap = Je { $brand }-lijn { $number } werd niet automatisch verlengd: dat zou boven de maandlimiet gaan die je instelde. Er werd niets aangerekend. Verleng ze zelf vóór { $date } om { $time }, of verhoog de limiet.
autorenew-failed = Je { $brand }-lijn { $number } kon niet automatisch verlengd worden: de betaling lukte meermaals niet. Verleng ze zelf vóór { $date } om { $time } om je nummer en je data te houden.
autorenew-confirm = Je bank wil dat je de automatische verlenging van je { $brand }-lijn { $number } bevestigt, dus er werd niets aangerekend. Verleng ze zelf vóór { $date } om { $time }; je bank vraagt dan om te bevestigen.
sms-autorenew-limit = { $brand }: { $number } niet automatisch verlengd (maandlimiet). Verleng vóór { $date }: { $portal } Code { $code }
sms-autorenew-cap = { $brand }: { $number } niet automatisch verlengd (je limiet). Verleng vóór { $date }: { $portal } Code { $code }
sms-autorenew-failed = { $brand }: betaling voor { $number } mislukt. Verleng vóór { $date }: { $portal } Code { $code }
sms-autorenew-confirm = { $brand }: je bank moet de verlenging van { $number } bevestigen. Verleng vóór { $date }: { $portal } Code { $code }
topup-subject-limit = { $brand }: vul de data van { $number } deze keer zelf aan
topup-subject-cap = { $brand }: vul de data van { $number } deze keer zelf aan
topup-subject-failed = { $brand }: we konden de data van { $number } niet automatisch aanvullen
topup-subject-confirm = { $brand }: je bank wil dat je de data-aanvulling van { $number } bevestigt
topup-limit = Je { $brand }-lijn { $number } heeft bijna geen data meer, maar werd niet automatisch aangevuld: de automatische betalingen bereikten deze maand wat { $brand } toelaat. Er werd niets aangerekend. Vul zelf data aan als je meer nodig hebt; de lijn loopt tot { $date }.
topup-cap = Je { $brand }-lijn { $number } heeft bijna geen data meer, maar werd niet automatisch aangevuld: dat zou boven de maandlimiet gaan die je zelf instelde. Er werd niets aangerekend. Vul zelf data aan, of verhoog je limiet; de lijn loopt tot { $date }.
topup-failed = Je { $brand }-lijn { $number } heeft bijna geen data meer, en de automatische aanvulling kon meermaals niet betaald worden. Vul zelf data aan als je meer nodig hebt; de lijn loopt tot { $date }.
topup-confirm = Je { $brand }-lijn { $number } heeft bijna geen data meer, en je bank wil dat je de automatische aanvulling bevestigt; er werd dus niets aangerekend. Vul zelf data aan; je bank vraagt je dan om te bevestigen. De lijn loopt tot { $date }.
sms-topup-limit = { $brand }: { $number } bijna zonder data, niet aangevuld (maandlimiet). Tot { $date }. Aanvullen: { $portal } Code { $code }
sms-topup-cap = { $brand }: { $number } bijna zonder data, niet aangevuld (je limiet). Tot { $date }. Aanvullen: { $portal } Code { $code }
sms-topup-failed = { $brand }: data-aanvulling van { $number } mislukt. Tot { $date }. Aanvullen: { $portal } Code { $code }
sms-topup-confirm = { $brand }: je bank moet de data-aanvulling van { $number } bevestigen. Tot { $date }. Aanvullen: { $portal } Code { $code }

# Een bericht over een prijswijziging van het abonnement dat een lijn automatisch verlengt.
# { $date } is wanneer de nieuwe prijs ingaat.
price-subject = { $brand }: de prijs van { $plan } op { $number } verandert
price-change = De prijs van je abonnement { $plan } op je { $brand }-lijn { $number } gaat vanaf { $date } van { $old_price } naar { $new_price }. Je automatische verlengingen houden { $old_price } tot minstens 30 dagen na dit bericht. Wil je de nieuwe prijs niet, kies dan vóór die tijd een ander abonnement of zet automatisch verlengen uit.
price-choose-at = Kies op { $portal }
sms-price = { $brand }: { $plan } op { $number } gaat op { $date } van { $old_price } naar { $new_price } (30 dagen vooraf). Kies: { $portal } Code { $code }
