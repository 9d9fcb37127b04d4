# Die Seiten des Kundenportals und der Ladentheken-Konsole.
# Die Platzhalter ({ $name }) bleiben in jeder Sprache gleich; die Tests prüfen das.

platform-name = simrenew
skip-to-content = Zum Inhalt springen
nav-label = Hauptmenü
nav-lines = Meine Anschlüsse
nav-history = Verlauf
nav-stores = Geschäfte
nav-account = Konto
nav-counter = Theke
nav-sign-in = Anmelden
nav-sign-out = Abmelden
language-switch-label = Sprache
footer-operated-by = Prepaid-Mobilfunk von
date-at-time = { $date } um { $time }
percent = { $value } %

## Sign-in
signin-title = Anmelden
signin-intro = Melden Sie sich mit der Nummer eines Ihrer Anschlüsse oder mit Ihrer E-Mail-Adresse an. Wir senden Ihnen einen Einmalcode.
signin-by-phone = Mit Ihrer Telefonnummer
signin-phone-label = Telefonnummer
signin-phone-hint = Im internationalen Format, zum Beispiel +32 470 12 34 56.
signin-send-code = Code senden
signin-by-email = Mit Ihrer E-Mail-Adresse
signin-email-label = E-Mail-Adresse
signin-brand-label = Ihr Anbieter
signin-passkey-title = Mit einem Passkey
signin-passkey-hint = Wenn Sie einen Passkey hinzugefügt haben, meldet Ihr Gerät Sie ohne Code an.
signin-passkey-button = Mit einem Passkey anmelden
signin-passkey-failed = Die Anmeldung mit einem Passkey hat nicht geklappt. Verwenden Sie einen Code.
signin-staff-link = Ladenpersonal: Anmeldung an der Theken-Konsole
signin-totp-needed = Dieses Konto verlangt auch den Code Ihrer Authenticator-App.
code-title = Code eingeben
code-intro = Wir haben einen 6-stelligen Code an { $address } gesendet. Er ist 5 Minuten gültig.
code-label = Code
code-hint = 6 Ziffern.
code-submit = Anmelden
code-ask-again = Keinen Code erhalten? Neuen Code anfordern
code-totp-label = Code aus Ihrer Authenticator-App
code-totp-hint = 6 Ziffern, aus der App, die Sie für die Anmeldung in zwei Schritten eingerichtet haben.
code-recovery-summary = Authenticator verloren?
code-recovery-label = Wiederherstellungscode

## My lines
lines-title = Meine Anschlüsse
lines-hello = Hallo { $name }.
lines-none = Ihr Konto hat noch keine Anschlüsse.
lines-renew = Verlängern
lines-account-centre = Konto verlängern
lines-grace-warning = Dieser Anschluss ist abgelaufen und in der Kulanzfrist. Verlängern Sie ihn jetzt, um Ihre Nummer zu behalten.
lines-lapsed = Dieser Anschluss ist erloschen: Die Nummer wurde nach der Kulanzfrist freigegeben.
lines-pending-identification = Dieser Anschluss ist nutzbar, sobald Sie identifiziert sind. Gehen Sie mit Ihrem Ausweis in ein Geschäft, das identifiziert.
lines-syncing = Ihre letzte Verlängerung wird mit dem Netz abgeglichen. Das kann einige Minuten dauern.
line-number = Nummer
line-kind = Art
line-state = Status
line-plan = Tarif
line-credit = Guthaben
line-expiry = Gültig bis
line-no-expiry = Noch nicht verlängert
line-grace-until = Ende der Kulanzfrist
line-esim-install = eSIM
line-auto-renew = Automatische Verlängerung
line-data = Verbleibende Daten
line-data-left = { $left } von { $total } übrig
line-days-left = { $days ->
    [one] noch 1 Tag
   *[other] noch { $days } Tage
}
line-expired-days-ago = { $days ->
    [0] heute abgelaufen
    [one] gestern abgelaufen
   *[other] vor { $days } Tagen abgelaufen
}
data-unlimited = Unbegrenzt
esim-installed = Auf einem Gerät installiert
esim-not-installed = Noch nicht installiert
auto-renew-on = Ein
auto-renew-off = Aus

