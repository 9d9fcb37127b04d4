//! Checks the requests our adapters send against the request schemas of the providers'
//! official OpenAPI specs (`shared/specs/`): the mock servers cannot be trusted to (Prism lets
//! invalid bodies through), so the tests do it themselves.
//!
//! Stripe's bodies are `application/x-www-form-urlencoded` with bracketed keys
//! (`metadata[order_id]=7`, `payment_method_types[]=card`): they are decoded into JSON, and
//! strings are read as integers or booleans where the schema says so, before validation.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value};

/// The specs folder: `SIMRENEW_SPECS_DIR`, or `shared/specs` beside the repository.
pub fn specs_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("SIMRENEW_SPECS_DIR") {
        return PathBuf::from(dir);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // crates/simrenew → the repository → its parent, where shared/ lives.
    manifest.join("../../../shared/specs")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Spec {
    Stripe,
    PaypalOrders,
    PaypalPayments,
    PaypalWebhooks,
    PaypalVault,
}

impl Spec {
    fn file(self) -> &'static str {
        match self {
            Spec::Stripe => "stripe/spec3.json",
            Spec::PaypalOrders => "paypal/checkout_orders_v2.json",
            Spec::PaypalPayments => "paypal/payments_payment_v2.json",
            Spec::PaypalWebhooks => "paypal/notifications_webhooks_v1.json",
            Spec::PaypalVault => "paypal/vault_payment_tokens_v3.json",
        }
    }
}

fn spec(which: Spec) -> Arc<Value> {
    static SPECS: OnceLock<Mutex<HashMap<Spec, Arc<Value>>>> = OnceLock::new();
    let mut specs = SPECS.get_or_init(Default::default).lock().unwrap();
    specs
        .entry(which)
        .or_insert_with(|| {
            let path = specs_dir().join(which.file());
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            Arc::new(serde_json::from_str(&text).unwrap())
        })
        .clone()
}

type Key = (Spec, &'static str, &'static str);

struct Compiled {
    validator: jsonschema::Validator,
    /// The request schema with the spec's components beside it, for coercion.
    schema: Value,
}

/// The request body schema of `method path` (the path as written in the spec), with the
/// spec's `components` at its root so that `#/components/...` references resolve.
fn compiled(which: Spec, path: &'static str, method: &'static str) -> Arc<Compiled> {
    static CACHE: OnceLock<Mutex<HashMap<Key, Arc<Compiled>>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
    cache
        .entry((which, path, method))
        .or_insert_with(|| {
            let spec = spec(which);
            let op = &spec["paths"][path][method];
            assert!(op.is_object(), "{which:?} has no {method} {path}");
            let mut body = op["requestBody"].clone();
            if let Some(r) = body["$ref"].as_str() {
                body = resolve(&spec, r).clone();
            }
            let content = body["content"].as_object().expect("request body content");
            let (_, media) = content.iter().next().expect("a media type");
            let mut schema = media["schema"].clone();
            if let Some(r) = schema["$ref"].as_str() {
                schema = resolve(&spec, r).clone();
            }
            let mut root = match schema {
                Value::Object(m) => m,
                _ => panic!("schema of {method} {path} is not an object"),
            };
            root.insert("components".into(), spec["components"].clone());
            let schema = Value::Object(root);
            let validator = jsonschema::draft4::options()
                .build(&schema)
                .unwrap_or_else(|e| panic!("compiling the schema of {method} {path}: {e}"));
            Arc::new(Compiled { validator, schema })
        })
        .clone()
}

fn resolve<'a>(root: &'a Value, reference: &str) -> &'a Value {
    let pointer = reference.trim_start_matches('#');
    root.pointer(pointer)
        .unwrap_or_else(|| panic!("unresolvable reference {reference}"))
}

