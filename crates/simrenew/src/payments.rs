//! Payment providers from the environment, and `simrenew payments reconcile`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Subcommand;
use simrenew_app::payments::providers::Providers;
use simrenew_app::payments::reconcile::Difference;
use simrenew_app::App;
use simrenew_domain::order::{PaymentMethodPolicy, ProviderName};
use simrenew_payments::{
    PaypalConfig, PaypalProvider, RetryPolicy, Secret, StripeConfig, StripeProvider,
};

use crate::wiring;

#[derive(Debug, Subcommand)]
pub enum PaymentsCommand {
    /// Compare the Stripe and PayPal payments created on one day (UTC) with what each
    /// provider says; list, per provider, the payments that differ, and apply a captured
    /// payment whose renewal was never applied (once).
    Reconcile {
        /// The day, YYYY-MM-DD (UTC).
        #[arg(long)]
        date: jiff::civil::Date,
    },
}

/// A secret: see [`crate::secrets::env_or_file`].
fn secret(name: &str) -> anyhow::Result<Option<Secret>> {
    Ok(crate::secrets::env_or_file(name)?.map(Secret::new))
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Requests a second to each provider from this process (`SIMRENEW_PROVIDER_RATE`, default
/// 80: under Stripe's 100 operations a second in live mode; its test mode allows 25). Several
/// processes share one account's limit: give each its part.
fn rate() -> anyhow::Result<std::num::NonZeroU32> {
    const DEFAULT: std::num::NonZeroU32 = std::num::NonZeroU32::new(80).unwrap();
    match var("SIMRENEW_PROVIDER_RATE") {
        None => Ok(DEFAULT),
        Some(v) => v.trim().parse().map_err(|_| {
            anyhow::anyhow!(
                "SIMRENEW_PROVIDER_RATE: {v:?} is not a positive number of requests a second"
            )
        }),
    }
}

fn retry() -> anyhow::Result<RetryPolicy> {
    let mut policy = RetryPolicy::default();
    if let Some(ms) = var("SIMRENEW_PROVIDER_TIMEOUT_MS") {
        policy.timeout = Duration::from_millis(
            ms.parse()
                .context("SIMRENEW_PROVIDER_TIMEOUT_MS must be milliseconds")?,
        );
    }
    Ok(policy)
}

/// The providers configured by `SIMRENEW_STRIPE_*` and `SIMRENEW_PAYPAL_*` (a provider whose
/// key is not set is not offered), and the methods offered per brand and channel
/// (`SIMRENEW_PAYMENT_METHODS`, see `PaymentMethodPolicy`).
pub fn providers_from_env() -> anyhow::Result<Providers> {
    let mut providers = Providers::default();
    if let Some(text) = var("SIMRENEW_PAYMENT_METHODS") {
        let policy = PaymentMethodPolicy::parse(&text)
            .map_err(|e| anyhow::anyhow!("SIMRENEW_PAYMENT_METHODS: {}", e.reason))?;
        providers = providers.with_policy(policy);
    }
    if let Some(secret_key) = secret("SIMRENEW_STRIPE_SECRET_KEY")? {
        let webhook_secret = secret("SIMRENEW_STRIPE_WEBHOOK_SECRET")?
            .context("SIMRENEW_STRIPE_WEBHOOK_SECRET must be set with the Stripe key")?;
        let config = StripeConfig {
            api_base: var("SIMRENEW_STRIPE_API_BASE")
                .unwrap_or_else(|| "https://api.stripe.com".into()),
            secret_key,
            webhook_secret,
            tolerance: simrenew_payments::stripe::DEFAULT_TOLERANCE,
            retry: retry()?,
        };
        tracing::info!(api_base = %config.api_base, "Stripe payments on");
        providers = providers.with(Arc::new(
            StripeProvider::new(config)
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .paced(rate()?),
        ));
    }
    if let Some(client_secret) = secret("SIMRENEW_PAYPAL_CLIENT_SECRET")? {
        let config = PaypalConfig {
            api_base: var("SIMRENEW_PAYPAL_API_BASE")
                .unwrap_or_else(|| "https://api-m.paypal.com".into()),
            client_id: var("SIMRENEW_PAYPAL_CLIENT_ID")
                .context("SIMRENEW_PAYPAL_CLIENT_ID must be set with the PayPal secret")?,
            client_secret,
            webhook_id: var("SIMRENEW_PAYPAL_WEBHOOK_ID")
                .context("SIMRENEW_PAYPAL_WEBHOOK_ID must be set with the PayPal secret")?,
            retry: retry()?,
        };
        tracing::info!(api_base = %config.api_base, "PayPal payments on");
        providers = providers.with(Arc::new(
            PaypalProvider::new(config)
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .paced(rate()?),
        ));
    }
    Ok(providers)
}

/// Installs the providers configured in the environment.
pub fn install(app: &App) -> anyhow::Result<()> {
    app.install_providers(providers_from_env()?);
    Ok(())
}

pub async fn run(url: &str, command: PaymentsCommand) -> anyhow::Result<()> {
    let PaymentsCommand::Reconcile { date } = command;
    let app = wiring::app(wiring::open(url).await?);
    install(&app)?;
    let from = date
        .to_zoned(jiff::tz::TimeZone::UTC)
        .context("--date")?
        .timestamp();
    let to = date
        .tomorrow()
        .context("--date")?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .context("--date")?
        .timestamp();
    let report = app
        .reconcile(from, to)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{} provider payments created on {date}", report.checked);
    for provider in [ProviderName::Stripe, ProviderName::Paypal] {
        let lines: Vec<_> = report.of_provider(provider).collect();
        println!("{provider}: {} differ", lines.len());
        for l in lines {
            let p = &l.payment;
            let what = match &l.difference {
                Difference::Status {
                    theirs,
                    theirs_amount,
                } => format!(
                    "ours {} {}, theirs {theirs} {theirs_amount}",
                    p.status, p.amount
                ),
                Difference::NoReference => {
                    "no provider reference (answer lost; the webhook or a retry settles it)".into()
                }
                Difference::Unreachable(e) => format!("could not ask the provider: {e}"),
                Difference::CapturedWithoutRenewal { order_state } => format!(
                    "captured {} but the order is {order_state}: refund or apply by hand",
                    p.amount
                ),
            };
            let repaired = match l.repaired {
                Some(state) => format!("; repaired: order now {state}"),
                None => String::new(),
            };
            println!(
                "  payment {} order {} {}: {what}{repaired}",
                p.id,
                p.order_id,
                p.provider_ref.as_deref().unwrap_or("-")
            );
        }
    }
    Ok(())
}
