# De pagina's van het klantenportaal en van de winkelbalie.
# De plaatshouders ({ $name }) blijven in elke taal dezelfde; de tests controleren dat.

platform-name = simrenew
skip-to-content = Naar de inhoud
nav-label = Hoofdmenu
nav-lines = Mijn lijnen
nav-history = Geschiedenis
nav-stores = Winkels
nav-account = Account
nav-counter = Balie
nav-sign-in = Aanmelden
nav-sign-out = Afmelden
language-switch-label = Taal
footer-operated-by = Prepaid mobiele dienst van
date-at-time = { $date } om { $time }
percent = { $value } %

## Sign-in
signin-title = Aanmelden
signin-intro = Meld je aan met het nummer van een van je lijnen, of met je e-mailadres. We sturen je een eenmalige code.
signin-by-phone = Met je telefoonnummer
signin-phone-label = Telefoonnummer
signin-phone-hint = In internationale vorm, bijvoorbeeld +32 470 12 34 56.
signin-send-code = Stuur me een code
signin-by-email = Met je e-mailadres
signin-email-label = E-mailadres
signin-brand-label = Je operator
signin-passkey-title = Met een toegangssleutel
signin-passkey-hint = Heb je een toegangssleutel toegevoegd, dan kan je toestel je aanmelden zonder code.
signin-passkey-button = Aanmelden met een toegangssleutel
signin-passkey-failed = Aanmelden met een toegangssleutel is niet gelukt. Gebruik een code.
signin-staff-link = Winkelpersoneel: aanmelden op de balieconsole
signin-totp-needed = Dit account vraagt ook de code van je authenticator-app.
code-title = Vul je code in
code-intro = We stuurden een code van 6 cijfers naar { $address }. Die is 5 minuten geldig.
code-label = Code
code-hint = 6 cijfers.
code-submit = Aanmelden
code-ask-again = Geen code gekregen? Vraag een nieuwe
code-totp-label = Code van je authenticator-app
code-totp-hint = 6 cijfers, uit de app die je instelde voor aanmelden in twee stappen.
code-recovery-summary = Authenticator kwijt?
code-recovery-label = Herstelcode

## My lines
lines-title = Mijn lijnen
lines-hello = Hallo { $name }.
lines-none = Er staan nog geen lijnen op je account.
lines-renew = Verlengen
lines-account-centre = Account verlengen
lines-grace-warning = Deze lijn is verlopen en zit in de respijtperiode. Verleng ze nu om je nummer te houden.
lines-lapsed = Deze lijn is vervallen: het nummer werd na de respijtperiode vrijgegeven.
lines-pending-identification = Deze lijn werkt zodra je geïdentificeerd bent. Ga met je identiteitsbewijs naar een winkel die identificeert.
lines-syncing = Je laatste verlenging wordt met het netwerk gesynchroniseerd. Dat kan enkele minuten duren.
line-number = Nummer
line-kind = Soort
line-state = Status
line-plan = Bundel
line-credit = Tegoed
line-expiry = Geldig tot
line-no-expiry = Nog niet verlengd
line-grace-until = Einde respijtperiode
line-esim-install = eSIM
line-auto-renew = Automatisch verlengen
line-data = Resterende data
line-data-left = { $left } over van { $total }
line-days-left = { $days ->
    [one] nog 1 dag
   *[other] nog { $days } dagen
}
line-expired-days-ago = { $days ->
    [0] vandaag verlopen
    [one] gisteren verlopen
   *[other] { $days } dagen geleden verlopen
}
data-unlimited = Onbeperkt
esim-installed = Op een toestel geïnstalleerd
esim-not-installed = Nog niet geïnstalleerd
auto-renew-on = Aan
auto-renew-off = Uit

kind-physical_sim = Simkaart
kind-esim = eSIM
kind-virtual_sim = Virtuele sim

state-active = Actief
state-grace = In respijtperiode
state-lapsed = Vervallen
state-suspended = Opgeschort
state-pending_identification = Wacht op identificatie
state-syncing = Synchroniseert met het netwerk

