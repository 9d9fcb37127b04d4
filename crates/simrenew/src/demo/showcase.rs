//! The demo's showcase: what a newcomer signs in with. A subscriber with one line of each
//! kind and one in grace, the brands' colours and logos, a kiosk that only takes cash, and
//! staff who can sign in — passwords and TOTP seeds derived from the demo's secret, so that
//! every start of the demo can print them.

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use simrenew_app::identity::accounts::NewStaff;
use simrenew_app::identity::identification::Person;
use simrenew_app::sales::ports::{NewBundle, NewLine};
use simrenew_app::App;
use simrenew_domain::access::Role;
use simrenew_domain::brand::Brand;
use simrenew_domain::brand_look::{BrandLook, Colour};
use simrenew_domain::bundle::extend;
use simrenew_domain::catalog::{LineKind, Validity};
use simrenew_domain::identification::{DocumentNumber, IdentificationMethod};
use simrenew_domain::identifiers::{ActivationCode, Iccid, Msisdn};
use simrenew_domain::ids::{LineId, SubscriberId};
use simrenew_domain::line::{LineIdentity, LineState};
use simrenew_domain::money::Money;
use simrenew_store::{Db, NewStore};

use super::DEMO_ADMIN;

/// The showcase subscriber's lines: number, kind, plan, days left (negative: expired), credit.
pub const SHOWCASE_LINES: [(&str, LineKind, &str, i64, i64); 4] = [
    ("+32470999001", LineKind::PhysicalSim, "5GB-30D", 12, 2_500),
    ("+32470999002", LineKind::Esim, "20GB-1M", 20, 0),
    ("+32470999003", LineKind::VirtualSim, "1GB-7D", 5, 800),
    ("+32470999004", LineKind::PhysicalSim, "5GB-30D", -2, 1_500),
];

pub const SHOWCASE_NAME: &str = "Louise Maes";
pub const SHOWCASE_EMAIL: &str = "louise.maes@example.be";
/// The agent of Lumo's kiosk, which renews for cash only.
pub const KIOSK_AGENT: &str = "kiosk@lumo.example";

/// The brands' colours and logos.
fn looks() -> [(&'static str, &'static str, &'static str, char); 3] {
    [
        ("lumo", "#0b6e4f", "#f2a900", 'L'),
        ("voyago", "#5b2a86", "#00a6a6", 'V'),
        ("pralino", "#8a1c1c", "#d4a017", 'P'),
    ]
}

fn logo(initial: char, colour: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 64 64\" role=\"img\">\
         <circle cx=\"32\" cy=\"32\" r=\"30\" fill=\"{colour}\"/>\
         <text x=\"32\" y=\"43\" font-family=\"sans-serif\" font-size=\"32\" font-weight=\"700\" \
         text-anchor=\"middle\" fill=\"#ffffff\">{initial}</text></svg>"
    )
}

/// A demo password, the same at every start for the same demo secret.
pub fn password(secret: &str, email: &str) -> String {
    let digest = Sha256::digest(format!("{secret}:password:{email}").as_bytes());
    hex::encode(&digest[..8])
}

/// A demo TOTP seed (base32, 160 bits), the same at every start for the same demo secret.
pub fn totp_seed(secret: &str, email: &str) -> String {
    let digest = Sha256::digest(format!("{secret}:totp:{email}").as_bytes());
    base32(&digest[..20])
}

/// RFC 4648 base32 without padding, as authenticator apps read seeds.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The demo's staff: the platform admin, each brand's admin and agent, and the kiosk agent.
fn staff_emails() -> Vec<String> {
    let mut all = vec![DEMO_ADMIN.to_owned()];
    for code in ["lumo", "voyago", "pralino"] {
        all.push(format!("admin@{code}.example"));
        all.push(format!("agent@{code}.example"));
    }
    all.push(KIOSK_AGENT.to_owned());
    all
}

