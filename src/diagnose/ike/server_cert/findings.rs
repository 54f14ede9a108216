//! The findings of the server-certificate check, one function per code,
//! each tested in `server_cert/tests.rs`. Pure: facts in, findings out.

use super::{CertAssessment, MtuSource, ServerCertFacts};
use crate::cert::CertInfo;
use crate::cert::auth::AuthVerdict;
use crate::cert::chain::ChainProblem;
use crate::cert::info::{EKU_ANY, EKU_IKE_INTERMEDIATE, EKU_SERVER_AUTH};
use crate::diagnose::ike::{AuthFacts, TargetResult};
use crate::finding::{Code, Finding, Severity};
use crate::wire::ike::NotifyType;

/// A certificate that expires within this many days draws a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

const DAY_MS: i64 = 86_400_000;

const IMPORT_ROOT: &str = "import the root CA into the clients' Trusted Root Certification \
Authorities store (Intune trusted certificate profile, or Group Policy: Computer Configuration > \
Windows Settings > Security Settings > Public Key Policies > Trusted Root Certification Authorities)";

const RRAS_FRAGMENTATION: &str = "On Windows RRAS set the DWORD EnableServerFragmentation = 1 \
under HKLM\\SYSTEM\\CurrentControlSet\\Services\\RemoteAccess\\Parameters\\Ikev2 and restart \
RemoteAccess (Windows Server 1803/2019 or later); on strongSwan set fragmentation = yes.";

/// How a large IKE_AUTH response can avoid IP fragments, given whether the
/// server already offers IKEv2 fragmentation (16430): only then does the
/// advice move from the server's setting to the clients.
fn avoid_ip_fragments(offered: bool) -> String {
    if offered {
        "The server already offers IKEv2 fragmentation: Windows 10 1803 and later clients get \
this response in SKF pieces without IP fragments; older clients, and profiles with IKEv2 \
fragmentation turned off (aovpn-diag profile shows it), still get the IP fragments."
            .to_owned()
    } else {
        format!(
            "{RRAS_FRAGMENTATION} Windows clients use IKEv2 fragmentation from Windows 10 1803 on."
        )
    }
}

/// Every finding of the check for one address, cause before consequence.
pub fn findings(t: &TargetResult) -> Vec<Finding> {
    let Some(f) = &t.server_cert else {
        return Vec::new();
    };
    let addr = t.address.to_string();
    let mut out = Vec::new();
    out.extend(fragments_dropped_toward_client(t, f, &addr));
    out.extend(large_ike_auth_response(t, f, &addr));
    match &f.assessment {
        None => out.extend(not_offered(t, &addr)),
        Some(a) => {
            out.extend(auth_invalid(a, &addr));
            out.extend(untrusted_root(a, &addr));
            out.extend(chain_incomplete(a, &addr));
            out.extend(validity(a, &addr));
            out.extend(name_mismatch(a, &addr));
            out.extend(missing_server_auth_eku(a, &addr));
            out.push(server_cert(a, &addr));
        }
    }
    out
}

/// `Windows shows 13801` is added by the registry for fails; evidence
/// common to the certificate findings.
fn cert_finding(
    code: Code,
    severity: Severity,
    addr: &str,
    c: &CertInfo,
    summary: String,
) -> Finding {
    Finding::new(code, severity, summary)
        .with("address", addr)
        .with("subject", c.subject.as_str())
        .with("issuer", c.issuer.as_str())
        .with("serial", c.serial.as_str())
        .with("not_before", c.not_before.to_string())
        .with("not_after", c.not_after.to_string())
}

/// `server-cert` (info): IDr, one line per certificate, the AUTH method.
pub fn server_cert(a: &CertAssessment, addr: &str) -> Finding {
    let lines: Vec<String> = a
        .certs
        .iter()
        .enumerate()
        .map(|(i, c)| match &c.info {
            Some(info) => format!(
                "{}: {} (issuer {}; {}; valid {} to {})",
                i + 1,
                info.subject,
                info.issuer,
                info.key.describe(),
                info.not_before.short(),
                info.not_after.short()
            ),
            None => format!(
                "{}: {} bytes, {}",
                i + 1,
                c.bytes,
                c.error.as_deref().unwrap_or("unreadable")
            ),
        })
        .collect();
    let auth = a.auth.as_ref().map(|x| {
        let alg = x.signature_algorithm.as_deref().or(x.scheme.as_deref());
        match alg {
            Some(alg) => format!("{} ({alg})", x.method_name),
            None => x.method_name.clone(),
        }
    });
    let chain = a.chain.as_ref().map(|c| {
        if c.trusted {
            format!("trusted: {}", c.path.join(" <- "))
        } else {
            "not trusted".to_owned()
        }
    });
    Finding::new(
        Code::ServerCert,
        Severity::Info,
        format!(
            "{addr}: IDr {} and {} certificate(s): {}",
            a.idr.as_deref().unwrap_or("-"),
            a.certs.len(),
            a.leaf()
                .map_or("(unreadable)".to_owned(), CertInfo::short_name)
        ),
    )
    .with("address", addr)
    .with("idr", a.idr.clone())
    .with("certificates", lines)
    .with("auth", auth)
    .with("chain", chain)
    .with("trusted_roots", a.trust.as_str())
}

