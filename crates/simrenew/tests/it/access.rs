//! Every role against every endpoint: what each may do, and that what it may not see is
//! answered exactly like something that does not exist.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use simrenew_app::identity::accounts::NewStaff;
use simrenew_app::identity::api_keys::KeyOwner;
use simrenew_domain::access::{Role, Scope};
use simrenew_domain::brand::Brand;
use simrenew_domain::catalog::LineKind;
use simrenew_domain::ids::BrandId;
use simrenew_domain::money::Money;
use simrenew_domain::voucher::VoucherValue;
use simrenew_store::{CountedTable, NewStore};

use crate::support::{both, days, TestApp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Revoked,
    PlatformAdmin,
    BrandAdmin,
    OtherBrandAdmin,
    Agent,
    AgentWithoutRenewals,
    Partner,
    OtherPartner,
}

use Who::*;

const EVERYONE: [Who; 9] = [
    Anonymous,
    Revoked,
    PlatformAdmin,
    BrandAdmin,
    OtherBrandAdmin,
    Agent,
    AgentWithoutRenewals,
    Partner,
    OtherPartner,
];

struct Keys {
    tokens: Vec<(Who, Option<String>)>,
}

impl Keys {
    fn of(&self, who: Who) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(w, _)| *w == who)
            .and_then(|(_, t)| t.as_deref())
    }
}

async fn staff_key(
    app: &TestApp,
    email: &str,
    role: Role,
    brand: Option<BrandId>,
    stores: Vec<simrenew_domain::ids::StoreId>,
) -> String {
    let id = app
        .app
        .create_staff(
            "test",
            &NewStaff {
                email: email.into(),
                name: email.into(),
                role,
                brand,
                stores,
            },
        )
        .await
        .unwrap();
    app.app
        .create_api_key("test", email, &KeyOwner::Staff(id))
        .await
        .unwrap()
        .1
}

async fn partner_key(app: &TestApp, brand: BrandId, scopes: Vec<Scope>) -> String {
    app.app
        .create_api_key("test", "partner", &KeyOwner::Partner { brand, scopes })
        .await
        .unwrap()
        .1
}

async fn setup(app: &TestApp) -> (Keys, BrandId) {
    let other = app
        .db
        .insert_brand(&Brand {
            code: "other".into(),
            name: "Other Mobile".into(),
            portal_url: "https://other.example".into(),
            quiet_hours: Default::default(),
            ..app.brand.clone()
        })
        .await
        .unwrap();
    let store = |code: &str, caps: &[&str]| NewStore {
        brand_id: app.brand.id,
        code: code.into(),
        name: code.into(),
        address: "Rue Neuve 1, 1000 Bruxelles".into(),
        opening_hours: "Mon–Sat 10:00–18:00".into(),
        capabilities: caps.iter().map(|c| (*c).to_owned()).collect(),
    };
    let counter = app
        .db
        .insert_store(&store("counter", &["renews_cash", "identifies"]))
        .await
        .unwrap();
    let kiosk = app
        .db
        .insert_store(&store("kiosk", &["checks_devices"]))
        .await
        .unwrap();

    let revoked = partner_key(app, app.brand.id, vec![Scope::Catalog]).await;
    let prefix = revoked.split('_').nth(1).unwrap().to_owned();
    app.app.revoke_api_key("test", &prefix).await.unwrap();

    let tokens = vec![
        (Anonymous, None),
        (Revoked, Some(revoked)),
        (PlatformAdmin, Some(app.token.clone())),
        (
            BrandAdmin,
            Some(
                staff_key(
                    app,
                    "admin@brand.example",
                    Role::BrandAdmin,
                    Some(app.brand.id),
                    vec![],
                )
                .await,
            ),
        ),
        (
            OtherBrandAdmin,
            Some(
                staff_key(
                    app,
                    "admin@other.example",
                    Role::BrandAdmin,
                    Some(other),
                    vec![],
                )
                .await,
            ),
        ),
        (
            Agent,
            Some(
                staff_key(
                    app,
                    "agent@brand.example",
                    Role::Agent,
                    Some(app.brand.id),
                    vec![counter],
                )
                .await,
            ),
        ),
        (
            AgentWithoutRenewals,
            Some(
                staff_key(
                    app,
                    "kiosk@brand.example",
                    Role::Agent,
                    Some(app.brand.id),
                    vec![kiosk],
                )
                .await,
            ),
        ),
        (
            Partner,
            Some(partner_key(app, app.brand.id, vec![Scope::Catalog, Scope::Orders]).await),
        ),
        (
            OtherPartner,
            Some(
                partner_key(
                    app,
                    other,
                    vec![Scope::Catalog, Scope::Orders, Scope::Lines, Scope::Vouchers],
                )
                .await,
            ),
        ),
    ];
    (Keys { tokens }, other)
}