## Renewing
renew-title = Je lijn verlengen
account-centre-title = Accountcentrum
account-centre-intro = Een virtuele sim is een account: verleng het met zoveel periodes als je wilt.
account-centre-plan = Pakket
account-centre-period = Verlengingsperiode (aantal periodes)
account-centre-state = Status van het account
account-centre-confirm = De verlenging bevestigen
steps-label = Stappen
step-plan = Bundel
step-quote = Prijs en gegevens
step-pay = Betaling
step-done = Klaar
renew-plan = Bundel
renew-periods = Aantal periodes
renew-periods-hint = Vroeg verlengen kost nooit dagen: de nieuwe tijd begint wanneer de huidige eindigt.
renew-promo-code = Promotiecode (niet verplicht)
renew-promo-hint = De beste promotie voor jou wordt vanzelf toegepast.
renew-see-price = Prijs bekijken
renew-no-plans = Voor deze lijn is er geen bundel op het portaal. Ga naar een winkel.
plan-summary = { $data } · { $validity }
validity-days = { $days ->
    [one] 1 dag
   *[other] { $days } dagen
}
validity-months = { $months ->
    [one] 1 maand
   *[other] { $months } maanden
}
validity-add-on = tot het einde van de huidige periode
periods-days = { $count ->
    [one] 1 periode van { $days } dagen
   *[other] { $count } periodes van { $days } dagen
}
periods-months = { $months ->
    [one] 1 maand
   *[other] { $months } maanden
}
periods-add-on = extra voor de huidige periode
periods-count = { $count ->
    [one] 1 periode
   *[other] { $count } periodes
}

## The quote
quote-title = Prijs en gegevens
quote-valid-until = Deze prijs geldt tot { $time }.
quote-new = Een nieuwe prijs vragen
price-item = Omschrijving
price-amount = Bedrag
price-vat-of = Btw ({ $rate })
price-total = Totaal
price-line-plan = { $plan } × { $count }
price-line-free = { $count ->
    [one] 1 gratis periode ({ $promotion })
   *[other] { $count } gratis periodes ({ $promotion })
}
price-line-discount = Korting ({ $promotion })
price-promotion-applied = Toegepaste promotie:
price-vat-included = Prijzen inclusief btw.
details-title = Je geregistreerde gegevens
details-intro = Controleer je gegevens voor elke verlenging.
details-name = Naam
details-email = E-mail
details-language = Taal
details-no-email = geen
details-confirm = Deze gegevens kloppen
details-wrong = Klopt er iets niet? Een winkel die identificeert kan het verbeteren.
details-wrong-link = Zo'n winkel zoeken
pay-method = Hoe wil je betalen?
pay-no-method = Hier wordt geen betaalwijze aangeboden. Ga naar een winkel.
pay-credit-hint = Met je tegoed: { $credit } beschikbaar.
pay-voucher-hint = Een herlaadcode uit een winkel.
pay-voucher-code = Herlaadcode
pay-card-hint = Betaling met kaart, bevestigd bij je bank.
pay-paypal-hint = Je gaat verder op de site van PayPal.
pay-cash-hint = Contant ontvangen aan de balie.
pay-card-terminal-hint = Betaald op de betaalterminal van de winkel.
pay-button = { $total } betalen
method-credit = Tegoed
method-voucher = Herlaadcode
method-card = Kaart
method-bancontact = Bancontact
method-paypal = PayPal
method-cash = Contant
method-card_terminal = Betaalterminal

## The order
order-title = Je bestelling
order-heading = Bestelling { $id }
order-syncing-title = Synchroniseert met het netwerk
order-syncing-text = Je betaling is ontvangen en je lijn is verlengd. Het netwerk wordt op de hoogte gebracht; dat kan enkele minuten duren.
order-completed-title = Je lijn is verlengd.
order-review-text = We ontvingen een betaling die niet bij deze bestelling past. We kijken het na; je betaalt niet twee keer.
order-failed-title = Je betaling is niet gelukt
order-failed-text = Er werd niets aangerekend en je lijn werd niet verlengd. Probeer opnieuw, of kies een andere betaalwijze.
order-waiting-text = Je betaling is nog niet bevestigd. Rond ze af op de betaalpagina, of betaal op een andere manier.
order-new-expiry = Je lijn is nu geldig tot
order-new-start = De nieuwe tijd begint op { $time }.
order-state = Status
order-placed = Besteld
order-paid = Betaald
order-method = Betaald met
order-receipt-link = Kasticket (afdrukbaar)
order-pay-again = Deze bestelling betalen
order-back-to-lines = Terug naar mijn lijnen
order-state-pending_payment = Wacht op betaling
order-state-syncing = Synchroniseert met het netwerk
order-state-completed = Afgerond
order-state-cancelled = Geannuleerd
order-state-review = Wordt nagekeken

