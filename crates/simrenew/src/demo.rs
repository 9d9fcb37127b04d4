//! `simrenew demo`: a fresh embedded database with a realistic Belgian demo — three fictional
//! brands, their catalogs, stores, promotions, 1,000 lines over every kind and state, and
//! vouchers — then the API serving it.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use jiff::SignedDuration;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use simrenew_app::esims::ports::PoolEntries;
use simrenew_app::identity::accounts::NewStaff;
use simrenew_app::identity::api_keys::KeyOwner;
use simrenew_app::network::Provisioner;
use simrenew_app::sales::ports::{LineFilter, NewBundle, NewLine};
use simrenew_app::App;
use simrenew_domain::access::Role;
use simrenew_domain::brand::{parse_time_zone, Brand};
use simrenew_domain::bundle::{extend, period_windows};
use simrenew_domain::catalog::{Channel, DataAllowance, LineKind, Validity};
use simrenew_domain::identifiers::{ActivationCode, Eid, Iccid, Msisdn};
use simrenew_domain::ids::BrandId;
use simrenew_domain::line::{LineIdentity, LineState};
use simrenew_domain::money::{Currency, Money};
use simrenew_domain::order::{PaymentMethod, ProviderName};
use simrenew_domain::promotion::{PromoCode, PromotionRule};
use simrenew_domain::voucher::VoucherValue;
use simrenew_http::AppState;
use simrenew_payments::{DemoCardProvider, RunMode};
use simrenew_store::{CountedTable, Db, NewPlan, NewPromotion, NewStore};

use crate::secrets::DEMO_SECRET_FILE;
use crate::{cli, wiring};

mod showcase;

/// The demo's platform admin.
pub const DEMO_ADMIN: &str = "admin@simrenew.example";

/// How many lines the demo makes.
pub const DEMO_LINES: usize = 1000;

/// Where the demo writes its voucher codes, the only place they are shown.
pub const DEMO_VOUCHERS_FILE: &str = "simrenew-demo-vouchers.csv";

