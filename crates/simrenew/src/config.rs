//! The configuration file, `simrenew.toml`: the settings that are not secrets, under the names
//! of their environment variables (`[sms] base_url` is `SIMRENEW_SMS_BASE_URL`). The
//! environment wins over the file; secrets are refused in it and come from the environment or
//! from files named by `NAME_FILE`.
//!
//! The file is read before anything else, and its values are put in the environment of the
//! process where the environment has none, so that every part of the program reads its
//! settings in one way.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// One setting the file may hold.
pub struct Setting {
    /// `table.key`, or `key` at the top.
    pub key: &'static str,
    pub env: &'static str,
    pub example: &'static str,
    pub help: &'static str,
}

/// Every setting the file may hold, in the order `config example` prints them (those at the
/// top of the file first, as TOML wants).
pub const SETTINGS: &[Setting] = &[
    Setting {
        key: "database_url",
        env: "SIMRENEW_DATABASE_URL",
        example: "\"sqlite:simrenew.db\"",
        help: "sqlite:FILE (embedded) or postgres://user@host/db (a password belongs in the environment)",
    },
    Setting {
        key: "listen",
        env: "SIMRENEW_LISTEN",
        example: "\"127.0.0.1:8080\"",
        help: "address `serve` and `demo` listen on",
    },
    Setting {
        key: "log",
        env: "SIMRENEW_LOG",
        example: "\"info,sqlx=warn,tower_http=warn\"",
        help: "log filter (tracing's EnvFilter syntax)",
    },
    Setting {
        key: "payment_methods",
        env: "SIMRENEW_PAYMENT_METHODS",
        example: "\"portal=card,bancontact,paypal,credit,voucher;store=cash,card_terminal,credit,voucher\"",
        help: "methods offered per channel, and per brand with `brand.channel=...`",
    },
    Setting {
        key: "public_url",
        env: "SIMRENEW_PUBLIC_URL",
        example: "\"https://portal.lumo.example\"",
        help: "the portal's origin, which passkeys are bound to",
    },
    Setting {
        key: "voucher_key_file",
        env: "SIMRENEW_VOUCHER_KEY_FILE",
        example: "\"/run/secrets/voucher-key\"",
        help: "file holding the key of the hash kept instead of voucher codes",
    },
    Setting {
        key: "trusted_proxies",
        env: "SIMRENEW_TRUSTED_PROXIES",
        example: "\"10.0.0.0/8, 192.0.2.7\"",
        help: "reverse proxies (CIDR ranges or addresses) whose X-Forwarded-For names the client; from any other peer the peer is the client",
    },
    Setting {
        key: "document_key_file",
        env: "SIMRENEW_DOCUMENT_KEY_FILE",
        example: "\"/run/secrets/document-key\"",
        help: "file holding the key of the hash kept instead of identity document numbers",
    },
    Setting {
        key: "sealing_key_file",
        env: "SIMRENEW_SEALING_KEY_FILE",
        example: "\"/run/secrets/sealing-key\"",
        help: "file holding the key TOTP seeds are sealed with",
    },
    Setting {
        key: "audit_key_file",
        env: "SIMRENEW_AUDIT_KEY_FILE",
        example: "\"/run/secrets/audit-key\"",
        help: "file holding the key (at least 32 bytes) the audit log's MACs and checkpoints are made with",
    },
    Setting {
        key: "audit_checkpoint_minutes",
        env: "SIMRENEW_AUDIT_CHECKPOINT_MINUTES",
        example: "60",
        help: "how often `serve` writes a checkpoint of the audit log's chains (and once at start)",
    },
    Setting {
        key: "http.header_timeout_ms",
        env: "SIMRENEW_HTTP_HEADER_TIMEOUT_MS",
        example: "10000",
        help: "time a connection has to send a request's headers, and that a kept-alive one may wait idle for its next request; then it is closed",
    },
    Setting {
        key: "http.body_timeout_ms",
        env: "SIMRENEW_HTTP_BODY_TIMEOUT_MS",
        example: "10000",
        help: "time a request has to send its body once its headers are in; then it is answered 408 and its connection closed",
    },
    Setting {
        key: "http.max_connections",
        env: "SIMRENEW_HTTP_MAX_CONNECTIONS",
        example: "1024",
        help: "connections open at once; one more is closed as soon as it is accepted",
    },
    Setting {
        key: "sign_in.codes_per_brand_hour",
        env: "SIMRENEW_SIGN_IN_CODES_PER_BRAND_HOUR",
        example: "\"1000,lumo=5000\"",
        help: "sign-in codes sent per hour to each brand's numbers and addresses (past it, codes are answered for but not sent); brands of their own after the first number",
    },
    Setting {
        key: "sms.base_url",
        env: "SIMRENEW_SMS_BASE_URL",
        example: "\"https://api.twilio.com\"",
        help: "SMS gateway (Twilio-shaped) for sign-in codes",
    },
    Setting {
        key: "sms.account",
        env: "SIMRENEW_SMS_ACCOUNT",
        example: "\"AC0123456789\"",
        help: "the gateway account (its token: SIMRENEW_SMS_TOKEN or SIMRENEW_SMS_TOKEN_FILE)",
    },
    Setting {
        key: "sms.from",
        env: "SIMRENEW_SMS_FROM",
        example: "\"+32470000000\"",
        help: "the sender number",
    },
    Setting {
        key: "sms.token_file",
        env: "SIMRENEW_SMS_TOKEN_FILE",
        example: "\"/run/secrets/sms-token\"",
        help: "file holding the gateway token",
    },
    Setting {
        key: "smtp.url_file",
        env: "SIMRENEW_SMTP_URL_FILE",
        example: "\"/run/secrets/smtp-url\"",
        help: "file holding the SMTP relay URL (it may carry a password)",
    },
    Setting {
        key: "mail.from",
        env: "SIMRENEW_MAIL_FROM",
        example: "\"Lumo <no-reply@lumo.example>\"",
        help: "the sender of e-mailed sign-in codes",
    },
    Setting {
        key: "stripe.api_base",
        env: "SIMRENEW_STRIPE_API_BASE",
        example: "\"https://api.stripe.com\"",
        help: "Stripe's API",
    },
    Setting {
        key: "stripe.secret_key_file",
        env: "SIMRENEW_STRIPE_SECRET_KEY_FILE",
        example: "\"/run/secrets/stripe-secret-key\"",
        help: "file holding the Stripe API key",
    },
    Setting {
        key: "stripe.webhook_secret_file",
        env: "SIMRENEW_STRIPE_WEBHOOK_SECRET_FILE",
        example: "\"/run/secrets/stripe-webhook-secret\"",
        help: "file holding the Stripe webhook signing secret",
    },
    Setting {
        key: "paypal.api_base",
        env: "SIMRENEW_PAYPAL_API_BASE",
        example: "\"https://api-m.paypal.com\"",
        help: "PayPal's API",
    },
    Setting {
        key: "paypal.client_id",
        env: "SIMRENEW_PAYPAL_CLIENT_ID",
        example: "\"AZ0123456789\"",
        help: "the PayPal REST app",
    },
    Setting {
        key: "paypal.client_secret_file",
        env: "SIMRENEW_PAYPAL_CLIENT_SECRET_FILE",
        example: "\"/run/secrets/paypal-client-secret\"",
        help: "file holding the PayPal app's secret",
    },
    Setting {
        key: "paypal.webhook_id",
        env: "SIMRENEW_PAYPAL_WEBHOOK_ID",
        example: "\"WH-0123456789\"",
        help: "the PayPal webhook's id, for signature verification",
    },
    Setting {
        key: "provider.timeout_ms",
        env: "SIMRENEW_PROVIDER_TIMEOUT_MS",
        example: "10000",
        help: "per attempt of a payment provider call",
    },
];