## Receipt
receipt-title = Kasticket
receipt-number = Kasticket van bestelling { $id }
receipt-line = Lijn
receipt-store = Betaald in
receipt-vat-note = Bedragen inclusief { $rate } btw.
receipt-print = Afdrukken
receipt-back = Terug naar de bestelling

## History
history-title = Geschiedenis
history-none = Je hebt nog geen bestellingen.
history-caption = Je bestellingen, de nieuwste eerst
history-date = Datum
history-line = Lijn
history-plan = Bundel
history-total = Totaal
history-state = Status
history-receipt = Details
history-open = Bestelling { $id }

## Stores
stores-title = Winkelzoeker
stores-intro = Vind een winkel die je kan helpen, zodat je nooit voor niets op pad gaat.
stores-filter = De winkel moet
stores-apply = Winkels tonen
stores-count = { $count ->
    [0] Geen enkele winkel past
    [one] 1 winkel
   *[other] { $count } winkels
}
stores-hours = Openingsuren:
stores-capabilities = Wat deze winkel doet
capability-sells_sims = Verkoopt simkaarten
capability-activates_esims = Activeert eSIM's
capability-identifies = Identificeert abonnees
capability-renews_cash = Verlengt contant
capability-renews_card_terminal = Verlengt met kaart
capability-checks_devices = Controleert toestellen

## Account
account-title = Account
passkeys-title = Toegangssleutels
passkeys-intro = Met een toegangssleutel meld je je aan met de schermvergrendeling van je toestel, zonder code.
passkeys-none = Je hebt nog geen toegangssleutel.
passkeys-added = toegevoegd op { $date }
passkeys-label = Naam van de toegangssleutel
passkeys-default-label = Mijn telefoon
passkeys-add = Een toegangssleutel toevoegen
passkeys-added-now = De toegangssleutel is toegevoegd.
passkeys-failed = De toegangssleutel kon niet worden toegevoegd.
passkeys-need-script = Een toegangssleutel toevoegen vraagt een browser die ze ondersteunt.

## The demo's card step
demo-card-title = Bevestig je kaartbetaling
demo-card-banner = Demo: een gesimuleerde kaartbetaling. Er wordt geen kaart belast en er gaat geen geld over.
demo-card-intro = Deze pagina speelt de 3-D Secure-controle van je bank. Keur goed om te betalen, of weiger om te zien wat een geweigerde betaling doet.
demo-card-amount = Bedrag
demo-card-for = Voor
demo-card-approve = De betaling goedkeuren
demo-card-decline = De betaling weigeren

## Counter console
counter-console-name = Balie
counter-sign-in-title = Aanmelden aan de balie
counter-sign-in-intro = Voor winkelpersoneel: je e-mailadres, je wachtwoord en de code van je authenticator-app.
counter-email = E-mailadres
counter-password = Wachtwoord
counter-sign-in-button = Aanmelden
counter-agents-only = De balieconsole is voor winkelmedewerkers.
counter-title = Balie
counter-look-up-label = Nummer van de klant of nummer van de simkaart (ICCID)
counter-look-up-hint = Bijvoorbeeld +32 470 12 34 56, of de 19 of 20 cijfers op de simkaart.
counter-look-up-button = Opzoeken
counter-customer-title = Klant
counter-check-id = Vergelijk met het identiteitsbewijs
counter-no-subscriber = Deze lijn heeft nog geen geïdentificeerde abonnee.
counter-identification = Geregistreerde identificatie
counter-no-identification = Geen identificatie geregistreerd.
counter-iccid = Simkaartnummer (ICCID)
counter-renew = Verlengen
counter-next = Volgende klant
counter-quote-title = De betaling ontvangen
counter-store = Winkel
counter-terminal-ref = Referentie van de terminal
counter-terminal-ref-hint = Het transactienummer dat de betaalterminal afdrukt.
counter-take = Betaling van { $total } ontvangen
counter-store-does-not-renew = Deze winkel verlengt geen lijnen.
counter-store-does-not-take = Je winkel aanvaardt deze betaalwijze niet.
counter-back = Terug naar de balie

