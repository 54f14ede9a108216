//! Presentation of `aovpn-diag lb`: the human view (verdict, one table of
//! rounds per VIP, the servers per port, the search, findings) and the JSON
//! document's types.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;

use super::{BOLD, DIM, Detail, table, write_error_headline, write_findings, write_verdict};
use crate::diagnose::dns::Resolution;
use crate::diagnose::ike::{AuthFacts, ExchangeFacts};
use crate::diagnose::lb::findings::{distribution, label};
use crate::diagnose::lb::identify::{Identified, Identity, SeenAs, SightingId, SnatSource};
use crate::diagnose::lb::{LbFacts, Persistence, Round};
use crate::facts::{Endpoint, Nat};
use crate::finding::{Finding, Verdict};
use crate::millis;

/// Everything one run found.
pub struct View<'a> {
    pub host: &'a str,
    pub resolution: &'a Resolution,
    pub vips: &'a [LbFacts],
    /// Addresses whose rounds could not run (no socket, no route), with why.
    pub unreachable: &'a [(IpAddr, String)],
    /// All findings, worst first.
    pub findings: &'a [Finding],
    /// The longest the rounds of one VIP may take (shown with -v).
    pub worst_case: Duration,
}

impl View<'_> {
    pub fn verdict(&self) -> Verdict {
        Verdict::from_findings(self.findings)
    }

    pub fn json(&self) -> LbJson<'_> {
        LbJson {
            host: self.host,
            resolution: self.resolution,
            vips: self.vips.iter().map(json_vip).collect(),
            unreachable: self
                .unreachable
                .iter()
                .map(|(vip, error)| JsonUnreachable {
                    vip: *vip,
                    error: error.clone(),
                })
                .collect(),
            worst_case_s: self.worst_case.as_secs_f64(),
        }
    }
}

/// The `--json` document of `lb` (inside the shared envelope).
#[derive(Debug, Serialize, JsonSchema)]
pub struct LbJson<'a> {
    pub host: &'a str,
    pub resolution: &'a Resolution,
    /// One entry per address of the VIP whose rounds ran.
    pub vips: Vec<JsonVip>,
    /// Addresses whose rounds could not run (no socket, no route).
    pub unreachable: Vec<JsonUnreachable>,
    /// The longest the rounds of one VIP may take, seconds (every exchange
    /// unanswered until its last retransmission).
    pub worst_case_s: f64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct JsonUnreachable {
    pub vip: IpAddr,
    pub error: String,
}

/// Server (its address, `the VIP itself`, `unidentified` or `no
/// NAT_DETECTION hash`) -> responses, in order of first appearance.
type ServerCounts = serde_json::Map<String, serde_json::Value>;

#[derive(Debug, Serialize, JsonSchema)]
pub struct JsonVip {
    pub vip: IpAddr,
    pub rounds_asked: u32,
    pub rounds_done: usize,
    /// Why the rounds ended early (half-open budget); null when all ran.
    pub cut_short: Option<String>,
    pub elapsed_ms: f64,
    /// Rounds per outcome.
    pub persistence: JsonTally,
    /// Which servers answered the full IKE_SA_INIT on UDP 500, how often.
    #[schemars(with = "BTreeMap<String, u32>")]
    pub servers_udp500: ServerCounts,
    /// The same for UDP 4500.
    #[schemars(with = "BTreeMap<String, u32>")]
    pub servers_udp4500: ServerCounts,
    pub rounds: Vec<JsonRound>,
    /// The range search (`--find-backends`); null without it.
    pub search: Option<JsonSearch>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct JsonTally {
    pub same_server: usize,
    pub split: usize,
    pub undecided: usize,
    pub no_sa: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct JsonRound {
    /// 1-based.
    pub number: u32,
    pub persistence: Persistence,
    /// The full IKE_SA_INIT on UDP 500.
    pub udp500: JsonInit,
    /// IKE_AUTH on UDP 4500 for the SA made on UDP 500; null without that SA.
    pub ike_auth_4500: Option<JsonAuth>,
    /// The same IKE_AUTH on UDP 500 (only when 4500 got no answer).
    pub ike_auth_500: Option<JsonAuth>,
    /// The full IKE_SA_INIT on UDP 4500; null when skipped.
    pub udp4500: Option<JsonInit>,
    /// The IKE_AUTH that closed the UDP 4500 SA.
    pub close_4500: Option<JsonAuth>,
    /// Why the UDP 4500 IKE_SA_INIT was skipped (half-open budget).
    pub skipped_4500: Option<String>,
    /// IKE SAs of this round that could not be closed.
    pub left_open: u32,
}

/// How the server behind a response was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IdentifiedBy {
    /// The hash is of the VIP itself: the server owns the VIP (no DNAT).
    Vip,
    /// One of `--backends`.
    Listed,
    /// Found by the `--find-backends` search.
    Searched,
    /// No candidate matched.
    Unidentified,
    /// The response had no NAT_DETECTION_SOURCE_IP.
    NoHash,
}

/// What the server saw this client as (its NAT_DETECTION_DESTINATION_IP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SeenKind {
    /// Our own address and port: nothing translated them.
    Itself,
    /// Our own address, another port.
    OwnAddress,
    /// Another address: source NAT.
    Snat,
    /// Another address, none of the candidates.
    Unknown,
    /// The response had no NAT_DETECTION_DESTINATION_IP.
    NoHash,
}

