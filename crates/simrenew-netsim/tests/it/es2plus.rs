//! The ES2+ client against the simulated SM-DP+, and the SM-DP+'s install notifications read
//! by `parse_download_progress` at a stand-in operator endpoint.

use serde_json::{json, Value};
use simrenew_domain::identifiers::Iccid;
use simrenew_netsim::{Fault, Operation, ProfileState};
use simrenew_network::activation::{ios_install_link, qr_png};
use simrenew_network::es2plus::{
    Call, CancelOrder, ConfirmOrder, DownloadOrder, FinalProfileStatus, MatchingId, ProfileType,
    ADMIN_PROTOCOL,
};
use simrenew_network::progress::{InstallProgress, NotificationPoint};
use simrenew_network::Outcome;

use crate::support::*;

fn order(iccid: &Iccid) -> DownloadOrder {
    DownloadOrder {
        iccid: iccid.clone(),
        eid: None,
        profile_type: Some(ProfileType::parse("simrenew-data").unwrap()),
    }
}

fn confirm(iccid: &Iccid, seed: &str, release: bool) -> ConfirmOrder {
    ConfirmOrder {
        iccid: iccid.clone(),
        eid: None,
        matching_id: MatchingId::derive(seed),
        confirmation_code: None,
        smds_address: None,
        release,
    }
}

fn call(id: &str) -> Call {
    Call::first(id).unwrap()
}

/// A new eSIM, end to end: the profile is reserved and confirmed, the activation code is
/// built, and the simulated phone's install reaches the operator, with the EID.
#[tokio::test]
async fn an_esim_is_ordered_confirmed_and_installed() {
    let clock = TestClock::new();
    let operator = operator().await;
    let mut cfg = config(&clock, &[]);
    cfg.smdp.operator_url = Some(operator.url.clone());
    let sim = start(cfg).await;
    let client = es2_client(&sim);
    let iccid = sim.netsim.available_profiles()[0].clone();

    let reserved = client
        .download_order(&order(&iccid), &call("o-1-download"))
        .await;
    assert_eq!(reserved, Outcome::Confirmed(iccid.clone()));
    assert_eq!(
        sim.netsim.profile(&iccid).unwrap().state,
        ProfileState::Allocated
    );

    let confirmed = client
        .confirm_order(&confirm(&iccid, "order-1", true), &call("o-1-confirm"))
        .await
        .confirmed()
        .unwrap();
    assert_eq!(confirmed.matching_id, MatchingId::derive("order-1"));
    assert_eq!(confirmed.smdp_address, "smdp.netsim.example");
    let code = confirmed.activation_code().unwrap();
    assert_eq!(
        code.to_string(),
        format!(
            "LPA:1$smdp.netsim.example${}",
            MatchingId::derive("order-1").as_str()
        )
    );
    assert!(ios_install_link(&code).contains("carddata=LPA%3A1%24smdp.netsim.example%24"));
    assert!(!qr_png(&code).unwrap().is_empty());

    // The envelope of every call.
    for r in sim.netsim.received() {
        assert_eq!(r.headers["x-admin-protocol"], ADMIN_PROTOCOL);
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(
            r.body["header"]["functionRequesterIdentifier"],
            "simrenew-test"
        );
        assert!(r.key.as_deref().unwrap().starts_with("o-1-"));
    }

    eventually("the install notifications", || {
        operator.received.lock().unwrap().len() == 4
    })
    .await;
    let got = operator.received.lock().unwrap().clone();
    let progress: Vec<&InstallProgress> = got.iter().map(|p| &p.progress).collect();
    assert_eq!(
        progress,
        [
            &InstallProgress::EligibilityChecked,
            &InstallProgress::Downloaded,
            &InstallProgress::Installed,
            &InstallProgress::Enabled
        ]
    );
    assert_eq!(got[1].point, NotificationPoint::Download);
    assert!(got.iter().all(|p| p.iccid == iccid && p.eid.is_some()));
    assert_eq!(got[0].eid, got[3].eid);
    assert_eq!(got[0].function_requester_identifier, "netsim-smdp");
    assert_eq!(got[0].timestamp.to_string(), "2027-03-01T10:00:00Z");
    eventually("the callbacks' answers", || {
        sim.netsim.callbacks().len() == 4
    })
    .await;
    assert!(sim.netsim.callbacks().iter().all(|c| c.status == 204));
    assert_eq!(
        sim.netsim.profile(&iccid).unwrap().state,
        ProfileState::Enabled
    );
}