identification-eid = Belgische eID gelezen
identification-itsme = itsme
identification-bank_payment = Bankbetaling
identification-passport_at_store = Paspoort gecontroleerd in een winkel

## Errors
error-title = Er ging iets mis
error-back-home = Terug naar het begin
error-page-not-found = Deze pagina bestaat niet.
error-form-expired = Dit formulier is verlopen. Ga terug, herlaad de pagina en probeer opnieuw.
error-form-in-progress = Deze aanvraag wordt al verwerkt. Wacht even en kijk in je geschiedenis.
error-internal = Er ging bij ons iets mis. Er is niets veranderd; probeer opnieuw.
error-unavailable = De dienst is druk bezet. Er is niets veranderd; probeer zo meteen opnieuw.
error-conflict = Dat kan niet in de huidige toestand. Herlaad de pagina en probeer opnieuw.
error-not-found = Niet gevonden.
error-not-found-line = Geen lijn met dit nummer is jou bekend.
error-not-found-quote = Deze prijs is niet bekend. Vraag een nieuwe.
error-not-found-order = Deze bestelling is jou niet bekend.
error-address-missing = Vul je telefoonnummer of je e-mailadres in.
error-invalid-input = Controleer wat je invulde.
error-invalid-phone = Vul een telefoonnummer in internationale vorm in, beginnend met + en de landcode, bijvoorbeeld +32 470 12 34 56.
error-invalid-email = Vul een e-mailadres in zoals naam@voorbeeld.be.
error-invalid-brand = Kies je operator.
error-invalid-code = De code telt 6 cijfers.
error-invalid-iccid = Dit simkaartnummer is niet geldig: controleer de cijfers.
error-invalid-look-up = Vul een telefoonnummer in internationale vorm in, of het nummer van de simkaart.
error-invalid-plan = Kies een bundel.
error-invalid-periods = Kies het aantal periodes.
error-invalid-promo-code = Deze promotiecode is niet goed geschreven.
error-invalid-voucher = Vul de herlaadcode in zoals ze op het ticket staat.
error-invalid-method = Kies hoe je wilt betalen.
error-details-confirm = Bevestig dat je gegevens kloppen, of laat ze eerst verbeteren.
error-code-wrong = Deze code is fout of verlopen. Vraag zo nodig een nieuwe code.
error-totp-wrong = De authenticator-code is fout. Probeer de huidige code.
error-staff-sign-in = Verkeerd e-mailadres, wachtwoord of verkeerde code.
error-rate-limited = { $minutes ->
    [one] Te veel pogingen. Probeer opnieuw over 1 minuut.
   *[other] Te veel pogingen. Probeer opnieuw over { $minutes } minuten.
}
error-periods = { $max ->
    [one] Je kunt 1 periode tegelijk kopen.
   *[other] Je kunt 1 tot { $max } periodes tegelijk kopen.
}
error-plan-not-sold = Deze bundel wordt hier niet verkocht voor deze lijn.
error-addon-periods = Een extra koop je een per keer.
error-addon-without-bundle = Een extra vraagt een lopende bundel: verleng eerst de lijn.
error-not-renewable = Deze lijn kan niet verlengd worden: { $state }.
error-promo-unknown = Deze promotiecode is niet bekend.
error-promo-not-yet-valid = Deze promotiecode is nog niet geldig.
error-promo-expired = Deze promotiecode is verlopen.
error-promo-exhausted = Deze promotie is uitgeput.
error-promo-already-used = Je hebt deze promotiecode al gebruikt.
error-promo-other-plan = Deze promotiecode geldt niet voor deze bundel.
error-promo-other-channel = Deze promotiecode geldt hier niet.
error-promo-first-renewal = Deze promotiecode geldt alleen voor een eerste verlenging.
error-promo-too-few-periods = { $buy ->
    [one] Deze promotie vraagt minstens 1 periode.
   *[other] Deze promotie vraagt minstens { $buy } periodes.
}
error-insufficient-credit = Je tegoed is te laag: { $needed } nodig, { $available } beschikbaar. Kies een andere betaalwijze.
error-auto-renew-limit = Deze lijn werd deze maand al { $limit ->
    [one] één keer
   *[other] { $limit } keer
} automatisch verlengd, het maximum. Verleng ze zelf.
error-auto-renew-cap = Deze automatische verlenging zou boven je maandlimiet van { $cap } gaan. Verleng zelf, of verhoog de limiet.
error-voucher-used = Deze herlaadcode is al gebruikt.
error-voucher-expired = Deze herlaadcode is verlopen.
error-voucher-other-plan = Deze herlaadcode is voor een andere bundel.
error-voucher-unknown = Deze herlaadcode is niet bekend.
error-quote-expired = Deze prijs is verlopen. Vraag een nieuwe.
error-order-not-payable = Deze bestelling kan niet meer betaald worden. Kijk in je geschiedenis.
error-method-not-offered = Deze betaalwijze wordt hier niet aangeboden.
error-terminal-ref = Vul de referentie van de betaalterminal in.
error-payment-declined = De betaling werd geweigerd. Er werd niets aangerekend.
error-provider-unavailable = De betaaldienst antwoordde niet. Je betaalt niet twee keer: probeer opnieuw.

