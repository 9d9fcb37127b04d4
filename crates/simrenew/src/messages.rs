//! The words of the messages subscribers receive (`locales/LANG/messages.ftl`): reminders by
//! e-mail and SMS, in the subscriber's language, dates and times in the brand's zone.

use std::sync::OnceLock;

use simrenew_app::notifications::{MessageChannel, MessageTexts, ReminderFacts, WordedMessage};
use simrenew_i18n::{Arg, Catalog, Lang};

static CATALOG: OnceLock<Catalog> = OnceLock::new();

/// The messages' catalog, compiled in; one that does not load is a build mistake the tests
/// catch, and words every message as its keys rather than stopping the worker.
pub fn catalog() -> &'static Catalog {
    CATALOG.get_or_init(|| {
        Catalog::parse(&simrenew_i18n::include_catalog!("locales", "messages")).unwrap_or_else(
            |e| {
                tracing::error!(error = %e, "the messages' catalog does not load");
                Catalog::empty()
            },
        )
    })
}

/// The demo's reminders: appended to a file in the working directory rather than to the log,
/// where a thousand lines' reminders would bury the sign-in codes. Never used by `serve`.
pub struct DemoMessageFile {
    path: std::path::PathBuf,
    lock: std::sync::Mutex<()>,
}

impl DemoMessageFile {
    /// The file the demo's messages go to.
    pub const NAME: &'static str = "simrenew-demo-messages.txt";

    pub fn in_working_directory() -> Self {
        Self {
            path: std::path::PathBuf::from(Self::NAME),
            lock: std::sync::Mutex::new(()),
        }
    }

    fn append(&self, to: &str, subject: &str, text: &str) -> Result<(), String> {
        use std::io::Write;
        let _one_at_a_time = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| format!("{}: {e}", self.path.display()))?;
        writeln!(file, "To: {to}\nSubject: {subject}\n\n{text}\n\n----\n")
            .map_err(|e| format!("{}: {e}", self.path.display()))
    }
}

#[async_trait::async_trait]
impl simrenew_app::identity::signin::MailGateway for DemoMessageFile {
    async fn send(
        &self,
        to: &simrenew_domain::identifiers::Email,
        subject: &str,
        text: &str,
    ) -> Result<(), String> {
        self.append(to.as_str(), subject, text)
    }
}

#[async_trait::async_trait]
impl simrenew_app::identity::signin::SmsGateway for DemoMessageFile {
    async fn send(
        &self,
        to: &simrenew_domain::identifiers::Msisdn,
        text: &str,
    ) -> Result<(), String> {
        self.append(to.as_str(), "(SMS)", text)
    }
}

/// Words messages from [`catalog`].
pub struct CatalogTexts;