kind-physical_sim = SIM-Karte
kind-esim = eSIM
kind-virtual_sim = Virtuelle SIM

state-active = Aktiv
state-grace = In der Kulanzfrist
state-lapsed = Erloschen
state-suspended = Gesperrt
state-pending_identification = Wartet auf Identifizierung
state-syncing = Wird mit dem Netz abgeglichen

## Renewing
renew-title = Ihren Anschluss verlängern
account-centre-title = Kontocenter
account-centre-intro = Eine virtuelle SIM ist ein Konto: Verlängern Sie es um so viele Zeiträume, wie Sie möchten.
account-centre-plan = Paket
account-centre-period = Verlängerungszeitraum (Anzahl der Zeiträume)
account-centre-state = Kontostatus
account-centre-confirm = Verlängerung bestätigen
steps-label = Schritte
step-plan = Tarif
step-quote = Preis und Angaben
step-pay = Zahlung
step-done = Fertig
renew-plan = Tarif
renew-periods = Anzahl der Zeiträume
renew-periods-hint = Frühes Verlängern kostet nie Tage: Die neue Zeit beginnt, wenn die laufende endet.
renew-promo-code = Aktionscode (optional)
renew-promo-hint = Die beste Aktion für Sie wird von selbst angewendet.
renew-see-price = Preis ansehen
renew-no-plans = Für diesen Anschluss gibt es im Portal keinen Tarif. Gehen Sie in ein Geschäft.
plan-summary = { $data } · { $validity }
validity-days = { $days ->
    [one] 1 Tag
   *[other] { $days } Tage
}
validity-months = { $months ->
    [one] 1 Monat
   *[other] { $months } Monate
}
validity-add-on = bis zum Ende des laufenden Zeitraums
periods-days = { $count ->
    [one] 1 Zeitraum von { $days } Tagen
   *[other] { $count } Zeiträume von { $days } Tagen
}
periods-months = { $months ->
    [one] 1 Monat
   *[other] { $months } Monate
}
periods-add-on = Zusatzpaket für den laufenden Zeitraum
periods-count = { $count ->
    [one] 1 Zeitraum
   *[other] { $count } Zeiträume
}

## The quote
quote-title = Preis und Angaben
quote-valid-until = Dieser Preis gilt bis { $time }.
quote-new = Neuen Preis anfordern
price-item = Posten
price-amount = Betrag
price-vat-of = MwSt. ({ $rate })
price-total = Summe
price-line-plan = { $plan } × { $count }
price-line-free = { $count ->
    [one] 1 Gratiszeitraum ({ $promotion })
   *[other] { $count } Gratiszeiträume ({ $promotion })
}
price-line-discount = Rabatt ({ $promotion })
price-promotion-applied = Angewendete Aktion:
price-vat-included = Preise inklusive MwSt.
details-title = Ihre gespeicherten Angaben
details-intro = Bitte prüfen Sie Ihre Angaben vor jeder Verlängerung.
details-name = Name
details-email = E-Mail
details-language = Sprache
details-no-email = keine
details-confirm = Diese Angaben sind richtig
details-wrong = Stimmt etwas nicht? Ein Geschäft, das identifiziert, kann es berichtigen.
details-wrong-link = Ein solches Geschäft finden
pay-method = Wie möchten Sie bezahlen?
pay-no-method = Hier wird keine Zahlungsart angeboten. Gehen Sie in ein Geschäft.
pay-credit-hint = Mit Ihrem Guthaben: { $credit } verfügbar.
pay-voucher-hint = Ein Aufladecode aus einem Geschäft.
pay-voucher-code = Aufladecode
pay-card-hint = Kartenzahlung, bei Ihrer Bank bestätigt.
pay-paypal-hint = Sie machen auf der Seite von PayPal weiter.
pay-cash-hint = Bar an der Theke erhalten.
pay-card-terminal-hint = Am Kartenterminal des Geschäfts bezahlt.
pay-button = { $total } bezahlen
method-credit = Guthaben
method-voucher = Aufladecode
method-card = Karte
method-bancontact = Bancontact
method-paypal = PayPal
method-cash = Bar
method-card_terminal = Kartenterminal

