# Les pages du portail des abonnés et de la console du comptoir en magasin.
# Les paramètres ({ $name }) restent les mêmes dans toutes les langues ; les tests le vérifient.

platform-name = simrenew
skip-to-content = Aller au contenu
nav-label = Menu principal
nav-lines = Mes lignes
nav-history = Historique
nav-stores = Magasins
nav-account = Compte
nav-counter = Comptoir
nav-sign-in = Se connecter
nav-sign-out = Se déconnecter
language-switch-label = Langue
footer-operated-by = Service mobile prépayé de
date-at-time = { $date } à { $time }
percent = { $value } %

## Sign-in
signin-title = Se connecter
signin-intro = Connectez-vous avec le numéro d’une de vos lignes, ou avec votre adresse e-mail. Nous vous envoyons un code à usage unique.
signin-by-phone = Avec votre numéro de téléphone
signin-phone-label = Numéro de téléphone
signin-phone-hint = Au format international, par exemple +32 470 12 34 56.
signin-send-code = M’envoyer un code
signin-by-email = Avec votre adresse e-mail
signin-email-label = Adresse e-mail
signin-brand-label = Votre opérateur
signin-passkey-title = Avec une clé d’accès
signin-passkey-hint = Si vous avez ajouté une clé d’accès, votre appareil peut vous connecter sans code.
signin-passkey-button = Se connecter avec une clé d’accès
signin-passkey-failed = La connexion avec une clé d’accès n’a pas abouti. Utilisez plutôt un code.
signin-staff-link = Personnel des magasins : connexion à la console du comptoir
signin-totp-needed = Ce compte demande aussi le code de votre application d’authentification.
code-title = Saisissez votre code
code-intro = Nous avons envoyé un code à 6 chiffres à { $address }. Il est valable 5 minutes.
code-label = Code
code-hint = 6 chiffres.
code-submit = Se connecter
code-ask-again = Pas reçu de code ? En demander un nouveau
code-totp-label = Code de votre application d’authentification
code-totp-hint = 6 chiffres, de l’application configurée pour la connexion en deux étapes.
code-recovery-summary = Vous avez perdu votre application d’authentification ?
code-recovery-label = Code de récupération

## My lines
lines-title = Mes lignes
lines-hello = Bonjour { $name }.
lines-none = Votre compte n’a pas encore de ligne.
lines-renew = Renouveler
lines-account-centre = Prolonger le compte
lines-grace-warning = Cette ligne a expiré et se trouve en période de grâce. Renouvelez-la maintenant pour garder votre numéro.
lines-lapsed = Cette ligne est résiliée : son numéro a été libéré après la période de grâce.
lines-pending-identification = Cette ligne pourra être utilisée une fois que vous aurez été identifié. Rendez-vous dans un magasin qui identifie, avec votre pièce d’identité.
lines-syncing = Votre dernier renouvellement est en cours de synchronisation avec le réseau. Cela peut prendre quelques minutes.
line-number = Numéro
line-kind = Type
line-state = État
line-plan = Forfait
line-credit = Crédit
line-expiry = Valable jusqu’au
line-no-expiry = Pas encore renouvelée
line-grace-until = Fin de la période de grâce
line-esim-install = eSIM
line-auto-renew = Renouvellement automatique
line-data = Données restantes
line-data-left = { $left } restants sur { $total }
line-days-left = { $days ->
    [one] 1 jour restant
   *[other] { $days } jours restants
}
line-expired-days-ago = { $days ->
    [0] a expiré aujourd’hui
    [one] a expiré hier
   *[other] a expiré il y a { $days } jours
}
data-unlimited = Illimité
esim-installed = Installée sur un appareil
esim-not-installed = Pas encore installée
auto-renew-on = Activé
auto-renew-off = Désactivé

kind-physical_sim = Carte SIM
kind-esim = eSIM
kind-virtual_sim = SIM virtuelle

state-active = Active
state-grace = En période de grâce
state-lapsed = Résiliée
state-suspended = Suspendue
state-pending_identification = En attente d’identification
state-syncing = Synchronisation avec le réseau