/// How a source-NAT address was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RecognisedBy {
    /// The VIP itself.
    Vip,
    /// One of `--snat-candidates`.
    Candidate,
    /// Found by searching the ranges at our own source port.
    Searched,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct JsonInit {
    /// `answered`, `no-answer`, `unreachable`.
    pub outcome: &'static str,
    /// Our source address and port (before any NAT).
    pub local: Endpoint,
    pub rtt_ms: Option<f64>,
    pub requests_sent: u32,
    pub chosen_proposal: Option<String>,
    /// The real server and the port it hashed (the port it received on):
    /// null when not identified. For `identified_by: vip`, the VIP.
    pub server: Option<Endpoint>,
    /// Null without a full response.
    pub identified_by: Option<IdentifiedBy>,
    /// What the server saw this client as; null without a full response.
    pub seen_as: Option<JsonSeenAs>,
    /// NAT from the NAT_DETECTION hashes against the VIP and our socket
    /// address: behind a load balancer that rewrites the destination the
    /// responder is "behind NAT".
    pub nat: Nat,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct JsonSeenAs {
    pub kind: SeenKind,
    /// The address and port the server saw, when known (`itself`,
    /// `own-address`, `snat`).
    pub endpoint: Option<Endpoint>,
    /// For `snat`: how the address was recognised.
    pub recognised_by: Option<RecognisedBy>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct JsonAuth {
    /// `answered`, `invalid-ike-spi`, `no-answer`, `unreachable`, `not-run`.
    pub outcome: &'static str,
    pub rtt_ms: Option<f64>,
    pub requests_sent: u32,
    /// What came back, e.g. `AUTHENTICATION_FAILED`.
    pub response: Option<String>,
    /// An INFORMATIONAL Delete closed the IKE SA afterwards.
    pub delete_sent: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct JsonSearch {
    /// The ranges searched (merged CIDR prefixes).
    pub ranges: Vec<String>,
    /// Addresses in the ranges.
    pub addresses: u64,
    /// Searches run (one per response no candidate matched).
    pub searches: u32,
    pub hashes: u64,
    pub seconds: f64,
    /// Hashes per second over the whole identification; null when nothing was hashed.
    pub hashes_per_second: Option<f64>,
    /// Why later responses were not searched (time budget, fruitless searches).
    pub gave_up: Option<String>,
}

fn ms(d: Option<Duration>) -> Option<f64> {
    d.map(millis::json)
}

fn json_auth(a: &AuthFacts) -> JsonAuth {
    JsonAuth {
        outcome: a.outcome.as_str(),
        rtt_ms: ms(a.rtt),
        requests_sent: a.requests_sent,
        response: a.describe_response(),
        delete_sent: a.delete_sent,
    }
}

fn identified_by(i: &Identity) -> IdentifiedBy {
    match i {
        Identity::Vip { .. } => IdentifiedBy::Vip,
        Identity::Listed { .. } => IdentifiedBy::Listed,
        Identity::Searched { .. } => IdentifiedBy::Searched,
        Identity::Unidentified { .. } => IdentifiedBy::Unidentified,
        Identity::NoHash => IdentifiedBy::NoHash,
    }
}

fn json_seen(s: &SeenAs, local: SocketAddr) -> JsonSeenAs {
    let at = |addr, port| Some(Endpoint::new(addr, Some(port)));
    let (kind, endpoint, recognised_by) = match *s {
        SeenAs::Itself => (SeenKind::Itself, Some(Endpoint::from(local)), None),
        SeenAs::OwnAddress { port } => (SeenKind::OwnAddress, at(local.ip(), port), None),
        SeenAs::Snat { addr, port, source } => (
            SeenKind::Snat,
            at(addr, port),
            Some(match source {
                SnatSource::Vip => RecognisedBy::Vip,
                SnatSource::Candidate => RecognisedBy::Candidate,
                SnatSource::Searched => RecognisedBy::Searched,
            }),
        ),
        SeenAs::Unknown => (SeenKind::Unknown, None, None),
        SeenAs::NoHash => (SeenKind::NoHash, None, None),
    };
    JsonSeenAs {
        kind,
        endpoint,
        recognised_by,
    }
}

fn json_init(vip: IpAddr, e: &ExchangeFacts, who: Option<&Identified>) -> JsonInit {
    let r = e.response.as_ref();
    JsonInit {
        outcome: e.outcome.as_str(),
        local: Endpoint::from(e.local),
        rtt_ms: ms(e.rtt),
        requests_sent: e.requests_sent,
        chosen_proposal: e.chosen().map(|p| p.describe()),
        server: who.and_then(|w| match w.identity {
            Identity::Vip { port } => Some(Endpoint::new(vip, Some(port))),
            i => Some(Endpoint::new(i.address()?, i.port())),
        }),
        identified_by: who.map(|w| identified_by(&w.identity)),
        seen_as: who.map(|w| json_seen(&w.seen_as, w.local)),
        nat: Nat {
            initiator_behind_nat: r.and_then(|r| r.initiator_behind_nat),
            responder_behind_nat: r.and_then(|r| r.responder_behind_nat),
        },
    }
}

fn who(f: &LbFacts, round: u32, port: u16) -> Option<&Identified> {
    f.identification.get(SightingId { round, port })
}

fn json_round(f: &LbFacts, r: &Round) -> JsonRound {
    JsonRound {
        number: r.number,
        persistence: r.persistence(),
        udp500: json_init(f.vip, &r.init500, who(f, r.number, 500)),
        ike_auth_4500: r.auth4500.as_ref().map(json_auth),
        ike_auth_500: r.auth500.as_ref().map(json_auth),
        udp4500: r
            .init4500
            .as_ref()
            .map(|e| json_init(f.vip, e, who(f, r.number, 4500))),
        close_4500: r.close4500.as_ref().map(json_auth),
        skipped_4500: r.skipped4500.clone(),
        left_open: r.left_open(),
    }
}

fn servers_json(f: &LbFacts, port: u16) -> ServerCounts {
    distribution(f, port)
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::from(v)))
        .collect()
}

/// Hashes per second of the identification, when anything was hashed.
pub fn rate(f: &LbFacts) -> Option<f64> {
    let s = f.identification.search.as_ref()?;
    let secs = f.search_elapsed.as_secs_f64();
    (s.hashes > 0 && secs > 0.0).then(|| s.hashes as f64 / secs)
}

pub fn json_vip(f: &LbFacts) -> JsonVip {
    let (same, split, undecided, no_sa) = f.tally();
    JsonVip {
        vip: f.vip,
        rounds_asked: f.rounds_asked,
        rounds_done: f.rounds.len(),
        cut_short: f.cut_short.clone(),
        elapsed_ms: millis::json(f.elapsed),
        persistence: JsonTally {
            same_server: same,
            split,
            undecided,
            no_sa,
        },
        servers_udp500: servers_json(f, 500),
        servers_udp4500: servers_json(f, 4500),
        rounds: f.rounds.iter().map(|r| json_round(f, r)).collect(),
        search: f.identification.search.as_ref().map(|s| JsonSearch {
            ranges: s.ranges.iter().map(ToString::to_string).collect(),
            addresses: u64::try_from(s.addresses).unwrap_or(u64::MAX),
            searches: s.searches,
            hashes: s.hashes,
            seconds: f.search_elapsed.as_secs_f64(),
            hashes_per_second: rate(f),
            gave_up: s.gave_up.clone(),
        }),
    }
}

/// The first line: the worst finding's summary, or what was shown healthy.
fn headline(view: &View) -> String {
    if let Some(f) = view
        .findings
        .iter()
        .find(|f| f.severity == crate::finding::Severity::Fail)
    {
        return format!("{}: {}", f.code, f.summary);
    }
    if view.vips.is_empty() {
        return format!("{}: no address could be tested", view.host);
    }
    let rounds: usize = view.vips.iter().map(|v| v.rounds.len()).sum();
    let same: usize = view.vips.iter().map(|v| v.tally().0).sum();
    if !answered(view) {
        return format!(
            "{}: no full IKE_SA_INIT answer on UDP 500 in any round; nothing to judge",
            view.host
        );
    }
    let nat = if view
        .findings
        .iter()
        .any(|f| f.code == crate::finding::Code::LbSourceNat)
    {
        "see lb-source-nat below"
    } else {
        "no source NAT seen"
    };
    if rounds > 0 && same == rounds {
        format!(
            "{}: every round ({rounds}) stayed on one server for UDP 500 and 4500; {nat}",
            view.host
        )
    } else {
        format!(
            "{}: no problem proven ({same} of {rounds} round(s) showed one server for both ports; \
see each round); {nat}",
            view.host
        )
    }
}

/// Some round got a full IKE_SA_INIT answer on UDP 500.
fn answered(view: &View) -> bool {
    view.vips
        .iter()
        .any(|v| v.rounds.iter().any(|r| r.sighting500.is_some()))
}

fn auth_cell(a: Option<&AuthFacts>) -> String {
    match a {
        None => "-".to_owned(),
        Some(a) if a.answered() => "answered".to_owned(),
        Some(a) => a.outcome.as_str().to_owned(),
    }
}

fn server_cell(f: &LbFacts, round: u32, port: u16, e: Option<&ExchangeFacts>) -> String {
    match (e, who(f, round, port)) {
        (None, _) => "skipped".to_owned(),
        (Some(e), None) => e.outcome.as_str().to_owned(),
        (Some(_), Some(w)) => match w.identity.port() {
            Some(p) if p != port => format!("{} (port {p})", label(&w.identity)),
            _ => label(&w.identity),
        },
    }
}

fn seen_cell(f: &LbFacts, round: u32) -> String {
    let mut cells: Vec<String> = Vec::new();
    for port in [500, 4500] {
        let Some(w) = who(f, round, port) else {
            continue;
        };
        let text = match w.seen_as {
            SeenAs::Itself => "itself".to_owned(),
            SeenAs::OwnAddress { port } => format!("own address, port {port}"),
            SeenAs::Snat { addr, port, .. } => format!("{addr}:{port}"),
            SeenAs::Unknown => "another address".to_owned(),
            SeenAs::NoHash => "-".to_owned(),
        };
        if !cells.contains(&text) {
            cells.push(text);
        }
    }
    cells.join(", ")
}

fn persistence_cell(r: &Round) -> &'static str {
    match r.persistence() {
        Persistence::SameServer => "same server",
        Persistence::Split => "SPLIT",
        Persistence::Unknown => "undecided",
        Persistence::NoSa => "no IKE SA",
    }
}