pub async fn run(url: &str, listen: SocketAddr, seed_only: bool) -> anyhow::Result<()> {
    // Made first: the keys the environment does not give are derived from it (`wiring`).
    let demo_secret = demo_secret()?;
    let db = wiring::open(url).await?;
    let document_key = wiring::document_key()?.context("the demo's document key")?;
    let sealing_key = wiring::sealing_key()?.context("the demo's sealing key")?;
    let voucher_key = wiring::voucher_key()?.context("the demo's voucher key")?;
    let app = wiring::app(db.clone())
        .with_document_key(document_key)
        .with_sealing_key(sealing_key)
        .with_voucher_key(voucher_key);
    app.hash_clear_voucher_codes()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if db.is_empty().await.map_err(anyhow::Error::msg)? {
        seed(&db, &app).await.context("seeding the demo")?;
        showcase::seed(&db, &app, &demo_secret)
            .await
            .context("seeding the demo's showcase")?;
        print_counts(&db, url).await?;
    } else {
        println!(
            "{} already holds data: serving it as it is (delete the file for a fresh demo)",
            wiring::redact(url)
        );
    }
    if seed_only {
        // Closing checkpoints SQLite's write-ahead log: the file alone is the whole demo.
        db.close().await;
        return Ok(());
    }
    // API keys are kept hashed: each run makes a fresh key for the demo's platform admin.
    let admin = app
        .store
        .staff_by_email(DEMO_ADMIN)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .context("the demo database has no platform admin")?;
    let (key, token) = app
        .create_api_key("cli", "demo", &KeyOwner::Staff(admin))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Browsers allow passkeys, and Secure cookies, on http:// only for localhost.
    let local = format!("http://localhost:{}", listen.port());
    showcase::print_how_to_sign_in(&app, &local, &demo_secret).await?;
    println!(
        "API key of the platform admin {DEMO_ADMIN} (shown once; revoke with \
         `cargo run --release -- api-keys revoke {}`):\n  export TOKEN={token}\n",
        key.prefix
    );
    print_how_to_try(&app, &local).await?;
    let mut app = wiring::with_sign_in_limits(app)?
        .with_sms(std::sync::Arc::new(crate::sms::DemoLogSms))
        .with_mail(std::sync::Arc::new(crate::mail::DemoLogMail))
        .with_message_texts(std::sync::Arc::new(crate::messages::CatalogTexts));
    // Reminders go to a file: the demo's thousand lines would bury the sign-in codes in the log.
    let messages = std::sync::Arc::new(crate::messages::DemoMessageFile::in_working_directory());
    app = app.with_reminder_gateways(messages.clone(), messages);
    if let Some(rp) = wiring::relying_party(Some(&local))? {
        app = app.with_webauthn(rp);
    }
    // Card payments are simulated, with a 3-D Secure step of our own: a newcomer walks the
    // whole card flow, a declined card included, without a provider account.
    let public = std::env::var("SIMRENEW_PUBLIC_URL").unwrap_or(local);
    let demo_card = std::sync::Arc::new(DemoCardProvider::new(RunMode::Demo, &public)?);
    app.install_providers(
        crate::payments::providers_from_env()?
            .with(demo_card.clone())
            .route(PaymentMethod::Card, ProviderName::Demo),
    );
    // The network is simulated too, in this process, unless a real one is configured: the
    // worker tells it what was sold, and orders leave "syncing" once it confirms; its SM-DP+
    // prepares new eSIMs' profiles and reports their installs back to this server.
    let mut network = crate::worker::network_from_env(&app)?;
    let state = AppState::with_card_challenges(app.clone(), demo_card);
    if network.is_empty() && std::env::var("SIMRENEW_DEMO_NETWORK").as_deref() != Ok("off") {
        let operator = format!(
            "http://127.0.0.1:{}/gsma/rsp2/es2plus/handleDownloadProgressInfo",
            listen.port()
        );
        let (adapters, notifications) = simulated_network(&app, &operator).await?;
        network = adapters;
        let _ = state.smdp_notifications.set(notifications);
    } else if let Some(n) = crate::wiring::smdp_notifications()? {
        let _ = state.smdp_notifications.set(n);
    }
    cli::serve(state, listen, Some(network)).await
}

/// How long the demo's simulated network takes to confirm, so that a person sees the
/// "syncing" step before the order completes.
const SIMULATED_LATENCY: std::time::Duration = std::time::Duration::from_millis(500);

