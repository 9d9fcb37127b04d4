//! The composition root: the wall clock, the store chosen by URL, the application state.

use crate::secrets;
use std::sync::Arc;

use anyhow::Context;
use simrenew_app::audit::AuditKey;
use simrenew_app::identity::passkeys::RelyingParty;
use simrenew_app::identity::signin::CodeCeilings;
use simrenew_app::sales::vouchers::VoucherKey;
use simrenew_app::sealing::SealingKey;
use simrenew_app::{App, Clock};
use simrenew_domain::Timestamp;
use simrenew_http::{AppState, ServeLimits, TrustedProxies};
use simrenew_store::Db;
use tracing_subscriber::EnvFilter;

/// The only place that reads the wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// Logs go to standard error through a background writer, so that a request never waits on
/// the terminal or the log file. Keep the guard until the end of `main`: dropping it flushes.
pub fn init_tracing() -> tracing_appender::non_blocking::WorkerGuard {
    let filter = EnvFilter::try_from_env("SIMRENEW_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .init();
    guard
}

/// Opens the database and brings its schema up to date; with the audit key when the
/// environment gives one (without it, acts that are audited fail and change nothing).
pub async fn open(url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(url)
        .await
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("opening {}", redact(url)))?;
    db.migrate().await.map_err(anyhow::Error::msg)?;
    Ok(match audit_key()? {
        Some(key) => db.with_audit_key(key),
        None => db,
    })
}

/// The key of the audit log's MACs, from `SIMRENEW_AUDIT_KEY_FILE` or `SIMRENEW_AUDIT_KEY`
/// (at least 32 bytes), else the demo's (see [`demo_key`]); `None` when there is none.
pub fn audit_key() -> anyhow::Result<Option<AuditKey>> {
    secrets::secret("SIMRENEW_AUDIT_KEY")?
        .or_else(|| secrets::demo_key("audit"))
        .map(|k| AuditKey::new(&k).context("SIMRENEW_AUDIT_KEY"))
        .transpose()
}

/// How often `serve` writes an audit checkpoint: `SIMRENEW_AUDIT_CHECKPOINT_MINUTES`, 60 by
/// default.
pub fn audit_checkpoint_every() -> anyhow::Result<std::time::Duration> {
    let minutes = match std::env::var("SIMRENEW_AUDIT_CHECKPOINT_MINUTES") {
        Ok(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|m| (1..=24 * 60).contains(m))
            .context("SIMRENEW_AUDIT_CHECKPOINT_MINUTES must be minutes between 1 and 1440")?,
        Err(_) => 60,
    };
    Ok(std::time::Duration::from_secs(minutes * 60))
}

pub fn app(db: Db) -> App {
    App::new(Arc::new(db), Arc::new(SystemClock))
}

/// The secret of the keyed hash of identity document numbers, from `SIMRENEW_DOCUMENT_KEY_FILE`
/// or `SIMRENEW_DOCUMENT_KEY` (at least 32 bytes); `None` when neither is set.
pub fn document_key() -> anyhow::Result<Option<Vec<u8>>> {
    Ok(secrets::secret("SIMRENEW_DOCUMENT_KEY")?.or_else(|| secrets::demo_key("document")))
}

/// The key TOTP seeds are sealed with, from `SIMRENEW_SEALING_KEY_FILE` or
/// `SIMRENEW_SEALING_KEY` (at least 32 bytes); `None` when neither is set.
pub fn sealing_key() -> anyhow::Result<Option<SealingKey>> {
    secrets::secret("SIMRENEW_SEALING_KEY")?
        .or_else(|| secrets::demo_key("sealing"))
        .map(|k| SealingKey::new(&k).context("SIMRENEW_SEALING_KEY"))
        .transpose()
}

