# Rappels envoyés aux abonnés avant l'échéance de leur ligne, par e-mail et SMS.
# Les paramètres ({ $name }) restent les mêmes dans chaque langue ; les tests le vérifient.

reminder-subject-before = { $brand } : votre ligne { $number } expire { $days ->
    [one] demain
   *[other] dans { $days } jours
}
reminder-subject-today = { $brand } : votre ligne { $number } expire aujourd'hui
reminder-subject-grace = { $brand } : votre ligne { $number } a expiré
reminder-greeting = Bonjour { $name },
reminder-before = Votre ligne { $brand } { $number } expire le { $date } à { $time }, { $days ->
    [one] demain
   *[other] dans { $days } jours
}. Renouvelez-la à temps pour garder votre numéro et vos données.
reminder-today = Votre ligne { $brand } { $number } expire aujourd'hui, le { $date } à { $time }. Renouvelez-la maintenant pour garder votre numéro et vos données.
reminder-grace = Votre ligne { $brand } { $number } a expiré le { $date }. Vous pouvez encore la renouveler jusqu'au { $grace_date } ; ensuite, elle est suspendue.
reminder-renew-at = Renouveler sur { $portal }
reminder-check = Ce message vient-il vraiment de { $brand } ? Saisissez son code { $code } sur { $check }. Nous ne demandons jamais votre numéro de carte ni un code de connexion par message.
reminder-signature = { $brand }
sms-reminder-before = { $brand } : la ligne { $number } expire le { $date } ({ $days ->
    [one] demain
   *[other] dans { $days } jours
}). Renouveler : { $portal } Code { $code }
sms-reminder-today = { $brand } : la ligne { $number } expire aujourd'hui à { $time }. Renouveler : { $portal } Code { $code }
sms-reminder-grace = { $brand } : la ligne { $number } a expiré. Renouvelez avant le { $grace_date } : { $portal } Code { $code }