impl MessageTexts for CatalogTexts {
    fn reminder(&self, f: &ReminderFacts<'_>) -> WordedMessage {
        let lang = Lang::parse(f.language).unwrap_or(Lang::En);
        let tz = &f.brand.time_zone;
        let expiry = f.expires_at.to_zoned(tz.clone());
        let date = lang.format_date(expiry.date());
        let time = lang.format_time(expiry.time());
        let grace_date = f
            .grace_until
            .map(|g| lang.format_date(g.to_zoned(tz.clone()).date()))
            .unwrap_or_default();
        let code = f.code.display();
        let args: Vec<(&str, Arg<'_>)> = vec![
            ("brand", f.brand.name.as_str().into()),
            ("name", f.subscriber_name.into()),
            ("number", f.msisdn.as_str().into()),
            ("date", date.into()),
            ("time", time.into()),
            ("grace_date", grace_date.into()),
            ("days", f.days_left.max(0).into()),
            ("portal", f.portal_url.into()),
            ("check", f.check_url.as_str().into()),
            ("code", code.into()),
        ];
        let (old_price, new_price, plan) = match f.price_change {
            Some(c) => (
                lang.format_money(c.old_price.cents, c.old_price.currency.as_str()),
                lang.format_money(c.new_price.cents, c.new_price.currency.as_str()),
                c.plan_name.clone(),
            ),
            None => Default::default(),
        };
        let mut args = args;
        args.extend([
            ("old_price", old_price.as_str().into()),
            ("new_price", new_price.as_str().into()),
            ("plan", plan.as_str().into()),
        ]);
        let say = |key: &str| catalog().format(lang, key, &args);
        // The keys of the subject, the SMS, the e-mail's paragraph and its call to act.
        use simrenew_domain::reminder::AutoRenewNotice;
        let top_up_stopped = AutoRenewNotice::of_top_up_step(f.step);
        let stopped = AutoRenewNotice::of_step(f.step).or(top_up_stopped);
        let what = if top_up_stopped.is_some() {
            "topup"
        } else {
            "autorenew"
        };
        let price_notice = f.step == simrenew_domain::reminder::PRICE_NOTICE_STEP;
        let (subject, sms, body, action) =
            match simrenew_domain::reminder::data_notice_percent(f.step) {
                _ if price_notice => (
                    "price-subject".to_owned(),
                    "sms-price".to_owned(),
                    "price-change".to_owned(),
                    "price-choose-at",
                ),
                _ if stopped.is_some() => {
                    use simrenew_domain::reminder::AutoRenewNotice as N;
                    let why = match stopped {
                        Some(N::MonthlyLimit) => "limit",
                        Some(N::SpendCap) => "cap",
                        Some(N::NeedsAuthentication) => "confirm",
                        Some(N::PaymentFailed) | None => "failed",
                    };
                    (
                        format!("{what}-subject-{why}"),
                        format!("sms-{what}-{why}"),
                        format!("{what}-{why}"),
                        if top_up_stopped.is_some() {
                            "data-buy-at"
                        } else {
                            "reminder-renew-at"
                        },
                    )
                }
                Some(percent) => (
                    format!("data-subject-{percent}"),
                    format!("sms-data-{percent}"),
                    format!("data-{percent}"),
                    "data-buy-at",
                ),
                None => {
                    let kind = match f.step {
                        d if d > 0 => "before",
                        0 => "today",
                        _ => "grace",
                    };
                    (
                        format!("reminder-subject-{kind}"),
                        format!("sms-reminder-{kind}"),
                        format!("reminder-{kind}"),
                        "reminder-renew-at",
                    )
                }
            };
        let subject = say(&subject);
        if f.channel == MessageChannel::Sms {
            return WordedMessage {
                subject,
                text: say(&sms),
                html: None,
            };
        }
        let mail = MailPage {
            lang: lang.code(),
            subject: &subject,
            brand: &f.brand.name,
            paragraphs: vec![say("reminder-greeting"), say(&body)],
            action: say(action),
            action_url: f.portal_url,
            check: say("reminder-check"),
            signature: say("reminder-signature"),
        };
        let text = [
            mail.paragraphs[0].as_str(),
            &mail.paragraphs[1],
            &mail.action,
            &mail.check,
            &mail.signature,
        ]
        .join("\n\n");
        let html = askama::Template::render(&mail)
            .map_err(|e| tracing::error!(error = %e, "an e-mail's HTML does not render; text only"))
            .ok();
        WordedMessage {
            subject,
            text,
            html,
        }
    }
}

/// An e-mail's HTML: the same words as its text, each escaped, the call to act a link to the
/// brand's own portal only.
#[derive(askama::Template)]
#[template(path = "mail/message.html")]
struct MailPage<'a> {
    lang: &'static str,
    subject: &'a str,
    brand: &'a str,
    paragraphs: Vec<String>,
    action: String,
    action_url: &'a str,
    check: String,
    signature: String,
}

#[cfg(test)]
mod tests {
    use simrenew_app::notifications::{MessageChannel, MessageTexts, ReminderFacts};
    use simrenew_domain::brand::{parse_time_zone, Brand};
    use simrenew_domain::identifiers::Msisdn;
    use simrenew_domain::ids::BrandId;
    use simrenew_domain::money::Currency;
    use simrenew_domain::reminder::VerificationCode;
    use simrenew_i18n::Lang;

    use super::{catalog, CatalogTexts};

