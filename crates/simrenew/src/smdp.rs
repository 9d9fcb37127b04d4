//! The SM-DP+ as the application's [`Provisioner`] for new eSIMs, over SGP.22 ES2+
//! (`simrenew_network::es2plus`): an `esim_ordered` row is downloadOrder then confirmOrder
//! (released at once when the subscriber was identified), confirmed with the activation code;
//! an `esim_released` row is releaseProfile; an `esim_cancelled` row (the sale refunded before
//! install) is cancelOrder, the profile made unavailable. Every attempt of one row's call carries the same
//! `functionCallIdentifier`, and an attempt after the first is a repeat, whose "done already"
//! answers count as done. Configured by `SIMRENEW_SMDP_URL`, `SIMRENEW_SMDP_ADDRESS`,
//! `SIMRENEW_SMDP_REQUESTER_ID` and, for mutual TLS, `SIMRENEW_SMDP_CLIENT_CERT`,
//! `SIMRENEW_SMDP_CLIENT_KEY` and `SIMRENEW_SMDP_SERVER_CA` (PEM files).

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use serde_json::Value;
use simrenew_app::network::{Delivery, OutboxItem, Provisioner, ESIM_TOPICS};
use simrenew_app::sales::ports::{ESIM_CANCELLED, ESIM_ORDERED, ESIM_RELEASED};
use simrenew_domain::identifiers::{Eid, Iccid};
use simrenew_network::es2plus::{
    Call, CancelOrder, ConfirmOrder, DownloadOrder, Es2Client, Es2Config, FinalProfileStatus,
    MatchingId,
};
use simrenew_network::{ClientTls, Outcome};

/// What the worker is told of its SM-DP+.
#[derive(Debug, Clone)]
pub struct SmdpSettings {
    pub url: String,
    /// The SM-DP+ address in activation codes (`smdp.example.com`).
    pub address: String,
    pub requester_id: String,
    pub timeout: Duration,
    pub tls: Option<ClientTls>,
}

impl SmdpSettings {
    /// From the environment; `None` when `SIMRENEW_SMDP_URL` is not set.
    pub fn from_env() -> anyhow::Result<Option<Self>> {
        let Ok(url) = std::env::var("SIMRENEW_SMDP_URL") else {
            return Ok(None);
        };
        let address = std::env::var("SIMRENEW_SMDP_ADDRESS")
            .context("SIMRENEW_SMDP_ADDRESS (the SM-DP+ address of activation codes) must be set with SIMRENEW_SMDP_URL")?;
        let requester_id =
            std::env::var("SIMRENEW_SMDP_REQUESTER_ID").unwrap_or_else(|_| "simrenew".to_owned());
        let tls = match (
            std::env::var("SIMRENEW_SMDP_CLIENT_CERT"),
            std::env::var("SIMRENEW_SMDP_CLIENT_KEY"),
        ) {
            (Ok(cert), Ok(key)) => {
                let ca = std::env::var("SIMRENEW_SMDP_SERVER_CA").ok();
                Some(
                    ClientTls::from_files(
                        Path::new(&cert),
                        Path::new(&key),
                        ca.as_deref().map(Path::new),
                    )
                    .map_err(|e| anyhow::anyhow!("SIMRENEW_SMDP_CLIENT_CERT/_KEY: {e}"))?,
                )
            }
            (Err(_), Err(_)) => match std::env::var("SIMRENEW_SMDP_SERVER_CA") {
                Ok(ca) => Some(ClientTls {
                    identity_pem: None,
                    server_ca_pem: Some(
                        std::fs::read(&ca).with_context(|| format!("reading {ca}"))?,
                    ),
                }),
                Err(_) => None,
            },
            _ => {
                anyhow::bail!("SIMRENEW_SMDP_CLIENT_CERT and SIMRENEW_SMDP_CLIENT_KEY go together")
            }
        };
        Ok(Some(Self {
            url,
            address,
            requester_id,
            timeout: Duration::from_secs(10),
            tls,
        }))
    }
}

/// The SM-DP+'s ES2+ functions as a [`Provisioner`].
pub struct SmdpProvisioner {
    client: Es2Client,
}

impl SmdpProvisioner {
    pub fn new(settings: &SmdpSettings) -> anyhow::Result<Self> {
        let client = Es2Client::new(Es2Config {
            base_url: settings.url.clone(),
            function_requester_identifier: settings.requester_id.clone(),
            smdp_address: settings.address.clone(),
            timeout: settings.timeout,
            retry: Default::default(),
            tls: settings.tls.clone(),
        })
        .map_err(|e| anyhow::anyhow!("SIMRENEW_SMDP_*: {e}"))?;
        Ok(Self { client })
    }

    /// Whether the SM-DP+ answers (for `/readyz`).
    pub async fn answers(&self, timeout: Duration) -> Result<(), String> {
        self.client.answers(timeout).await
    }