## Renewing
renew-title = Renouveler votre ligne
account-centre-title = Centre de compte
account-centre-intro = Une SIM virtuelle est un compte : prolongez-le d’autant de périodes que vous le souhaitez.
account-centre-plan = Formule
account-centre-period = Durée de prolongation (nombre de périodes)
account-centre-state = État du compte
account-centre-confirm = Confirmer la prolongation
steps-label = Étapes
step-plan = Forfait
step-quote = Prix et coordonnées
step-pay = Paiement
step-done = Terminé
renew-plan = Forfait
renew-periods = Nombre de périodes
renew-periods-hint = Renouveler tôt ne fait jamais perdre de jours : la nouvelle période commence à la fin de l’actuelle.
renew-promo-code = Code promo (facultatif)
renew-promo-hint = La meilleure promotion pour vous est appliquée d’office.
renew-see-price = Voir le prix
renew-no-plans = Aucun forfait n’est proposé pour cette ligne sur le portail. Rendez-vous en magasin.
plan-summary = { $data } · { $validity }
validity-days = { $days ->
    [one] 1 jour
   *[other] { $days } jours
}
validity-months = { $months ->
    [one] 1 mois
   *[other] { $months } mois
}
validity-add-on = jusqu’à la fin de la période en cours
periods-days = { $count ->
    [one] 1 période de { $days } jours
   *[other] { $count } périodes de { $days } jours
}
periods-months = { $months ->
    [one] 1 mois
   *[other] { $months } mois
}
periods-add-on = option pour la période en cours
periods-count = { $count ->
    [one] 1 période
   *[other] { $count } périodes
}

## The quote
quote-title = Prix et coordonnées
quote-valid-until = Ce prix est garanti jusqu’au { $time }.
quote-new = Demander un nouveau prix
price-item = Article
price-amount = Montant
price-vat-of = TVA ({ $rate })
price-total = Total
price-line-plan = { $plan } × { $count }
price-line-free = { $count ->
    [one] 1 période gratuite ({ $promotion })
   *[other] { $count } périodes gratuites ({ $promotion })
}
price-line-discount = Réduction ({ $promotion })
price-promotion-applied = Promotion appliquée :
price-vat-included = Les prix comprennent la TVA.
details-title = Vos coordonnées enregistrées
details-intro = Vérifiez vos coordonnées avant chaque renouvellement.
details-name = Nom
details-email = E-mail
details-language = Langue
details-no-email = aucune
details-confirm = Ces coordonnées sont correctes
details-wrong = Une erreur ? Un magasin qui identifie peut la corriger.
details-wrong-link = Trouver un tel magasin
pay-method = Comment voulez-vous payer ?
pay-no-method = Aucun moyen de paiement n’est proposé ici. Rendez-vous en magasin.
pay-credit-hint = Avec votre crédit : { $credit } disponibles.
pay-voucher-hint = Un code de recharge acheté en magasin.
pay-voucher-code = Code de recharge
pay-card-hint = Paiement par carte, confirmé auprès de votre banque.
pay-paypal-hint = Vous continuez sur le site de PayPal.
pay-cash-hint = Espèces reçues au comptoir.
pay-card-terminal-hint = Payé sur le terminal de paiement du magasin.
pay-button = Payer { $total }
method-credit = Crédit
method-voucher = Code de recharge
method-card = Carte
method-bancontact = Bancontact
method-paypal = PayPal
method-cash = Espèces
method-card_terminal = Terminal de paiement

## The order
order-title = Votre commande
order-heading = Commande { $id }
order-syncing-title = Synchronisation avec le réseau
order-syncing-text = Votre paiement est reçu et votre ligne est renouvelée. Le réseau en est informé ; cela peut prendre quelques minutes.
order-completed-title = Votre ligne est renouvelée.
order-review-text = Nous avons reçu un paiement qui ne correspond pas à cette commande. Nous vérifions ; vous ne serez pas débité deux fois.
order-failed-title = Votre paiement n’a pas abouti
order-failed-text = Rien n’a été débité et votre ligne n’a pas été renouvelée. Réessayez, ou choisissez un autre moyen de paiement.
order-waiting-text = Votre paiement n’est pas encore confirmé. Terminez-le sur la page de paiement, ou payez autrement.
order-new-expiry = Votre ligne est maintenant valable jusqu’au
order-new-start = La nouvelle période commence le { $time }.
order-state = État
order-placed = Commandée le
order-paid = Payée le
order-method = Payée par
order-receipt-link = Reçu (imprimable)
order-pay-again = Payer cette commande
order-back-to-lines = Retour à mes lignes
order-state-pending_payment = En attente de paiement
order-state-syncing = Synchronisation avec le réseau
order-state-completed = Terminée
order-state-cancelled = Annulée
order-state-review = En vérification