/// `server-cert-not-offered` (info): IKE_AUTH answered, no certificate.
pub fn not_offered(t: &TargetResult, addr: &str) -> Option<Finding> {
    let answered: Vec<&AuthFacts> = t
        .ike_auth
        .iter()
        .chain(
            t.server_cert
                .as_ref()
                .and_then(|f| f.unfragmented.as_ref())
                .and_then(|u| u.auth.as_ref()),
        )
        .filter(|a| a.answered() && a.response.is_some())
        .collect();
    let a = answered.first()?;
    let what = a.describe_response().unwrap_or_default();
    let auth_failed = a
        .response
        .as_ref()
        .is_some_and(|r| r.notifies.contains(&NotifyType::AUTHENTICATION_FAILED));
    let why = if auth_failed {
        "it answered AUTHENTICATION_FAILED: it authenticates clients by certificate (or PSK) and \
shows its own certificate only after the client's AUTH, which this probe cannot send without \
credentials"
    } else {
        "it answered without a CERT payload although the request carried a CERTREQ"
    };
    Some(
        Finding::new(
            Code::ServerCertNotOffered,
            Severity::Info,
            format!("{addr}: the server's certificate could not be seen: {why} (answer: {what})"),
        )
        .with("address", addr)
        .with("response", what)
        .remedy(
            "To see the certificate: try `--identity` with an identity the server maps to an EAP \
connection (strongSwan picks the connection by IDi; e.g. a user name or user@domain), or point the \
probe at a test profile/connection that uses EAP (remote auth = eap-mschapv2 on strongSwan; EAP \
on the RRAS/NPS policy), or read the certificate on the server (certlm.msc, or swanctl --list-certs).",
        ),
    )
}

/// `server-auth-invalid`: the AUTH signature does not verify.
pub fn auth_invalid(a: &CertAssessment, addr: &str) -> Option<Finding> {
    let auth = a
        .auth
        .as_ref()
        .filter(|x| x.verdict == AuthVerdict::Invalid)?;
    let leaf = a.leaf()?;
    Some(
        cert_finding(
            Code::ServerAuthInvalid,
            Severity::Fail,
            addr,
            leaf,
            format!(
                "{addr}: the server's AUTH ({}, {}) does not verify with the key of its certificate \
{} over the IKE_SA_INIT response it must sign (RFC 7296 §2.15): the server is misconfigured \
(certificate and private key do not belong together) or it is not the server",
                auth.method_name,
                auth.scheme.as_deref().unwrap_or("?"),
                leaf.short_name()
            ),
        )
        .with("auth_method", auth.method)
        .with("scheme", auth.scheme.clone())
        .remedy(
            "Check that the server's certificate and private key belong together (strongSwan: \
swanctl --list-certs and the key in swanctl/private; RRAS: the certificate's private key in the \
machine store), and that nothing on the path rewrites IKE (a man in the middle).",
        ),
    )
}

/// `server-cert-untrusted-root`: no path to a trusted root.
pub fn untrusted_root(a: &CertAssessment, addr: &str) -> Option<Finding> {
    let chain = a.chain.as_ref()?;
    let leaf = a.leaf()?;
    let (what, root) = match chain.problem.as_ref()? {
        ChainProblem::UntrustedRoot { root, sent } => (
            format!(
                "the chain ends at the root {root}{}, which is not among the trusted roots ({})",
                if *sent { " (sent by the server)" } else { "" },
                a.trust
            ),
            root.clone(),
        ),
        ChainProblem::Invalid { error } => (
            format!("the chain does not verify up to a trusted root: {error}"),
            String::new(),
        ),
        ChainProblem::Incomplete { .. } => return None,
    };
    Some(
        cert_finding(
            Code::ServerCertUntrustedRoot,
            Severity::Fail,
            addr,
            leaf,
            format!("{addr}: {what}; Windows clients fail with 0x800B0109 and 13801"),
        )
        .with("root", root)
        .with("trusted_roots", a.trust.as_str())
        .remedy(format!(
            "Either {IMPORT_ROOT}, or reissue the server certificate from a CA the clients already \
trust. (If the missing certificate is an intermediate, make the server send it.)"
        )),
    )
}

