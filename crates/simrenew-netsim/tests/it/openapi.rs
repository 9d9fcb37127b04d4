//! The provisioning client's requests, and the simulator's answers, checked against the
//! protocol's OpenAPI document (`crates/simrenew-network/provisioning-api.yaml`).

use serde_json::{json, Map, Value};
use simrenew_domain::catalog::DataAllowance;
use simrenew_domain::identifiers::{Iccid, Msisdn};
use simrenew_netsim::Operation;
use simrenew_network::provisioning::{BundleGranted, IdempotencyKey, LineRef, ProvisioningRequest};
use simrenew_network::signing::{signature_header, SIGNATURE_HEADER};
use yaml_rust2::{Yaml, YamlLoader};

use crate::support::*;

fn spec() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../simrenew-network/provisioning-api.yaml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let docs = YamlLoader::load_from_str(&text).unwrap();
    to_json(&docs[0])
}

fn to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Real(s) => json!(s.parse::<f64>().unwrap()),
        Yaml::Integer(i) => json!(i),
        Yaml::String(s) => json!(s),
        Yaml::Boolean(b) => json!(b),
        Yaml::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        Yaml::Hash(h) => {
            let mut m = Map::new();
            for (k, v) in h {
                let key = match k {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    other => panic!("unexpected key {other:?}"),
                };
                m.insert(key, to_json(v));
            }
            Value::Object(m)
        }
        Yaml::Null => Value::Null,
        other => panic!("unexpected YAML {other:?}"),
    }
}

/// A validator for `schema` with the spec's components beside it, so `$ref`s resolve.
fn validator(spec: &Value, schema: &Value) -> jsonschema::Validator {
    let mut root = schema.clone();
    if let Some(r) = schema["$ref"].as_str() {
        root = json!({ "$ref": r });
    }
    root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    root["components"] = spec["components"].clone();
    jsonschema::validator_for(&root).unwrap()
}

fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str() {
        Some(r) => spec
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{r} does not resolve")),
        None => v,
    }
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: {instance} is not valid: {errors:?}"
    );
}

fn path_of(op: Operation) -> &'static str {
    match op {
        Operation::BundleGranted => "/v1/bundle-grants",
        Operation::LineSuspended => "/v1/line-suspensions",
        Operation::LineResumed => "/v1/line-resumptions",
        Operation::NumberReleased => "/v1/number-releases",
        _ => unreachable!(),
    }
}

#[test]
fn the_document_is_openapi_3_1_with_the_four_operations() {
    let spec = spec();
    assert_eq!(spec["openapi"], "3.1.0");
    for op in [
        Operation::BundleGranted,
        Operation::LineSuspended,
        Operation::LineResumed,
        Operation::NumberReleased,
    ] {
        let post = &spec["paths"][path_of(op)]["post"];
        assert_eq!(post["operationId"], op.as_str());
        assert!(post["requestBody"]["content"]["application/json"]["schema"].is_object());
    }
}

/// Every request the client sends, with and without its optional fields, and the
/// simulator's answers, in success and refusal, follow the document.
#[tokio::test]
async fn requests_and_answers_follow_the_document() {
    let spec = spec();
    let clock = TestClock::new();
    let sim = start(config(&clock, &[])).await;
    let client = provisioning_client(&sim, &clock, SECRET);
    let msisdn = Msisdn::parse("+32470100001").unwrap();
    let iccid = Some(Iccid::from_body("8932990000000000071").unwrap());
    let grant = |data, iccid: Option<Iccid>| {
        ProvisioningRequest::BundleGranted(BundleGranted {
            msisdn: msisdn.clone(),
            iccid,
            plan_code: "LUMO-UNL-7D".to_owned(),
            data,
            starts_at: "2027-03-01T10:00:00Z".parse().unwrap(),
            ends_at: "2027-03-08T10:00:00Z".parse().unwrap(),
        })
    };
    let line = LineRef {
        msisdn: msisdn.clone(),
        iccid: iccid.clone(),
    };
    let requests = [
        grant(DataAllowance::Megabytes(5000), iccid.clone()),
        grant(DataAllowance::Unlimited, None),
        ProvisioningRequest::LineSuspended(line.clone()),
        ProvisioningRequest::LineResumed(LineRef {
            msisdn: msisdn.clone(),
            iccid: None,
        }),
        ProvisioningRequest::NumberReleased(line),
    ];
    for (i, r) in requests.iter().enumerate() {
        let key = IdempotencyKey::parse(&format!("outbox-{i}")).unwrap();
        assert!(client.send(r, &key).await.is_confirmed());
    }

    let received = sim.netsim.received();
    assert_eq!(received.len(), requests.len());
    for r in &received {
        let post = &spec["paths"][path_of(r.operation)]["post"];
        let schema = &post["requestBody"]["content"]["application/json"]["schema"];
        assert_valid(&validator(&spec, schema), &r.body, r.operation.as_str());
        for p in post["parameters"].as_array().unwrap() {
            let p = resolve(&spec, p);
            let name = p["name"].as_str().unwrap().to_ascii_lowercase();
            let value = r
                .headers
                .get(&name)
                .unwrap_or_else(|| panic!("no {name} header"));
            assert_valid(&validator(&spec, &p["schema"]), &json!(value), &name);
        }
        assert_eq!(r.headers["content-type"], "application/json");
    }

    // The answers: a confirmation, and a refusal, as problem+json.
    let responses = &spec["paths"]["/v1/bundle-grants"]["post"]["responses"];
    let done = resolve(&spec, &responses["200"]);
    let problem = resolve(&spec, &responses["422"]);
    let done_schema = validator(&spec, &done["content"]["application/json"]["schema"]);
    let problem_schema = validator(
        &spec,
        &problem["content"]["application/problem+json"]["schema"],
    );
    let http = reqwest::Client::new();
    let post = |body: &Value, key: &str| {
        let body = body.to_string();
        http.post(format!("{}/v1/bundle-grants", sim.url))
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .header(
                SIGNATURE_HEADER,
                signature_header(SECRET, (clock.now())(), body.as_bytes()),
            )
            .body(body)
            .send()
    };
    let mut body = grant(DataAllowance::Megabytes(1000), None).body();
    body["msisdn"] = json!("+32470100002");
    let res = post(&body, "raw-1").await.unwrap();
    assert_eq!(res.status(), 200);
    assert_valid(&done_schema, &res.json().await.unwrap(), "200");
    body["data_mb"] = json!(-5);
    let res = post(&body, "raw-2").await.unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let answer: Value = res.json().await.unwrap();
    assert_eq!(answer["field"], "data_mb");
    assert_valid(&problem_schema, &answer, "422");
    // ...and the document refuses what the simulator refuses.
    let bundle_schema = validator(
        &spec,
        &spec["paths"]["/v1/bundle-grants"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"],
    );
    assert!(!bundle_schema.is_valid(&body));
}