## The order
order-title = Ihre Bestellung
order-heading = Bestellung { $id }
order-syncing-title = Wird mit dem Netz abgeglichen
order-syncing-text = Ihre Zahlung ist eingegangen und Ihr Anschluss ist verlängert. Das Netz wird informiert; das kann einige Minuten dauern.
order-completed-title = Ihr Anschluss ist verlängert.
order-review-text = Wir haben eine Zahlung erhalten, die nicht zu dieser Bestellung passt. Wir prüfen das; Sie zahlen nicht doppelt.
order-failed-title = Ihre Zahlung ist nicht durchgegangen
order-failed-text = Es wurde nichts abgebucht und Ihr Anschluss wurde nicht verlängert. Versuchen Sie es erneut oder wählen Sie eine andere Zahlungsart.
order-waiting-text = Ihre Zahlung ist noch nicht bestätigt. Schließen Sie sie auf der Zahlungsseite ab oder bezahlen Sie anders.
order-new-expiry = Ihr Anschluss ist jetzt gültig bis
order-new-start = Die neue Zeit beginnt am { $time }.
order-state = Status
order-placed = Bestellt
order-paid = Bezahlt
order-method = Bezahlt mit
order-receipt-link = Beleg (druckbar)
order-pay-again = Diese Bestellung bezahlen
order-back-to-lines = Zurück zu meinen Anschlüssen
order-state-pending_payment = Wartet auf Zahlung
order-state-syncing = Wird mit dem Netz abgeglichen
order-state-completed = Abgeschlossen
order-state-cancelled = Storniert
order-state-review = Wird geprüft

## Receipt
receipt-title = Beleg
receipt-number = Beleg zur Bestellung { $id }
receipt-line = Anschluss
receipt-store = Bezahlt in
receipt-vat-note = Beträge inklusive { $rate } MwSt.
receipt-print = Drucken
receipt-back = Zurück zur Bestellung

## History
history-title = Verlauf
history-none = Sie haben noch keine Bestellungen.
history-caption = Ihre Bestellungen, die neuesten zuerst
history-date = Datum
history-line = Anschluss
history-plan = Tarif
history-total = Summe
history-state = Status
history-receipt = Details
history-open = Bestellung { $id }

## Stores
stores-title = Geschäftsfinder
stores-intro = Finden Sie ein Geschäft, das Ihnen helfen kann, damit Sie nie umsonst hinfahren.
stores-filter = Das Geschäft muss
stores-apply = Geschäfte anzeigen
stores-count = { $count ->
    [0] Kein Geschäft passt
    [one] 1 Geschäft
   *[other] { $count } Geschäfte
}
stores-hours = Öffnungszeiten:
stores-capabilities = Was dieses Geschäft macht
capability-sells_sims = Verkauft SIM-Karten
capability-activates_esims = Aktiviert eSIMs
capability-identifies = Identifiziert Kunden
capability-renews_cash = Verlängert gegen Bargeld
capability-renews_card_terminal = Verlängert mit Karte
capability-checks_devices = Prüft Geräte

## Account
account-title = Konto
passkeys-title = Passkeys
passkeys-intro = Ein Passkey meldet Sie mit der Bildschirmsperre Ihres Geräts an, ohne Code.
passkeys-none = Sie haben noch keinen Passkey.
passkeys-added = hinzugefügt am { $date }
passkeys-label = Name des Passkeys
passkeys-default-label = Mein Telefon
passkeys-add = Passkey hinzufügen
passkeys-added-now = Der Passkey wurde hinzugefügt.
passkeys-failed = Der Passkey konnte nicht hinzugefügt werden.
passkeys-need-script = Einen Passkey hinzuzufügen braucht einen Browser, der sie unterstützt.

