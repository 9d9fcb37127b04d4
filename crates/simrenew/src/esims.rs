//! `simrenew esims` and `simrenew pool`: sell a new eSIM line from the command line, show its
//! profile, and fill a brand's pools of numbers and eSIM profiles.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use simrenew_app::esims::ports::PoolEntries;
use simrenew_app::esims::{Buyer, NewCard, NewLineSale};
use simrenew_app::identity::identification::Person;
use simrenew_app::sales::payment::PaymentInstruction;
use simrenew_app::App;
use simrenew_domain::catalog::{parse_plan_code, Channel};
use simrenew_domain::identification::{DocumentNumber, IdentificationMethod};
use simrenew_domain::identifiers::{Eid, Iccid, Msisdn};
use simrenew_domain::ids::SubscriberId;
use simrenew_domain::voucher::VoucherCode;

use crate::wiring;

#[derive(Debug, Subcommand)]
pub enum EsimsCommand {
    /// Sell a new eSIM line: a number and a profile from the brand's pools, the first order
    /// paid by voucher (or left to pay at a store or by card); the worker then orders the
    /// profile from the SM-DP+.
    Sell(Box<SellArgs>),
    /// A new eSIM's profile: where it stands and, once ready, its activation code.
    Show {
        /// The line's number, E.164.
        msisdn: String,
    },
}

#[derive(Debug, Args)]
pub struct SellArgs {
    /// The brand's code (lumo).
    #[arg(long)]
    pub brand: String,
    /// Plan code.
    #[arg(long)]
    pub plan: String,
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    pub periods: i64,
    /// A subscriber on record with the brand; else --name and --language.
    #[arg(long)]
    pub subscriber: Option<i64>,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    /// nl, fr, de, en or zh.
    #[arg(long)]
    pub language: Option<String>,
    /// The phone's EID, to bind the profile to it.
    #[arg(long)]
    pub eid: Option<String>,
    /// How the subscriber was identified at the sale (eid, itsme, bank_payment,
    /// passport_at_store), with --document.
    #[arg(long)]
    pub identified_by: Option<String>,
    #[arg(long)]
    pub document: Option<String>,
    /// Pay the first order with this voucher code.
    #[arg(long)]
    pub voucher: Option<String>,
    /// portal, store or partner.
    #[arg(long, default_value = "store")]
    pub channel: String,
}

#[derive(Debug, Subcommand)]
pub enum PoolCommand {
    /// Add numbers, eSIM profiles and physical SIM cards to a brand's pools, from files of one
    /// per line (numbers E.164; profiles ICCIDs as the SM-DP+ prepared them; SIM cards the
    /// ICCIDs printed on the cards the brand's stores hold); `#` starts a comment.
    Add {
        #[arg(long)]
        brand: String,
        #[arg(long, value_name = "FILE")]
        numbers: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        profiles: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        sim_cards: Option<PathBuf>,
    },
    /// How many numbers, profiles and SIM cards a brand has free.
    Show {
        #[arg(long)]
        brand: String,
    },
}

fn field(name: &str, e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("--{name}: {e}")
}

async fn brand(app: &App, code: &str) -> anyhow::Result<simrenew_domain::brand::Brand> {
    app.store
        .brand_by_code(&code.trim().to_ascii_lowercase())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .ok_or_else(|| field("brand", format!("no brand {code:?}")))
}

/// Reads one entry per line; a line that does not parse stops the whole file, named.
fn entries<T>(
    path: &Path,
    parse: impl Fn(&str) -> Result<T, simrenew_domain::ParseError>,
) -> anyhow::Result<Vec<T>> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        out.push(parse(line).map_err(|e| {
            anyhow::anyhow!(
                "{}: line {}: {}: {}",
                path.display(),
                n + 1,
                e.field,
                e.reason
            )
        })?);
    }
    Ok(out)
}

pub async fn pool(url: &str, command: PoolCommand) -> anyhow::Result<()> {
    let app = wiring::app(wiring::open(url).await?);
    match command {
        PoolCommand::Add {
            brand: code,
            numbers,
            profiles,
            sim_cards,
        } => {
            let brand = brand(&app, &code).await?;
            if numbers.is_none() && profiles.is_none() && sim_cards.is_none() {
                anyhow::bail!("give --numbers FILE, --profiles FILE, --sim-cards FILE or several");
            }
            let numbers = match &numbers {
                Some(p) => entries(p, Msisdn::parse)?,
                None => vec![],
            };
            let profiles = match &profiles {
                Some(p) => entries(p, Iccid::parse)?,
                None => vec![],
            };
            let sim_cards = match &sim_cards {
                Some(p) => entries(p, Iccid::parse)?,
                None => vec![],
            };
            let added = app
                .add_to_pools(
                    brand.id,
                    PoolEntries {
                        numbers: &numbers,
                        profiles: &profiles,
                        sim_cards: &sim_cards,
                    },
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for (entry, why) in &added.refused {
                eprintln!("left out {entry}: {why}");
            }
            println!(
                "{}: {} numbers, {} profiles and {} SIM cards added, {} left out",
                brand.name,
                added.numbers,
                added.profiles,
                added.sim_cards,
                added.refused.len()
            );
            Ok(())
        }
        PoolCommand::Show { brand: code } => {
            let brand = brand(&app, &code).await?;
            let c = app
                .pool_counts(brand.id)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{}: {} numbers, {} eSIM profiles and {} SIM cards free",
                brand.name, c.numbers_free, c.profiles_free, c.sim_cards_free
            );
            Ok(())
        }
    }
}