## Receipt
receipt-title = Reçu
receipt-number = Reçu de la commande { $id }
receipt-line = Ligne
receipt-store = Payé à
receipt-vat-note = Les montants comprennent la TVA à { $rate }.
receipt-print = Imprimer
receipt-back = Retour à la commande

## History
history-title = Historique
history-none = Vous n’avez pas encore de commande.
history-caption = Vos commandes, les plus récentes d’abord
history-date = Date
history-line = Ligne
history-plan = Forfait
history-total = Total
history-state = État
history-receipt = Détails
history-open = Commande { $id }

## Stores
stores-title = Trouver un magasin
stores-intro = Trouvez un magasin qui peut vous aider, pour ne jamais vous déplacer pour rien.
stores-filter = Le magasin doit
stores-apply = Afficher les magasins
stores-count = { $count ->
    [0] Aucun magasin ne correspond
    [one] 1 magasin
   *[other] { $count } magasins
}
stores-hours = Heures d’ouverture :
stores-capabilities = Ce que fait ce magasin
capability-sells_sims = Vend des cartes SIM
capability-activates_esims = Active des eSIM
capability-identifies = Identifie les abonnés
capability-renews_cash = Renouvelle en espèces
capability-renews_card_terminal = Renouvelle par carte
capability-checks_devices = Vérifie les appareils

## Account
account-title = Compte
passkeys-title = Clés d’accès
passkeys-intro = Une clé d’accès vous connecte avec le verrouillage d’écran de votre appareil, sans code.
passkeys-none = Vous n’avez pas encore de clé d’accès.
passkeys-added = ajoutée le { $date }
passkeys-label = Nom de la clé d’accès
passkeys-default-label = Mon téléphone
passkeys-add = Ajouter une clé d’accès
passkeys-added-now = La clé d’accès a été ajoutée.
passkeys-failed = La clé d’accès n’a pas pu être ajoutée.
passkeys-need-script = Ajouter une clé d’accès demande un navigateur qui les prend en charge.

## The demo's card step
demo-card-title = Confirmez votre paiement par carte
demo-card-banner = Démo : un paiement par carte simulé. Aucune carte n’est débitée et aucun argent ne circule.
demo-card-intro = Cette page joue le contrôle 3-D Secure de votre banque. Approuvez pour payer, ou refusez pour voir ce que fait un paiement refusé.
demo-card-amount = Montant
demo-card-for = Pour
demo-card-approve = Approuver le paiement
demo-card-decline = Refuser le paiement

## Counter console
counter-console-name = Comptoir
counter-sign-in-title = Connexion au comptoir
counter-sign-in-intro = Pour le personnel des magasins : votre adresse e-mail, votre mot de passe et le code de votre application d’authentification.
counter-email = Adresse e-mail
counter-password = Mot de passe
counter-sign-in-button = Se connecter
counter-agents-only = La console du comptoir est réservée aux agents des magasins.
counter-title = Comptoir
counter-look-up-label = Numéro du client ou numéro de la carte SIM (ICCID)
counter-look-up-hint = Par exemple +32 470 12 34 56, ou les 19 ou 20 chiffres de la carte SIM.
counter-look-up-button = Rechercher
counter-customer-title = Client
counter-check-id = À vérifier sur la pièce d’identité
counter-no-subscriber = Cette ligne n’a pas encore d’abonné identifié.
counter-identification = Identification enregistrée
counter-no-identification = Aucune identification enregistrée.
counter-iccid = Numéro de la carte SIM (ICCID)
counter-renew = Renouveler
counter-next = Client suivant
counter-quote-title = Encaisser le paiement
counter-store = Magasin
counter-terminal-ref = Référence du terminal
counter-terminal-ref-hint = Le numéro de transaction imprimé par le terminal de paiement.
counter-take = Paiement de { $total } reçu
counter-store-does-not-renew = Ce magasin ne renouvelle pas de lignes.
counter-store-does-not-take = Votre magasin n’accepte pas ce moyen de paiement.
counter-back = Retour au comptoir

