//! The HTTP provisioning client against the simulator.

use simrenew_domain::catalog::DataAllowance;
use simrenew_domain::identifiers::{Iccid, Msisdn};
use simrenew_netsim::{Fault, Operation};
use simrenew_network::provisioning::{BundleGranted, IdempotencyKey, LineRef, ProvisioningRequest};
use simrenew_network::signing::{signature_header, SIGNATURE_HEADER};
use simrenew_network::Outcome;

use crate::support::*;

fn msisdn() -> Msisdn {
    Msisdn::parse("+32470100000").unwrap()
}

fn grant(mb: Option<u64>) -> ProvisioningRequest {
    ProvisioningRequest::BundleGranted(BundleGranted {
        msisdn: msisdn(),
        iccid: Some(Iccid::from_body("893299000000000007").unwrap()),
        plan_code: "LUMO-5GB-30D".to_owned(),
        data: mb.map_or(DataAllowance::Unlimited, DataAllowance::Megabytes),
        starts_at: "2027-03-01T10:00:00Z".parse().unwrap(),
        ends_at: "2027-03-31T10:00:00Z".parse().unwrap(),
    })
}

fn key(k: &str) -> IdempotencyKey {
    IdempotencyKey::parse(k).unwrap()
}

#[tokio::test]
async fn every_operation_is_confirmed_and_applied() {
    let clock = TestClock::new();
    let sim = start(config(&clock, &[])).await;
    let client = provisioning_client(&sim, &clock, SECRET);
    let line = LineRef {
        msisdn: msisdn(),
        iccid: None,
    };

    let granted = client.send(&grant(Some(5000)), &key("outbox-1")).await;
    let Outcome::Confirmed(c) = granted else {
        panic!("{granted:?}")
    };
    assert!(!c.operation_id.is_empty());
    let net = sim.netsim.line("+32470100000").unwrap();
    assert_eq!(net.bundles.len(), 1);
    assert_eq!(net.bundles[0].data_mb, Some(5000));
    assert_eq!(net.bundles[0].plan_code, "LUMO-5GB-30D");
    assert_eq!(net.bundles[0].operation_id, c.operation_id);

    assert!(client
        .send(
            &ProvisioningRequest::LineSuspended(line.clone()),
            &key("outbox-2")
        )
        .await
        .is_confirmed());
    assert!(sim.netsim.line("+32470100000").unwrap().suspended);
    assert!(client
        .send(
            &ProvisioningRequest::LineResumed(line.clone()),
            &key("outbox-3")
        )
        .await
        .is_confirmed());
    assert!(!sim.netsim.line("+32470100000").unwrap().suspended);
    // Unlimited data is sent as null.
    assert!(client
        .send(&grant(None), &key("outbox-4"))
        .await
        .is_confirmed());
    assert_eq!(
        sim.netsim.line("+32470100000").unwrap().bundles[1].data_mb,
        None
    );
    assert!(client
        .send(&ProvisioningRequest::NumberReleased(line), &key("outbox-5"))
        .await
        .is_confirmed());
    assert!(sim.netsim.line("+32470100000").unwrap().released);

    // A released number gets nothing more: a refusal for good, with the network's reason.
    match client.send(&grant(Some(1000)), &key("outbox-6")).await {
        Outcome::Rejected(r) => {
            assert_eq!(r.code.as_deref(), Some("422 number-released"));
            assert!(r.reason.contains("released"), "{r}");
        }
        other => panic!("{other:?}"),
    }
    let received = sim.netsim.received();
    assert_eq!(received.len(), 6);
    assert!(received
        .iter()
        .all(|r| r.key.as_deref().unwrap().starts_with("outbox-")));
}

/// Each fault, injected on the first call: the client's repeat with the same key ends in one
/// confirmation and one bundle at the network (a `Failed` is a refusal and is not repeated).
#[tokio::test]
async fn every_fault_converges_to_exactly_one_effect() {
    for fault in ["timeout", "server_error", "lost_answer"] {
        let clock = TestClock::new();
        let sim = start(config(&clock, &[&format!("bundleGranted:1:{fault}")])).await;
        let client = provisioning_client(&sim, &clock, SECRET);
        let outcome = client.send(&grant(Some(5000)), &key("outbox-7")).await;
        assert!(outcome.is_confirmed(), "{fault}: {outcome:?}");
        let received = sim.netsim.received_for(Operation::BundleGranted);
        assert_eq!(received.len(), 2, "{fault}");
        assert!(received
            .iter()
            .all(|r| r.key.as_deref() == Some("outbox-7")));
        assert_eq!(received[0].fault.map(Fault::as_str), Some(fault));
        let net = sim.netsim.line("+32470100000").unwrap();
        assert_eq!(net.bundles.len(), 1, "{fault}: one bundle, not two");
        if fault == "lost_answer" {
            // The repeat got the first answer: the same operation.
            assert_eq!(
                outcome.confirmed().unwrap().operation_id,
                net.bundles[0].operation_id
            );
        }
    }

    let clock = TestClock::new();
    let sim = start(config(&clock, &["bundleGranted:1:failed"])).await;
    let client = provisioning_client(&sim, &clock, SECRET);
    match client.send(&grant(Some(5000)), &key("outbox-8")).await {
        Outcome::Rejected(r) => assert_eq!(r.code.as_deref(), Some("422 refused")),
        other => panic!("{other:?}"),
    }
    assert_eq!(sim.netsim.received().len(), 1, "a refusal is not repeated");
    assert!(sim.netsim.line("+32470100000").is_none());
}