/// The expected status for each caller, everyone else getting `rest`.
fn expect(rest: u16, specific: &[(Who, u16)]) -> impl Fn(Who) -> u16 + '_ {
    move |who| match who {
        Anonymous | Revoked => 401,
        w => specific
            .iter()
            .find(|(s, _)| *s == w)
            .map_or(rest, |(_, code)| *code),
    }
}

/// Looks `msisdn` up at the counter as `who`: agents of the line's brand may; other staff and
/// partners are refused, and those outside the brand are told it does not exist.
async fn look_up(app: &TestApp, keys: &Keys, who: Who, msisdn: &str) {
    let want = expect(
        403,
        &[
            (Agent, 200),
            (AgentWithoutRenewals, 200),
            (OtherBrandAdmin, 404),
            (Partner, 404),
            (OtherPartner, 404),
        ],
    )(who);
    let body = json!({ "msisdn": msisdn });
    let got = check(
        app,
        keys,
        who,
        Method::POST,
        "/api/v1/counter/customer",
        Some(body),
        want,
    )
    .await;
    if want == 200 {
        assert_eq!(got["line"]["msisdn"], msisdn, "{got}");
    }
}

async fn check(
    app: &TestApp,
    keys: &Keys,
    who: Who,
    method: Method,
    uri: &str,
    body: Option<Value>,
    want: u16,
) -> Value {
    let (status, got) = app.request_as(keys.of(who), method, uri, body).await;
    assert_eq!(status.as_u16(), want, "{uri} as {who:?}: {got}");
    got
}