/// `server-cert-chain-incomplete` (warn): an intermediate was not sent.
pub fn chain_incomplete(a: &CertAssessment, addr: &str) -> Option<Finding> {
    let chain = a.chain.as_ref()?;
    let leaf = a.leaf()?;
    let (summary, missing) = match &chain.problem {
        Some(ChainProblem::Incomplete {
            cert,
            missing_issuer,
        }) => (
            format!(
                "{addr}: the server did not send the issuer of {cert}: {missing_issuer} is neither \
in its CERT payloads nor a trusted root; clients that do not hold it already fail with 13801"
            ),
            vec![missing_issuer.clone()],
        ),
        None if chain.trusted && !chain.complete_as_sent => (
            format!(
                "{addr}: the chain reaches a trusted root only with intermediate(s) the server did \
not send ({}); clients without them fail with 13801",
                chain.taken_from_client.join(", ")
            ),
            chain.taken_from_client.clone(),
        ),
        _ => return None,
    };
    Some(
        cert_finding(
            Code::ServerCertChainIncomplete,
            Severity::Warn,
            addr,
            leaf,
            summary,
        )
        .with("missing", missing)
        .with("in_order", chain.in_order)
        .remedy(
            "Make the server send the whole chain up to (not including) the root: RRAS sends \
what the machine's Intermediate Certification Authorities store holds, so import the intermediate \
there; strongSwan sends the CA certificates in swanctl/x509ca (send_cert = always or ifasked). \
Public CAs (Let's Encrypt and others) hand out the intermediate with the certificate: install it.",
        ),
    )
}

/// `server-cert-expired`, `server-cert-not-yet-valid`,
/// `server-cert-expires-soon`: each sent certificate at the check's time.
pub fn validity(a: &CertAssessment, addr: &str) -> Vec<Finding> {
    let now = a.checked_at;
    let mut out = Vec::new();
    for (i, c) in a.infos().enumerate() {
        let which = if i == 0 {
            "the server certificate".to_owned()
        } else {
            format!("the chain certificate {}", c.short_name())
        };
        if now.0 > c.not_after.0 {
            let days = (now.0 - c.not_after.0) / DAY_MS;
            out.push(
                cert_finding(
                    Code::ServerCertExpired,
                    Severity::Fail,
                    addr,
                    c,
                    format!(
                        "{addr}: {which} ({}) expired on {} ({days} day(s) ago)",
                        c.subject,
                        c.not_after.short()
                    ),
                )
                .with("days_expired", days)
                .remedy("Renew the certificate on the VPN server (same name, Server Authentication EKU) and bind the new one (RRAS: Routing and Remote Access > Properties > Security > Certificate; strongSwan: replace it in swanctl/x509 and swanctl --load-creds)."),
            );
        } else if now.0 < c.not_before.0 {
            out.push(
                cert_finding(
                    Code::ServerCertNotYetValid,
                    Severity::Fail,
                    addr,
                    c,
                    format!(
                        "{addr}: {which} ({}) is not valid before {}",
                        c.subject,
                        c.not_before.short()
                    ),
                )
                .remedy("Check the clocks (this machine, the clients, the CA); otherwise wait, or reissue the certificate with a notBefore in the past."),
            );
        } else if c.not_after.0 - now.0 < EXPIRY_WARNING_DAYS * DAY_MS {
            let days = (c.not_after.0 - now.0) / DAY_MS;
            out.push(
                cert_finding(
                    Code::ServerCertExpiresSoon,
                    Severity::Warn,
                    addr,
                    c,
                    format!(
                        "{addr}: {which} ({}) expires on {} (in {days} day(s))",
                        c.subject,
                        c.not_after.short()
                    ),
                )
                .with("days_left", days)
                .remedy("Renew the certificate before it expires; clients fail with 13801 from that day on."),
            );
        }
    }
    out
}