pub async fn esims(url: &str, command: EsimsCommand) -> anyhow::Result<()> {
    match command {
        EsimsCommand::Sell(a) => sell(url, *a).await,
        EsimsCommand::Show { msisdn } => {
            let app = wiring::app(wiring::open(url).await?);
            let msisdn = Msisdn::parse(&msisdn).map_err(|e| anyhow::anyhow!("{}", e.reason))?;
            let p = app
                .esim_profile(&msisdn)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .ok_or_else(|| anyhow::anyhow!("{msisdn} is no eSIM line sold here"))?;
            let stage = p.stage();
            println!("number      {}", p.msisdn);
            println!("ICCID       {}", p.iccid);
            println!("stage       {}", stage.as_str());
            if let Some(eid) = &p.eid {
                println!("EID         {}", eid.as_str());
            }
            match p.downloadable_code() {
                Some(code) => {
                    println!("activation  {code}");
                    println!(
                        "iPhone      {}",
                        simrenew_network::activation::ios_install_link(code)
                    );
                }
                _ => println!("activation  not yet: the profile is {}", p.state),
            }
            Ok(())
        }
    }
}

async fn sell(url: &str, a: SellArgs) -> anyhow::Result<()> {
    let app = wiring::app_with_keys(wiring::open(url).await?)?;
    crate::payments::install(&app)?;
    let brand = brand(&app, &a.brand).await?;
    let max = simrenew_domain::quote::MAX_PERIODS;
    let periods = u32::try_from(a.periods)
        .ok()
        .filter(|p| (1..=max).contains(p))
        .ok_or_else(|| field("periods", format!("must be between 1 and {max}")))?;
    let buyer = match (a.subscriber, &a.name) {
        (Some(id), None) => Buyer::Existing(SubscriberId(id)),
        (None, Some(name)) => Buyer::New(Person {
            name: name.trim().to_owned(),
            email: a.email.clone().filter(|e| !e.trim().is_empty()),
            language: a
                .language
                .clone()
                .ok_or_else(|| field("language", "a new subscriber's language is needed"))?
                .to_ascii_lowercase(),
        }),
        (Some(_), Some(_)) => {
            return Err(field("subscriber", "give --subscriber or --name, not both"))
        }
        (None, None) => {
            return Err(field(
                "name",
                "give --name (a new subscriber) or --subscriber",
            ))
        }
    };
    let identification = match (&a.identified_by, &a.document) {
        (Some(m), Some(d)) => Some((
            IdentificationMethod::parse(m).map_err(|e| field("identified-by", e.reason))?,
            DocumentNumber::parse(d).map_err(|e| field("document", e.reason))?,
        )),
        (None, None) => None,
        _ => {
            return Err(field(
                "document",
                "--identified-by and --document go together",
            ))
        }
    };
    let sale = NewLineSale {
        brand: brand.id,
        buyer,
        plan_code: parse_plan_code(&a.plan).map_err(|e| field("plan", e.reason))?,
        periods,
        channel: Channel::parse(&a.channel).map_err(|e| field("channel", e.reason))?,
        promo_code: None,
        card: NewCard::Esim {
            eid: a
                .eid
                .as_deref()
                .map(Eid::parse)
                .transpose()
                .map_err(|e| field("eid", e.reason))?,
        },
        identification,
    };
    let payment = a
        .voucher
        .as_deref()
        .map(VoucherCode::parse)
        .transpose()
        .map_err(|e| field("voucher", e.reason))?
        .map(PaymentInstruction::Voucher);
    let sold = app
        .sell_line("cli", &sale, payment.as_ref())
        .await
        .map_err(|e| anyhow::anyhow!("{}", crate::renew::describe(&e)))?;
    println!("number      {}", sold.msisdn);
    println!("ICCID       {}", sold.iccid);
    println!("line        {}", sold.state);
    println!(
        "order       {} ({}), {}",
        sold.order.order.id, sold.order.order.state, sold.order.order.quote.total
    );
    println!(
        "next        the worker orders the profile once the order is paid; \
         `simrenew esims show {}` then gives the activation code",
        sold.msisdn
    );
    Ok(())
}
