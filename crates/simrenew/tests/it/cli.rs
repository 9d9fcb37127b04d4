//! The `simrenew` binary, run as a user would, against the test's database.

use std::process::Command;

use serde_json::Value;
use simrenew_domain::catalog::LineKind;
use simrenew_store::CountedTable;

use crate::support::{both, days, TestApp};

fn simrenew(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_simrenew"))
        .env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY)
        .arg("--database-url")
        .arg(&app.cli_url)
        .args(args)
        .env("SIMRENEW_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

both! {
    async fn renew_from_the_command_line_stacks_the_expiry(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 5_000, Some(days(10))).await.to_string();
        let (ok, out, err) = simrenew(&app, &["renew", "--line", &msisdn, "--plan", "test-5gb-30d", "--json"]);
        assert!(ok, "{err}");
        let line: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(line["expires_at"], "2027-02-24T10:00:00+01:00");
        assert_eq!(line["credit"]["amount_cents"], 4000);

        // The same shape as the API's.
        let (ok, out, err) = simrenew(&app, &["lines", "show", &msisdn, "--json"]);
        assert!(ok, "{err}");
        let cli: Value = serde_json::from_str(&out).unwrap();
        let (_, api) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&cli), keys(&api));
        assert_eq!(cli["expires_at"], api["expires_at"]);

        let (ok, out, _) = simrenew(&app, &["lines", "show", &msisdn]);
        assert!(ok);
        assert!(out.contains("2027-02-24T10:00:00+01:00"), "{out}");
    }

    async fn renew_names_the_bad_flag(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 100, Some(days(10))).await.to_string();
        for (args, flag) in [
            (vec!["--periods", "0"], "--periods"),
            (vec!["--periods", "-2"], "--periods"),
            (vec!["--promo", "x"], "--promo"),
            (vec!["--channel", "fax"], "--channel"),
            (vec![], "--voucher"),
        ] {
            let mut all = vec!["renew", "--line", msisdn.as_str(), "--plan", "TEST-5GB-30D"];
            all.extend(args.iter().copied());
            let (ok, _, err) = simrenew(&app, &all);
            assert!(!ok);
            assert!(err.contains(flag), "{all:?}: {err}");
        }
        let (ok, _, err) = simrenew(&app, &["renew", "--line", "0470", "--plan", "TEST-5GB-30D"]);
        assert!(!ok);
        assert!(err.contains("--line"), "{err}");
        assert_eq!(app.count(CountedTable::Orders).await, 0);
    }

    async fn import_is_all_or_nothing_unless_told_otherwise(app: TestApp) {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.csv");
        std::fs::write(
            &bad,
            "msisdn,brand,kind,iccid,credit_cents\n\
             +32475000001,test,physical_sim,8932000000000000006,100\n\
             +32475000002,test,physical_sim,8932000000000000010,0\n\
             +32475000003,test,virtual_sim,,0\n\
             +32475000004,nobrand,virtual_sim,,0\n",
        )
        .unwrap();
        let (ok, _, err) = simrenew(&app, &["import", "lines", bad.to_str().unwrap()]);
        assert!(!ok);
        assert!(err.contains("line 3 (iccid)"), "{err}");
        assert!(err.contains("line 5 (brand)"), "{err}");
        assert!(err.contains("nothing was imported"), "{err}");
        assert_eq!(app.count(CountedTable::Lines).await, 0);

        let rejects = dir.path().join("rejects.csv");
        let (ok, out, err) = simrenew(
            &app,
            &["import", "lines", bad.to_str().unwrap(), "--skip-bad", rejects.to_str().unwrap()],
        );
        assert!(ok, "{err}");
        assert!(out.contains("imported 2 lines"), "{out}");
        let rejected = std::fs::read_to_string(&rejects).unwrap();
        assert_eq!(rejected.lines().count(), 3, "{rejected}");
        assert_eq!(app.count(CountedTable::Lines).await, 2);

        // Importing the same lines again clashes with what exists.
        let (ok, _, err) = simrenew(&app, &["import", "lines", bad.to_str().unwrap(), "--skip-bad", rejects.to_str().unwrap()]);
        assert!(ok, "{err}");
        assert_eq!(app.count(CountedTable::Lines).await, 2);

        let missing = dir.path().join("missing.csv");
        std::fs::write(&missing, "msisdn,kind\n+32475000009,virtual_sim\n").unwrap();
        let (ok, _, err) = simrenew(&app, &["import", "lines", missing.to_str().unwrap()]);
        assert!(!ok);
        assert!(err.contains("\"brand\""), "{err}");
    }
}