## The demo's card step
demo-card-title = Bestätigen Sie Ihre Kartenzahlung
demo-card-banner = Demo: eine simulierte Kartenzahlung. Keine Karte wird belastet, kein Geld fließt.
demo-card-intro = Diese Seite spielt die 3-D-Secure-Prüfung Ihrer Bank. Genehmigen Sie, um zu bezahlen, oder lehnen Sie ab, um zu sehen, was eine abgelehnte Zahlung bewirkt.
demo-card-amount = Betrag
demo-card-for = Für
demo-card-approve = Zahlung genehmigen
demo-card-decline = Zahlung ablehnen

## Counter console
counter-console-name = Theke
counter-sign-in-title = Anmeldung an der Theke
counter-sign-in-intro = Für Ladenpersonal: Ihre E-Mail-Adresse, Ihr Passwort und der Code Ihrer Authenticator-App.
counter-email = E-Mail-Adresse
counter-password = Passwort
counter-sign-in-button = Anmelden
counter-agents-only = Die Theken-Konsole ist für Ladenmitarbeitende.
counter-title = Theke
counter-look-up-label = Nummer des Kunden oder Nummer der SIM-Karte (ICCID)
counter-look-up-hint = Zum Beispiel +32 470 12 34 56, oder die 19 oder 20 Ziffern auf der SIM-Karte.
counter-look-up-button = Suchen
counter-customer-title = Kunde
counter-check-id = Mit dem Ausweis abgleichen
counter-no-subscriber = Dieser Anschluss hat noch keinen identifizierten Kunden.
counter-identification = Gespeicherte Identifizierung
counter-no-identification = Keine Identifizierung gespeichert.
counter-iccid = SIM-Kartennummer (ICCID)
counter-renew = Verlängern
counter-next = Nächster Kunde
counter-quote-title = Zahlung entgegennehmen
counter-store = Geschäft
counter-terminal-ref = Referenz des Terminals
counter-terminal-ref-hint = Die Transaktionsnummer, die das Kartenterminal druckt.
counter-take = Zahlung von { $total } erhalten
counter-store-does-not-renew = Dieses Geschäft verlängert keine Anschlüsse.
counter-store-does-not-take = Ihr Geschäft nimmt diese Zahlungsart nicht an.
counter-back = Zurück zur Theke

identification-eid = Belgische eID gelesen
identification-itsme = itsme
identification-bank_payment = Banküberweisung
identification-passport_at_store = Reisepass im Geschäft geprüft

