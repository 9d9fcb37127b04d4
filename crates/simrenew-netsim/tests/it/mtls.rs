//! ES2+ over mutual TLS: the simulator asks for a client certificate from the operator's CA;
//! the client presents one and checks the SM-DP+'s against the agreed CA. Certificates are
//! made here with rcgen.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use simrenew_netsim::TlsServerConfig;
use simrenew_network::es2plus::{Call, Es2Client};
use simrenew_network::{ClientTls, Outcome};

use crate::support::*;

struct Pki {
    ca_pem: String,
    server_cert_pem: String,
    server_key_pem: String,
    client_identity_pem: String,
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

fn make_pki(name: &str) -> Pki {
    let ca = ca(name);
    let server_key = KeyPair::generate().unwrap();
    let mut server = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server.signed_by(&server_key, &ca).unwrap();
    let client_key = KeyPair::generate().unwrap();
    let mut client = CertificateParams::new(Vec::<String>::new()).unwrap();
    client
        .distinguished_name
        .push(DnType::CommonName, "simrenew operator");
    client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_cert = client.signed_by(&client_key, &ca).unwrap();
    Pki {
        ca_pem: ca.pem(),
        server_cert_pem: server_cert.pem(),
        server_key_pem: server_key.serialize_pem(),
        client_identity_pem: format!("{}\n{}", client_cert.pem(), client_key.serialize_pem()),
    }
}

#[tokio::test]
async fn es2plus_over_mutual_tls() {
    let pki = make_pki("test CA");
    let clock = TestClock::new();
    let mut cfg = config(&clock, &[]);
    cfg.tls = Some(TlsServerConfig {
        certificate_pem: pki.server_cert_pem.clone().into_bytes(),
        key_pem: pki.server_key_pem.clone().into_bytes(),
        client_ca_pem: Some(pki.ca_pem.clone().into_bytes()),
    });
    let sim = start(cfg).await;
    let iccid = sim.netsim.available_profiles()[0].clone();
    let with = |identity: &str, ca: &str| {
        let mut c = es2_config(&sim.url);
        c.tls = Some(ClientTls {
            identity_pem: Some(identity.as_bytes().to_vec()),
            server_ca_pem: Some(ca.as_bytes().to_vec()),
        });
        Es2Client::new(c).unwrap()
    };
    let call = Call::first("tls-1").unwrap();

    // With the agreed certificates: the call goes through (the profile is not confirmed, so
    // the SM-DP+ refuses the release: an answer over TLS all the same).
    let client = with(&pki.client_identity_pem, &pki.ca_pem);
    match client.release_profile(&iccid, &call).await {
        Outcome::Rejected(r) => assert_eq!(r.code.as_deref(), Some("8.2.1/3.5")),
        other => panic!("{other:?}"),
    }
    assert_eq!(sim.netsim.received().len(), 1);

    // No client certificate: the handshake fails, nothing reaches the SM-DP+.
    let mut no_identity = es2_config(&sim.url);
    no_identity.tls = Some(ClientTls {
        identity_pem: None,
        server_ca_pem: Some(pki.ca_pem.clone().into_bytes()),
    });
    let no_cert = Es2Client::new(no_identity).unwrap();
    assert!(matches!(
        no_cert.release_profile(&iccid, &call).await,
        Outcome::TryAgain(_)
    ));
    // A certificate from another CA: refused by the SM-DP+; and an SM-DP+ whose certificate
    // is not from the agreed CA: refused by the client.
    let other = make_pki("another CA");
    let stranger = with(&other.client_identity_pem, &pki.ca_pem);
    assert!(matches!(
        stranger.release_profile(&iccid, &call).await,
        Outcome::TryAgain(_)
    ));
    let distrusting = with(&pki.client_identity_pem, &other.ca_pem);
    match distrusting.release_profile(&iccid, &call).await {
        Outcome::TryAgain(t) => assert!(
            t.why.contains("certificate") || t.why.contains("connection"),
            "{t}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        sim.netsim.received().len(),
        1,
        "only the authenticated call got through"
    );
}

#[test]
fn bad_pem_is_a_configuration_error() {
    let mut c = es2_config("https://127.0.0.1:1");
    c.tls = Some(ClientTls {
        identity_pem: Some(b"not a pem".to_vec()),
        server_ca_pem: None,
    });
    assert!(Es2Client::new(c).is_err());
    let pki = make_pki("test CA");
    let mut c = es2_config("https://127.0.0.1:1");
    c.tls = Some(ClientTls {
        identity_pem: Some(pki.client_identity_pem.into_bytes()),
        server_ca_pem: Some(b"nothing here".to_vec()),
    });
    assert!(Es2Client::new(c).is_err());
}
