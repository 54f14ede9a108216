//! Records the fixtures `fixtures/ike-auth/*.txt`: real strongSwan IKE_AUTH
//! responses to the probe's credential-less request, with what it takes to
//! check their AUTH offline (RFC 7296 §2.15): the IKE_SA_INIT response
//! (RealMessage2), our nonce (Ni), SK_pr and the PRF, IDr, the certificates
//! and the AUTH payload. One file per signature scheme strongSwan uses:
//! RFC 7427 with RSASSA-PKCS1-v1_5 and with RSASSA-PSS, the old RSA method
//! 1, ECDSA through RFC 7427 and the RFC 4754 method 10.
//!
//! Every run checks each recorded AUTH (so under `--include-ignored` it is a
//! live test of the verification); with `AOVD_RECORD_FIXTURES=1` it also
//! rewrites the files. The probe runs in this process, on a thread moved
//! into the client namespace (`setns`), so its secrets are at hand.
//!
//! `sudo AOVPN_LAB=1 AOVD_RECORD_FIXTURES=1 cargo test --test lab_auth_fixtures -- --include-ignored`

#[path = "support/lab.rs"]
mod lab;

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use aovpn_diag::cert::auth::{self, AuthVerdict};
use aovpn_diag::cert::info::CertInfo;
use aovpn_diag::diagnose::ike::proposals;
use aovpn_diag::env::Env;
use aovpn_diag::probe::ike::Responder;
use aovpn_diag::probe::ike::auth::{Request, run_request};
use aovpn_diag::probe::ike::exchange::{self, Exchange, Timing};
use aovpn_diag::probe::net::Fragmentation;
use aovpn_diag::wire::ike::PrfId;
use aovpn_diag::wire::ike::credentials;
use aovpn_diag::wire::ike::protect::{self, Suite};

/// One recorded exchange: the lines of its fixture file.
fn record(server: IpAddr, root_der: &[u8]) -> Result<String, String> {
    let env = Env::system();
    let timing = Timing {
        timeout: Duration::from_secs(2),
        retransmits: 1,
    };
    let ex = Exchange {
        peer: SocketAddr::new(server, 500),
        proposals: proposals::default_offer(),
        ke_group: None,
        follow_invalid_ke: true,
        pad_to_ip_size: None,
        fragmentation: Fragmentation::SystemDefault,
        timing,
        offer_fragmentation: true,
    };
    let done = exchange::run(&env, &ex).map_err(|e| e.to_string())?;
    let init = done.sa_init.ok_or("IKE_SA_INIT unanswered")?;
    let chosen = init
        .response
        .sa()
        .and_then(|sa| sa.proposals.first())
        .ok_or("no proposal")?;
    let suite = Suite::from_proposal(chosen).map_err(|e| e.to_string())?;
    let ke = init.response.ke().ok_or("no KE")?;
    let shared = init
        .key_pair
        .shared_secret(ke.group, &ke.data)
        .map_err(|e| e.to_string())?;
    let nr = init.response.nonce().ok_or("no Nr")?;
    let keys = protect::derive_keys(
        &suite,
        &shared,
        &init.nonce_i,
        nr,
        &init.spi_i,
        &init.response.header.spi_r,
    )
    .map_err(|e| e.to_string())?;
    let negotiated = done
        .facts
        .response
        .as_ref()
        .is_some_and(|r| r.fragmentation_supported);
    let request = Request {
        certreq: Some(vec![
            aovpn_diag::cert::trust::spki_sha1(root_der).ok_or("bad root")?,
        ]),
        ..Request::default()
    };
    let facts = run_request(
        &env,
        &Responder::new(server, timing),
        Some(&init),
        negotiated,
        &request,
    )
    .map_err(|e| e.to_string())?;
    let creds = facts.credentials.ok_or("no credentials in the answer")?;
    let prf = chosen
        .of_type(aovpn_diag::wire::ike::TransformType::PRF)
        .next()
        .map(|t| PrfId(t.id))
        .ok_or("no PRF")?;
    let hex = aovpn_diag::wire::hex;
    let mut out = String::new();
    writeln!(out, "prf={}", prf.0).unwrap();
    writeln!(out, "message2={}", hex(&init.response_bytes)).unwrap();
    writeln!(out, "nonce_i={}", hex(&init.nonce_i)).unwrap();
    writeln!(out, "sk_pr={}", hex(&keys.sk_pr)).unwrap();
    let idr = creds.id.as_ref().ok_or("no IDr")?;
    writeln!(out, "idr={}", hex(&idr.body())).unwrap();
    for c in &creds.certs {
        writeln!(out, "cert={}", hex(&c.data)).unwrap();
    }
    let a = creds.auth.as_ref().ok_or("no AUTH")?;
    let mut body = vec![a.method.0, 0, 0, 0];
    body.extend_from_slice(&a.data);
    writeln!(out, "auth={}", hex(&body)).unwrap();
    Ok(out)
}

