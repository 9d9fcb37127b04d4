//! E-mail gateways for sign-in codes and reminders: an SMTP relay (reminders in text and
//! HTML), or — for the demo only — the server log.

use async_trait::async_trait;
use lettre::message::{header::ContentType, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use simrenew_app::identity::signin::MailGateway;
use simrenew_domain::identifiers::Email;

/// Sends through an SMTP relay: `smtp://host:25` (plain, for a relay on the same network),
/// `smtp://user:password@host:587?tls=required` (STARTTLS) or `smtps://user:password@host`
/// (TLS from the start).
pub struct SmtpMail {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMail {
    /// From `SIMRENEW_SMTP_URL` (or `SIMRENEW_SMTP_URL_FILE`, since it may hold a password)
    /// and `SIMRENEW_MAIL_FROM` (e.g. `Lumo <no-reply@lumo.example>`); `None` when no URL is
    /// set.
    pub fn from_env() -> anyhow::Result<Option<Self>> {
        let Some(url) = crate::secrets::env_or_file("SIMRENEW_SMTP_URL")? else {
            return Ok(None);
        };
        let from = std::env::var("SIMRENEW_MAIL_FROM").map_err(|_| {
            anyhow::anyhow!("SIMRENEW_MAIL_FROM must be set with SIMRENEW_SMTP_URL")
        })?;
        Ok(Some(Self::new(&url, &from)?))
    }

    pub fn new(url: &str, from: &str) -> anyhow::Result<Self> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("SIMRENEW_MAIL_FROM {from:?}: {e}"))?;
        // The URL may hold a password: its error must not repeat it.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| anyhow::anyhow!("SIMRENEW_SMTP_URL is not an smtp:// or smtps:// URL"))?
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        Ok(Self { transport, from })
    }
}

impl SmtpMail {
    /// Builds the message to `to` with `body` (text, or text and HTML) and hands it over.
    async fn deliver(
        &self,
        to: &Email,
        subject: &str,
        text: &str,
        html: Option<&str>,
    ) -> Result<(), String> {
        let to: Mailbox = to
            .as_str()
            .parse()
            .map_err(|e| format!("the address is refused by the mail builder: {e}"))?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject);
        let message = match html {
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(text.to_owned()),
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                text.to_owned(),
                html.to_owned(),
            )),
        }
        .map_err(|e| format!("the message cannot be built: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("the SMTP relay refused the message: {e}"))
    }
}

#[async_trait]
impl MailGateway for SmtpMail {
    async fn send(&self, to: &Email, subject: &str, text: &str) -> Result<(), String> {
        self.deliver(to, subject, text, None).await
    }

    async fn send_with_html(
        &self,
        to: &Email,
        subject: &str,
        text: &str,
        html: &str,
    ) -> Result<(), String> {
        self.deliver(to, subject, text, Some(html)).await
    }
}

/// The demo's gateway: e-mailed sign-in codes appear in the server log, so that the demo can
/// be tried without a mail relay. Never used by `serve`.
pub struct DemoLogMail;

#[async_trait]
impl MailGateway for DemoLogMail {
    async fn send(&self, to: &Email, subject: &str, text: &str) -> Result<(), String> {
        tracing::warn!(to = %to, "demo mode, no e-mail sent: {subject}: {text}");
        Ok(())
    }
}