## Errors
error-title = Etwas ist schiefgelaufen
error-back-home = Zurück zum Anfang
error-page-not-found = Diese Seite gibt es nicht.
error-form-expired = Dieses Formular ist abgelaufen. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.
error-form-in-progress = Diese Anfrage wird schon bearbeitet. Warten Sie kurz und sehen Sie in Ihrem Verlauf nach.
error-internal = Bei uns ist etwas fehlgeschlagen. Es wurde nichts geändert; versuchen Sie es erneut.
error-unavailable = Der Dienst ist ausgelastet. Es wurde nichts geändert; versuchen Sie es gleich noch einmal.
error-conflict = Das geht im jetzigen Zustand nicht. Laden Sie die Seite neu und versuchen Sie es erneut.
error-not-found = Nicht gefunden.
error-not-found-line = Ein Anschluss mit dieser Nummer ist Ihnen nicht bekannt.
error-not-found-quote = Dieser Preis ist nicht bekannt. Fordern Sie einen neuen an.
error-not-found-order = Diese Bestellung ist Ihnen nicht bekannt.
error-address-missing = Geben Sie Ihre Telefonnummer oder Ihre E-Mail-Adresse ein.
error-invalid-input = Prüfen Sie Ihre Eingabe.
error-invalid-phone = Geben Sie eine Telefonnummer im internationalen Format ein, mit + und der Ländervorwahl, zum Beispiel +32 470 12 34 56.
error-invalid-email = Geben Sie eine E-Mail-Adresse wie name@beispiel.be ein.
error-invalid-brand = Wählen Sie Ihren Anbieter.
error-invalid-code = Der Code hat 6 Ziffern.
error-invalid-iccid = Diese SIM-Kartennummer ist ungültig: Prüfen Sie die Ziffern.
error-invalid-look-up = Geben Sie eine Telefonnummer im internationalen Format oder die Nummer der SIM-Karte ein.
error-invalid-plan = Wählen Sie einen Tarif.
error-invalid-periods = Wählen Sie die Anzahl der Zeiträume.
error-invalid-promo-code = Dieser Aktionscode ist nicht richtig geschrieben.
error-invalid-voucher = Geben Sie den Aufladecode so ein, wie er aufgedruckt ist.
error-invalid-method = Wählen Sie, wie Sie bezahlen möchten.
error-details-confirm = Bestätigen Sie, dass Ihre Angaben richtig sind, oder lassen Sie sie zuerst berichtigen.
error-code-wrong = Dieser Code ist falsch oder abgelaufen. Fordern Sie bei Bedarf einen neuen Code an.
error-totp-wrong = Der Authenticator-Code ist falsch. Versuchen Sie den aktuellen Code.
error-staff-sign-in = Falsche E-Mail-Adresse, falsches Passwort oder falscher Code.
error-rate-limited = { $minutes ->
    [one] Zu viele Versuche. Versuchen Sie es in 1 Minute erneut.
   *[other] Zu viele Versuche. Versuchen Sie es in { $minutes } Minuten erneut.
}
error-periods = { $max ->
    [one] Sie können 1 Zeitraum auf einmal kaufen.
   *[other] Sie können 1 bis { $max } Zeiträume auf einmal kaufen.
}
error-plan-not-sold = Dieser Tarif wird hier für diesen Anschluss nicht verkauft.
error-addon-periods = Ein Zusatzpaket wird einzeln gekauft.
error-addon-without-bundle = Ein Zusatzpaket braucht einen laufenden Tarif: Verlängern Sie zuerst den Anschluss.
error-not-renewable = Dieser Anschluss kann nicht verlängert werden: { $state }.
error-promo-unknown = Dieser Aktionscode ist nicht bekannt.
error-promo-not-yet-valid = Dieser Aktionscode gilt noch nicht.
error-promo-expired = Dieser Aktionscode ist abgelaufen.
error-promo-exhausted = Diese Aktion ist ausgeschöpft.
error-promo-already-used = Sie haben diesen Aktionscode schon verwendet.
error-promo-other-plan = Dieser Aktionscode gilt nicht für diesen Tarif.
error-promo-other-channel = Dieser Aktionscode gilt hier nicht.
error-promo-first-renewal = Dieser Aktionscode gilt nur für eine erste Verlängerung.
error-promo-too-few-periods = { $buy ->
    [one] Diese Aktion verlangt mindestens 1 Zeitraum.
   *[other] Diese Aktion verlangt mindestens { $buy } Zeiträume.
}
error-insufficient-credit = Ihr Guthaben reicht nicht: { $needed } nötig, { $available } verfügbar. Wählen Sie eine andere Zahlungsart.
error-auto-renew-limit = Diese Leitung wurde diesen Monat schon { $limit ->
    [one] einmal
   *[other] { $limit } Mal
} automatisch verlängert, so oft wie erlaubt. Verlängern Sie sie selbst.
error-auto-renew-cap = Diese automatische Verlängerung würde Ihr Monatslimit von { $cap } überschreiten. Verlängern Sie selbst oder erhöhen Sie das Limit.
error-voucher-used = Dieser Aufladecode wurde schon verwendet.
error-voucher-expired = Dieser Aufladecode ist abgelaufen.
error-voucher-other-plan = Dieser Aufladecode ist für einen anderen Tarif.
error-voucher-unknown = Dieser Aufladecode ist nicht bekannt.
error-quote-expired = Dieser Preis ist abgelaufen. Fordern Sie einen neuen an.
error-order-not-payable = Diese Bestellung kann nicht mehr bezahlt werden. Sehen Sie in Ihrem Verlauf nach.
error-method-not-offered = Diese Zahlungsart wird hier nicht angeboten.
error-terminal-ref = Geben Sie die Referenz des Kartenterminals ein.
error-payment-declined = Die Zahlung wurde abgelehnt. Es wurde nichts abgebucht.
error-provider-unavailable = Der Zahlungsdienst hat nicht geantwortet. Sie zahlen nicht doppelt: Versuchen Sie es erneut.