/// Validates a JSON body; returns the violations (empty when valid).
pub fn check_json(
    which: Spec,
    path: &'static str,
    method: &'static str,
    body: &Value,
) -> Vec<String> {
    let c = compiled(which, path, method);
    c.validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

/// Validates a form body (Stripe); returns the violations (empty when valid).
pub fn check_form(
    which: Spec,
    path: &'static str,
    method: &'static str,
    form: &[u8],
) -> Vec<String> {
    let c = compiled(which, path, method);
    let decoded = match decode_form(form) {
        Ok(v) => v,
        Err(e) => return vec![e],
    };
    let coerced = coerce(decoded, &c.schema, &c.schema);
    c.validator
        .iter_errors(&coerced)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

/// `a=1&b[c]=2&d[]=x&d[]=y` → `{"a":"1","b":{"c":"2"},"d":["x","y"]}`.
pub fn decode_form(form: &[u8]) -> Result<Value, String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(form).map_err(|e| format!("not a form: {e}"))?;
    let mut root = Value::Object(Map::new());
    for (key, value) in pairs {
        let (head, rest) = match key.find('[') {
            Some(i) => (&key[..i], &key[i..]),
            None => (key.as_str(), ""),
        };
        let mut parts = vec![head.to_owned()];
        let mut rest = rest;
        while let Some(stripped) = rest.strip_prefix('[') {
            let end = stripped
                .find(']')
                .ok_or_else(|| format!("unbalanced brackets in {key:?}"))?;
            parts.push(stripped[..end].to_owned());
            rest = &stripped[end + 1..];
        }
        if !rest.is_empty() {
            return Err(format!("bad key {key:?}"));
        }
        insert(&mut root, &parts, Value::String(value))?;
    }
    Ok(root)
}

fn insert(node: &mut Value, parts: &[String], value: Value) -> Result<(), String> {
    let Some((first, rest)) = parts.split_first() else {
        *node = value;
        return Ok(());
    };
    if first.is_empty() {
        // `[]`: append to an array.
        if node.is_null() {
            *node = Value::Array(vec![]);
        }
        let arr = node.as_array_mut().ok_or("[] on a non-array")?;
        let mut child = Value::Null;
        insert(&mut child, rest, value)?;
        arr.push(child);
        return Ok(());
    }
    if node.is_null() {
        *node = Value::Object(Map::new());
    }
    let obj = node.as_object_mut().ok_or("key on a non-object")?;
    let child = obj.entry(first.clone()).or_insert(Value::Null);
    insert(child, rest, value)
}

fn deref<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => deref(resolve(root, r), root),
        None => schema,
    }
}

fn shape_fits(v: &Value, schema: &Value) -> bool {
    match (v, schema["type"].as_str()) {
        (Value::Object(_), t) => t == Some("object") || schema.get("properties").is_some(),
        (Value::Array(_), t) => t == Some("array"),
        (Value::String(s), Some("integer")) => s.parse::<i64>().is_ok(),
        (Value::String(s), Some("boolean")) => s == "true" || s == "false",
        (Value::String(_), Some("string")) => true,
        (Value::String(s), Some("number")) => s.parse::<f64>().is_ok(),
        _ => false,
    }
}

/// Reads form strings as the types the schema asks for.
fn coerce(v: Value, schema: &Value, root: &Value) -> Value {
    let schema = deref(schema, root);
    if let Some(options) = schema["anyOf"].as_array().or(schema["oneOf"].as_array()) {
        for option in options {
            let option = deref(option, root);
            if shape_fits(&v, option) {
                return coerce(v, option, root);
            }
        }
        return v;
    }
    match v {
        Value::String(s) => match schema["type"].as_str() {
            Some("integer") => s
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or(Value::String(s)),
            Some("number") => s
                .parse::<f64>()
                .ok()
                .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number))
                .unwrap_or(Value::String(s)),
            Some("boolean") => match s.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(s),
            },
            _ => Value::String(s),
        },
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, child)| {
                    let sub = schema["properties"]
                        .get(&k)
                        .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()))
                        .cloned()
                        .unwrap_or(Value::Null);
                    let c = coerce(child, &sub, root);
                    (k, c)
                })
                .collect(),
        ),
        Value::Array(a) => {
            let items = schema["items"].clone();
            Value::Array(a.into_iter().map(|x| coerce(x, &items, root)).collect())
        }
        other => other,
    }
}

#[test]
fn the_check_rejects_known_bad_requests() {
    // Stripe: an amount that is not a number, an unknown field, and no currency.
    let bad = b"amount=ten&colour=blue&payment_method_types[]=card";
    let errors = check_form(Spec::Stripe, "/v1/payment_intents", "post", bad);
    assert!(errors.len() >= 3, "{errors:?}");
    let good = b"amount=1000&currency=eur&payment_method_types[]=card&metadata[order_id]=7\
                 &confirm=true";
    assert_eq!(
        check_form(Spec::Stripe, "/v1/payment_intents", "post", good),
        Vec::<String>::new()
    );
    // PayPal: no intent, and purchase_units not an array.
    let bad = serde_json::json!({"purchase_units": {"amount": "10"}});
    let errors = check_json(Spec::PaypalOrders, "/v2/checkout/orders", "post", &bad);
    assert!(errors.len() >= 2, "{errors:?}");
    let good = serde_json::json!({"intent": "CAPTURE", "purchase_units": [
        {"amount": {"currency_code": "EUR", "value": "10.00"}}]});
    assert_eq!(
        check_json(Spec::PaypalOrders, "/v2/checkout/orders", "post", &good),
        Vec::<String>::new()
    );
    // A wrong currency code shape is caught inside a referenced component.
    let bad = serde_json::json!({"intent": "CAPTURE", "purchase_units": [
        {"amount": {"currency_code": "euro", "value": "10.00"}}]});
    assert!(!check_json(Spec::PaypalOrders, "/v2/checkout/orders", "post", &bad).is_empty());
}

#[test]
fn bracketed_form_keys_decode_into_json() {
    let v = decode_form(b"a=1&b[c]=2&b[d][e]=3&f[]=x&f[]=y").unwrap();
    assert_eq!(
        v,
        serde_json::json!({"a": "1", "b": {"c": "2", "d": {"e": "3"}}, "f": ["x", "y"]})
    );
}