identification-eid = Lecture de l’eID belge
identification-itsme = itsme
identification-bank_payment = Paiement bancaire
identification-passport_at_store = Passeport vérifié en magasin

## Errors
error-title = Un problème est survenu
error-back-home = Retour au début
error-page-not-found = Cette page n’existe pas.
error-form-expired = Ce formulaire a expiré. Revenez en arrière, rechargez la page et réessayez.
error-form-in-progress = Cette demande est déjà en cours de traitement. Patientez un instant et consultez votre historique.
error-internal = Une erreur s’est produite de notre côté. Rien n’a été modifié ; réessayez.
error-unavailable = Le service est occupé. Rien n’a été modifié ; réessayez dans un instant.
error-conflict = Ce n’est pas possible dans l’état actuel. Rechargez la page et réessayez.
error-not-found = Introuvable.
error-not-found-line = Aucune ligne à ce numéro ne vous est connue.
error-not-found-quote = Ce prix n’est pas connu. Demandez-en un nouveau.
error-not-found-order = Cette commande ne vous est pas connue.
error-address-missing = Saisissez votre numéro de téléphone, ou votre adresse e-mail.
error-invalid-input = Vérifiez ce que vous avez saisi.
error-invalid-phone = Saisissez un numéro au format international, commençant par + et l’indicatif du pays, par exemple +32 470 12 34 56.
error-invalid-email = Saisissez une adresse e-mail comme nom@exemple.be.
error-invalid-brand = Choisissez votre opérateur.
error-invalid-code = Le code compte 6 chiffres.
error-invalid-iccid = Ce numéro de carte SIM n’est pas valide : vérifiez les chiffres.
error-invalid-look-up = Saisissez un numéro au format international, ou le numéro de la carte SIM.
error-invalid-plan = Choisissez un forfait.
error-invalid-periods = Choisissez le nombre de périodes.
error-invalid-promo-code = Ce code promo n’est pas écrit correctement.
error-invalid-voucher = Saisissez le code de recharge tel qu’il est imprimé.
error-invalid-method = Choisissez comment payer.
error-details-confirm = Confirmez que vos coordonnées sont correctes, ou faites-les corriger d’abord.
error-code-wrong = Ce code est erroné ou a expiré. Demandez un nouveau code si nécessaire.
error-totp-wrong = Le code d’authentification est erroné. Essayez le code actuel.
error-staff-sign-in = Adresse e-mail, mot de passe ou code erroné.
error-rate-limited = { $minutes ->
    [one] Trop de tentatives. Réessayez dans 1 minute.
   *[other] Trop de tentatives. Réessayez dans { $minutes } minutes.
}
error-periods = { $max ->
    [one] Vous pouvez acheter 1 période à la fois.
   *[other] Vous pouvez acheter de 1 à { $max } périodes à la fois.
}
error-plan-not-sold = Ce forfait n’est pas vendu ici pour cette ligne.
error-addon-periods = Une option s’achète une à la fois.
error-addon-without-bundle = Une option demande un forfait en cours : renouvelez d’abord la ligne.
error-not-renewable = Cette ligne ne peut pas être renouvelée : { $state }.
error-promo-unknown = Ce code promo n’est pas connu.
error-promo-not-yet-valid = Ce code promo n’est pas encore valable.
error-promo-expired = Ce code promo a expiré.
error-promo-exhausted = Cette promotion est épuisée.
error-promo-already-used = Vous avez déjà utilisé ce code promo.
error-promo-other-plan = Ce code promo ne s’applique pas à ce forfait.
error-promo-other-channel = Ce code promo ne s’applique pas ici.
error-promo-first-renewal = Ce code promo est réservé au premier renouvellement.
error-promo-too-few-periods = { $buy ->
    [one] Cette promotion demande au moins 1 période.
   *[other] Cette promotion demande au moins { $buy } périodes.
}
error-insufficient-credit = Votre crédit est insuffisant : { $needed } nécessaires, { $available } disponibles. Choisissez un autre moyen de paiement.
error-auto-renew-limit = Cette ligne a déjà été renouvelée automatiquement { $limit ->
    [one] une fois
   *[other] { $limit } fois
} ce mois-ci, le maximum permis. Renouvelez-la vous-même.
error-auto-renew-cap = Ce renouvellement automatique dépasserait votre plafond mensuel de { $cap }. Renouvelez vous-même, ou relevez le plafond.
error-voucher-used = Ce code de recharge a déjà été utilisé.
error-voucher-expired = Ce code de recharge a expiré.
error-voucher-other-plan = Ce code de recharge est destiné à un autre forfait.
error-voucher-unknown = Ce code de recharge n’est pas connu.
error-quote-expired = Ce prix a expiré. Demandez-en un nouveau.
error-order-not-payable = Cette commande ne peut plus être payée. Consultez votre historique.
error-method-not-offered = Ce moyen de paiement n’est pas proposé ici.
error-terminal-ref = Saisissez la référence du terminal de paiement.
error-payment-declined = Le paiement a été refusé. Rien n’a été débité.
error-provider-unavailable = Le service de paiement n’a pas répondu. Vous ne serez pas débité deux fois : réessayez.

