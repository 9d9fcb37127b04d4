//! `simrenew staff`, `simrenew api-keys` and `simrenew audit`: the operator's commands for
//! identities and the audit log. They act as `cli`, which the audit log records.

use anyhow::{bail, Context};
use clap::Subcommand;
use simrenew_app::identity::accounts::NewStaff;
use simrenew_app::identity::api_keys::KeyOwner;
use simrenew_domain::access::{Role, Scope};

use crate::wiring;

const ACTOR: &str = "cli";

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add a member of staff.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// platform_admin, brand_admin or agent.
        #[arg(long)]
        role: String,
        /// Brand code (brand admins and agents).
        #[arg(long)]
        brand: Option<String>,
        /// Store codes an agent works at (repeat the flag).
        #[arg(long = "store")]
        stores: Vec<String>,
    },
    /// Set a member of staff's password, read from standard input (at least 12 characters).
    SetPassword {
        #[arg(long)]
        email: String,
    },
    /// Enrol a member of staff in two-factor sign-in: prints the authenticator QR code and
    /// ten single-use recovery codes, once. The enrolment applies once confirmed with
    /// `confirm-totp`; until then the factor in force, if any, still does.
    EnrollTotp {
        #[arg(long)]
        email: String,
    },
    /// Confirm a member of staff's enrolment with the code their authenticator app shows,
    /// read from standard input.
    ConfirmTotp {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiKeysCommand {
    /// Make a key for a member of staff (acting as them) or a partner; prints it once.
    Create {
        /// Name shown in listings and the audit log.
        #[arg(long)]
        name: String,
        /// The member of staff (e-mail) the key acts as.
        #[arg(long, conflicts_with = "partner_brand")]
        staff: Option<String>,
        /// The brand a partner key belongs to.
        #[arg(long)]
        partner_brand: Option<String>,
        /// A partner key's scopes, comma-separated: catalog, lines, orders, vouchers.
        #[arg(long, value_delimiter = ',')]
        scopes: Vec<String>,
    },
    /// Revoke a key at once (by its prefix, the part after `sr_`).
    Revoke { prefix: String },
    /// Replace a key by a new one with the same owner; the old one is revoked.
    Rotate { prefix: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check every chain of the audit log entry by entry, and every checkpoint; exits non-zero
    /// if an entry was edited, inserted or deleted, a chain seen by a checkpoint was cut or
    /// dropped, or entries written before the log was keyed are left.
    Verify,
    /// Record the heads of every chain in a checkpoint MACed under the audit key (`serve`
    /// writes one every hour).
    Checkpoint,
    /// Key the entries written before the log was keyed, after checking them (once, after the
    /// upgrade that keyed the log).
    Rekey,
}

/// An application error naming the flag at fault.
fn flag_err(e: simrenew_app::AppError) -> String {
    match e {
        simrenew_app::AppError::NotFound { what, .. } => format!("--email: no {what} with it"),
        simrenew_app::AppError::Conflict {
            field: Some(f),
            message,
        } => format!("--{f}: {message}"),
        other => other.to_string(),
    }
}

fn app_err(e: simrenew_app::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

pub async fn staff(url: &str, command: StaffCommand) -> anyhow::Result<()> {
    let (email, name, role, brand, stores) = match command {
        StaffCommand::Create {
            email,
            name,
            role,
            brand,
            stores,
        } => (email, name, role, brand, stores),
        StaffCommand::SetPassword { email } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let app = wiring::app(wiring::open(url).await?);
            app.set_staff_password(ACTOR, &email.trim().to_ascii_lowercase(), password)
                .await
                .map_err(|e| anyhow::anyhow!("{}", flag_err(e)))?;
            println!("password set for {email}");
            return Ok(());
        }
        StaffCommand::EnrollTotp { email } => {
            let app = wiring::app_with_keys(wiring::open(url).await?)?;
            let enrolment = app
                .enroll_staff_totp(ACTOR, &email.trim().to_ascii_lowercase())
                .await
                .map_err(|e| anyhow::anyhow!("{}", flag_err(e)))?;
            let qr = qrcode::QrCode::new(enrolment.url.as_bytes())?
                .render::<qrcode::render::unicode::Dense1x2>()
                .quiet_zone(true)
                .build();
            println!("{qr}\n{}\n", enrolment.url);
            println!("recovery codes (each works once; keep them offline):");
            for c in &enrolment.recovery_codes {
                println!("  {c}");
            }
            println!(
                "\nthe enrolment applies once confirmed, within {} minutes: \
                 echo CODE | simrenew staff confirm-totp --email {email}",
                simrenew_app::identity::second_factor::ENROLMENT_LIFETIME.as_mins()
            );
            return Ok(());
        }
        StaffCommand::ConfirmTotp { email } => {
            let mut code = String::new();
            std::io::stdin().read_line(&mut code)?;
            let app = wiring::app_with_keys(wiring::open(url).await?)?;
            app.confirm_staff_totp(ACTOR, &email.trim().to_ascii_lowercase(), code.trim())
                .await
                .map_err(|e| match e {
                    simrenew_app::AppError::Unauthenticated { message, .. } => {
                        anyhow::anyhow!("the code read from standard input: {message}")
                    }
                    simrenew_app::AppError::Conflict { message, .. } => {
                        anyhow::anyhow!("{message}")
                    }
                    other => anyhow::anyhow!("{}", flag_err(other)),
                })?;
            println!("two-factor sign-in confirmed for {email}");
            return Ok(());
        }
    };
    let db = wiring::open(url).await?;
    let app = wiring::app(db.clone());
    let role = Role::parse(&role).map_err(|e| anyhow::anyhow!("--role: {}", e.reason))?;
    let brand = match brand {
        Some(code) => Some(
            app.brand(&code.to_ascii_lowercase())
                .await
                .map_err(|_| anyhow::anyhow!("--brand: no brand {code:?}"))?
                .id,
        ),
        None => None,
    };
    // Store codes are a brand's own: an agent's stores are looked up in the agent's brand.
    let mut store_ids = vec![];
    for code in &stores {
        let Some(brand) = brand else {
            bail!("--store: only agents of a brand (--brand) work at stores");
        };
        store_ids.push(
            app.store
                .store_id(brand, code)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .with_context(|| format!("--store: no store {code:?} in this brand"))?,
        );
    }
    let email = email.trim().to_ascii_lowercase();
    if !email.contains('@') {
        bail!("--email: {email:?} is not an e-mail address");
    }
    let id = app
        .create_staff(
            ACTOR,
            &NewStaff {
                email: email.clone(),
                name,
                role,
                brand,
                stores: store_ids,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{}", flag_err(e)))?;
    println!("staff {id} created: {email} ({role})");
    Ok(())
}

pub async fn api_keys(url: &str, command: ApiKeysCommand) -> anyhow::Result<()> {
    let db = wiring::open(url).await?;
    // A key revoked here is refused by the running servers at once, not when their memory of
    // it expires.
    let app = db
        .forget_across_processes(wiring::app(db.clone()))
        .await
        .map_err(anyhow::Error::msg)?;
    match command {
        ApiKeysCommand::Create {
            name,
            staff,
            partner_brand,
            scopes,
        } => {
            let owner = match (staff, partner_brand) {
                (Some(email), None) => {
                    if !scopes.is_empty() {
                        bail!("--scopes: only partner keys have scopes; staff keys act as their owner");
                    }
                    let id = app
                        .store
                        .staff_by_email(&email.trim().to_ascii_lowercase())
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?
                        .with_context(|| format!("--staff: no member of staff {email:?}"))?;
                    KeyOwner::Staff(id)
                }
                (None, Some(code)) => {
                    let brand = app
                        .brand(&code.to_ascii_lowercase())
                        .await
                        .map_err(|_| anyhow::anyhow!("--partner-brand: no brand {code:?}"))?;
                    let scopes = scopes
                        .iter()
                        .map(|s| Scope::parse(s.trim()))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|e| anyhow::anyhow!("--scopes: {}", e.reason))?;
                    if scopes.is_empty() {
                        bail!("--scopes: a partner key needs at least one scope");
                    }
                    KeyOwner::Partner {
                        brand: brand.id,
                        scopes,
                    }
                }
                _ => bail!("give --staff EMAIL or --partner-brand BRAND"),
            };
            let (key, token) = app
                .create_api_key(ACTOR, &name, &owner)
                .await
                .map_err(app_err)?;
            eprintln!(
                "key {} created; this is the only time it is shown:",
                key.prefix
            );
            println!("{token}");
        }
        ApiKeysCommand::Revoke { prefix } => {
            app.revoke_api_key(ACTOR, &prefix).await.map_err(app_err)?;
            println!("key {prefix} revoked");
        }
        ApiKeysCommand::Rotate { prefix } => {
            let (key, token) = app.rotate_api_key(ACTOR, &prefix).await.map_err(app_err)?;
            eprintln!(
                "key {prefix} revoked; its replacement {} (shown once):",
                key.prefix
            );
            println!("{token}");
        }
    }
    app.forget_sent(std::time::Duration::from_secs(5)).await;
    Ok(())
}

pub async fn audit(url: &str, command: AuditCommand) -> anyhow::Result<()> {
    let app = wiring::app(wiring::open(url).await?);
    match command {
        AuditCommand::Verify => verify(&app).await,
        AuditCommand::Checkpoint => {
            let c = app.checkpoint_audit().await.map_err(app_err)?;
            println!(
                "checkpoint {} written: {} chains moved since the previous one; MAC {}",
                c.seq,
                c.heads.len(),
                c.mac
            );
            Ok(())
        }
        AuditCommand::Rekey => {
            let r = app.rekey_audit("cli").await.map_err(app_err)?;
            println!(
                "audit log keyed: {} entries in {} chains given a MAC",
                r.entries, r.chains
            );
            Ok(())
        }
    }
}

async fn verify(app: &simrenew_app::App) -> anyhow::Result<()> {
    let report = app.verify_audit().await.map_err(app_err)?;
    for p in &report.problems {
        eprintln!("{p}");
    }
    match &report.newest_checkpoint {
        Some(c) => println!(
            "newest checkpoint: {} of {} at {} (MAC {}): acts since then are not covered \
             by a checkpoint",
            c.seq,
            report.checkpoints,
            jiff::Timestamp::from_second(c.at).map_or_else(|_| c.at.to_string(), |t| t.to_string()),
            c.mac
        ),
        None => println!("no checkpoint yet: a cut or dropped chain cannot be seen"),
    }
    if report.problems.is_empty() {
        println!(
            "audit log intact: {} entries in {} chains",
            report.entries, report.chains
        );
        Ok(())
    } else {
        bail!(
            "audit log damaged: {} problems in {} entries",
            report.problems.len(),
            report.entries
        )
    }
}