both! {
    async fn staff_enrolment_needs_the_sealing_key(app: TestApp) {
        let enrol = |key: Option<&str>| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_simrenew"));
            cmd.env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY).args(["--database-url", &app.cli_url, "staff", "enroll-totp", "--email", "admin@test.example"])
                .env("SIMRENEW_LOG", "warn")
                .env_remove("SIMRENEW_SEALING_KEY")
                .env_remove("SIMRENEW_SEALING_KEY_FILE");
            if let Some(k) = key {
                cmd.env("SIMRENEW_SEALING_KEY", k);
            }
            let out = cmd.output().unwrap();
            (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned())
        };
        let (ok, _, err) = enrol(None);
        assert!(!ok);
        assert!(err.contains("SIMRENEW_SEALING_KEY"), "{err}");
        let (ok, _, err) = enrol(Some("short"));
        assert!(!ok);
        assert!(err.contains("at least 32 bytes"), "{err}");
        let (ok, out, err) = enrol(Some("a sealing key of at least thirty-two bytes"));
        assert!(ok, "{err}");
        assert!(out.contains("otpauth://totp/"), "{out}");
    }
}

both! {
    async fn the_configuration_file_gives_what_the_environment_does_not(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 100, Some(days(10))).await.to_string();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("simrenew.toml");
        let run = |args: &[&str]| {
            let out = Command::new(env!("CARGO_BIN_EXE_simrenew"))
        .env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY)
                .args(args)
                .current_dir(dir.path())
                .env_remove("SIMRENEW_DATABASE_URL")
                .env_remove("SIMRENEW_CONFIG")
                .env("SIMRENEW_LOG", "warn")
                .output()
                .unwrap();
            (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned())
        };
        // simrenew.toml in the working directory is read without being named.
        std::fs::write(&file, format!("database_url = {:?}\nlisten = \"127.0.0.1:9\"\n", app.cli_url)).unwrap();
        let (ok, out, err) = run(&["lines", "show", &msisdn, "--json"]);
        assert!(ok, "{err}");
        assert!(out.contains(&msisdn), "{out}");
        let (ok, out, _) = run(&["config", "show"]);
        assert!(ok);
        assert!(out.contains("listen = 127.0.0.1:9  (file)"), "{out}");

        // A secret in the file is refused, naming where it is, without repeating it.
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "listen = \"127.0.0.1:9\"\n[paypal]\nclient_secret = \"EL-very-secret\"\n").unwrap();
        let (ok, _, err) = run(&["--config", bad.to_str().unwrap(), "lines", "show", &msisdn]);
        assert!(!ok);
        assert!(err.contains("bad.toml line 3") && err.contains("SIMRENEW_PAYPAL_CLIENT_SECRET"), "{err}");
        assert!(!err.contains("EL-very-secret"), "{err}");
        // So is a setting that does not exist, and a file that is not there.
        std::fs::write(&bad, "[sms]\nbase = \"x\"\n").unwrap();
        let (ok, _, err) = run(&["--config", bad.to_str().unwrap(), "config", "show"]);
        assert!(!ok && err.contains("line 2") && err.contains("sms.base"), "{err}");
        let (ok, _, err) = run(&["--config", "missing.toml", "config", "show"]);
        assert!(!ok && err.contains("missing.toml"), "{err}");

        // The example, uncommented, is a valid file.
        let (ok, example, _) = run(&["config", "example"]);
        assert!(ok);
        let uncommented: String = example
            .lines()
            .map(|l| l.strip_prefix("# ").filter(|r| r.contains(" = ")).unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(&bad, uncommented).unwrap();
        let (ok, _, err) = run(&["--config", bad.to_str().unwrap(), "config", "show"]);
        assert!(ok, "{err}");
    }
}