## Vérifier un message
nav-check = Vérifier un message
check-title = Ce message vient-il de nous ?
check-intro = Chaque rappel que nous envoyons porte un code de vérification de dix lettres et chiffres. Saisissez-le ici pour savoir si le message vient de nous et de quoi il parlait.
check-code-label = Code de vérification
check-code-hint = Tel qu'il figure dans le message, par exemple K7Q4M-ZPA2X.
check-submit = Vérifier
check-genuine = Ce message a été envoyé par { $brand }.
check-genuine-about = Il concerne la ligne { $number }, qui expire le { $date }.
check-genuine-portal = Renouvelez uniquement sur { $portal }.
check-unknown = Nous n'avons envoyé aucun message avec ce code.
check-unknown-advice = Ne suivez pas ses liens, n'y répondez pas et ne donnez jamais votre numéro de carte ni un code de connexion. Renouvelez uniquement à l'adresse de votre opérateur.
error-invalid-check-code = Un code de vérification a dix lettres et chiffres, comme K7Q4M-ZPA2X.

## Flux d'agenda
calendar-name = { $brand } : échéances de vos lignes
calendar-expiry = La ligne { $brand } { $number } expire
calendar-grace-end = Ligne { $brand } { $number } : dernier jour pour renouveler avant la suspension
calendar-renew-at = Renouveler sur { $portal }
calendar-alarm = Votre ligne { $number } expire dans 3 jours
account-calendar-title = Les échéances dans votre agenda
account-calendar-intro = Abonnez-vous à cette adresse dans votre application d'agenda (Google Agenda, Calendrier Apple, Outlook) : elle montre quand chacune de vos lignes expire et vous le rappelle trois jours avant.
account-calendar-made = Votre adresse d'agenda, affichée seulement maintenant. Copiez-la dans votre application d'agenda :
account-calendar-new = Créer une adresse d'agenda
account-calendar-private = Quiconque a l'adresse voit vos échéances. En créer une nouvelle met fin à l'ancienne immédiatement.