/// `server-cert-name-mismatch`: the host is not in the certificate.
pub fn name_mismatch(a: &CertAssessment, addr: &str) -> Option<Finding> {
    let n = a.name.as_ref().filter(|n| !n.ok())?;
    let leaf = a.leaf()?;
    Some(
        cert_finding(
            Code::ServerCertNameMismatch,
            Severity::Fail,
            addr,
            leaf,
            format!(
                "{addr}: the server certificate does not name {}: it has {}",
                n.host,
                if n.names.is_empty() {
                    "no subjectAltName and no CN".to_owned()
                } else {
                    n.names.join(", ")
                }
            ),
        )
        .with("host", n.host.as_str())
        .with("names", n.names.clone())
        .remedy(format!(
            "Reissue the server certificate with {} in the subjectAltName (dNSName; iPAddress for an \
address), or make the VPN profile use a name the certificate has. A workaround, not a fix: \
DisableIKENameEkuCheck = 1 (DWORD) under HKLM\\SYSTEM\\CurrentControlSet\\Services\\RasMan\\Parameters \
on the clients.",
            n.host
        )),
    )
}

/// `server-cert-missing-server-auth-eku`.
pub fn missing_server_auth_eku(a: &CertAssessment, addr: &str) -> Option<Finding> {
    let leaf = a.leaf()?;
    if leaf.has_eku(EKU_SERVER_AUTH) {
        return None;
    }
    let has: Vec<String> = leaf
        .ekus
        .iter()
        .flatten()
        .map(|e| format!("{} ({})", e.name, e.oid))
        .collect();
    let listed = match &leaf.ekus {
        None => "has no Extended Key Usage extension".to_owned(),
        Some(_) if has.is_empty() => "has an empty Extended Key Usage".to_owned(),
        Some(_) => format!("lists only {}", has.join(", ")),
    };
    let any = if leaf.has_eku(EKU_ANY) {
        " (Any Purpose is not enough for the IKEv2 client)"
    } else {
        ""
    };
    Some(
        cert_finding(
            Code::ServerCertMissingServerAuthEku,
            Severity::Fail,
            addr,
            leaf,
            format!(
                "{addr}: the server certificate {listed}: no Server Authentication \
({EKU_SERVER_AUTH}){any}; Windows clients fail with 13801"
            ),
        )
        .with("ekus", has)
        .with("ike_intermediate", leaf.has_eku(EKU_IKE_INTERMEDIATE))
        .remedy(
            "Reissue the server certificate with the Server Authentication EKU (1.3.6.1.5.5.7.3.1) \
and, as Microsoft recommends, IP security IKE intermediate (1.3.6.1.5.5.8.2.2): an AD CS template \
based on RAS and IAS Server / Web Server, or strongSwan pki --flag serverAuth --flag ikeIntermediate. \
A workaround, not a fix: DisableIKENameEkuCheck = 1 on the clients.",
        ),
    )
}

/// Did the run with 16430 offered get its answer?
fn fragmentable_answered(t: &TargetResult) -> bool {
    t.ike_auth.as_ref().is_some_and(AuthFacts::answered)
}