both! {
    async fn an_agent_is_bound_only_to_stores_of_their_brand(app: TestApp) {
        let other = app
            .db
            .insert_brand(&simrenew_domain::brand::Brand {
                code: "voyago".into(),
                name: "Voyago".into(),
                portal_url: "https://voyago.example".into(),
                quiet_hours: Default::default(),
                ..app.brand.clone()
            })
            .await
            .unwrap();
        let store = |brand, code: &str| simrenew_store::NewStore {
            brand_id: brand,
            code: code.into(),
            name: code.into(),
            address: "Rue Neuve 1, 1000 Bruxelles".into(),
            opening_hours: "Mon-Sat 10:00-18:00".into(),
            capabilities: vec!["renews_cash".into()],
        };
        app.db.insert_store(&store(other, "VOY-01")).await.unwrap();
        app.db.insert_store(&store(app.brand.id, "TST-01")).await.unwrap();
        let create = |email: &str, code: &str| {
            simrenew(&app, &["staff", "create", "--email", email, "--name", "Agent", "--role", "agent",
                "--brand", "test", "--store", code])
        };
        let (ok, _, err) = create("lumo-agent@test.example", "VOY-01");
        assert!(!ok);
        assert!(err.contains("--store"), "{err}");
        assert_eq!(app.app.store.staff_by_email("lumo-agent@test.example").await.unwrap(), None);
        let (ok, out, err) = create("lumo-agent@test.example", "TST-01");
        assert!(ok, "{err}");
        assert!(out.contains("created"), "{out}");

        // The use case refuses it too, whoever calls it.
        let voyago_store = app.app.store.store_id(other, "VOY-01").await.unwrap().unwrap();
        let err = app
            .app
            .create_staff("test", &simrenew_app::identity::accounts::NewStaff {
                email: "x@test.example".into(),
                name: "X".into(),
                role: simrenew_domain::access::Role::Agent,
                brand: Some(app.brand.id),
                stores: vec![voyago_store],
            })
            .await
            .unwrap_err();
        assert!(err.to_string().contains("store"), "{err}");
    }

    async fn a_staff_enrolment_is_confirmed_with_its_first_code(app: TestApp) {
        let run = |args: &[&str], stdin: &str| {
            use std::io::Write;
            let mut child = Command::new(env!("CARGO_BIN_EXE_simrenew"))
                .args(["--database-url", &app.cli_url])
                .args(args)
                .env("SIMRENEW_LOG", "warn")
                .env("SIMRENEW_SEALING_KEY", "a sealing key of at least thirty-two bytes")
                .env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
            let out = child.wait_with_output().unwrap();
            (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned())
        };
        let (ok, out, err) = run(&["staff", "enroll-totp", "--email", "admin@test.example"], "");
        assert!(ok, "{err}");
        let url = out.split_whitespace().find(|w| w.starts_with("otpauth://")).unwrap();
        assert!(out.contains("confirm-totp"), "{out}");
        let secret = url.split("secret=").nth(1).unwrap().split('&').next().unwrap().to_owned();
        let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30,
            totp_rs::Secret::Encoded(secret).to_bytes().unwrap(), None, "x".into()).unwrap();
        let (ok, _, err) = run(&["staff", "confirm-totp", "--email", "admin@test.example"], "12345\n");
        assert!(!ok && err.contains("code"), "{err}");
        #[allow(clippy::disallowed_methods)]
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let (ok, out, err) = run(&["staff", "confirm-totp", "--email", "admin@test.example"], &format!("{}\n", totp.generate(now)));
        assert!(ok, "{err}");
        assert!(out.contains("confirmed"), "{out}");
    }
}