pub async fn seed(db: &Db, app: &App, secret: &str) -> anyhow::Result<()> {
    let e = |e: simrenew_app::StoreError| anyhow::anyhow!("{e}");
    let a = |e: simrenew_app::AppError| anyhow::anyhow!("{e}");
    for (code, primary, accent, initial) in looks() {
        let brand = app.brand(code).await.map_err(a)?;
        let look = BrandLook {
            primary: Colour::parse("primary", primary)?,
            accent: Colour::parse("accent", accent)?,
            logo_svg: Some(logo(initial, primary)),
        };
        db.set_brand_look(brand.id, &look).await.map_err(e)?;
    }
    let lumo = app.brand("lumo").await.map_err(a)?;

    // A kiosk that only takes cash, and its agent: the counter shows it cannot take cards.
    db.insert_store(&NewStore {
        brand_id: lumo.id,
        code: "lumo-kiosk".into(),
        name: "Lumo Kiosk Gent-Sint-Pieters".into(),
        address: "Koningin Maria Hendrikaplein 1, 9000 Gent".into(),
        opening_hours: "Mon–Sun 07:00–21:00".into(),
        capabilities: vec!["renews_cash".into()],
    })
    .await
    .map_err(e)?;
    let kiosk = db.store_by_code("lumo-kiosk").await.map_err(e)?;
    app.create_staff(
        "cli",
        &NewStaff {
            email: KIOSK_AGENT.into(),
            name: "Lumo kiosk agent".into(),
            role: Role::Agent,
            brand: Some(lumo.id),
            stores: kiosk.into_iter().collect(),
        },
    )
    .await
    .map_err(a)?;
    for email in staff_emails() {
        app.set_staff_password("cli", &email, &password(secret, &email))
            .await
            .map_err(a)?;
        app.enroll_staff_totp_seed("cli", &email, &totp_seed(secret, &email))
            .await
            .map_err(a)?;
    }

    let now = app.now();
    let subscriber = db
        .insert_subscriber(lumo.id, SHOWCASE_NAME, Some(SHOWCASE_EMAIL), "fr", now)
        .await
        .map_err(e)?;
    let mut first = None;
    let mut tx = app.store.begin().await.map_err(e)?;
    for (i, (number, kind, plan, days_left, credit)) in SHOWCASE_LINES.iter().enumerate() {
        let msisdn = Msisdn::parse(number)?;
        let id = insert_line(
            tx.as_mut(),
            &lumo,
            subscriber,
            i,
            &msisdn,
            *kind,
            plan,
            *days_left,
            *credit,
            now,
        )
        .await?;
        first.get_or_insert((id, msisdn));
    }
    tx.commit().await.map_err(e)?;
    // The first line was identified with an eID at a store: the counter shows the record.
    if let Some((_, msisdn)) = first {
        app.identify(
            "staff:demo",
            &msisdn,
            IdentificationMethod::Eid,
            &DocumentNumber::parse("592-1234567-89")?,
            &Person {
                name: SHOWCASE_NAME.into(),
                email: Some(SHOWCASE_EMAIL.into()),
                language: "fr".into(),
            },
        )
        .await
        .map_err(a)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_line(
    tx: &mut dyn simrenew_app::store::Tx,
    brand: &Brand,
    subscriber: SubscriberId,
    i: usize,
    msisdn: &Msisdn,
    kind: LineKind,
    plan: &str,
    days_left: i64,
    credit_cents: i64,
    now: Timestamp,
) -> anyhow::Result<LineId> {
    let e = |e: simrenew_app::StoreError| anyhow::anyhow!("{e}");
    let iccid = || Iccid::from_body(&format!("893201999{:09}", 900_000_000 + i));
    let identity = match kind {
        LineKind::PhysicalSim => LineIdentity::PhysicalSim { iccid: iccid()? },
        LineKind::Esim => LineIdentity::Esim {
            iccid: iccid()?,
            eid: None,
            activation_code: Some(ActivationCode::new(
                "smdp.lumo.example",
                &format!("LUMO-SHOWCASE-{i:04}"),
            )?),
        },
        LineKind::VirtualSim => LineIdentity::VirtualSim,
    };
    let (data, validity) = match plan {
        "1GB-7D" => (Some(1_000), Validity::Days(7)),
        "5GB-30D" => (Some(5_000), Validity::Days(30)),
        _ => (Some(20_000), Validity::Months(1)),
    };
    let ends = now.checked_add(SignedDuration::from_hours(24 * days_left))?;
    let length = match validity {
        Validity::Days(d) => i64::from(d),
        _ => 30,
    };
    let start = ends.checked_sub(SignedDuration::from_hours(24 * length))?;
    let ext = extend(Some(start), start, validity, 1, brand)?;
    // The first line waits for its identification, recorded right after.
    let state = if i == 0 {
        LineState::PendingIdentification
    } else {
        LineState::Active
    };
    let id = tx
        .insert_line(
            &NewLine {
                brand_id: brand.id,
                subscriber_id: Some(subscriber),
                msisdn: msisdn.clone(),
                identity,
                state,
                expires_at: Some(ext.expires_at),
                grace_until: Some(ext.grace_until),
                credit: Money::eur(credit_cents),
            },
            now,
        )
        .await
        .map_err(e)?;
    tx.insert_bundle(
        &NewBundle {
            brand_id: brand.id,
            line_id: id,
            order_id: None,
            plan_code: format!("LUMO-{plan}"),
            data_mb: data,
            starts_at: ext.starts_at,
            ends_at: ext.ends_at,
        },
        now,
    )
    .await
    .map_err(e)?;
    Ok(id)
}

/// What the demo prints for people: the portal and the counter, the showcase's number, and
/// the agent with their password and TOTP seed.
pub async fn print_how_to_sign_in(app: &App, base: &str, secret: &str) -> anyhow::Result<()> {
    let lumo = app
        .brand("lumo")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let agent = "agent@lumo.example";
    let seed = totp_seed(secret, agent);
    let url = format!(
        "otpauth://totp/simrenew:{agent}?secret={seed}&issuer=simrenew&algorithm=SHA1&digits=6&period=30"
    );
    let qr = qrcode::QrCode::new(url.as_bytes())
        .context("the agent's QR code")?
        .render::<qrcode::render::unicode::Dense1x2>()
        .quiet_zone(true)
        .build();
    println!("the subscriber portal of {}: {base}/?brand=lumo", lumo.name);
    println!(
        "  sign in as {SHOWCASE_NAME} with the number {} (or {SHOWCASE_EMAIL}); the code is \
         written in this log",
        SHOWCASE_LINES[0].0
    );
    println!(
        "  her lines: {} (SIM card), {} (eSIM), {} (virtual SIM), {} (SIM card in grace)",
        SHOWCASE_LINES[0].0, SHOWCASE_LINES[1].0, SHOWCASE_LINES[2].0, SHOWCASE_LINES[3].0
    );
    println!("  card payments are simulated: the bank's step lets you approve or decline\n");
    println!("the store counter console: {base}/counter");
    println!("  agent {agent}, password {}", password(secret, agent));
    println!("  add this key to an authenticator app (or scan the code): {seed}");
    println!("{qr}");
    let stock = app
        .store
        .sim_cards_in_stock(lumo.id, 1)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(card) = stock.first() {
        println!(
            "  to sell a new line on a SIM card, the number printed on a card of {}'s stock: {card}",
            lumo.name
        );
    }
    println!(
        "  the kiosk agent {KIOSK_AGENT} (cash only) signs in the same way: password {}, key {}",
        password(secret, KIOSK_AGENT),
        totp_seed(secret, KIOSK_AGENT)
    );
    println!(
        "  every demo member of staff has a password and key like these; \
         the platform admin {DEMO_ADMIN}: password {}, key {}\n",
        password(secret, DEMO_ADMIN),
        totp_seed(secret, DEMO_ADMIN)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(totp_seed("s", "a@b").len(), 32);
        assert_eq!(password("s", "a@b").len(), 16);
    }
}