## Een bericht controleren
nav-check = Bericht controleren
check-title = Komt dit bericht van ons?
check-intro = Elke herinnering die we sturen, bevat een controlecode van tien letters en cijfers. Geef die hier in om te zien of het bericht van ons komt en waarover het ging.
check-code-label = Controlecode
check-code-hint = Zoals in het bericht, bijvoorbeeld K7Q4M-ZPA2X.
check-submit = Controleren
check-genuine = Dit bericht is verstuurd door { $brand }.
check-genuine-about = Het gaat over de lijn { $number }, die verloopt op { $date }.
check-genuine-portal = Verleng alleen via { $portal }.
check-unknown = We hebben geen bericht met deze code verstuurd.
check-unknown-advice = Volg de links niet, antwoord niet en geef nooit uw kaartnummer of een aanmeldcode. Verleng alleen via het eigen adres van uw operator.
error-invalid-check-code = Een controlecode heeft tien letters en cijfers, zoals K7Q4M-ZPA2X.

## Agenda-feed
calendar-name = { $brand }: wanneer uw lijnen verlopen
calendar-expiry = { $brand }-lijn { $number } verloopt
calendar-grace-end = { $brand }-lijn { $number }: laatste dag om te verlengen voor de opschorting
calendar-renew-at = Verlengen via { $portal }
calendar-alarm = Uw lijn { $number } verloopt over 3 dagen
account-calendar-title = Vervaldata in uw agenda
account-calendar-intro = Abonneer u op dit adres in uw agenda-app (Google Agenda, Apple Agenda, Outlook): het toont wanneer elk van uw lijnen verloopt en herinnert u er drie dagen vooraf aan.
account-calendar-made = Uw agenda-adres, alleen nu getoond. Kopieer het in uw agenda-app:
account-calendar-new = Een agenda-adres maken
account-calendar-private = Wie het adres heeft, ziet uw vervaldata. Een nieuw adres maken beëindigt het oude meteen.