/// `ip-fragments-dropped-toward-client`: the unfragmented run's IKE_AUTH
/// went unanswered on the conversation whose IKE_SA_INIT was answered,
/// while its request could not have been the part that was lost.
pub fn fragments_dropped_toward_client(
    t: &TargetResult,
    f: &ServerCertFacts,
    addr: &str,
) -> Option<Finding> {
    let run = f.unfragmented.as_ref()?;
    let b = run.auth.as_ref().filter(|b| b.sent() && !b.answered())?;
    if !run.sa_init.answered() {
        return None;
    }
    // The request must have been no larger than one that got through.
    let largest_arrived = t
        .ports()
        .flat_map(|p| std::iter::once(&p.small).chain(p.fragmented.iter()))
        .filter(|e| e.answered())
        .map(|e| e.ip_datagram_bytes)
        .max()
        .unwrap_or(0);
    if b.request_ip_bytes > largest_arrived {
        return None;
    }
    let offered = t.fragmentation_supported() == Some(true);
    let a_answered = fragmentable_answered(t);
    let a = t.ike_auth.as_ref();
    let size = a
        .and_then(|a| a.response_whole_ip_bytes)
        .map(|n| format!("about {n} bytes"))
        .unwrap_or_else(|| "a certificate-sized response (2 KB and more)".to_owned());
    // The Delete after the lost answer was answered: the server had received
    // (and so answered) the IKE_AUTH, only its answer did not come back.
    let server_got_it = b.delete_answered;
    let fail_why = if server_got_it {
        "the server answered the INFORMATIONAL Delete that followed, so it had received and \
answered the IKE_AUTH"
    } else {
        "unless the server ignores credential-less IKE_AUTH requests altogether (it did not answer \
the Delete that followed either): a capture on the server tells"
    };
    let (severity, summary) = match (offered, a_answered) {
        (true, true) => (
            Severity::Warn,
            format!(
                "{addr}: the server's IKE_AUTH response ({size}) arrived as IKEv2 fragments but never \
as one IP-fragmented datagram (IKE_SA_INIT and IKE_AUTH on one UDP 4500 conversation, 16430 not \
offered, {} request(s)): IP fragments toward this client are dropped; clients that use IKEv2 \
fragmentation (Windows 10 1803+) get through, others fail with error 809",
                b.requests_sent
            ),
        ),
        (false, _) => (
            Severity::Fail,
            format!(
                "{addr}: the server's IKE_AUTH response ({size}) never arrived, although its \
IKE_SA_INIT on the same UDP 4500 conversation did and the request was no larger than ones that got \
through ({} request(s)): the response is lost as IP fragments on the way back, and the server does \
not offer IKEv2 fragmentation; clients fail with error 809 ({fail_why})",
                b.requests_sent
            ),
        ),
        // 16430 offered but even the SKF run went unanswered: not a
        // fragment question (see load-balancer-not-persistent).
        (true, false) => return None,
    };
    Some(
        Finding::new(Code::IpFragmentsDroppedTowardClient, severity, summary)
            .with("address", addr)
            .with(
                "response_ip_bytes",
                a.and_then(|a| a.response_whole_ip_bytes),
            )
            .with("skf_fragments", a.map_or(0, |a| a.skf_total))
            .with("unfragmented_requests_sent", b.requests_sent)
            .with("unfragmented_request_ip_bytes", b.request_ip_bytes)
            .with("delete_answered_after_lost_response", server_got_it)
            .with("fragmentation_supported", offered)
            .remedy(format!(
                "Let IP fragments (first and non-first) through every firewall, NAT and load \
balancer from {addr} to the clients, or make the response avoid them. {}",
                avoid_ip_fragments(offered)
            )),
    )
}

/// `large-ike-auth-response` (warn): the response as one message exceeds
/// the MTU; how many IP fragments it becomes.
pub fn large_ike_auth_response(
    t: &TargetResult,
    f: &ServerCertFacts,
    addr: &str,
) -> Option<Finding> {
    let whole = t
        .ike_auth
        .iter()
        .chain(f.unfragmented.iter().flat_map(|u| u.auth.iter()))
        .find_map(|a| a.response_whole_ip_bytes)?;
    let (mtu, source) = f.mtu?;
    if whole <= usize::from(mtu) {
        return None;
    }
    let v6 = t.address.is_ipv6();
    let overhead = if v6 { 40 + 8 + 4 } else { 20 + 8 + 4 };
    let ike_len = u32::try_from(whole.saturating_sub(overhead)).unwrap_or(u32::MAX);
    let fragments = crate::diagnose::mtu::ip_fragments(ike_len, mtu, v6);
    let mtu_words = match source {
        MtuSource::Path => format!("the measured path MTU of {mtu} bytes"),
        MtuSource::Interface => {
            format!("this machine's interface MTU of {mtu} bytes (the path may be smaller)")
        }
    };
    let skf = t.ike_auth.as_ref().map_or(0, |a| a.skf_total);
    let offered = t.fragmentation_supported() == Some(true);
    Some(
        Finding::new(
            Code::LargeIkeAuthResponse,
            Severity::Warn,
            format!(
                "{addr}: the server's IKE_AUTH response is {whole} bytes as one message: {fragments} IP \
fragments at {mtu_words}{}",
                if skf > 1 {
                    format!("; with IKEv2 fragmentation it came as {skf} SKF pieces")
                } else {
                    String::new()
                }
            ),
        )
        .with("address", addr)
        .with("response_ip_bytes", whole)
        .with("mtu", mtu)
        .with("mtu_source", if source == MtuSource::Path { "path" } else { "interface" })
        .with("ip_fragments", fragments)
        .with("skf_fragments", skf)
        .remedy(format!(
            "Fine while every device passes IP fragments. {} A shorter chain (no root in the CERT \
payloads) or ECDSA keys make the response smaller.",
            avoid_ip_fragments(offered)
        )),
    )
}
