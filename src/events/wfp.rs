//! IKE failures from the Windows Filtering Platform's net events, as
//! `netsh wfp show netevents` (and `netsh wfp capture`'s wfpdiag.xml) write
//! them: one element per event with a `<header>` (`timeStamp`, addresses,
//! ports; `FWPM_NET_EVENT_HEADER`), a `<type>` (`FWPM_NET_EVENT_TYPE_*`) and
//! one body, here `<ikeMmFailure>` (`FWPM_NET_EVENT_IKEEXT_MM_FAILURE0/1`:
//! `failureErrorCode`, the Windows error; `failurePoint`, an
//! `IPSEC_FAILURE_POINT` — `IPSEC_FAILURE_ME` this host, `IPSEC_FAILURE_PEER`
//! the other side; `keyingModuleType`; `mmState`, an `IKEEXT_MM_SA_STATE`;
//! `saRole`; `mmAuthMethod`). Sources: Microsoft Learn, fwpmtypes.h
//! `FWPM_NET_EVENT0`, `FWPM_NET_EVENT_IKEEXT_MM_FAILURE1`, ipsectypes.h
//! `IPSEC_FAILURE_POINT`, iketypes.h `IKEEXT_MM_SA_STATE`; the element names
//! as Microsoft's "Troubleshooting UWP App Connectivity Issues" shows netsh's
//! XML (`<netEvent><header><timeStamp>`, `<localAddrV6.byteArray16>`,
//! `<localPort>`, `<type>`). PURE.

use std::net::IpAddr;

use serde::Serialize;

use super::errors;
use super::time::Timestamp;
use super::xml::Element;

/// The net-event type of an IKE main-mode failure.
pub const MM_FAILURE: &str = "FWPM_NET_EVENT_TYPE_IKEEXT_MM_FAILURE";

/// Whether an element (by name and parent name) holds one net event:
/// `<netEvent>` in wfpdiag.xml, `<item>` directly under `<netEvents>` in
/// `netsh wfp show netevents` output.
pub fn is_net_event(name: &str, parent: Option<&str>) -> bool {
    name == "netEvent" || (name == "item" && parent == Some("netEvents"))
}

/// One IKE main-mode failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct IkeFailure {
    pub time: Option<Timestamp>,
    pub local_address: Option<IpAddr>,
    pub remote_address: Option<IpAddr>,
    pub local_port: Option<u16>,
    pub remote_port: Option<u16>,
    /// The Windows error code (`failureErrorCode`).
    pub error_code: u32,
    /// `IPSEC_FAILURE_ME` / `IPSEC_FAILURE_PEER` / `IPSEC_FAILURE_NONE`, as written.
    pub failure_point: Option<String>,
    /// `IKEEXT_KEY_MODULE_IKEV2`, `IKEEXT_KEY_MODULE_IKE` (v1), `IKEEXT_KEY_MODULE_AUTHIP`.
    pub keying_module: Option<String>,
    /// `IKEEXT_MM_SA_STATE_*`: how far main mode got.
    pub mm_state: Option<String>,
    /// `IKEEXT_SA_ROLE_INITIATOR` / `_RESPONDER`.
    pub sa_role: Option<String>,
    /// `IKEEXT_AUTHENTICATION_METHOD_TYPE` name, e.g. `IKEEXT_CERTIFICATE`.
    pub auth_method: Option<String>,
}

impl IkeFailure {
    /// Which side failed, in words.
    pub fn side(&self) -> &'static str {
        match self.failure_point.as_deref() {
            Some("IPSEC_FAILURE_ME") => "this host",
            Some("IPSEC_FAILURE_PEER") => "the peer",
            _ => "unknown side",
        }
    }
}

impl IkeFailure {
    /// What the failure point says about who refused what.
    pub fn side_meaning(&self) -> &'static str {
        match self.failure_point.as_deref() {
            Some("IPSEC_FAILURE_ME") => {
                "this host detected the failure (e.g. it did not accept the peer's certificate or proposal)"
            }
            Some("IPSEC_FAILURE_PEER") => {
                "the peer reported the failure (e.g. it did not accept this host's credentials or proposal)"
            }
            _ => "the event does not say which side failed",
        }
    }
}

/// What one net-event element is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetEvent {
    MmFailure(IkeFailure),
    /// Any other type (classify drops, quick-mode failures, ...), by name.
    Other(String),
}