## Une nouvelle eSIM
lines-new-esim = Ajouter une nouvelle ligne eSIM
esim-new-title = Une nouvelle ligne eSIM
esim-new-intro = Choisissez un forfait pour votre nouveau numéro. Vous le payez à la page suivante ; ensuite, vous installez l’eSIM sur votre téléphone en scannant un code QR.
esim-step-install = Installation
esim-new-no-plans = Aucun forfait eSIM n’est en vente ici pour le moment.
esim-eid-label = L’EID de votre téléphone (facultatif)
esim-eid-hint = Vérifiez que votre téléphone accepte une eSIM : un tel téléphone affiche un EID de 32 chiffres sous Réglages › Informations (sur Android : Paramètres › À propos du téléphone › État de la SIM). Indiquez-le pour lier l’eSIM à ce téléphone.
esim-plan-label = Forfait
esim-new-identification = La loi belge nous demande d’identifier chaque client prépayé : une fois identifié, vous pourrez installer l’eSIM.
esim-new-continue = Continuer vers le paiement
esim-title = Votre eSIM
esim-pay = La payer
esim-scan-title = Scannez le code QR
esim-scan-text = Sur votre téléphone, ouvrez Réglages › Données cellulaires › Ajouter une eSIM (ou Ajouter un forfait), puis scannez ce code avec l’appareil photo. Gardez le Wi-Fi activé pendant l’installation.
esim-qr-alt = Code QR du code d’activation de votre eSIM
esim-iphone-title = Sur un iPhone
esim-iphone-link = Installer sur cet iPhone (iOS 17.5 ou plus récent)
esim-manual-title = Ou saisissez-le
esim-manual-text = Si vous ne pouvez pas scanner le code, choisissez de saisir les informations manuellement et tapez ces deux-ci :
esim-smdp-address = Adresse SM-DP+
esim-activation-code = Code d’activation
esim-full-code = Code complet
esim-code-secret = Toute personne ayant ce code peut installer votre eSIM : ne le partagez pas.
esim-refresh = Actualiser pour voir où elle en est
esim-open = Installer et suivre l’eSIM
error-invalid-eid = Un EID compte 32 chiffres, comme dans les réglages de votre téléphone.
error-no-new-lines = Aucune nouvelle ligne ne peut être vendue pour le moment. Réessayez plus tard, ou passez dans un magasin.
esim-stage-awaiting_payment = En attente de paiement
esim-stage-awaiting_payment-text = Payez le forfait et votre eSIM sera préparée.
esim-stage-preparing = En préparation
esim-stage-preparing-text = Le réseau prépare votre eSIM. Cela prend une minute ou deux.
esim-stage-awaiting_identification = En attente d’identification
esim-stage-awaiting_identification-text = Votre eSIM vous attend dès que vous êtes identifié. Passez avec votre pièce d’identité dans un magasin qui identifie.
esim-stage-ready_to_install = Prête à installer
esim-stage-ready_to_install-text = Votre eSIM est prête : installez-la sur votre téléphone comme ci-dessous.
esim-stage-installing = Installation en cours
esim-stage-installing-text = Votre téléphone télécharge l’eSIM.
esim-stage-installed = Installée
esim-stage-installed-text = L’eSIM est sur votre téléphone. Activez-la dans les réglages du téléphone pour l’utiliser.
esim-stage-in_use = En service
esim-stage-in_use-text = L’eSIM est installée et activée.
esim-stage-not_on_phone = Pas sur un téléphone
esim-stage-not_on_phone-text = L’eSIM a été supprimée du téléphone, ou son installation n’a pas abouti. Vous pouvez la réinstaller avec le même code.
esim-stage-cancelled = Annulée
esim-stage-cancelled-text = Cette eSIM a été annulée et ne peut pas être installée.