both! {
    async fn a_catalog_version_is_published_from_a_file_or_refused_naming_the_field(app: TestApp) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("catalog.json");
        let body = |cents: i64| serde_json::json!({"effective_from": "2030-01-01T00:00:00+01:00", "plans": [
            {"code": "test-10gb-30d", "name": "Test 10 GB", "data_mb": 10000, "validity_unit": "days",
             "validity_count": 30, "price": {"amount_cents": cents, "currency": "EUR"},
             "line_kinds": ["esim"], "channels": ["portal", "auto_renew"]}]});
        std::fs::write(&file, body(-5).to_string()).unwrap();
        let path = file.to_str().unwrap();
        let (ok, _, err) = simrenew(&app, &["catalog", "publish", "--brand", "test", path]);
        assert!(!ok);
        assert!(err.contains("plans[0].price"), "{err}");
        std::fs::write(&file, body(1_500).to_string()).unwrap();
        let (ok, out, err) = simrenew(&app, &["catalog", "publish", "--brand", "test", path]);
        assert!(ok, "{err}");
        assert!(out.contains("test catalog version 3 published"), "{out}");
        let entries = app.audit_entries("catalog.publish").await;
        assert_eq!(entries.len(), 1);
        assert!(entries[0].details.contains("TEST-10GB-30D=1500"), "{:?}", entries[0]);
        let (ok, out, err) = simrenew(&app, &["catalog", "list", "--brand", "test"]);
        assert!(ok, "{err}");
        let first = out.lines().next().unwrap_or_default();
        assert!(first.starts_with("version 3  upcoming  from 2030-01-01 00:00"), "{out}");
        assert!(out.contains("TEST-10GB-30D") && out.contains("15.00 EUR"), "{out}");
        assert_eq!(out.matches("in force").count(), 1, "{out}");
        let (ok, _, err) = simrenew(&app, &["catalog", "list", "--brand", "nope"]);
        assert!(!ok && err.contains("--brand nope"), "{err}");
    }
}

both! {
    async fn a_promotion_is_created_from_a_file_and_ended_from_the_command_line(app: TestApp) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("promotion.json");
        std::fs::write(&file, r#"{"name": "Spring", "code": "SPRING25", "rule": {"kind": "percent_off"}}"#).unwrap();
        let path = file.to_str().unwrap();
        let (ok, _, err) = simrenew(&app, &["promotions", "create", "--brand", "test", path]);
        assert!(!ok);
        assert!(err.contains("rule.percent_bp"), "{err}");
        std::fs::write(&file, r#"{"name": "Spring", "code": "SPRING25", "rule": {"kind": "percent_off", "percent_bp": 2500}}"#).unwrap();
        let (ok, out, err) = simrenew(&app, &["promotions", "create", "--brand", "test", path]);
        assert!(ok, "{err}");
        let id = out.split_whitespace().nth(1).unwrap().to_owned();
        let (ok, out, err) = simrenew(&app, &["promotions", "end", &id]);
        assert!(ok, "{err}");
        assert!(out.contains("ended"), "{out}");
        let (ok, out, err) = simrenew(&app, &["promotions", "list", "--brand", "test"]);
        assert!(ok, "{err}");
        let line = out.lines().find(|l| l.contains("SPRING25")).unwrap_or_else(|| panic!("{out}"));
        assert!(line.trim_start().starts_with(&format!("{id}  ended")), "{out}");
        assert!(line.contains("used 0"), "{out}");
        let (ok, _, err) = simrenew(&app, &["promotions", "end", "999999"]);
        assert!(!ok && err.contains("not found"), "{err}");
        assert_eq!(app.audit_entries("promotion.create").await.len(), 1);
        assert_eq!(app.audit_entries("promotion.end").await.len(), 1);
    }
}