/// A line awaiting identification: confirmed without release, nothing installs; released
/// later, the phone installs it.
#[tokio::test]
async fn a_profile_confirmed_without_release_installs_only_once_released() {
    let clock = TestClock::new();
    let operator = operator().await;
    let mut cfg = config(&clock, &[]);
    cfg.smdp.operator_url = Some(operator.url.clone());
    let sim = start(cfg).await;
    let client = es2_client(&sim);
    let iccid = sim.netsim.available_profiles()[0].clone();
    assert!(client
        .download_order(&order(&iccid), &call("a"))
        .await
        .is_confirmed());
    assert!(client
        .confirm_order(&confirm(&iccid, "order-2", false), &call("b"))
        .await
        .is_confirmed());
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(operator.received.lock().unwrap().is_empty());
    assert_eq!(
        sim.netsim.profile(&iccid).unwrap().state,
        ProfileState::Confirmed
    );

    assert_eq!(
        client.release_profile(&iccid, &call("c")).await,
        Outcome::Confirmed(())
    );
    eventually("the install", || {
        operator.received.lock().unwrap().len() == 4
    })
    .await;
    // Released twice on a first attempt: the SM-DP+ says no, and so does the client.
    match client.release_profile(&iccid, &call("d")).await {
        Outcome::Rejected(r) => assert_eq!(r.code.as_deref(), Some("8.2.1/3.5")),
        other => panic!("{other:?}"),
    }
}

/// Each fault on each step: the client's repeats end in one reservation and the activation
/// code of the matching id asked for. A timeout does nothing; a lost answer did the work, and
/// the repeat reads "already done" as done.
#[tokio::test]
async fn every_fault_on_every_step_converges_on_one_profile() {
    for step in ["downloadOrder", "confirmOrder"] {
        for fault in ["timeout", "server_error", "lost_answer"] {
            let clock = TestClock::new();
            let sim = start(config(&clock, &[&format!("{step}:1:{fault}")])).await;
            let client = es2_client(&sim);
            let iccid = sim.netsim.available_profiles()[0].clone();
            let what = format!("{step} {fault}");
            let reserved = client
                .download_order(&order(&iccid), &call("x-download"))
                .await;
            assert_eq!(reserved, Outcome::Confirmed(iccid.clone()), "{what}");
            let confirmed = client
                .confirm_order(&confirm(&iccid, "order-3", true), &call("x-confirm"))
                .await;
            let confirmed = confirmed.confirmed().unwrap_or_else(|| panic!("{what}"));
            assert_eq!(
                confirmed.matching_id,
                MatchingId::derive("order-3"),
                "{what}"
            );
            let profile = sim.netsim.profile(&iccid).unwrap();
            assert_eq!(profile.times_allocated, 1, "{what}: one reservation");
            assert_eq!(profile.state, ProfileState::Released, "{what}");
            assert_eq!(
                profile.matching_id.as_deref(),
                Some(MatchingId::derive("order-3").as_str())
            );
            let calls = sim.netsim.received_for(step.parse::<Operation>().unwrap());
            assert_eq!(calls.len(), 2, "{what}");
            assert_eq!(calls[0].fault.map(Fault::as_str), Some(fault));
            // The repeat carries the same functionCallIdentifier.
            assert_eq!(calls[0].key, calls[1].key);
            // Nothing else was reserved.
            assert_eq!(sim.netsim.available_profiles().len(), 999, "{what}");
        }
    }
}

/// The "2nd downloadOrder times out": the second eSIM sold still gets exactly its profile.
#[tokio::test]
async fn the_second_download_order_times_out() {
    let clock = TestClock::new();
    let sim = start(config(&clock, &["downloadOrder:2:timeout"])).await;
    let client = es2_client(&sim);
    let pool = sim.netsim.available_profiles();
    for (i, iccid) in pool.iter().take(3).enumerate() {
        let id = format!("o-{i}");
        assert!(client
            .download_order(&order(iccid), &call(&id))
            .await
            .is_confirmed());
    }
    let calls = sim.netsim.received_for(Operation::DownloadOrder);
    assert_eq!(calls.len(), 4);
    assert_eq!(calls[1].fault, Some(Fault::Timeout));
    for iccid in pool.iter().take(3) {
        assert_eq!(sim.netsim.profile(iccid).unwrap().times_allocated, 1);
    }
    assert_eq!(sim.netsim.available_profiles().len(), 997);
}