## Een nieuwe eSIM
lines-new-esim = Een nieuwe eSIM-lijn toevoegen
esim-new-title = Een nieuwe eSIM-lijn
esim-new-intro = Kies een bundel voor je nieuwe nummer. Je betaalt op de volgende pagina; daarna installeer je de eSIM op je telefoon door een QR-code te scannen.
esim-step-install = Installeren
esim-new-no-plans = Er zijn hier op dit moment geen eSIM-bundels te koop.
esim-eid-label = De EID van je telefoon (niet verplicht)
esim-eid-hint = Controleer of je telefoon een eSIM aankan: zo'n telefoon toont een EID van 32 cijfers onder Instellingen › Info (op Android: Instellingen › Over de telefoon › Simstatus). Geef hem om de eSIM aan deze telefoon te binden.
esim-plan-label = Bundel
esim-new-identification = De Belgische wet vraagt ons elke prepaidklant te identificeren: zodra je geïdentificeerd bent, kan de eSIM geïnstalleerd worden.
esim-new-continue = Verder naar betalen
esim-title = Je eSIM
esim-pay = Betalen
esim-scan-title = Scan de QR-code
esim-scan-text = Open op je telefoon Instellingen › Mobiel netwerk › eSIM toevoegen (of Abonnement toevoegen) en scan deze code met de camera. Laat wifi aan tijdens de installatie.
esim-qr-alt = QR-code van de activeringscode van je eSIM
esim-iphone-title = Op een iPhone
esim-iphone-link = Installeren op deze iPhone (iOS 17.5 of nieuwer)
esim-manual-title = Of typ het in
esim-manual-text = Lukt scannen niet, kies dan om de gegevens handmatig in te voeren en typ deze twee:
esim-smdp-address = SM-DP+-adres
esim-activation-code = Activeringscode
esim-full-code = Volledige code
esim-code-secret = Wie deze code heeft, kan je eSIM installeren: deel hem niet.
esim-refresh = Vernieuw om te zien hoe het ervoor staat
esim-open = De eSIM installeren en volgen
error-invalid-eid = Een EID telt 32 cijfers, zoals in de instellingen van je telefoon.
error-no-new-lines = Er kan nu geen nieuwe lijn verkocht worden. Probeer het later opnieuw, of ga langs in een winkel.
esim-stage-awaiting_payment = Wacht op betaling
esim-stage-awaiting_payment-text = Betaal de bundel en je eSIM wordt klaargemaakt.
esim-stage-preparing = Wordt klaargemaakt
esim-stage-preparing-text = Het netwerk maakt je eSIM klaar. Dat duurt een minuut of twee.
esim-stage-awaiting_identification = Wacht op identificatie
esim-stage-awaiting_identification-text = Je eSIM staat voor je klaar zodra je geïdentificeerd bent. Ga met je identiteitsbewijs naar een winkel die identificeert.
esim-stage-ready_to_install = Klaar om te installeren
esim-stage-ready_to_install-text = Je eSIM is klaar: installeer hem op je telefoon zoals hieronder.
esim-stage-installing = Wordt geïnstalleerd
esim-stage-installing-text = Je telefoon downloadt de eSIM.
esim-stage-installed = Geïnstalleerd
esim-stage-installed-text = De eSIM staat op je telefoon. Zet hem aan in de instellingen van je telefoon om hem te gebruiken.
esim-stage-in_use = In gebruik
esim-stage-in_use-text = De eSIM is geïnstalleerd en staat aan.
esim-stage-not_on_phone = Niet op een telefoon
esim-stage-not_on_phone-text = De eSIM werd van de telefoon verwijderd, of de installatie werd niet afgerond. Je kunt hem opnieuw installeren met dezelfde code.
esim-stage-cancelled = Geannuleerd
esim-stage-cancelled-text = Deze eSIM werd geannuleerd en kan niet geïnstalleerd worden.