## Vendre une nouvelle eSIM au comptoir
counter-esim-sell = Vendre une nouvelle ligne eSIM
counter-esim-title = Une nouvelle ligne eSIM
counter-esim-intro = Les coordonnées du client, sa pièce d’identité là où ce magasin identifie, le forfait et le paiement. Le code QR de l’eSIM s’affiche sur la page du client dès que le réseau l’a préparée.
counter-esim-customer = Le client
counter-esim-identification-hint = Vérifiez la pièce d’identité maintenant et la ligne fonctionne tout de suite ; sinon, le client sera identifié plus tard dans un magasin qui identifie.
counter-esim-document-method = Document vérifié
counter-esim-document-number = Numéro du document
counter-esim-not-identified = Pas identifié maintenant
counter-esim-no-identify = Ce magasin n’identifie pas : le client sera identifié plus tard dans un magasin qui le fait.
counter-esim-submit = Vendre et encaisser
counter-store-does-not-activate = Votre magasin n’active pas d’eSIM.
counter-sim-sell = Vendre une nouvelle carte SIM
counter-sim-title = Une nouvelle ligne sur carte SIM
counter-sim-intro = Une carte SIM du stock de ce magasin : le numéro imprimé sur la carte, les coordonnées du client, sa pièce d’identité si ce magasin identifie, le forfait et le paiement. La ligne reçoit son numéro de téléphone parmi les numéros de la marque.
counter-sim-iccid-hint = Les 19 ou 20 chiffres imprimés sur la carte et son support, commençant par 89.
counter-sim-no-plans = Aucun forfait pour carte SIM n’est en vente ici pour le moment.
counter-store-does-not-sell-sims = Votre magasin ne vend pas de cartes SIM.
error-sim-on-line = Cette carte SIM est déjà sur une ligne : prenez une autre carte du stock.
counter-store-does-not-identify = Votre magasin n’identifie pas les clients.
error-name-needed = Le nom du client est nécessaire, tel que sur son document.
error-invalid-document = Saisissez le numéro du document tel qu’il y est imprimé.
counter-esim-identification = Identification

# Renouvellement automatique d'une ligne.
lines-auto-renew = Renouvellement automatique
auto-renew-title = Renouvellement automatique
auto-renew-how = Comment ça marche
auto-renew-lead = Nous renouvelons la ligne { $hours } heures avant son échéance, avec la formule que vous choisissez, et débitons le moyen de paiement choisi ici. Vous pouvez l'arrêter à tout moment.
auto-renew-limit = { $brand } renouvelle une ligne automatiquement au plus { $limit ->
    [one] une fois
   *[other] { $limit } fois
} par mois civil. Au-delà, ou au-delà de votre propre plafond, rien n'est débité : nous vous envoyons un message et vous renouvelez vous-même.
auto-renew-this-month = Ce mois-ci : { $count ->
    [0] pas encore de renouvellement automatique
    [one] 1 renouvellement automatique
   *[other] { $count } renouvellements automatiques
}, { $charged } débités.
auto-renew-plan-label = La formule renouvelée
auto-renew-pay-label = Payé avec
auto-renew-pay-credit = Le crédit de la ligne (actuellement { $credit })
auto-renew-pay-hint = Une carte ou un compte PayPal est débité sans vous redemander ; si votre banque veut une confirmation, nous vous prévenons et rien n'est débité.
auto-renew-cap-label = Votre plafond mensuel (facultatif)
auto-renew-cap-hint = Le maximum que les renouvellements automatiques peuvent débiter sur cette ligne par mois civil, par exemple 25,00. Laissez vide pour aucun plafond.
auto-renew-save = Enregistrer
auto-renew-saved = Enregistré.
auto-renew-stopped = Le dernier renouvellement automatique n'a pas eu lieu (une limite, votre plafond, ou un paiement refusé ou à confirmer). Nous vous avons envoyé un message. Renouvelez vous-même, ou enregistrez à nouveau cette page pour le relancer.
auto-renew-renew-by-hand = Renouveler moi-même
auto-renew-no-plans = Aucune formule de cette ligne n'est proposée en renouvellement automatique.
auto-renew-top-up-legend = Recharge de données
auto-renew-top-up-hint = Quand il vous reste moins de données que le seuil choisi, nous achetons l'option que vous choisissez, payée comme ci-dessus et dans les mêmes limites. Chaque recharge est débitée.
auto-renew-top-up-on = Recharger mes données automatiquement
auto-renew-top-up-plan = L'option achetée
auto-renew-top-up-below = Quand il reste moins que ceci (Mo)
error-top-up-plan = Choisissez une option vendue pour les recharges automatiques.
error-top-up-below = Indiquez un nombre entier de Mo, inférieur à ce que donne l'option.
error-auto-renew-cap-invalid = Indiquez le plafond comme un montant supérieur à zéro, par exemple 25,00, ou laissez vide.