# Avis de données consommées : 80 % et 100 % d'un forfait ; { $date } est la fin du forfait.
data-subject-80 = { $brand } : 80 % des données de { $number } sont consommées
data-subject-100 = { $brand } : les données de { $number } sont épuisées
data-80 = Vous avez consommé 80 % des données de votre ligne { $brand } { $number } (le forfait court jusqu'au { $date }). Ajoutez un forfait à temps si vous avez besoin de plus.
data-100 = Vous avez consommé toutes les données de votre ligne { $brand } { $number } (le forfait court jusqu'au { $date }). Ajoutez un forfait pour continuer à utiliser des données ; les appels et votre numéro ne sont pas touchés.
data-buy-at = Ajouter un forfait sur { $portal }
sms-data-80 = { $brand } : 80 % des données de { $number } consommées (forfait jusqu'au { $date }). Plus : { $portal } Code { $code }
sms-data-100 = { $brand } : données de { $number } épuisées (forfait jusqu'au { $date }). Plus : { $portal } Code { $code }

# Un renouvellement automatique qui n'a pas eu lieu : l'abonné renouvelle lui-même. { $date }
# est l'échéance de la ligne.
autorenew-subject-limit = { $brand } : renouvelez { $number } vous-même cette fois
autorenew-subject-cap = { $brand } : renouvelez { $number } vous-même cette fois
autorenew-subject-failed = { $brand } : nous n'avons pas pu renouveler { $number } automatiquement
autorenew-subject-confirm = { $brand } : votre banque veut que vous confirmiez le renouvellement de { $number }
autorenew-limit = Votre ligne { $brand } { $number } n'a pas été renouvelée automatiquement : elle l'a déjà été ce mois-ci aussi souvent que { $brand } le permet. Rien n'a été débité. Renouvelez-la vous-même avant le { $date } à { $time } pour garder votre numéro et vos données.
autorenew-cap = Votre ligne { $brand } { $number } n'a pas été renouvelée automatiquement : cela aurait dépassé le plafond mensuel que vous avez fixé. Rien n'a été débité. Renouvelez-la vous-même avant le { $date } à { $time }, ou relevez le plafond.
autorenew-failed = Votre ligne { $brand } { $number } n'a pas pu être renouvelée automatiquement : le paiement a échoué plusieurs fois. Renouvelez-la vous-même avant le { $date } à { $time } pour garder votre numéro et vos données.
autorenew-confirm = Votre banque veut que vous confirmiez le renouvellement automatique de votre ligne { $brand } { $number } : rien n'a donc été débité. Renouvelez-la vous-même avant le { $date } à { $time } ; votre banque vous demandera de confirmer.
sms-autorenew-limit = { $brand } : { $number } non renouvelé (limite mensuelle). Renouvelez avant le { $date } : { $portal } Code { $code }
sms-autorenew-cap = { $brand } : { $number } non renouvelé (votre plafond). Renouvelez avant le { $date } : { $portal } Code { $code }
sms-autorenew-failed = { $brand } : paiement pour { $number } échoué. Renouvelez avant le { $date } : { $portal } Code { $code }
sms-autorenew-confirm = { $brand } : votre banque doit confirmer { $number }. Renouvelez avant le { $date } : { $portal } Code { $code }
topup-subject-limit = { $brand } : ajoutez vous-même des données à { $number } cette fois
topup-subject-cap = { $brand } : ajoutez vous-même des données à { $number } cette fois
topup-subject-failed = { $brand } : nous n'avons pas pu ajouter de données à { $number } automatiquement
topup-subject-confirm = { $brand } : votre banque veut que vous confirmiez la recharge de données de { $number }
topup-limit = Votre ligne { $brand } { $number } n'a presque plus de données, mais n'a pas été rechargée automatiquement : les débits automatiques ont atteint ce que { $brand } permet ce mois-ci. Rien n'a été débité. Ajoutez des données vous-même si vous en avez besoin ; la ligne court jusqu'au { $date }.
topup-cap = Votre ligne { $brand } { $number } n'a presque plus de données, mais n'a pas été rechargée automatiquement : cela aurait dépassé le plafond mensuel que vous avez fixé. Rien n'a été débité. Ajoutez des données vous-même, ou relevez le plafond ; la ligne court jusqu'au { $date }.
topup-failed = Votre ligne { $brand } { $number } n'a presque plus de données, et la recharge automatique n'a pas pu être payée, plusieurs fois. Ajoutez des données vous-même si vous en avez besoin ; la ligne court jusqu'au { $date }.
topup-confirm = Votre ligne { $brand } { $number } n'a presque plus de données, et votre banque veut que vous confirmiez la recharge automatique : rien n'a donc été débité. Ajoutez des données vous-même ; votre banque vous demandera de confirmer. La ligne court jusqu'au { $date }.
sms-topup-limit = { $brand } : { $number } presque sans données, non rechargé (limite mensuelle). Jusqu'au { $date }. Recharger : { $portal } Code { $code }
sms-topup-cap = { $brand } : { $number } presque sans données, non rechargé (votre plafond). Jusqu'au { $date }. Recharger : { $portal } Code { $code }
sms-topup-failed = { $brand } : la recharge de données de { $number } a échoué. Jusqu'au { $date }. Recharger : { $portal } Code { $code }
sms-topup-confirm = { $brand } : votre banque doit confirmer la recharge de données de { $number }. Jusqu'au { $date }. Recharger : { $portal } Code { $code }

# Un avis de changement de prix de la formule qu'une ligne renouvelle automatiquement.
# { $date } est la date d'entrée en vigueur du nouveau prix.
price-subject = { $brand } : le prix de { $plan } sur { $number } change
price-change = Le prix de votre formule { $plan } sur votre ligne { $brand } { $number } passe de { $old_price } à { $new_price } à partir du { $date }. Vos renouvellements automatiques gardent { $old_price } jusqu'à au moins 30 jours après ce message. Si vous ne voulez pas du nouveau prix, choisissez une autre formule ou arrêtez le renouvellement automatique d'ici là.
price-choose-at = Choisir sur { $portal }
sms-price = { $brand } : { $plan } sur { $number } passe de { $old_price } à { $new_price } le { $date } (préavis 30 j). Choisir : { $portal } Code { $code }