/// Business errors come as HTTP 200 with `Failed`: refused for good, with the SM-DP+'s codes.
#[tokio::test]
async fn failed_statuses_are_refusals_unless_a_repeat_finds_its_work_done() {
    let clock = TestClock::new();
    let sim = start(config(&clock, &["confirmOrder:1:failed"])).await;
    let client = es2_client(&sim);
    let iccid = sim.netsim.available_profiles()[0].clone();

    // An injected execution error.
    assert!(client
        .download_order(&order(&iccid), &call("f-1"))
        .await
        .is_confirmed());
    match client
        .confirm_order(&confirm(&iccid, "order-4", true), &call("f-2"))
        .await
    {
        Outcome::Rejected(r) => {
            assert_eq!(r.code.as_deref(), Some("8.1/4.2"));
            assert_eq!(r.reason, "injected failure");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        sim.netsim.received_for(Operation::ConfirmOrder).len(),
        1,
        "not repeated"
    );

    // Ordering a profile reserved already: a first attempt is refused...
    match client.download_order(&order(&iccid), &call("f-3")).await {
        Outcome::Rejected(r) => assert_eq!(r.code.as_deref(), Some("8.2.1/3.7")),
        other => panic!("{other:?}"),
    }
    // ...and a repeat of the outbox row that reserved it is done.
    let repeat = Call::repeat("f-1").unwrap();
    assert_eq!(
        client.download_order(&order(&iccid), &repeat).await,
        Outcome::Confirmed(iccid.clone())
    );
    assert_eq!(sim.netsim.profile(&iccid).unwrap().times_allocated, 1);

    // An ICCID the SM-DP+ does not hold, and a profile type it does not know.
    let stranger = Iccid::from_body("893288000000000001").unwrap();
    match client
        .download_order(&order(&stranger), &Call::repeat("f-4").unwrap())
        .await
    {
        Outcome::Rejected(r) => assert_eq!(r.code.as_deref(), Some("8.2.1/3.9")),
        other => panic!("{other:?}"),
    }
    let mut other_type = order(&sim.netsim.available_profiles()[0]);
    other_type.profile_type = Some(ProfileType::parse("gold").unwrap());
    match client.download_order(&other_type, &call("f-5")).await {
        Outcome::Rejected(r) => assert_eq!(r.code.as_deref(), Some("8.2.5/3.9")),
        other => panic!("{other:?}"),
    }
}

/// An eSIM refunded before it is installed: cancelOrder puts the profile back in the pool; a
/// repeated cancel is done, a fresh one refused.
#[tokio::test]
async fn a_cancelled_order_goes_back_to_the_pool() {
    let clock = TestClock::new();
    let sim = start(config(&clock, &["cancelOrder:1:lost_answer"])).await;
    let client = es2_client(&sim);
    let iccid = sim.netsim.available_profiles()[0].clone();
    assert!(client
        .download_order(&order(&iccid), &call("c-1"))
        .await
        .is_confirmed());
    assert!(client
        .confirm_order(&confirm(&iccid, "order-5", false), &call("c-2"))
        .await
        .is_confirmed());
    let cancel = CancelOrder {
        iccid: iccid.clone(),
        eid: None,
        matching_id: Some(MatchingId::derive("order-5")),
        final_status: FinalProfileStatus::Available,
    };
    // The first answer is lost after the cancel was done; the repeat finds it done.
    assert_eq!(
        client.cancel_order(&cancel, &call("c-3")).await,
        Outcome::Confirmed(())
    );
    assert_eq!(sim.netsim.received_for(Operation::CancelOrder).len(), 2);
    let profile = sim.netsim.profile(&iccid).unwrap();
    assert_eq!(profile.state, ProfileState::Available);
    assert_eq!(profile.matching_id, None);
    match client.cancel_order(&cancel, &call("c-4")).await {
        Outcome::Rejected(r) => assert_eq!(r.code.as_deref(), Some("8.2.1/3.5")),
        other => panic!("{other:?}"),
    }
}

/// When nothing answers in time, the client says try again; the outbox's later repeat
/// (`Call::repeat`) finishes the job without a second profile.
#[tokio::test]
async fn giving_up_and_repeating_later_is_safe() {
    let clock = TestClock::new();
    let sim = start(config(
        &clock,
        &[
            "confirmOrder:1:lost_answer",
            "confirmOrder:2:timeout",
            "confirmOrder:3:server_error",
        ],
    ))
    .await;
    let client = es2_client(&sim);
    let iccid = sim.netsim.available_profiles()[0].clone();
    assert!(client
        .download_order(&order(&iccid), &call("r-1"))
        .await
        .is_confirmed());
    match client
        .confirm_order(&confirm(&iccid, "order-6", true), &call("r-2"))
        .await
    {
        Outcome::TryAgain(t) => assert!(t.why.contains("HTTP 503"), "{t}"),
        other => panic!("{other:?}"),
    }
    let later = client
        .confirm_order(
            &confirm(&iccid, "order-6", true),
            &Call::repeat("r-2").unwrap(),
        )
        .await;
    assert_eq!(
        later.confirmed().unwrap().matching_id,
        MatchingId::derive("order-6")
    );
    assert_eq!(sim.netsim.profile(&iccid).unwrap().times_allocated, 1);
}

/// The envelope, enforced on both sides: the SM-DP+ refuses a request without
/// `X-Admin-Protocol` or without the header fields (HTTP 400), and the client refuses an
/// answer whose `X-Admin-Protocol` is not gsma/rsp/v2.x.
#[tokio::test]
async fn envelope_errors() {
    let clock = TestClock::new();
    let sim = start(config(&clock, &[])).await;
    let iccid = sim.netsim.available_profiles()[0].clone();
    let http = reqwest::Client::new();
    let url = format!("{}/gsma/rsp2/es2plus/downloadOrder", sim.url);
    let good = json!({
        "header": {"functionRequesterIdentifier": "raw", "functionCallIdentifier": "raw-1"},
        "iccid": iccid.as_str(),
    });
    let send = |body: String, protocol: Option<&str>| {
        let mut req = http
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(p) = protocol {
            req = req.header("x-admin-protocol", p);
        }
        req.send()
    };
    assert_eq!(send(good.to_string(), None).await.unwrap().status(), 400);
    assert_eq!(
        send(good.to_string(), Some("gsma/rsp/v3.0.0"))
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        send("{".into(), Some(ADMIN_PROTOCOL))
            .await
            .unwrap()
            .status(),
        400
    );
    let mut no_header = good.clone();
    no_header["header"] = Value::Null;
    assert_eq!(
        send(no_header.to_string(), Some(ADMIN_PROTOCOL))
            .await
            .unwrap()
            .status(),
        400
    );
    let mut bad_eid = good.clone();
    bad_eid["eid"] = json!("1234");
    let res = send(bad_eid.to_string(), Some(ADMIN_PROTOCOL))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-admin-protocol"], ADMIN_PROTOCOL);
    let answer: Value = res.json().await.unwrap();
    assert_eq!(
        answer["header"]["functionExecutionStatus"]["status"],
        "Failed"
    );
    assert_eq!(
        answer["header"]["functionExecutionStatus"]["statusCodeData"]["subjectCode"],
        "8.1.1"
    );
    assert_eq!(
        sim.netsim.profile(&iccid).unwrap().state,
        ProfileState::Available
    );
    // The well-formed one works, and answers the ICCID padded as SGP.22 does.
    let res = send(good.to_string(), Some(ADMIN_PROTOCOL)).await.unwrap();
    let answer: Value = res.json().await.unwrap();
    assert_eq!(
        answer["header"]["functionExecutionStatus"]["status"],
        "Executed-Success"
    );
    assert_eq!(answer["iccid"], format!("{iccid}F"));

    // An SM-DP+ speaking another protocol version: the client does not take its answer.
    let app = axum::Router::new().route(
        "/gsma/rsp2/es2plus/releaseProfile",
        axum::routing::post(|| async {
            (
                [("x-admin-protocol", "vendor/v1")],
                r#"{"header":{"functionExecutionStatus":{"status":"Executed-Success"}}}"#,
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other_url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = simrenew_network::es2plus::Es2Client::new(es2_config(&other_url)).unwrap();
    match client.release_profile(&iccid, &call("v-1")).await {
        Outcome::Rejected(r) => assert!(r.reason.contains("vendor/v1"), "{r}"),
        other => panic!("{other:?}"),
    }
    server.abort();
}
