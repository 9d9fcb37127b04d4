//! SMS gateways for sign-in codes: a Twilio-shaped HTTP API, or — for the demo only — the
//! server log.

use async_trait::async_trait;
use simrenew_app::identity::signin::SmsGateway;
use simrenew_domain::identifiers::Msisdn;

/// Posts messages to a Twilio-shaped API: `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`
/// with `To`, `From` and `Body` as a form, authenticated with the account's id and token.
pub struct HttpSms {
    client: reqwest::Client,
    url: String,
    account: String,
    token: String,
    from: String,
}

impl HttpSms {
    /// From `SIMRENEW_SMS_BASE_URL`, `SIMRENEW_SMS_ACCOUNT`, `SIMRENEW_SMS_TOKEN` (or
    /// `SIMRENEW_SMS_TOKEN_FILE`) and `SIMRENEW_SMS_FROM`; `None` when no base URL is set.
    pub fn from_env() -> anyhow::Result<Option<Self>> {
        let Ok(base) = std::env::var("SIMRENEW_SMS_BASE_URL") else {
            return Ok(None);
        };
        let var = |name: &str| {
            std::env::var(name)
                .map_err(|_| anyhow::anyhow!("{name} must be set with SIMRENEW_SMS_BASE_URL"))
        };
        let token = crate::secrets::env_or_file("SIMRENEW_SMS_TOKEN")?.ok_or_else(|| {
            anyhow::anyhow!(
                "SIMRENEW_SMS_TOKEN (or SIMRENEW_SMS_TOKEN_FILE) must be set with \
                 SIMRENEW_SMS_BASE_URL"
            )
        })?;
        let account = var("SIMRENEW_SMS_ACCOUNT")?;
        Ok(Some(Self {
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()?,
            url: format!(
                "{}/2010-04-01/Accounts/{account}/Messages.json",
                base.trim_end_matches('/')
            ),
            account,
            token,
            from: var("SIMRENEW_SMS_FROM")?,
        }))
    }
}

#[async_trait]
impl SmsGateway for HttpSms {
    async fn send(&self, to: &Msisdn, text: &str) -> Result<(), String> {
        let body = format!(
            "To={}&From={}&Body={}",
            form(to.as_str()),
            form(&self.from),
            form(text)
        );
        let res = self
            .client
            .post(&self.url)
            .basic_auth(&self.account, Some(&self.token))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| format!("SMS gateway unreachable: {}", e.without_url()))?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(format!("SMS gateway answered {}", res.status()))
        }
    }
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The demo's gateway: sign-in codes appear in the server log, so that the demo can be tried
/// without an SMS account. Never used by `serve`.
pub struct DemoLogSms;

#[async_trait]
impl SmsGateway for DemoLogSms {
    async fn send(&self, to: &Msisdn, text: &str) -> Result<(), String> {
        tracing::warn!(to = %to, "demo mode, no SMS sent: {text}");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn form_encoding() {
        assert_eq!(super::form("+32 470/é"), "%2B32+470%2F%C3%A9");
    }
}