/// Secrets: named so that a file holding them is refused with a pointer to the right place.
const SECRETS: &[(&str, &str)] = &[
    ("sms.token", "SIMRENEW_SMS_TOKEN"),
    ("smtp.url", "SIMRENEW_SMTP_URL"),
    ("document_key", "SIMRENEW_DOCUMENT_KEY"),
    ("sealing_key", "SIMRENEW_SEALING_KEY"),
    ("audit_key", "SIMRENEW_AUDIT_KEY"),
    ("voucher_key", "SIMRENEW_VOUCHER_KEY"),
    ("stripe.secret_key", "SIMRENEW_STRIPE_SECRET_KEY"),
    ("stripe.webhook_secret", "SIMRENEW_STRIPE_WEBHOOK_SECRET"),
    ("paypal.client_secret", "SIMRENEW_PAYPAL_CLIENT_SECRET"),
];

/// The file to read: `--config PATH` (or `--config=PATH`) among the arguments, else
/// `SIMRENEW_CONFIG`, else `simrenew.toml` in the working directory if there is one.
/// `Err` when a file was named but is missing.
pub fn path(args: &[String]) -> anyhow::Result<Option<PathBuf>> {
    let mut named = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--config" {
            named = Some(it.next().context("--config needs a file")?.clone());
        } else if let Some(p) = a.strip_prefix("--config=") {
            named = Some(p.to_owned());
        }
    }
    let named = named.or_else(|| std::env::var("SIMRENEW_CONFIG").ok());
    match named {
        Some(p) => {
            let p = PathBuf::from(p);
            if !p.is_file() {
                bail!("--config: {} is not a file", p.display());
            }
            Ok(Some(p))
        }
        None => Ok(Some(PathBuf::from("simrenew.toml")).filter(|p| p.is_file())),
    }
}