/// Verifies a fixture's AUTH the way the unit test does (from the text).
fn verify(text: &str) -> AuthVerdict {
    let field = |k: &str| -> Vec<Vec<u8>> {
        text.lines()
            .filter_map(|l| l.strip_prefix(&format!("{k}=")))
            .map(unhex)
            .collect()
    };
    let one = |k: &str| field(k).into_iter().next().unwrap();
    let prf = protect::Prf::from_id(PrfId(
        text.lines()
            .find_map(|l| l.strip_prefix("prf="))
            .unwrap()
            .parse()
            .unwrap(),
    ))
    .unwrap();
    let maced = prf.prf(&one("sk_pr"), &[&one("idr")]).unwrap();
    let octets = credentials::responder_signed_octets(&one("message2"), &one("nonce_i"), &maced);
    let auth = aovpn_diag::wire::ike::credentials::Auth::parse(&one("auth")).unwrap();
    let leaf = CertInfo::parse(&one("cert")).unwrap();
    auth::check(&auth, Some(&leaf), &octets).verdict
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Runs `f` on a thread inside network namespace `ns` (Linux `setns`).
#[cfg(target_os = "linux")]
fn in_namespace<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    use std::os::fd::AsRawFd;
    let file = std::fs::File::open(format!("/run/netns/{ns}")).expect("namespace file");
    std::thread::spawn(move || {
        // SAFETY: a valid namespace fd; setns moves only this thread.
        let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns: {}", std::io::Error::last_os_error());
        f()
    })
    .join()
    .expect("recording thread")
}

#[cfg(not(target_os = "linux"))]
fn in_namespace<T: Send + 'static>(_: &str, _: impl FnOnce() -> T + Send + 'static) -> T {
    unreachable!("the lab is Linux-only")
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn strongswan_auth_payloads_verify_and_are_recorded() {
    let lab = lab::Lab::require();
    let root_pem = std::fs::read(format!(
        "{}/certs-server-cert/root.pem",
        lab.addr("STATE_DIR")
    ))
    .expect("lab PKI");
    let root_der = aovpn_diag::cert::trust::certificates_in(&root_pem)
        .unwrap()
        .remove(0);
    let server: IpAddr = lab.addr("SERVER4").parse().unwrap();
    // (file, server certificate, extra charon settings, what strongSwan signs with)
    let cases = [
        (
            "strongswan-rsa-rfc7427.txt",
            "good",
            "",
            "RSASSA-PKCS1-v1_5",
        ),
        (
            "strongswan-rsa-pss.txt",
            "good",
            "rsa_pss = yes",
            "RSASSA-PSS",
        ),
        (
            "strongswan-rsa-method1.txt",
            "good",
            "signature_authentication = no",
            "RSASSA-PKCS1-v1_5 with SHA-1",
        ),
        ("strongswan-ecdsa-rfc7427.txt", "ec", "", "ECDSA"),
        (
            "strongswan-ecdsa-method10.txt",
            "ec",
            "signature_authentication = no",
            "ECDSA with SHA-384",
        ),
    ];
    let record_to = std::env::var("AOVD_RECORD_FIXTURES")
        .ok()
        .filter(|v| v == "1")
        .map(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ike-auth"));
    for (file, cert, extra, scheme) in cases {
        // lab.sh puts AOVD_CHARON_EXTRA into the charon { } section.
        let out = std::process::Command::new(lab::Lab::script())
            .args(["server", "start", "--eap", "--server-cert", cert])
            .env("AOVD_CHARON_EXTRA", extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        lab.fw(&["none"]);
        let der = root_der.clone();
        let text = in_namespace(lab::NS_CLIENT, move || record(server, &der))
            .unwrap_or_else(|e| panic!("{file}: {e}\n{}", lab.charon_logs(30)));
        let auth_line = text.lines().find(|l| l.starts_with("auth=")).unwrap();
        let parsed =
            aovpn_diag::wire::ike::credentials::Auth::parse(&unhex(&auth_line[5..])).unwrap();
        let described = auth::check(&parsed, None, &[]).scheme.unwrap_or_default();
        assert!(described.contains(scheme), "{file}: {described}");
        assert_eq!(verify(&text), AuthVerdict::Verified, "{file}");
        if let Some(dir) = &record_to {
            std::fs::create_dir_all(dir).unwrap();
            let header = format!(
                "# strongSwan {} IKE_AUTH response to aovpn-diag probe --auth (lab.sh server start --eap --server-cert {cert}{}), recorded by tests/lab_auth_fixtures.rs\n# scheme: {described}\n",
                strongswan_version(),
                if extra.is_empty() {
                    String::new()
                } else {
                    format!(", charon {{ {extra} }}")
                }
            );
            std::fs::write(dir.join(file), header + &text).unwrap();
        }
    }
}

fn strongswan_version() -> String {
    std::process::Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", "strongswan-charon"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "(version unknown)".to_owned())
}