/// Starts the network simulator (`simrenew-netsim`) on a free port of 127.0.0.1, with a
/// fresh signing secret, gives each brand selling eSIMs numbers and profiles of its SM-DP+,
/// and answers the adapters that talk to it and who may report installs to `operator`.
async fn simulated_network(
    app: &App,
    operator: &str,
) -> anyhow::Result<(
    Vec<Arc<dyn Provisioner>>,
    simrenew_http::api::esims::SmdpNotifications,
)> {
    let secret: [u8; 32] = rand::random();
    let token = hex::encode(rand::random::<[u8; 32]>());
    let clock = app.clock.clone();
    let now: simrenew_network::Now = Arc::new(move || clock.now());
    let mut config = simrenew_netsim::NetsimConfig::new(&secret, now);
    config.faults.latency = SIMULATED_LATENCY;
    config.smdp.operator_url = Some(operator.to_owned());
    config.smdp.operator_token = Some(token.clone());
    config.smdp.install_step = std::time::Duration::from_secs(2);
    let requester = config.smdp.function_requester_identifier.clone();
    let smdp_address = config.smdp.address.clone();
    let sim = simrenew_netsim::Netsim::new(config)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let profiles = sim.available_profiles();
    tokio::spawn(async move {
        if let Err(e) = sim.serve(listener, std::future::pending()).await {
            tracing::error!(error = %e, "the network simulator stopped");
        }
    });
    // The simulator's profile pool is new each run: each eSIM brand takes a share of it. Each
    // brand gets numbers for new lines it does not use yet; what is there already stays.
    let brands = app.brands().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let selling: Vec<_> = BRANDS
        .iter()
        .filter_map(|seed| {
            brands
                .iter()
                .find(|b| b.code == seed.code)
                .map(|b| (b, seed))
        })
        .collect();
    let esim_brands = selling
        .iter()
        .filter(|(_, seed)| seed.kinds.contains(&LineKind::Esim))
        .count();
    let share = profiles.len() / esim_brands.max(1);
    let mut esim_brand = 0;
    for (brand, seed) in &selling {
        let numbers = demo_numbers(seed)?;
        let mine = if seed.kinds.contains(&LineKind::Esim) {
            esim_brand += 1;
            &profiles[(esim_brand - 1) * share..esim_brand * share]
        } else {
            &[]
        };
        app.add_to_pools(
            brand.id,
            PoolEntries {
                numbers: &numbers,
                profiles: mine,
                sim_cards: &[],
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    println!(
        "Network simulator (provisioning API and SM-DP+): http://{address} — orders leave \
         \"syncing\" when it confirms, new eSIMs get activation codes and a simulated phone \
         installs them; `GET /netsim/received` shows what it was told.\n"
    );
    let http = crate::worker::HttpProvisioner::new(
        app,
        &format!("http://{address}"),
        &secret,
        std::time::Duration::from_secs(5),
    )?;
    let smdp = crate::smdp::SmdpProvisioner::new(&crate::smdp::SmdpSettings {
        url: format!("http://{address}"),
        address: smdp_address,
        requester_id: "simrenew-demo".to_owned(),
        timeout: std::time::Duration::from_secs(5),
        tls: None,
    })?;
    Ok((
        vec![Arc::new(http), Arc::new(smdp)],
        simrenew_http::api::esims::SmdpNotifications::new(&token, &requester),
    ))
}

struct BrandSeed {
    code: &'static str,
    name: &'static str,
    portal: &'static str,
    grace_days: u32,
    kinds: &'static [LineKind],
    prefix: &'static str,
    sm_dp: &'static str,
}

const BRANDS: [BrandSeed; 3] = [
    BrandSeed {
        code: "lumo",
        name: "Lumo Mobile",
        portal: "https://my.lumo.example",
        grace_days: 14,
        kinds: &[LineKind::PhysicalSim, LineKind::Esim, LineKind::VirtualSim],
        prefix: "+32470",
        sm_dp: "smdp.lumo.example",
    },
    BrandSeed {
        code: "voyago",
        name: "Voyago Travel eSIM",
        portal: "https://esim.voyago.example",
        grace_days: 3,
        kinds: &[LineKind::Esim],
        prefix: "+32486",
        sm_dp: "rsp.voyago.example",
    },
    BrandSeed {
        code: "pralino",
        name: "Pralino Prepaid",
        portal: "https://pralino.example",
        grace_days: 30,
        kinds: &[LineKind::PhysicalSim, LineKind::VirtualSim],
        prefix: "+32493",
        sm_dp: "smdp.pralino.example",
    },
];

fn plans(seed: &BrandSeed, price_factor: i64) -> Vec<NewPlan> {
    let all = seed.kinds.to_vec();
    let every = Channel::ALL.to_vec();
    let up = seed.code.to_ascii_uppercase();
    let p = |code: &str, name: &str, data, validity, cents: i64, channels: &[Channel]| NewPlan {
        code: format!("{up}-{code}"),
        name: name.to_owned(),
        data,
        validity,
        price: Money::eur(cents * price_factor / 100),
        line_kinds: all.clone(),
        channels: channels.to_vec(),
    };
    vec![
        p(
            "1GB-7D",
            "Weekend 1 GB",
            DataAllowance::Megabytes(1_000),
            Validity::Days(7),
            500,
            &every,
        ),
        p(
            "5GB-30D",
            "Easy 5 GB",
            DataAllowance::Megabytes(5_000),
            Validity::Days(30),
            1_000,
            &every,
        ),
        p(
            "20GB-1M",
            "Smart 20 GB",
            DataAllowance::Megabytes(20_000),
            Validity::Months(1),
            2_000,
            &every,
        ),
        p(
            "UNL-1M",
            "Unlimited",
            DataAllowance::Unlimited,
            Validity::Months(1),
            3_500,
            &[Channel::Portal, Channel::Store, Channel::AutoRenew],
        ),
        p(
            "50GB-12M",
            "Year 50 GB",
            DataAllowance::Megabytes(50_000),
            Validity::Months(12),
            9_900,
            &[Channel::Portal, Channel::Store, Channel::Partner],
        ),
        p(
            "1GB-ADDON",
            "Extra 1 GB",
            DataAllowance::Megabytes(1_000),
            Validity::CurrentPeriod,
            400,
            &[
                Channel::Portal,
                Channel::Store,
                Channel::Partner,
                Channel::AutoRenew,
            ],
        ),
    ]
}

const STREETS: [(&str, &str); 6] = [
    ("Rue Neuve 12, 1000 Bruxelles", "Mon–Sat 10:00–19:00"),
    ("Meir 45, 2000 Antwerpen", "Mon–Sat 09:30–18:30"),
    ("Veldstraat 8, 9000 Gent", "Mon–Sat 10:00–18:00"),
    ("Place Saint-Lambert 3, 4000 Liège", "Tue–Sat 10:00–18:00"),
    ("Brusselsesteenweg 120, 3000 Leuven", "Mon–Fri 10:00–18:00"),
    ("Steenstraat 27, 8000 Brugge", "Mon–Sun 10:00–20:00"),
];

const FIRST: [&str; 12] = [
    "Emma", "Lucas", "Louise", "Noah", "Olivia", "Arthur", "Mila", "Liam", "Elise", "Jules", "Wei",
    "Amira",
];
const LAST: [&str; 12] = [
    "Peeters",
    "Janssens",
    "Maes",
    "Dubois",
    "Lambert",
    "Claes",
    "Wouters",
    "Dupont",
    "Goossens",
    "Mertens",
    "Chen",
    "El Amrani",
];
const LANGUAGES: [&str; 5] = ["nl", "fr", "de", "en", "zh"];

async fn seed(db: &Db, app: &App) -> anyhow::Result<()> {
    let now = app.now();
    let mut rng = StdRng::seed_from_u64(2026);
    let brussels = parse_time_zone("Europe/Brussels")?;
    let year_ago = now.checked_sub(SignedDuration::from_hours(24 * 365))?;
    let store_err = |e: simrenew_app::StoreError| anyhow::anyhow!("{e}");

    let mut brands: Vec<(Brand, &BrandSeed)> = vec![];
    for seed in &BRANDS {
        let mut brand = Brand {
            id: BrandId(0),
            code: seed.code.into(),
            name: seed.name.into(),
            time_zone: brussels.clone(),
            currency: Currency::EUR,
            vat_rate_bp: 2100,
            grace_days: seed.grace_days,
            number_retention_days: 90,
            reminder_days: vec![14, 7, 3, 1, 0, -1],
            monthly_auto_debit_limit: 4,
            portal_url: seed.portal.into(),
            quiet_hours: Default::default(),
        };
        brand.id = db.insert_brand(&brand).await.map_err(store_err)?;
        // Numbers for new lines, and a stock of SIM cards for the counters that sell them.
        let cards = if seed.kinds.contains(&LineKind::PhysicalSim) {
            demo_sim_cards(brands.len())?
        } else {
            vec![]
        };
        app.add_to_pools(
            brand.id,
            PoolEntries {
                numbers: &demo_numbers(seed)?,
                profiles: &[],
                sim_cards: &cards,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        db.publish_catalog_version(brand.id, year_ago, year_ago, &plans(seed, 100))
            .await
            .map_err(store_err)?;
        for (i, (address, hours)) in STREETS.iter().enumerate().skip(brands.len()).step_by(2) {
            let capabilities: &[&str] = if i % 2 == 0 {
                &[
                    "sells_sims",
                    "activates_esims",
                    "identifies",
                    "renews_cash",
                    "renews_card_terminal",
                    "checks_devices",
                ]
            } else {
                &["renews_cash", "renews_card_terminal"]
            };
            db.insert_store(&NewStore {
                brand_id: brand.id,
                code: format!("{}-{}", seed.code, i + 1),
                name: format!(
                    "{} {}",
                    seed.name,
                    address.split(", ").nth(1).unwrap_or(address)
                ),
                address: (*address).into(),
                opening_hours: (*hours).into(),
                capabilities: capabilities.iter().map(|c| (*c).to_owned()).collect(),
            })
            .await
            .map_err(store_err)?;
        }
        brands.push((brand, seed));
    }

    // Staff: a platform admin; for each brand an admin and an agent at its first store.
    app.create_staff(
        "cli",
        &NewStaff {
            email: DEMO_ADMIN.into(),
            name: "Platform Admin".into(),
            role: Role::PlatformAdmin,
            brand: None,
            stores: vec![],
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    for (brand, seed) in &brands {
        for (role, who) in [(Role::BrandAdmin, "admin"), (Role::Agent, "agent")] {
            let stores = match role {
                Role::Agent => db
                    .store_by_code(&format!(
                        "{}-{}",
                        seed.code,
                        brands
                            .iter()
                            .position(|(b, _)| b.id == brand.id)
                            .unwrap_or(0)
                            + 1
                    ))
                    .await
                    .map_err(store_err)?
                    .into_iter()
                    .collect(),
                _ => vec![],
            };
            app.create_staff(
                "cli",
                &NewStaff {
                    email: format!("{who}@{}.example", seed.code),
                    name: format!("{} {who}", seed.name),
                    role,
                    brand: Some(brand.id),
                    stores,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }

    // A price change published today for Lumo: it bites after the legal notice period.
    let lumo = &brands[0];
    let notice = now.checked_add(SignedDuration::from_hours(24 * 35))?;
    db.publish_catalog_version(lumo.0.id, notice, now, &plans(lumo.1, 110))
        .await
        .map_err(store_err)?;

    let promo = |brand: BrandId, name: &str, rule| NewPromotion {
        brand_id: brand,
        name: name.into(),
        code: None,
        rule,
        first_renewal_only: false,
        plan_codes: vec![],
        channels: vec![],
        valid_from: year_ago,
        valid_until: None,
        per_customer_limit: None,
        global_limit: None,
        stackable: false,
    };
    let (lumo_id, voyago_id, pralino_id) = (brands[0].0.id, brands[1].0.id, brands[2].0.id);
    let promotions = [
        NewPromotion {
            plan_codes: vec!["LUMO-20GB-1M".into(), "LUMO-UNL-1M".into()],
            ..promo(
                lumo_id,
                "Buy 12 months, get 6 free",
                PromotionRule::PeriodBonus { buy: 12, free: 6 },
            )
        },
        NewPromotion {
            code: Some(PromoCode::parse("WELCOME10")?),
            first_renewal_only: true,
            per_customer_limit: Some(1),
            global_limit: Some(5_000),
            ..promo(
                lumo_id,
                "Welcome: 10 % off the first renewal",
                PromotionRule::PercentOff { percent_bp: 1_000 },
            )
        },
        NewPromotion {
            code: Some(PromoCode::parse("SUMMER5")?),
            valid_until: Some(now.checked_add(SignedDuration::from_hours(24 * 90))?),
            per_customer_limit: Some(1),
            global_limit: Some(500),
            ..promo(
                voyago_id,
                "Summer: 5 EUR off",
                PromotionRule::AmountOff {
                    amount: Money::eur(500),
                },
            )
        },
        NewPromotion {
            channels: vec![Channel::Portal],
            stackable: true,
            ..promo(
                pralino_id,
                "Online: 5 % off",
                PromotionRule::PercentOff { percent_bp: 500 },
            )
        },
        NewPromotion {
            code: Some(PromoCode::parse("FRIET2")?),
            stackable: true,
            per_customer_limit: Some(3),
            ..promo(
                pralino_id,
                "2 EUR off with FRIET2",
                PromotionRule::AmountOff {
                    amount: Money::eur(200),
                },
            )
        },
    ];
    for p in &promotions {
        db.insert_promotion(p).await.map_err(store_err)?;
    }

    // Subscribers and their lines, in one transaction.
    let mut subscribers = vec![];
    for i in 0..600 {
        let (brand, _) = &brands[i % brands.len()];
        let name = format!(
            "{} {}",
            FIRST[rng.gen_range(0..FIRST.len())],
            LAST[rng.gen_range(0..LAST.len())]
        );
        let email = format!(
            "{}.{i}@mail.example",
            name.to_ascii_lowercase().replace(' ', ".")
        );
        let language = LANGUAGES[rng.gen_range(0..LANGUAGES.len())];
        let id = db
            .insert_subscriber(brand.id, &name, Some(&email), language, now)
            .await
            .map_err(store_err)?;
        subscribers.push((brand.id, id));
    }

    let mut tx = app.store.begin().await.map_err(store_err)?;
    for n in 0..DEMO_LINES {
        let (brand, seed) = &brands[n % brands.len()];
        let kind = seed.kinds[(n / brands.len()) % seed.kinds.len()];
        let msisdn = Msisdn::parse(&format!("{}{:06}", seed.prefix, 100_000 + n))?;
        let iccid_body = format!("893201{:03}{:09}", n % brands.len(), 100_000_000 + n);
        let identity = match kind {
            LineKind::PhysicalSim => LineIdentity::PhysicalSim {
                iccid: Iccid::from_body(&iccid_body)?,
            },
            LineKind::Esim => LineIdentity::Esim {
                iccid: Iccid::from_body(&iccid_body)?,
                eid: (n % 3 != 0)
                    .then(|| Eid::from_body(&format!("8904903200{:020}", 1_000_000 + n)))
                    .transpose()?,
                activation_code: Some(ActivationCode::new(
                    seed.sm_dp,
                    &format!("{}-{:08X}", seed.code.to_ascii_uppercase(), 0x5EED_0000 + n),
                )?),
            },
            LineKind::VirtualSim => LineIdentity::VirtualSim,
        };
        // Spread the lines over the states a real base has.
        let roll = rng.gen_range(0..100);
        let (state, plan_code, expires_in_hours) = match roll {
            0..=9 => (LineState::PendingIdentification, None, 0),
            10..=14 => (LineState::Suspended, None, 0),
            15..=24 => (
                LineState::Active,
                Some("5GB-30D"),
                -(rng.gen_range(1..=24) * i64::from(seed.grace_days).max(1)),
            ),
            25..=34 => (
                LineState::Active,
                Some("1GB-7D"),
                -(24 * 60 + rng.gen_range(0..24 * 200)),
            ),
            35..=54 => (
                LineState::Active,
                Some("5GB-30D"),
                rng.gen_range(1..24 * 30),
            ),
            55..=74 => (
                LineState::Active,
                Some("20GB-1M"),
                rng.gen_range(1..24 * 30),
            ),
            75..=84 => (LineState::Active, Some("UNL-1M"), rng.gen_range(1..24 * 30)),
            _ => (LineState::Active, Some("1GB-7D"), rng.gen_range(1..24 * 7)),
        };
        let subscriber = (state != LineState::PendingIdentification).then(|| {
            let candidates: Vec<_> = subscribers.iter().filter(|(b, _)| *b == brand.id).collect();
            candidates[n % candidates.len()].1
        });
        let credit_cents = if rng.gen_bool(0.7) {
            rng.gen_range(0..60) * 100
        } else {
            0
        };
        let mut line = NewLine {
            brand_id: brand.id,
            subscriber_id: subscriber,
            msisdn: msisdn.clone(),
            identity,
            state,
            expires_at: None,
            grace_until: None,
            credit: Money::eur(credit_cents),
        };
        let mut bundles = vec![];
        if let Some(code) = plan_code {
            // The bundle that ends `expires_in_hours` from now, and for some lines a second
            // one queued behind it.
            let plan_code = format!("{}-{code}", seed.code.to_ascii_uppercase());
            let (data, validity) = match code {
                "1GB-7D" => (Some(1_000), Validity::Days(7)),
                "5GB-30D" => (Some(5_000), Validity::Days(30)),
                "20GB-1M" => (Some(20_000), Validity::Months(1)),
                _ => (None, Validity::Months(1)),
            };
            let ends = now.checked_add(SignedDuration::from_hours(expires_in_hours))?;
            let start = match validity {
                Validity::Days(d) => {
                    ends.checked_sub(SignedDuration::from_hours(24 * i64::from(d)))?
                }
                _ => ends.checked_sub(SignedDuration::from_hours(24 * 30))?,
            };
            let periods = if expires_in_hours > 0 && rng.gen_bool(0.15) {
                2
            } else {
                1
            };
            let ext = extend(Some(start), start, validity, periods, brand)?;
            for (s, e) in period_windows(&ext, validity, periods, brand)? {
                bundles.push(NewBundle {
                    brand_id: brand.id,
                    line_id: simrenew_domain::ids::LineId(0),
                    order_id: None,
                    plan_code: plan_code.clone(),
                    data_mb: data,
                    starts_at: s,
                    ends_at: e,
                });
            }
            line.expires_at = Some(ext.expires_at);
            line.grace_until = Some(ext.grace_until);
        }
        let id = tx.insert_line(&line, now).await.map_err(store_err)?;
        for mut b in bundles {
            b.line_id = id;
            tx.insert_bundle(&b, now).await.map_err(store_err)?;
        }
    }
    tx.commit().await.map_err(store_err)?;

    // The codes are kept as keyed hashes: the demo's are written to a file, once.
    let mut csv = vec![];
    for (brand, seed) in &brands {
        let up = seed.code.to_ascii_uppercase();
        for (name, count, value) in [
            ("demo 10 EUR", 25, VoucherValue::Credit(Money::eur(1_000))),
            ("demo 5 GB", 10, VoucherValue::Plan(format!("{up}-5GB-30D"))),
        ] {
            let (batch, codes) = app
                .generate_vouchers(&brand.code, name, count, &value, None)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let part = crate::vouchers::batch_csv(&brand.code, batch, &value, None, &codes)?;
            // One header for the whole file.
            let skip = if csv.is_empty() {
                0
            } else {
                part.iter().position(|b| *b == b'\n').map_or(0, |i| i + 1)
            };
            csv.extend_from_slice(&part[skip..]);
        }
    }
    // A fresh demo replaces the codes of an earlier one, which no longer exist.
    let _ = std::fs::remove_file(DEMO_VOUCHERS_FILE);
    let mut file = crate::vouchers::new_private_file(std::path::Path::new(DEMO_VOUCHERS_FILE))?;
    std::io::Write::write_all(&mut file, &csv)
        .with_context(|| format!("writing {DEMO_VOUCHERS_FILE}"))?;
    Ok(())
}

/// The numbers the demo gives a brand for new lines, apart from those of the seeded lines.
fn demo_numbers(seed: &BrandSeed) -> anyhow::Result<Vec<Msisdn>> {
    Ok((0..200)
        .map(|n| Msisdn::parse(&format!("{}{:06}", seed.prefix, 900_000 + n)))
        .collect::<Result<_, _>>()?)
}

/// How many physical SIM cards each brand that sells them holds in the demo's stock.
pub const DEMO_SIM_CARDS: u32 = 50;

/// The demo's stock of SIM cards of the `brand`-th brand: ICCIDs of the demo's issuer range,
/// apart from those of the seeded lines.
pub fn demo_sim_cards(brand: usize) -> anyhow::Result<Vec<Iccid>> {
    (0..DEMO_SIM_CARDS)
        .map(|n| {
            Ok(Iccid::from_body(&format!(
                "893209{brand:03}{:09}",
                100_000_000 + n
            ))?)
        })
        .collect()
}

async fn print_counts(db: &Db, url: &str) -> anyhow::Result<()> {
    let count = |t| async move { db.count(t).await.map_err(|e| anyhow::anyhow!("{e}")) };
    println!("created the demo in {}:", wiring::redact(url));
    println!(
        "  {} brands (lumo, voyago, pralino), {} plans in their catalog versions, {} stores, {} promotions",
        count(CountedTable::Brands).await?,
        count(CountedTable::Plans).await?,
        count(CountedTable::Stores).await?,
        count(CountedTable::Promotions).await?,
    );
    println!(
        "  {} subscribers, {} lines (physical SIM, eSIM, virtual SIM; active, grace, lapsed, pending identification, suspended), {} bundles",
        count(CountedTable::Subscribers).await?,
        count(CountedTable::Lines).await?,
        count(CountedTable::Bundles).await?,
    );
    println!(
        "  {} voucher codes, written to {DEMO_VOUCHERS_FILE} (only their keyed hashes are kept)\n",
        count(CountedTable::Vouchers).await?
    );
    Ok(())
}

async fn print_how_to_try(app: &App, base: &str) -> anyhow::Result<()> {
    let lumo = app
        .brand("lumo")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let lines = app
        .lines(&LineFilter {
            brand: Some(lumo.id),
            subscriber: None,
            kind: None,
            state: Some(LineState::Active),
            after: None,
            limit: 200,
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(line) = lines.iter().max_by_key(|l| l.credit.cents) else {
        return Ok(());
    };
    let auth = "-H \"Authorization: Bearer $TOKEN\"";
    println!("try the API (after the export above):");
    println!("  curl -s {auth} {base}/api/v1/lines/{}", line.msisdn);
    println!(
        "  curl -s {auth} '{base}/api/v1/plans?brand=lumo&kind={}'",
        line.kind()
    );
    println!(
        "  curl -s {auth} -H 'Content-Type: application/json' -H \"Idempotency-Key: $(date +%s%N)\" \\\n    -d '{{\"msisdn\":\"{}\",\"plan\":\"LUMO-5GB-30D\",\"periods\":1,\"payment\":{{\"method\":\"credit\"}}}}' {base}/api/v1/orders",
        line.msisdn
    );
    println!(
        "  cargo run --release -- renew --line {} --plan LUMO-5GB-30D",
        line.msisdn
    );
    println!("  cargo run --release -- lines show {}", line.msisdn);
    println!("  the API described: {base}/api/v1/openapi.json\n");
    println!(
        "reminders before lines lapse (e-mail and SMS, in each subscriber's language) are written \
         to {}; paste a message's code into {base}/check to see that it is ours\n",
        crate::messages::DemoMessageFile::NAME
    );
    Ok(())
}

/// The demo's secret: read from [`DEMO_SECRET_FILE`], or made and written there (readable by
/// its owner only).
fn demo_secret() -> anyhow::Result<String> {
    if let Ok(s) = std::fs::read_to_string(DEMO_SECRET_FILE) {
        let s = s.trim().to_owned();
        if s.len() >= 32 {
            return Ok(s);
        }
    }
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill(&mut bytes[..]);
    let secret = hex::encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    use std::io::Write;
    options
        .open(DEMO_SECRET_FILE)
        .and_then(|mut f| f.write_all(secret.as_bytes()))
        .with_context(|| format!("writing {DEMO_SECRET_FILE}"))?;
    Ok(secret)
}