/// The key of the hash kept instead of each voucher code, from `SIMRENEW_VOUCHER_KEY_FILE` or
/// `SIMRENEW_VOUCHER_KEY` (at least 32 bytes); `None` when neither is set.
pub fn voucher_key() -> anyhow::Result<Option<VoucherKey>> {
    secrets::secret("SIMRENEW_VOUCHER_KEY")?
        .or_else(|| secrets::demo_key("voucher"))
        .map(|k| VoucherKey::new(&k).map_err(|e| anyhow::anyhow!("SIMRENEW_VOUCHER_KEY: {e}")))
        .transpose()
}

/// The application with the keys the environment gives: every command that may enrol or
/// check a second factor, record an identification or touch a voucher needs them.
pub fn app_with_keys(db: Db) -> anyhow::Result<App> {
    with_keys(app(db))
}

/// [`app_with_keys`] on a clock that says it is `now`, and stays there: for workers told
/// what time it is (`simrenew worker --now`).
pub fn app_at(db: Db, now: jiff::Timestamp) -> anyhow::Result<App> {
    with_keys(App::new(
        Arc::new(db),
        Arc::new(simrenew_app::ManualClock::new(now)),
    ))
}

/// The gateways reminders go out by, from the environment (`SIMRENEW_SMTP_URL`,
/// `SIMRENEW_SMS_BASE_URL`), with the messages' words. On a database made by `demo` without
/// gateways, reminders go to the demo's message file, as the demo's server does.
pub fn with_message_gateways(app: App, demo: bool) -> anyhow::Result<App> {
    let mut app = app.with_message_texts(Arc::new(crate::messages::CatalogTexts));
    let mail = crate::mail::SmtpMail::from_env()?;
    let sms = crate::sms::HttpSms::from_env()?;
    if demo && mail.is_none() && sms.is_none() {
        let file = Arc::new(crate::messages::DemoMessageFile::in_working_directory());
        return Ok(app.with_reminder_gateways(file.clone(), file));
    }
    match mail {
        Some(gateway) => app = app.with_mail(Arc::new(gateway)),
        None => tracing::warn!("SIMRENEW_SMTP_URL is not set: no reminder goes out by e-mail"),
    }
    match sms {
        Some(gateway) => app = app.with_sms(Arc::new(gateway)),
        None => tracing::warn!("SIMRENEW_SMS_BASE_URL is not set: no reminder goes out by SMS"),
    }
    Ok(app)
}

fn with_keys(mut app: App) -> anyhow::Result<App> {
    if let Some(key) = document_key()? {
        app = app.with_document_key(key);
    }
    if let Some(key) = sealing_key()? {
        app = app.with_sealing_key(key);
    }
    if let Some(key) = voucher_key()? {
        app = app.with_voucher_key(key);
    }
    Ok(app)
}

/// The application with the sign-in limits the environment sets:
/// `SIMRENEW_SIGN_IN_CODES_PER_BRAND_HOUR` (`1000`, or `1000,lumo=5000`).
pub fn with_sign_in_limits(app: App) -> anyhow::Result<App> {
    const NAME: &str = "SIMRENEW_SIGN_IN_CODES_PER_BRAND_HOUR";
    Ok(match std::env::var(NAME) {
        Ok(v) => app.with_code_ceilings(
            CodeCeilings::parse(&v).map_err(|e| anyhow::anyhow!("{NAME}: {}", e.reason))?,
        ),
        Err(_) => app,
    })
}

/// The reverse proxies whose `X-Forwarded-For` is believed, from `SIMRENEW_TRUSTED_PROXIES`
/// (CIDR ranges or addresses, comma-separated); none when it is not set.
pub fn trusted_proxies() -> anyhow::Result<TrustedProxies> {
    const NAME: &str = "SIMRENEW_TRUSTED_PROXIES";
    match std::env::var(NAME) {
        Ok(v) => TrustedProxies::parse(&v).map_err(|e| anyhow::anyhow!("{NAME}: {e}")),
        Err(_) => Ok(TrustedProxies::default()),
    }
}