## Eine Nachricht prüfen
nav-check = Nachricht prüfen
check-title = Ist diese Nachricht von uns?
check-intro = Jede Erinnerung, die wir senden, trägt einen Prüfcode aus zehn Buchstaben und Ziffern. Geben Sie ihn hier ein, um zu sehen, ob die Nachricht von uns kam und worum es ging.
check-code-label = Prüfcode
check-code-hint = Wie in der Nachricht, zum Beispiel K7Q4M-ZPA2X.
check-submit = Prüfen
check-genuine = Diese Nachricht wurde von { $brand } gesendet.
check-genuine-about = Sie betrifft die Leitung { $number }, die am { $date } abläuft.
check-genuine-portal = Verlängern Sie nur unter { $portal }.
check-unknown = Wir haben keine Nachricht mit diesem Code gesendet.
check-unknown-advice = Folgen Sie ihren Links nicht, antworten Sie nicht und geben Sie nie Ihre Kartennummer oder einen Anmeldecode an. Verlängern Sie nur unter der Adresse Ihres Anbieters.
error-invalid-check-code = Ein Prüfcode hat zehn Buchstaben und Ziffern, etwa K7Q4M-ZPA2X.

## Kalender-Feed
calendar-name = { $brand }: wann Ihre Leitungen ablaufen
calendar-expiry = { $brand }-Leitung { $number } läuft ab
calendar-grace-end = { $brand }-Leitung { $number }: letzter Tag zum Verlängern vor der Sperre
calendar-renew-at = Verlängern unter { $portal }
calendar-alarm = Ihre Leitung { $number } läuft in 3 Tagen ab
account-calendar-title = Ablaufdaten in Ihrem Kalender
account-calendar-intro = Abonnieren Sie diese Adresse in Ihrer Kalender-App (Google Kalender, Apple Kalender, Outlook): Sie zeigt, wann jede Ihrer Leitungen abläuft, und erinnert Sie drei Tage vorher.
account-calendar-made = Ihre Kalenderadresse, nur jetzt angezeigt. Kopieren Sie sie in Ihre Kalender-App:
account-calendar-new = Eine Kalenderadresse erstellen
account-calendar-private = Wer die Adresse hat, sieht Ihre Ablaufdaten. Eine neue zu erstellen beendet die alte sofort.