    #[test]
    fn every_message_is_in_every_language_with_the_same_placeholders() {
        let issues = catalog().check();
        assert!(
            issues.is_empty(),
            "the messages' catalog is incomplete:\n{}",
            issues
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert!(
            catalog().keys(Lang::En).len() >= 13,
            "the catalog did not load"
        );
    }

    fn brand() -> Brand {
        Brand {
            id: BrandId(1),
            code: "lumo".into(),
            name: "Lumo".into(),
            time_zone: parse_time_zone("Europe/Brussels").unwrap(),
            currency: Currency::EUR,
            vat_rate_bp: 2100,
            grace_days: 7,
            number_retention_days: 90,
            reminder_days: vec![7, 1, 0, -1],
            monthly_auto_debit_limit: 4,
            portal_url: "https://lumo.example".into(),
            quiet_hours: Default::default(),
        }
    }

    fn word(language: &str, step: i32, channel: MessageChannel) -> (String, String) {
        let change = simrenew_app::notifications::PriceChange {
            plan_name: "Easy 5 GB".into(),
            old_price: simrenew_domain::money::Money::eur(1_000),
            new_price: simrenew_domain::money::Money::eur(1_200),
        };
        let brand = brand();
        let msisdn = Msisdn::parse("+32470123456").unwrap();
        let code = VerificationCode::parse("K7Q4M-ZPA2X").unwrap();
        let at = |s: &str| s.parse::<jiff::Zoned>().unwrap().timestamp();
        let m = CatalogTexts.reminder(&ReminderFacts {
            language,
            brand: &brand,
            subscriber_name: "Anna Peeters",
            msisdn: &msisdn,
            expires_at: at("2027-03-31T23:30[Europe/Brussels]"),
            grace_until: (step < 0).then(|| at("2027-04-07T23:30[Europe/Brussels]")),
            step,
            days_left: step,
            channel,
            code: &code,
            portal_url: "https://lumo.example",
            check_url: "https://lumo.example/check".into(),
            price_change: (step == simrenew_domain::reminder::PRICE_NOTICE_STEP).then_some(&change),
        });
        (m.subject, m.text)
    }

    #[test]
    fn a_stopped_top_up_is_worded_as_a_top_up_in_every_language() {
        use simrenew_domain::reminder::AutoRenewNotice;
        for language in ["nl", "fr", "de", "en", "zh"] {
            for notice in AutoRenewNotice::ALL {
                for channel in [MessageChannel::Email, MessageChannel::Sms] {
                    let (subject, text) = word(language, notice.top_up_step(), channel);
                    let renewal = word(language, notice.step(), channel);
                    for t in [&subject, &text] {
                        assert!(!t.contains("topup-") && !t.is_empty(), "{language}: {t}");
                    }
                    assert_ne!(
                        subject, renewal.0,
                        "{language} {notice:?}: a top-up's own words"
                    );
                    assert!(text.contains("+32470123456"), "{language}: {text}");
                }
            }
        }
        let (_, text) = word(
            "en",
            AutoRenewNotice::SpendCap.top_up_step(),
            MessageChannel::Email,
        );
        assert!(
            text.contains("monthly cap") && text.contains("31 March 2027"),
            "{text}"
        );
        assert!(
            text.contains("Add a bundle at https://lumo.example"),
            "{text}"
        );
    }

    #[test]
    fn a_price_notice_says_both_prices_the_date_and_the_choice() {
        let (subject, text) = word(
            "en",
            simrenew_domain::reminder::PRICE_NOTICE_STEP,
            MessageChannel::Email,
        );
        assert!(subject.contains("Easy 5 GB"), "{subject}");
        for part in [
            "€10.00",
            "€12.00",
            "31 March 2027",
            "30 days",
            "https://lumo.example",
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
    }

    #[test]
    fn a_reminder_says_when_in_the_brands_zone_and_language_and_carries_its_code() {
        let (subject, text) = word("fr", 7, MessageChannel::Email);
        assert_eq!(
            subject,
            "Lumo : votre ligne +32470123456 expire dans 7 jours"
        );
        assert!(text.starts_with("Bonjour Anna Peeters,"), "{text}");
        // 23:30 in Brussels, which is 21:30 UTC.
        assert!(text.contains("31 mars 2027 à 23\u{a0}h\u{a0}30"), "{text}");
        assert!(text.contains("K7Q4M-ZPA2X"), "{text}");
        assert!(text.contains("https://lumo.example/check"), "{text}");
        let (subject, _) = word("nl", 1, MessageChannel::Email);
        assert_eq!(subject, "Lumo: uw lijn +32470123456 verloopt morgen");
        let (_, sms) = word("de", -1, MessageChannel::Sms);
        assert!(sms.contains("7. April 2027"), "{sms}");
        assert!(sms.contains("K7Q4M-ZPA2X"), "{sms}");
        // An unknown language reads English.
        let (subject, _) = word("xx", 0, MessageChannel::Email);
        assert_eq!(subject, "Lumo: your line +32470123456 expires today");
        let (_, zh) = word("zh", 3, MessageChannel::Sms);
        assert!(zh.contains("2027年3月31日"), "{zh}");
    }

    #[test]
    fn an_email_comes_in_html_too_with_every_word_escaped() {
        let brand = brand();
        let msisdn = Msisdn::parse("+32470123456").unwrap();
        let code = VerificationCode::parse("K7Q4M-ZPA2X").unwrap();
        let m = CatalogTexts.reminder(&ReminderFacts {
            language: "de",
            brand: &brand,
            subscriber_name: "Anna <b>Peeters</b>",
            msisdn: &msisdn,
            expires_at: "2027-03-31T21:30:00Z".parse().unwrap(),
            grace_until: None,
            step: 7,
            days_left: 7,
            channel: MessageChannel::Email,
            code: &code,
            portal_url: "https://lumo.example",
            check_url: "https://lumo.example/check".into(),
            price_change: None,
        });
        let html = m.html.expect("an e-mail has HTML");
        assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
        assert!(html.contains(r#"<html lang="de">"#), "{html}");
        assert!(
            html.contains("Anna &#60;b&#62;Peeters") || html.contains("Anna &lt;b&gt;Peeters"),
            "{html}"
        );
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains(r#"href="https://lumo.example""#), "{html}");
        assert!(html.contains("K7Q4M-ZPA2X"), "{html}");
        assert!(
            m.text.contains("Anna <b>Peeters</b>"),
            "the text part is plain text: {}",
            m.text
        );
        let sms = CatalogTexts.reminder(&ReminderFacts {
            channel: MessageChannel::Sms,
            language: "de",
            brand: &brand,
            subscriber_name: "Anna",
            msisdn: &msisdn,
            expires_at: "2027-03-31T21:30:00Z".parse().unwrap(),
            grace_until: None,
            step: 7,
            days_left: 7,
            code: &code,
            portal_url: "https://lumo.example",
            check_url: "https://lumo.example/check".into(),
            price_change: None,
        });
        assert!(sms.html.is_none());
    }

    #[test]
    fn a_data_notice_says_how_much_is_used_and_until_when() {
        let (subject, text) = word("en", 10_080, MessageChannel::Email);
        assert_eq!(subject, "Lumo: 80 % of the data on +32470123456 is used");
        assert!(text.contains("until 31 March 2027"), "{text}");
        assert!(text.contains("K7Q4M-ZPA2X"), "{text}");
        let (subject, _) = word("nl", 10_100, MessageChannel::Email);
        assert_eq!(subject, "Lumo: de data op +32470123456 is op");
    }

    #[test]
    fn an_sms_reminder_links_only_to_the_brands_portal() {
        for lang in ["nl", "fr", "de", "en", "zh"] {
            for step in [
                7, 1, 0, -1, 10_080, 10_100, 20_001, 20_002, 20_003, 20_004, 30_000,
            ] {
                let (_, sms) = word(lang, step, MessageChannel::Sms);
                assert!(sms.contains("https://lumo.example"), "{lang} {step}: {sms}");
                assert!(
                    sms.match_indices("://").all(
                        |(i, _)| sms[i.saturating_sub(5)..].starts_with("https://lumo.example")
                    ),
                    "{lang} {step}: {sms}"
                );
                assert!(sms.chars().count() <= 160, "{lang} {step}: {sms}");
            }
        }
    }
}
