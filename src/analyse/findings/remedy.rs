//! Remedies: what to change for each cause, and how a finding that leaves
//! several causes open ranks them and says which capture or probe tells
//! them apart. A remedy names only causes the evidence allows.

/// IP fragments of IKE messages dropped on the path.
pub const FRAGMENTS: &str = "A device on the path drops IP fragments. Best fix: let IKE \
fragment itself (RFC 7383) so it never needs IP fragments: Windows clients support it from \
Windows 10 1803; on a Windows RRAS server set HKLM\\SYSTEM\\CurrentControlSet\\Services\\\
RemoteAccess\\Parameters\\Ikev2\\EnableServerFragmentation = 1 (DWORD) and restart the \
RemoteAccess service; strongSwan: fragmentation = yes. Otherwise allow IP fragments of UDP \
500/4500 on every firewall, NAT and load balancer on the path.";

/// UDP 4500 blocked on the path.
pub const UDP_4500: &str = "UDP 4500 is blocked on the way: IKE_AUTH travels on UDP 4500 \
after the port switch. Allow UDP 4500 in both directions on every firewall and NAT between \
client and server.";

/// A load balancer without persistence across UDP 500 and 4500.
pub const LOAD_BALANCER: &str = "A load balancer sends UDP 500 and UDP 4500 of one client to \
different VPN servers, and the server that gets IKE_AUTH never negotiated that IKE SA: \
configure persistence by source address across both services (F5: Match Across Services; \
Kemp: port following) or one virtual service for both ports, and do not source-NAT the \
clients.";

/// The large IKE_AUTH response (certificate chain, EAP) lost as IP
/// fragments on the way back.
pub const RESPONSE_FRAGMENTS: &str = "The server's IKE_AUTH response carries its certificate \
chain (and EAP): without IKEv2 fragmentation it leaves the server as IP fragments, which a \
device on the way back drops. Fix: EnableServerFragmentation = 1 on a Windows RRAS server \
(HKLM\\SYSTEM\\CurrentControlSet\\Services\\RemoteAccess\\Parameters\\Ikev2, DWORD, then \
restart RemoteAccess), fragmentation = yes on strongSwan, or allow IP fragments toward the \
clients.";

/// IKEv2 fragmentation negotiated, the response still lost on the way back.
pub const RESPONSE_SKF_TOO_BIG: &str = "The server answers but its response is lost on the way \
back: the IKE_AUTH response (certificate chain, EAP) leaves as IKEv2 fragments of the server's \
own size, which can be larger than the client's and than the path toward the client carries. \
Fix: lower the server's IKE fragment size (strongSwan: charon.fragment_size) or raise the MTU \
toward the clients; a capture on the server shows whether it answered.";

/// More than 16 IKEv2 fragments.
pub const TOO_MANY_FRAGMENTS: &str = "Some gateways drop IKE messages of more than 16 IKEv2 \
fragments (libreswan raised its limit from 16 to 32; Windows clients on a small MTU send 17 \
to 29). Raise the gateway's fragment limit if it has one; or make IKE_AUTH smaller: a \
shorter certificate chain (no certificates the server already has, no extra \
intermediates), ECDSA instead of large RSA keys; or let the client use larger fragments \
(a larger MTU on the client's path: Windows fragments IKE_AUTH to fit its interface MTU).";

/// IP fragments sent last-first.
pub const OUT_OF_ORDER: &str = "Some gateways (a major cloud VPN gateway among them) drop \
datagrams whose IP fragments arrive last-first. Avoid IP fragments altogether: negotiate \
IKEv2 fragmentation on both sides (Windows RRAS: EnableServerFragmentation = 1; strongSwan: \
fragmentation = yes), or lower the MTU on the sender so IKE messages fit in one packet.";

/// Causes of a problem, most likely first, and what tells them apart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ranked {
    causes: Vec<String>,
    tell_apart: Option<String>,
}

impl Ranked {
    pub fn new() -> Ranked {
        Ranked::default()
    }

    /// Adds a cause (ignored when the same text is already there).
    pub fn cause(mut self, text: impl Into<String>) -> Ranked {
        let text = text.into();
        if !self.causes.contains(&text) {
            self.causes.push(text);
        }
        self
    }

    /// Adds a cause when `cond` holds.
    pub fn cause_if(self, cond: bool, text: impl Into<String>) -> Ranked {
        if cond { self.cause(text) } else { self }
    }

    /// What capture or probe tells the open causes apart.
    pub fn tell_apart(mut self, text: impl Into<String>) -> Ranked {
        self.tell_apart = Some(text.into());
        self
    }

    /// One remedy text: the single cause as it is; several as "Most
    /// likely: ... Next: ...", then what tells them apart.
    pub fn render(&self) -> String {
        let mut out = String::new();
        match self.causes.as_slice() {
            [] => {}
            [only] => out.push_str(only),
            [first, rest @ ..] => {
                out.push_str("Most likely: ");
                out.push_str(first);
                for (i, c) in rest.iter().enumerate() {
                    out.push_str(if i == 0 { " Next: " } else { " Then: " });
                    out.push_str(c);
                }
            }
        }
        if let Some(t) = &self.tell_apart {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(if self.causes.len() > 1 {
                "To tell them apart: "
            } else {
                "To confirm: "
            });
            out.push_str(t);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_causes_and_says_what_tells_them_apart() {
        let one = Ranked::new().cause("A.");
        assert_eq!(one.render(), "A.");
        let r = Ranked::new()
            .cause("A.")
            .cause_if(false, "never.")
            .cause("B.")
            .cause("A.")
            .cause("C.")
            .tell_apart("capture on the server.");
        assert_eq!(
            r.render(),
            "Most likely: A. Next: B. Then: C. To tell them apart: capture on the server."
        );
        let one = Ranked::new().cause("A.").tell_apart("look.");
        assert_eq!(one.render(), "A. To confirm: look.");
    }
}