## Een nieuwe eSIM verkopen aan de balie
counter-esim-sell = Een nieuwe eSIM-lijn verkopen
counter-esim-title = Een nieuwe eSIM-lijn
counter-esim-intro = De gegevens van de klant, het identiteitsbewijs waar deze winkel identificeert, de bundel en de betaling. De QR-code van de eSIM verschijnt op de pagina van de klant zodra het netwerk hem heeft klaargemaakt.
counter-esim-customer = De klant
counter-esim-identification-hint = Controleer het identiteitsbewijs nu, dan werkt de lijn meteen; zonder wordt de klant later geïdentificeerd in een winkel die identificeert.
counter-esim-document-method = Gecontroleerd document
counter-esim-document-number = Documentnummer
counter-esim-not-identified = Nu niet geïdentificeerd
counter-esim-no-identify = Deze winkel identificeert niet: de klant wordt later geïdentificeerd in een winkel die dat wel doet.
counter-esim-submit = Verkopen en de betaling ontvangen
counter-store-does-not-activate = Je winkel activeert geen eSIMs.
counter-sim-sell = Een nieuwe simkaart verkopen
counter-sim-title = Een nieuwe lijn op een simkaart
counter-sim-intro = Een simkaart uit de voorraad van deze winkel: het nummer dat op de kaart staat, de gegevens van de klant, hun identiteitsdocument als deze winkel identificeert, het abonnement en de betaling. De lijn krijgt een telefoonnummer uit de nummers van het merk.
counter-sim-iccid-hint = De 19 of 20 cijfers op de kaart en haar houder, beginnend met 89.
counter-sim-no-plans = Er zijn hier op dit moment geen abonnementen voor simkaarten te koop.
counter-store-does-not-sell-sims = Je winkel verkoopt geen simkaarten.
error-sim-on-line = Deze simkaart hoort al bij een lijn: neem een andere kaart uit de voorraad.
counter-store-does-not-identify = Je winkel identificeert geen klanten.
error-name-needed = De naam van de klant is nodig, zoals op het document.
error-invalid-document = Vul het documentnummer in zoals het erop staat.
counter-esim-identification = Identificatie

# Automatische verlenging van een lijn.
lines-auto-renew = Automatisch verlengen
auto-renew-title = Automatisch verlengen
auto-renew-how = Hoe het werkt
auto-renew-lead = We verlengen de lijn { $hours } uur voor ze vervalt, met het abonnement dat je kiest, en rekenen af op de manier die je hier kiest. Je kunt het altijd uitzetten.
auto-renew-limit = { $brand } verlengt een lijn hoogstens { $limit ->
    [one] één keer
   *[other] { $limit } keer
} per kalendermaand automatisch. Daarboven, of boven je eigen limiet, rekenen we niets aan: je krijgt een bericht en verlengt zelf.
auto-renew-this-month = Deze maand: { $count ->
    [0] nog geen automatische verlengingen
    [one] 1 automatische verlenging
   *[other] { $count } automatische verlengingen
}, { $charged } aangerekend.
auto-renew-plan-label = Het abonnement dat verlengd wordt
auto-renew-pay-label = Betaald met
auto-renew-pay-credit = Tegoed op de lijn (nu { $credit })
auto-renew-pay-hint = Een kaart of PayPal-account wordt aangerekend zonder het je opnieuw te vragen; wil je bank dat je bevestigt, dan laten we het je weten en rekenen we niets aan.
auto-renew-cap-label = Je maandlimiet (niet verplicht)
auto-renew-cap-hint = Het meeste dat automatische verlengingen deze lijn in een kalendermaand mogen aanrekenen, bijvoorbeeld 25,00. Laat leeg voor geen eigen limiet.
auto-renew-save = Bewaren
auto-renew-saved = Bewaard.
auto-renew-stopped = De laatste automatische verlenging is niet gebeurd (een limiet, je eigen limiet, of een betaling die mislukte of je bevestiging vraagt). We stuurden je een bericht. Verleng zelf, of bewaar deze pagina opnieuw om het weer te starten.
auto-renew-renew-by-hand = Zelf verlengen
auto-renew-no-plans = Geen abonnement van deze lijn wordt automatisch verlengd.
auto-renew-top-up-legend = Data aanvullen
auto-renew-top-up-hint = Als je minder data overhoudt dan wat je hier instelt, kopen we de extra bundel die je kiest, betaald zoals hierboven en binnen dezelfde limieten. Elke aanvulling wordt aangerekend.
auto-renew-top-up-on = Mijn data automatisch aanvullen
auto-renew-top-up-plan = De extra bundel die het koopt
auto-renew-top-up-below = Als er minder dan dit overblijft (MB)
error-top-up-plan = Kies een extra bundel die voor automatisch aanvullen verkocht wordt.
error-top-up-below = Geef een geheel aantal MB, minder dan wat de extra bundel geeft.
error-auto-renew-cap-invalid = Geef de limiet als een bedrag boven nul, zoals 25,00, of laat het leeg.