## Eine neue eSIM
lines-new-esim = Eine neue eSIM-Leitung hinzufügen
esim-new-title = Eine neue eSIM-Leitung
esim-new-intro = Wählen Sie einen Tarif für Ihre neue Nummer. Sie bezahlen ihn auf der nächsten Seite; danach installieren Sie die eSIM auf Ihrem Telefon, indem Sie einen QR-Code scannen.
esim-step-install = Installieren
esim-new-no-plans = Hier werden derzeit keine eSIM-Tarife angeboten.
esim-eid-label = Die EID Ihres Telefons (freiwillig)
esim-eid-hint = Prüfen Sie, ob Ihr Telefon eine eSIM unterstützt: Ein solches Telefon zeigt eine 32-stellige EID unter Einstellungen › Info (auf Android: Einstellungen › Über das Telefon › SIM-Status). Geben Sie sie an, um die eSIM an dieses Telefon zu binden.
esim-plan-label = Tarif
esim-new-identification = Das belgische Gesetz verlangt, dass wir jeden Prepaid-Kunden identifizieren: Sobald Sie identifiziert sind, kann die eSIM installiert werden.
esim-new-continue = Weiter zur Zahlung
esim-title = Ihre eSIM
esim-pay = Bezahlen
esim-scan-title = QR-Code scannen
esim-scan-text = Öffnen Sie auf Ihrem Telefon Einstellungen › Mobilfunk › eSIM hinzufügen (oder Mobilfunktarif hinzufügen) und scannen Sie diesen Code mit der Kamera. Lassen Sie WLAN während der Installation eingeschaltet.
esim-qr-alt = QR-Code des Aktivierungscodes Ihrer eSIM
esim-iphone-title = Auf einem iPhone
esim-iphone-link = Auf diesem iPhone installieren (iOS 17.5 oder neuer)
esim-manual-title = Oder eintippen
esim-manual-text = Wenn Sie den Code nicht scannen können, wählen Sie die manuelle Eingabe und tippen Sie diese beiden ein:
esim-smdp-address = SM-DP+-Adresse
esim-activation-code = Aktivierungscode
esim-full-code = Ganzer Code
esim-code-secret = Wer diesen Code hat, kann Ihre eSIM installieren: Geben Sie ihn nicht weiter.
esim-refresh = Neu laden, um den Stand zu sehen
esim-open = Die eSIM installieren und verfolgen
error-invalid-eid = Eine EID hat 32 Ziffern, wie in den Einstellungen Ihres Telefons.
error-no-new-lines = Im Moment kann keine neue Leitung verkauft werden. Bitte versuchen Sie es später erneut oder besuchen Sie ein Geschäft.
esim-stage-awaiting_payment = Wartet auf Zahlung
esim-stage-awaiting_payment-text = Bezahlen Sie den Tarif, dann wird Ihre eSIM vorbereitet.
esim-stage-preparing = Wird vorbereitet
esim-stage-preparing-text = Das Netz bereitet Ihre eSIM vor. Das dauert ein bis zwei Minuten.
esim-stage-awaiting_identification = Wartet auf Identifizierung
esim-stage-awaiting_identification-text = Ihre eSIM steht bereit, sobald Sie identifiziert sind. Besuchen Sie mit Ihrem Ausweis ein Geschäft, das identifiziert.
esim-stage-ready_to_install = Bereit zur Installation
esim-stage-ready_to_install-text = Ihre eSIM ist bereit: Installieren Sie sie wie unten beschrieben auf Ihrem Telefon.
esim-stage-installing = Wird installiert
esim-stage-installing-text = Ihr Telefon lädt die eSIM herunter.
esim-stage-installed = Installiert
esim-stage-installed-text = Die eSIM ist auf Ihrem Telefon. Schalten Sie sie in den Einstellungen des Telefons ein, um sie zu nutzen.
esim-stage-in_use = In Gebrauch
esim-stage-in_use-text = Die eSIM ist installiert und eingeschaltet.
esim-stage-not_on_phone = Nicht auf einem Telefon
esim-stage-not_on_phone-text = Die eSIM wurde vom Telefon entfernt, oder ihre Installation wurde nicht abgeschlossen. Sie können sie mit demselben Code erneut installieren.
esim-stage-cancelled = Storniert
esim-stage-cancelled-text = Diese eSIM wurde storniert und kann nicht installiert werden.

## Eine neue eSIM am Schalter verkaufen
counter-esim-sell = Eine neue eSIM-Leitung verkaufen
counter-esim-title = Eine neue eSIM-Leitung
counter-esim-intro = Die Angaben des Kunden, sein Ausweis, wo dieses Geschäft identifiziert, der Tarif und die Zahlung. Der QR-Code der eSIM erscheint auf der Seite des Kunden, sobald das Netz sie vorbereitet hat.
counter-esim-customer = Der Kunde
counter-esim-identification-hint = Prüfen Sie den Ausweis jetzt, dann funktioniert die Leitung sofort; sonst wird der Kunde später in einem Geschäft identifiziert, das identifiziert.
counter-esim-document-method = Geprüftes Dokument
counter-esim-document-number = Dokumentnummer
counter-esim-not-identified = Jetzt nicht identifiziert
counter-esim-no-identify = Dieses Geschäft identifiziert nicht: Der Kunde wird später in einem Geschäft identifiziert, das es tut.
counter-esim-submit = Verkaufen und Zahlung annehmen
counter-store-does-not-activate = Ihr Geschäft aktiviert keine eSIMs.
counter-sim-sell = Eine neue SIM-Karte verkaufen
counter-sim-title = Ein neuer Anschluss auf SIM-Karte
counter-sim-intro = Eine SIM-Karte aus dem Bestand dieses Geschäfts: die auf der Karte aufgedruckte Nummer, die Angaben der Kundin oder des Kunden, das Ausweisdokument, wo dieses Geschäft identifiziert, der Tarif und die Zahlung. Der Anschluss erhält seine Rufnummer aus den Nummern der Marke.
counter-sim-iccid-hint = Die 19 oder 20 Ziffern auf der Karte und ihrem Träger, beginnend mit 89.
counter-sim-no-plans = Derzeit werden hier keine Tarife für SIM-Karten verkauft.
counter-store-does-not-sell-sims = Ihr Geschäft verkauft keine SIM-Karten.
error-sim-on-line = Diese SIM-Karte gehört schon zu einem Anschluss: Nehmen Sie eine andere Karte aus dem Bestand.
counter-store-does-not-identify = Ihr Geschäft identifiziert keine Kunden.
error-name-needed = Der Name des Kunden wird benötigt, wie auf seinem Dokument.
error-invalid-document = Geben Sie die Dokumentnummer so ein, wie sie darauf steht.
counter-esim-identification = Identifizierung