both! {
    async fn every_role_against_every_endpoint(app: TestApp) {
        let (keys, _) = setup(&app).await;
        let line = app.line(LineKind::Esim, 1_000_000, Some(days(10))).await.to_string();

        // Reading brands and plans.
        for who in EVERYONE {
            let want = expect(200, &[])(who);
            check(&app, &keys, who, Method::GET, "/api/v1/brands", None, want).await;
            // Staff and partners of another brand are told it does not exist.
            let want = expect(200, &[(OtherPartner, 404), (OtherBrandAdmin, 404)])(who);
            check(&app, &keys, who, Method::GET, "/api/v1/plans?brand=test", None, want).await;
        }

        // Listing lines: admins within their brand; agents look up, partners need a scope.
        for who in EVERYONE {
            let want = expect(200, &[(Agent, 403), (AgentWithoutRenewals, 403), (Partner, 403)])(who);
            let page = check(&app, &keys, who, Method::GET, "/api/v1/lines", None, want).await;
            if who == OtherBrandAdmin || who == OtherPartner {
                assert!(page["items"].as_array().unwrap().is_empty(), "{who:?} sees another brand's lines");
            }
        }

        // Agents act only for the customer they looked up at the counter.
        check(&app, &keys, Agent, Method::GET, &format!("/api/v1/lines/{line}"), None, 403).await;
        for who in EVERYONE {
            look_up(&app, &keys, who, &line).await;
            let want = expect(404, &[(Anonymous, 401), (Revoked, 401)])(who);
            let body = json!({"msisdn": "+32470999999"});
            check(&app, &keys, who, Method::POST, "/api/v1/counter/customer", Some(body), want).await;
        }

        // One line: hidden (404) from those outside its brand and from a partner without
        // the lines scope, exactly like a number that does not exist.
        for who in EVERYONE {
            let want = expect(200, &[(OtherBrandAdmin, 404), (Partner, 404), (OtherPartner, 404)])(who);
            let got = check(&app, &keys, who, Method::GET, &format!("/api/v1/lines/{line}"), None, want).await;
            if want == 404 {
                let (_, unknown) = app.request_as(keys.of(who), Method::GET, "/api/v1/lines/+32470999999", None).await;
                assert_eq!(got, unknown, "{who:?} can tell a hidden line from a missing one");
            }
        }

        // Quotes and orders, each through the caller's own channel.
        let sell = expect(201, &[(OtherBrandAdmin, 404), (AgentWithoutRenewals, 403), (OtherPartner, 404)]);
        let mut orders = vec![];
        for who in EVERYONE {
            let body = json!({"msisdn": line, "plan": "TEST-5GB-30D"});
            check(&app, &keys, who, Method::POST, "/api/v1/quotes", Some(body), sell(who)).await;
            let body = json!({"msisdn": line, "plan": "TEST-5GB-30D", "payment": {"method": "credit"}});
            let before = app.count(CountedTable::Orders).await;
            let got = check(&app, &keys, who, Method::POST, "/api/v1/orders", Some(body), sell(who)).await;
            if sell(who) == 201 {
                orders.push((who, got["id"].as_i64().unwrap()));
            } else {
                assert_eq!(app.count(CountedTable::Orders).await, before, "{who:?} wrote an order");
            }
        }
        // An agent may not sell through another channel than the store.
        let body = json!({"msisdn": line, "plan": "TEST-5GB-30D", "channel": "portal"});
        check(&app, &keys, Agent, Method::POST, "/api/v1/quotes", Some(body), 403).await;

        // Reading an order: partners see only their own.
        let partner_order = orders.iter().find(|(w, _)| *w == Partner).unwrap().1;
        let admin_order = orders.iter().find(|(w, _)| *w == PlatformAdmin).unwrap().1;
        for who in EVERYONE {
            let want = expect(200, &[(OtherBrandAdmin, 404), (OtherPartner, 404)])(who);
            check(&app, &keys, who, Method::GET, &format!("/api/v1/orders/{partner_order}"), None, want).await;
            let want = expect(200, &[(OtherBrandAdmin, 404), (Partner, 404), (OtherPartner, 404)])(who);
            check(&app, &keys, who, Method::GET, &format!("/api/v1/orders/{admin_order}"), None, want).await;
            let want = expect(404, &[])(who);
            check(&app, &keys, who, Method::GET, "/api/v1/orders/999999", None, want).await;
        }

        // Paying an order waiting for payment (a new one for each caller).
        for who in EVERYONE {
            let (_, pending) = app
                .post("/api/v1/orders", json!({"msisdn": line, "plan": "TEST-5GB-30D", "channel": match who {
                    Agent | AgentWithoutRenewals => "store",
                    Partner | OtherPartner => "partner",
                    _ => "portal",
                }}))
                .await;
            let id = pending["id"].as_i64().unwrap();
            // A partner's own pending order is the one it may pay; others' are hidden from it.
            let want = expect(200, &[(OtherBrandAdmin, 404), (AgentWithoutRenewals, 403), (Partner, 404), (OtherPartner, 404)])(who);
            check(&app, &keys, who, Method::POST, &format!("/api/v1/orders/{id}/payment"), Some(json!({"method": "credit"})), want).await;
            let (_, order) = app.get(&format!("/api/v1/orders/{id}")).await;
            let paid = order["state"] == "syncing";
            assert_eq!(paid, want == 200, "{who:?}: order is {}", order["state"]);
        }

        // Recording an identification (a new line waiting for it for each caller).
        for who in EVERYONE {
            let pending = app
                .line_in_state(LineKind::Esim, 0, None, simrenew_domain::line::LineState::PendingIdentification)
                .await;
            if matches!(who, Agent | AgentWithoutRenewals) {
                look_up(&app, &keys, who, &pending.to_string()).await;
            }
            let body = json!({"method": "eid", "document_number": "592123456789", "name": "Louise Maes", "language": "fr"});
            let want = expect(200, &[(OtherBrandAdmin, 404), (AgentWithoutRenewals, 403), (Partner, 404), (OtherPartner, 404)])(who);
            check(&app, &keys, who, Method::POST, &format!("/api/v1/lines/{pending}/identification"), Some(body), want).await;
        }

        // Redeeming a voucher.
        for who in [Agent, AgentWithoutRenewals] {
            look_up(&app, &keys, who, &line).await;
        }
        for who in EVERYONE {
            let (_, codes) = app
                .app
                .generate_vouchers("test", "matrix", 1, &VoucherValue::Credit(Money::eur(100)), None)
                .await
                .unwrap();
            let body = json!({"code": codes[0].to_string(), "msisdn": line});
            let want = expect(200, &[(OtherBrandAdmin, 404), (AgentWithoutRenewals, 403), (Partner, 403), (OtherPartner, 404)])(who);
            check(&app, &keys, who, Method::POST, "/api/v1/voucher-redemptions", Some(body), want).await;
        }
    }

    async fn revoking_a_key_locks_it_out_at_once(app: TestApp) {
        let (_, token) = app
            .app
            .create_api_key("test", "short-lived", &KeyOwner::Partner { brand: app.brand.id, scopes: vec![Scope::Catalog] })
            .await
            .unwrap();
        let (status, _) = app.request_as(Some(&token), Method::GET, "/api/v1/plans", None).await;
        assert_eq!(status, StatusCode::OK);
        let prefix = token.split('_').nth(1).unwrap();
        let (_, rotated) = app.app.rotate_api_key("test", prefix).await.unwrap();
        let (status, _) = app.request_as(Some(&token), Method::GET, "/api/v1/plans", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = app.request_as(Some(&rotated), Method::GET, "/api/v1/plans", None).await;
        assert_eq!(status, StatusCode::OK);
        // A forged secret with a real prefix, and garbage, are refused the same way.
        let forged = format!("sr_{}_{}", rotated.split('_').nth(1).unwrap(), "0".repeat(64));
        for bad in [forged.as_str(), "sr_", "Bearer", "x"] {
            let (status, body) = app.request_as(Some(bad), Method::GET, "/api/v1/plans", None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad}: {body}");
        }
    }
}

both! {
    async fn an_agent_acts_only_for_the_customer_looked_up(app: TestApp) {
        let (keys, _) = setup(&app).await;
        let (mine, me) = app.subscriber_line().await;
        let (other, _) = app.subscriber_line().await;
        let (mine, other) = (mine.to_string(), other.to_string());
        let sale = |msisdn: &str| json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "payment": {"method": "credit"}});

        // Before any lookup the agent can do nothing for anybody.
        let got = check(&app, &keys, Agent, Method::POST, "/api/v1/orders", Some(sale(&mine)), 403).await;
        assert!(got["detail"].as_str().unwrap().contains("look the customer up"), "{got}");

        // The lookup shows the line and the details to check against the customer's document.
        let got = check(&app, &keys, Agent, Method::POST, "/api/v1/counter/customer", Some(json!({"msisdn": mine})), 200).await;
        assert_eq!(got["line"]["msisdn"], mine);
        assert!(got["subscriber"]["name"].is_string(), "{got}");
        check(&app, &keys, Agent, Method::POST, "/api/v1/orders", Some(sale(&mine)), 201).await;
        // Someone else's line stays out of reach while serving this customer...
        let before = app.count(CountedTable::Orders).await;
        check(&app, &keys, Agent, Method::POST, "/api/v1/orders", Some(sale(&other)), 403).await;
        check(&app, &keys, Agent, Method::GET, &format!("/api/v1/lines/{other}"), None, 403).await;
        assert_eq!(app.count(CountedTable::Orders).await, before);
        // ...and the lookup is recorded in the line's audit chain.
        let line_id = app.app.store.line_access(&mine).await.unwrap().unwrap().line;
        let (entries, _) = app.app.store.audit_log().await.unwrap();
        assert!(
            entries.iter().any(|e| e.chain == format!("line:{line_id}") && e.action == "counter.look_up"),
            "no lookup in the audit log of subscriber {me:?}'s line"
        );

        // The next customer: nobody is served until the next lookup.
        let (status, _) = app.request_as(keys.of(Agent), Method::DELETE, "/api/v1/counter/customer", None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        check(&app, &keys, Agent, Method::GET, &format!("/api/v1/lines/{mine}"), None, 403).await;

        // A lookup is forgotten after half an hour.
        check(&app, &keys, Agent, Method::POST, "/api/v1/counter/customer", Some(json!({"msisdn": mine})), 200).await;
        check(&app, &keys, Agent, Method::GET, &format!("/api/v1/lines/{mine}"), None, 200).await;
        app.clock.advance(jiff::SignedDuration::from_mins(31));
        check(&app, &keys, Agent, Method::GET, &format!("/api/v1/lines/{mine}"), None, 403).await;

        // Another agent's lookup (another key) is theirs alone.
        check(&app, &keys, AgentWithoutRenewals, Method::POST, "/api/v1/counter/customer", Some(json!({"msisdn": other})), 200).await;
        check(&app, &keys, Agent, Method::GET, &format!("/api/v1/lines/{other}"), None, 403).await;
        check(&app, &keys, AgentWithoutRenewals, Method::GET, &format!("/api/v1/lines/{other}"), None, 200).await;
    }
}