/// Every attempt fails: try again later. The outbox's later repeat, same key, still makes one
/// bundle, even though the network had done the work on an attempt whose answer was lost.
#[tokio::test]
async fn a_later_repeat_after_giving_up_still_makes_one_effect() {
    let clock = TestClock::new();
    let sim = start(config(
        &clock,
        &[
            "bundleGranted:1:lost_answer",
            "bundleGranted:2:server_error",
            "bundleGranted:3:timeout",
        ],
    ))
    .await;
    let client = provisioning_client(&sim, &clock, SECRET);
    match client.send(&grant(Some(5000)), &key("outbox-9")).await {
        Outcome::TryAgain(t) => assert!(t.why.contains("after 3 attempts"), "{t}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(sim.netsim.line("+32470100000").unwrap().bundles.len(), 1);
    clock.advance(std::time::Duration::from_secs(60));
    assert!(client
        .send(&grant(Some(5000)), &key("outbox-9"))
        .await
        .is_confirmed());
    assert_eq!(sim.netsim.line("+32470100000").unwrap().bundles.len(), 1);
    assert_eq!(sim.netsim.received().len(), 4);
}

#[tokio::test]
async fn a_key_reused_for_another_request_is_refused() {
    let clock = TestClock::new();
    let sim = start(config(&clock, &[])).await;
    let client = provisioning_client(&sim, &clock, SECRET);
    assert!(client
        .send(&grant(Some(5000)), &key("k-1"))
        .await
        .is_confirmed());
    match client.send(&grant(Some(9000)), &key("k-1")).await {
        Outcome::Rejected(r) => assert_eq!(r.code.as_deref(), Some("422 idempotency-key-reused")),
        other => panic!("{other:?}"),
    }
    assert_eq!(sim.netsim.line("+32470100000").unwrap().bundles.len(), 1);
}

#[tokio::test]
async fn a_tampered_or_unsigned_request_is_refused() {
    let clock = TestClock::new();
    let sim = start(config(&clock, &[])).await;

    // The wrong secret: refused for good, nothing done.
    let wrong = provisioning_client(&sim, &clock, b"another-secret-0123456789");
    match wrong.send(&grant(Some(5000)), &key("k-2")).await {
        Outcome::Rejected(r) => {
            assert_eq!(r.code.as_deref(), Some("401 signature"));
            assert!(r.reason.contains("does not match"), "{r}");
        }
        other => panic!("{other:?}"),
    }

    let http = reqwest::Client::new();
    let url = format!("{}/v1/bundle-grants", sim.url);
    let body = grant(Some(5000)).body().to_string();
    let signed = signature_header(SECRET, (clock.now())(), body.as_bytes());
    let post = |body: String, signature: Option<String>, key: Option<&str>| {
        let mut req = http
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(s) = signature {
            req = req.header(SIGNATURE_HEADER, s);
        }
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        req.send()
    };
    // A body changed after signing.
    let tampered = body.replace("5000", "50000");
    let res = post(tampered, Some(signed.clone()), Some("k-3"))
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    // No signature at all; an old one.
    assert_eq!(
        post(body.clone(), None, Some("k-4"))
            .await
            .unwrap()
            .status(),
        401
    );
    let old = signature_header(
        SECRET,
        (clock.now())()
            .checked_sub(jiff::SignedDuration::from_secs(600))
            .unwrap(),
        body.as_bytes(),
    );
    assert_eq!(
        post(body.clone(), Some(old), Some("k-5"))
            .await
            .unwrap()
            .status(),
        401
    );
    // No idempotency key.
    assert_eq!(
        post(body.clone(), Some(signed.clone()), None)
            .await
            .unwrap()
            .status(),
        400
    );
    assert!(
        sim.netsim.line("+32470100000").is_none(),
        "nothing was applied"
    );

    // The untouched request goes through.
    assert_eq!(
        post(body, Some(signed), Some("k-6"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(sim.netsim.line("+32470100000").unwrap().bundles.len(), 1);
}