# Automatische Verlängerung einer Leitung.
lines-auto-renew = Automatisch verlängern
auto-renew-title = Automatische Verlängerung
auto-renew-how = So funktioniert es
auto-renew-lead = Wir verlängern die Leitung { $hours } Stunden vor Ablauf mit dem Tarif Ihrer Wahl und buchen auf die hier gewählte Art ab. Sie können es jederzeit ausschalten.
auto-renew-limit = { $brand } verlängert eine Leitung höchstens { $limit ->
    [one] einmal
   *[other] { $limit } Mal
} pro Kalendermonat automatisch. Darüber, oder über Ihrem eigenen Limit, wird nichts abgebucht: Sie erhalten eine Nachricht und verlängern selbst.
auto-renew-this-month = Diesen Monat: { $count ->
    [0] noch keine automatische Verlängerung
    [one] 1 automatische Verlängerung
   *[other] { $count } automatische Verlängerungen
}, { $charged } abgebucht.
auto-renew-plan-label = Der verlängerte Tarif
auto-renew-pay-label = Bezahlt mit
auto-renew-pay-credit = Guthaben der Leitung (jetzt { $credit })
auto-renew-pay-hint = Eine Karte oder ein PayPal-Konto wird belastet, ohne Sie erneut zu fragen; will Ihre Bank eine Bestätigung, sagen wir es Ihnen und buchen nichts ab.
auto-renew-cap-label = Ihr Monatslimit (freiwillig)
auto-renew-cap-hint = Das Höchste, was automatische Verlängerungen dieser Leitung in einem Kalendermonat abbuchen dürfen, zum Beispiel 25,00. Leer lassen für kein eigenes Limit.
auto-renew-save = Speichern
auto-renew-saved = Gespeichert.
auto-renew-stopped = Die letzte automatische Verlängerung fand nicht statt (ein Limit, Ihr eigenes Limit oder eine Zahlung, die fehlschlug oder Ihre Bestätigung braucht). Wir haben Ihnen eine Nachricht geschickt. Verlängern Sie selbst oder speichern Sie diese Seite erneut, um sie wieder zu starten.
auto-renew-renew-by-hand = Selbst verlängern
auto-renew-no-plans = Kein Tarif dieser Leitung wird automatisch verlängert.
auto-renew-top-up-legend = Daten nachladen
auto-renew-top-up-hint = Wenn weniger Daten übrig sind als hier eingestellt, kaufen wir die gewählte Zusatzoption, bezahlt wie oben und innerhalb derselben Grenzen. Jedes Nachladen wird abgebucht.
auto-renew-top-up-on = Meine Daten automatisch nachladen
auto-renew-top-up-plan = Die Zusatzoption, die gekauft wird
auto-renew-top-up-below = Wenn weniger als das übrig ist (MB)
error-top-up-plan = Wählen Sie eine Zusatzoption, die für automatisches Nachladen angeboten wird.
error-top-up-below = Geben Sie eine ganze Zahl MB an, weniger als die Zusatzoption bietet.
error-auto-renew-cap-invalid = Geben Sie das Limit als Betrag über null an, etwa 25,00, oder lassen Sie es leer.