/// The settings of a file, as (environment variable, value), checked: unknown keys and
/// secrets are refused, naming the line.
pub fn parse(path: &Path, text: &str) -> anyhow::Result<Vec<(&'static str, String)>> {
    // toml's message names the line and column.
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut out = vec![];
    let mut flat = vec![];
    for (k, v) in &table {
        match v {
            toml::Value::Table(inner) => {
                for (k2, v2) in inner {
                    flat.push((format!("{k}.{k2}"), k2.clone(), v2.clone()));
                }
            }
            other => flat.push((k.clone(), k.clone(), other.clone())),
        }
    }
    for (key, last, value) in flat {
        let line = line_of(text, &last);
        let at = format!("{} line {line}", path.display());
        if let Some((_, env)) = SECRETS.iter().find(|(s, _)| *s == key) {
            bail!(
                "{at}: {key} is a secret and is not read from this file; give it in {env} or \
                 in a file named by {env}_FILE"
            );
        }
        let Some(setting) = SETTINGS.iter().find(|s| s.key == key) else {
            bail!("{at}: unknown setting {key:?} (`simrenew config example` lists them all)");
        };
        let value = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => bail!("{at}: {key} must be a string or a number"),
        };
        out.push((setting.env, value));
    }
    Ok(out)
}

/// The 1-based line of the first `key =` in the text.
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(0, |i| i + 1)
}

/// The file read at start, and its settings.
pub type Loaded = Option<(PathBuf, Vec<(&'static str, String)>)>;

static LOADED: std::sync::OnceLock<Loaded> = std::sync::OnceLock::new();

/// What [`load`] read.
pub fn loaded() -> &'static Loaded {
    LOADED.get_or_init(|| None)
}

/// Reads the file, if any, and sets each of its settings the environment does not already
/// give. Call before any thread starts.
pub fn load(args: &[String]) -> anyhow::Result<()> {
    let Some(path) = path(args)? else {
        return Ok(());
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let settings = parse(&path, &text)?;
    for (env, value) in &settings {
        if std::env::var_os(env).is_none() {
            // The process has one thread yet: nothing reads the environment meanwhile.
            std::env::set_var(env, value);
        }
    }
    let _ = LOADED.set(Some((path, settings)));
    Ok(())
}

/// `simrenew config example`: every setting, commented, with an example value.
pub fn example() -> String {
    let mut out = String::from(
        "# simrenew.toml: settings that are not secrets. The environment (SIMRENEW_...) wins\n\
         # over this file. Secrets (API keys, tokens, passwords, the document and sealing keys)\n\
         # are never read from here: give them in the environment, or in a file named by\n\
         # NAME_FILE, as the *_file settings below do.\n",
    );
    let mut table = "";
    for s in SETTINGS {
        let (t, key) = s.key.split_once('.').unwrap_or(("", s.key));
        if t != table {
            out.push_str(&format!("\n[{t}]\n"));
            table = t;
        } else {
            out.push('\n');
        }
        out.push_str(&format!(
            "# {} ({})\n# {key} = {}\n",
            s.help, s.env, s.example
        ));
    }
    out
}

/// `simrenew config show`: each setting in effect and where it comes from; secrets are not
/// shown, only whether they are set.
pub fn show() -> String {
    let (mut out, from_file) = match loaded() {
        Some((p, settings)) => (
            format!("configuration file: {}\n", p.display()),
            settings.as_slice(),
        ),
        None => ("configuration file: none\n".to_owned(), &[][..]),
    };
    for s in SETTINGS {
        let Ok(value) = std::env::var(s.env) else {
            continue;
        };
        let source = if from_file.iter().any(|(e, v)| *e == s.env && *v == value) {
            "file"
        } else {
            "environment"
        };
        let shown = if s.env == "SIMRENEW_DATABASE_URL" {
            crate::wiring::redact(&value)
        } else {
            value
        };
        out.push_str(&format!("{} = {shown}  ({source})\n", s.key));
    }
    for (key, env) in SECRETS {
        let set =
            std::env::var_os(env).is_some() || std::env::var_os(format!("{env}_FILE")).is_some();
        out.push_str(&format!("{key}: {}\n", if set { "set" } else { "not set" }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_is_a_valid_file_once_uncommented() {
        let text: String = example()
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.contains(" = ") => rest.to_owned(),
                _ => l.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let settings = parse(Path::new("example.toml"), &text).unwrap();
        assert_eq!(settings.len(), SETTINGS.len());
    }

    #[test]
    fn secrets_and_unknown_keys_are_refused_with_their_line() {
        let e = parse(
            Path::new("s.toml"),
            "database_url = \"sqlite:x.db\"\n\n[stripe]\nsecret_key = \"sk_live_x\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("s.toml line 4"), "{e}");
        assert!(e.contains("SIMRENEW_STRIPE_SECRET_KEY"), "{e}");
        assert!(!e.contains("sk_live_x"), "{e}");
        let e = parse(Path::new("s.toml"), "[sms]\nbase_ur = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("sms.base_ur"), "{e}");
        let e = parse(Path::new("s.toml"), "listen = [1]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("listen must be"), "{e}");
        assert!(parse(Path::new("s.toml"), "listen = \n").is_err());
    }

    #[test]
    fn settings_map_to_their_environment_variables() {
        let s = parse(
            Path::new("s.toml"),
            "listen = \"0.0.0.0:80\"\n[provider]\ntimeout_ms = 2500\n",
        )
        .unwrap();
        assert_eq!(
            s,
            vec![
                ("SIMRENEW_LISTEN", "0.0.0.0:80".to_owned()),
                ("SIMRENEW_PROVIDER_TIMEOUT_MS", "2500".to_owned())
            ]
        );
    }
}