    fn call(item: &OutboxItem, step: &str) -> Result<Call, String> {
        let id = format!("{}-{step}", item.idempotency_key());
        if item.attempts == 0 {
            Call::first(&id)
        } else {
            Call::repeat(&id)
        }
        .map_err(|e| e.to_string())
    }

    async fn order(&self, item: &OutboxItem, v: &Value) -> Result<Delivery, String> {
        let iccid = Iccid::parse(v["iccid"].as_str().ok_or("payload: no iccid")?)
            .map_err(|e| format!("payload: {e}"))?;
        let eid = v["eid"]
            .as_str()
            .map(Eid::parse)
            .transpose()
            .map_err(|e| format!("payload: {e}"))?;
        let matching_id =
            MatchingId::parse(v["matching_id"].as_str().ok_or("payload: no matching_id")?)
                .map_err(|e| format!("payload: {e}"))?;
        let release = v["release"].as_bool().unwrap_or(false);
        let download = DownloadOrder {
            iccid: iccid.clone(),
            eid: eid.clone(),
            profile_type: None,
        };
        match self
            .client
            .download_order(&download, &Self::call(item, "download")?)
            .await
        {
            Outcome::Confirmed(_) => {}
            other => return Ok(not_confirmed(other)),
        }
        let confirm = ConfirmOrder {
            iccid,
            eid,
            matching_id,
            confirmation_code: None,
            smds_address: None,
            release,
        };
        Ok(
            match self
                .client
                .confirm_order(&confirm, &Self::call(item, "confirm")?)
                .await
            {
                Outcome::Confirmed(c) => match c.activation_code() {
                    Ok(code) => Delivery::Confirmed {
                        operation_id: code.to_string(),
                    },
                    Err(e) => Delivery::Rejected {
                        reason: format!("the SM-DP+'s answer makes no activation code: {e}"),
                    },
                },
                other => not_confirmed(other),
            },
        )
    }

    /// A profile refunded before install: never to be downloaded, so never given again.
    async fn cancel(&self, item: &OutboxItem, v: &Value) -> Result<Delivery, String> {
        let iccid = Iccid::parse(v["iccid"].as_str().ok_or("payload: no iccid")?)
            .map_err(|e| format!("payload: {e}"))?;
        let order = CancelOrder {
            iccid: iccid.clone(),
            eid: v["eid"]
                .as_str()
                .map(Eid::parse)
                .transpose()
                .map_err(|e| format!("payload: {e}"))?,
            matching_id: v["matching_id"]
                .as_str()
                .map(MatchingId::parse)
                .transpose()
                .map_err(|e| format!("payload: {e}"))?,
            final_status: FinalProfileStatus::Unavailable,
        };
        Ok(
            match self
                .client
                .cancel_order(&order, &Self::call(item, "cancel")?)
                .await
            {
                Outcome::Confirmed(()) => Delivery::Confirmed {
                    operation_id: format!("cancelled {iccid}"),
                },
                other => not_confirmed(other),
            },
        )
    }

    async fn release(&self, item: &OutboxItem, v: &Value) -> Result<Delivery, String> {
        let iccid = Iccid::parse(v["iccid"].as_str().ok_or("payload: no iccid")?)
            .map_err(|e| format!("payload: {e}"))?;
        Ok(
            match self
                .client
                .release_profile(&iccid, &Self::call(item, "release")?)
                .await
            {
                Outcome::Confirmed(()) => Delivery::Confirmed {
                    operation_id: format!("released {iccid}"),
                },
                other => not_confirmed(other),
            },
        )
    }
}

fn not_confirmed<T>(outcome: Outcome<T>) -> Delivery {
    match outcome {
        Outcome::Confirmed(_) => Delivery::TryAgain {
            why: "confirmed without an answer".into(),
        },
        Outcome::Rejected(r) => Delivery::Rejected {
            reason: match r.code {
                Some(code) => format!("{code}: {}", r.reason),
                None => r.reason,
            },
        },
        Outcome::TryAgain(t) => Delivery::TryAgain { why: t.why },
    }
}

#[async_trait]
impl Provisioner for SmdpProvisioner {
    fn name(&self) -> &'static str {
        "es2plus"
    }

    fn topics(&self) -> &'static [&'static str] {
        &ESIM_TOPICS
    }

    async fn deliver(&self, item: &OutboxItem) -> Delivery {
        let v: Value = match serde_json::from_str(&item.payload) {
            Ok(v) => v,
            Err(e) => {
                return Delivery::Rejected {
                    reason: format!("payload: {e}"),
                }
            }
        };
        let done = match item.topic.as_str() {
            ESIM_ORDERED => self.order(item, &v).await,
            ESIM_RELEASED => self.release(item, &v).await,
            ESIM_CANCELLED => self.cancel(item, &v).await,
            other => Err(format!("no ES2+ function for the topic {other}")),
        };
        done.unwrap_or_else(|reason| Delivery::Rejected { reason })
    }
}