/// What one connection may hold, from `SIMRENEW_HTTP_HEADER_TIMEOUT_MS`,
/// `SIMRENEW_HTTP_BODY_TIMEOUT_MS` and `SIMRENEW_HTTP_MAX_CONNECTIONS` (defaults where unset).
pub fn serve_limits() -> anyhow::Result<ServeLimits> {
    let number = |name: &str| -> anyhow::Result<Option<u64>> {
        match std::env::var(name) {
            Ok(v) => match v.trim().parse::<u64>() {
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => anyhow::bail!("{name}: {v:?} is not a positive whole number"),
            },
            Err(_) => Ok(None),
        }
    };
    let mut limits = ServeLimits::default();
    if let Some(ms) = number("SIMRENEW_HTTP_HEADER_TIMEOUT_MS")? {
        limits.header_timeout = std::time::Duration::from_millis(ms);
    }
    if let Some(ms) = number("SIMRENEW_HTTP_BODY_TIMEOUT_MS")? {
        limits.body_timeout = std::time::Duration::from_millis(ms);
    }
    if let Some(n) = number("SIMRENEW_HTTP_MAX_CONNECTIONS")? {
        limits.max_connections = usize::try_from(n)?;
    }
    Ok(limits)
}

/// What `serve` and `demo` serve: the application behind the configured proxies.
pub fn state(app: App) -> anyhow::Result<AppState> {
    let state = AppState::with_trusted_proxies(app, trusted_proxies()?);
    if let Some(n) = smdp_notifications()? {
        let _ = state.smdp_notifications.set(n);
    }
    Ok(state)
}

/// The site passkeys are bound to, from `SIMRENEW_PUBLIC_URL` (the origin browsers show,
/// `https://portal.example.be`), else `default`; `None` when neither is given.
pub fn relying_party(default: Option<&str>) -> anyhow::Result<Option<RelyingParty>> {
    let url = match std::env::var("SIMRENEW_PUBLIC_URL") {
        Ok(url) => url,
        Err(_) => match default {
            Some(url) => url.to_owned(),
            None => return Ok(None),
        },
    };
    Ok(Some(RelyingParty::new(url.trim())?))
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Who may report eSIM installs (handleDownloadProgressInfo): the SM-DP+ presenting
/// `SIMRENEW_SMDP_NOTIFY_TOKEN` (or `_FILE`) and naming itself
/// `SIMRENEW_SMDP_NOTIFY_REQUESTER_ID` in the envelope; none when no token is set.
pub fn smdp_notifications() -> anyhow::Result<Option<simrenew_http::api::esims::SmdpNotifications>>
{
    let token = match std::env::var("SIMRENEW_SMDP_NOTIFY_TOKEN_FILE") {
        Ok(path) => std::fs::read_to_string(&path)
            .with_context(|| format!("reading {path}"))?
            .trim()
            .to_owned(),
        Err(_) => match std::env::var("SIMRENEW_SMDP_NOTIFY_TOKEN") {
            Ok(t) => t,
            Err(_) => return Ok(None),
        },
    };
    if token.len() < 32 {
        anyhow::bail!("SIMRENEW_SMDP_NOTIFY_TOKEN must be at least 32 characters");
    }
    let requester = std::env::var("SIMRENEW_SMDP_NOTIFY_REQUESTER_ID").context(
        "SIMRENEW_SMDP_NOTIFY_REQUESTER_ID (the SM-DP+'s functionRequesterIdentifier) must be \
         set with SIMRENEW_SMDP_NOTIFY_TOKEN",
    )?;
    Ok(Some(simrenew_http::api::esims::SmdpNotifications::new(
        &token, &requester,
    )))
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact("postgres://app:s3cret@db:5432/simrenew"),
            "postgres://app:***@db:5432/simrenew"
        );
        assert_eq!(super::redact("sqlite:simrenew.db"), "sqlite:simrenew.db");
    }
}