/// Reads one net-event element. `None` when it has no `<type>`.
pub fn parse(el: &Element) -> Option<NetEvent> {
    let kind = el.child_text("type")?;
    if kind != MM_FAILURE {
        return Some(NetEvent::Other(kind.to_owned()));
    }
    let header = el.child("header");
    let h = |name: &str| header.and_then(|h| h.child_text(name));
    let addr = |prefix: &str| {
        header?
            .children
            .iter()
            .filter(|c| c.name.starts_with(prefix))
            .find_map(|c| c.text.trim().parse::<IpAddr>().ok())
    };
    let body = el.child("ikeMmFailure");
    let b = |name: &str| body.and_then(|b| b.child_text(name)).map(str::to_owned);
    let error_code = body
        .and_then(|b| b.child_text("failureErrorCode"))
        .and_then(errors::parse_code)?;
    Some(NetEvent::MmFailure(IkeFailure {
        time: h("timeStamp").and_then(Timestamp::parse),
        local_address: addr("localAddr"),
        remote_address: addr("remoteAddr"),
        local_port: h("localPort").and_then(|p| p.parse().ok()),
        remote_port: h("remotePort").and_then(|p| p.parse().ok()),
        error_code,
        failure_point: b("failurePoint"),
        keying_module: b("keyingModuleType"),
        mm_state: b("mmState"),
        sa_role: b("saRole"),
        auth_method: b("mmAuthMethod"),
    }))
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use super::*;
    use crate::events::xml::collect;

    fn read(text: &str) -> Vec<NetEvent> {
        let mut out = Vec::new();
        collect(text, is_net_event, |e| {
            out.extend(parse(&e));
            ControlFlow::Continue(())
        })
        .unwrap();
        out
    }

    #[test]
    fn reads_a_main_mode_failure() {
        let got = read(
            "<netEvents><item><header><timeStamp>2026-11-30T09:12:44.070Z</timeStamp>\
             <ipVersion>FWP_IP_VERSION_V4</ipVersion><ipProtocol>17</ipProtocol>\
             <localAddrV4>192.0.2.10</localAddrV4><remoteAddrV4>198.51.100.7</remoteAddrV4>\
             <localPort>4500</localPort><remotePort>4500</remotePort></header>\
             <type>FWPM_NET_EVENT_TYPE_IKEEXT_MM_FAILURE</type><ikeMmFailure>\
             <failureErrorCode>13801</failureErrorCode><failurePoint>IPSEC_FAILURE_PEER</failurePoint>\
             <keyingModuleType>IKEEXT_KEY_MODULE_IKEV2</keyingModuleType>\
             <mmState>IKEEXT_MM_SA_STATE_FINAL</mmState><saRole>IKEEXT_SA_ROLE_INITIATOR</saRole>\
             <mmAuthMethod>IKEEXT_CERTIFICATE</mmAuthMethod></ikeMmFailure></item>\
             <item><header/><type>FWPM_NET_EVENT_TYPE_CLASSIFY_DROP</type></item></netEvents>",
        );
        let NetEvent::MmFailure(f) = &got[0] else {
            panic!("{got:?}")
        };
        assert_eq!(f.error_code, 13801);
        assert_eq!(f.remote_address, Some("198.51.100.7".parse().unwrap()));
        assert_eq!((f.local_port, f.remote_port), (Some(4500), Some(4500)));
        assert_eq!(f.side(), "the peer");
        assert_eq!(f.time.unwrap().to_string(), "2026-11-30T09:12:44.070Z");
        assert_eq!(
            got[1],
            NetEvent::Other("FWPM_NET_EVENT_TYPE_CLASSIFY_DROP".into())
        );
    }

    #[test]
    fn ipv6_addresses_and_hex_codes() {
        let got = read(
            "<netEvent><header><localAddrV6.byteArray16>2001:db8::1</localAddrV6.byteArray16>\
             <remoteAddrV6.byteArray16>2001:db8::7</remoteAddrV6.byteArray16></header>\
             <type>FWPM_NET_EVENT_TYPE_IKEEXT_MM_FAILURE</type><ikeMmFailure>\
             <failureErrorCode>0x000035ec</failureErrorCode><failurePoint>IPSEC_FAILURE_ME</failurePoint>\
             </ikeMmFailure></netEvent>",
        );
        let NetEvent::MmFailure(f) = &got[0] else {
            panic!()
        };
        assert_eq!(f.error_code, 13804);
        assert_eq!(f.remote_address, Some("2001:db8::7".parse().unwrap()));
        assert_eq!(f.side(), "this host");
    }
}