fn write_vip(out: &mut dyn Write, f: &LbFacts, view: &View, detail: Detail) -> io::Result<()> {
    let (same, split, undecided, no_sa) = f.tally();
    writeln!(
        out,
        "\n{BOLD}VIP {}{BOLD:#}  {} of {} round(s) in {}: {same} same server, {split} split, \
{undecided} undecided, {no_sa} without an IKE SA",
        f.vip,
        f.rounds.len(),
        f.rounds_asked,
        millis::text(f.elapsed)
    )?;
    if detail.verbose > 0 {
        writeln!(
            out,
            "{DIM}worst case for these rounds: {:.0} s (every exchange unanswered){DIM:#}",
            view.worst_case.as_secs_f64()
        )?;
    }
    let mut t = table(&[
        "round",
        "UDP 500 server",
        "IKE_AUTH on 4500",
        "on 500",
        "UDP 4500 server",
        "server saw client as",
        "result",
    ]);
    for r in &f.rounds {
        t.add_row(vec![
            r.number.to_string(),
            server_cell(f, r.number, 500, Some(&r.init500)),
            auth_cell(r.auth4500.as_ref()),
            auth_cell(r.auth500.as_ref()),
            server_cell(f, r.number, 4500, r.init4500.as_ref()),
            seen_cell(f, r.number),
            persistence_cell(r).to_owned(),
        ]);
    }
    writeln!(out, "{t}")?;
    for port in [500u16, 4500] {
        let d = distribution(f, port);
        let list = if d.is_empty() {
            "none".to_owned()
        } else {
            d.iter()
                .map(|(n, c)| format!("{n} x{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(out, "servers on UDP {port}: {list}")?;
    }
    if let Some(s) = &f.identification.search {
        let rate = rate(f)
            .map(|r| format!(", {:.1} million/s", r / 1e6))
            .unwrap_or_default();
        writeln!(
            out,
            "search: {} address(es) in {}; {} search(es), {} hashes in {:.1} s{rate}{}",
            s.addresses,
            s.ranges
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            s.searches,
            s.hashes,
            f.search_elapsed.as_secs_f64(),
            s.gave_up
                .as_ref()
                .map(|g| format!("; stopped: {g}"))
                .unwrap_or_default()
        )?;
    }
    if let Some(why) = &f.cut_short {
        writeln!(out, "{DIM}{why}{DIM:#}")?;
    }
    Ok(())
}

/// The human view.
/// The human view. `could_not_run`: the run ends in an error (exit 2 or
/// 3: no round got an IKE_SA_INIT answer, or no address could be tested),
/// so the headline says ERROR, as JSON's verdict does.
pub fn write_human(
    out: &mut dyn Write,
    view: &View,
    detail: Detail,
    could_not_run: bool,
) -> io::Result<()> {
    if could_not_run {
        write_error_headline(out, &headline(view))?;
    } else {
        write_verdict(out, view.verdict(), &headline(view))?;
    }
    if !detail.quiet {
        for f in view.vips {
            write_vip(out, f, view, detail)?;
        }
        for (vip, why) in view.unreachable {
            writeln!(out, "\n{BOLD}VIP {vip}{BOLD:#}  not tested: {why}")?;
        }
        writeln!(out)?;
    }
    write_findings(out, view.findings, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::dns::{Family, Resolution};
    use crate::diagnose::lb::samples::{self, SERVER_A, SERVER_B, candidates, round};

    fn resolution() -> Resolution {
        Resolution::literal(samples::VIP, Family::Any, samples::ip(samples::VIP))
    }

    fn split() -> LbFacts {
        let rounds = (1..=2)
            .map(|n| round(n, SERVER_A, SERVER_B, None))
            .collect();
        samples::facts(rounds, &candidates(&[SERVER_A, SERVER_B]), None)
    }

    #[test]
    fn the_human_view_shows_each_round_and_the_servers_per_port() {
        let vips = [split()];
        let findings = crate::diagnose::lb::findings(&vips[0]);
        let res = resolution();
        let view = View {
            host: samples::VIP,
            resolution: &res,
            vips: &vips,
            unreachable: &[],
            findings: &findings,
            worst_case: Duration::from_secs(90),
        };
        let mut out = Vec::new();
        write_human(&mut out, &view, Detail::default(), false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("PROBLEM"), "{text}");
        assert!(text.contains("lb-no-persistence-across-ports"), "{text}");
        assert!(text.contains("SPLIT"), "{text}");
        assert!(
            text.contains(&format!("servers on UDP 500: {SERVER_A} x2")),
            "{text}"
        );
        assert!(
            text.contains(&format!("servers on UDP 4500: {SERVER_B} x2")),
            "{text}"
        );
        assert!(text.contains("Match Across Services"), "{text}");
    }

    #[test]
    fn the_json_names_servers_and_outcomes_per_round() {
        let f = split();
        let v = serde_json::to_value(json_vip(&f)).unwrap();
        assert_eq!(v["persistence"]["split"], 2);
        assert_eq!(v["servers_udp500"][SERVER_A], 2);
        let r = &v["rounds"][0];
        assert_eq!(r["persistence"], "split");
        assert_eq!(r["udp500"]["server"]["address"], SERVER_A);
        assert_eq!(r["udp500"]["server"]["port"], 500);
        assert_eq!(r["udp500"]["identified_by"], "listed");
        assert_eq!(r["udp500"]["seen_as"]["kind"], "itself");
        assert_eq!(r["udp4500"]["server"]["address"], SERVER_B);
        assert_eq!(
            r["udp500"]["seen_as"]["endpoint"]["address"],
            samples::CLIENT
        );
        assert_eq!(r["ike_auth_4500"]["outcome"], "no-answer");
        assert_eq!(r["ike_auth_500"]["outcome"], "answered");
        assert!(v["search"].is_null());
    }
}
