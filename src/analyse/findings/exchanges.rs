//! Findings about exchanges, reasoned from the capture point: requests that
//! reached it complete and were never answered, responses that left and
//! never arrived, IKE_AUTH that never reached a responder, one peer refused
//! while others are answered, and exchanges the end of the capture cut off.

use std::net::SocketAddr;

use serde_json::json;

use super::SaView;
use super::evidence::{
    WithFrames, and_list, frame, message, peers, round3, shape, thousands, times,
};
use super::remedy::{self, Ranked};
use crate::analyse::exchange::{Exchange, IN_PROGRESS_WINDOW_SECS, Status};
use crate::analyse::message::Transmission;
use crate::analyse::point::{CapturePoint, Side};
use crate::analyse::sa::{IkeSa, Support};
use crate::finding::{Code, Finding, Severity};
use crate::wire::ike::{ExchangeType, NotifyType};

use super::fragments::MAX_IKE_FRAGMENTS;

const TELL_FROM_CLIENT: &str = "capture on the VPN server at the same time: a request that \
arrives there complete and unanswered is the server's doing, one that never arrives is lost \
on the path. From a client, `aovpn-diag probe SERVER` tests UDP 4500, IP fragments and \
load-balancer persistence.";

const SERVER_DISCARDS: &str = "The server receives the request and discards it: its IKE log \
says why (Windows: the IKEEXT and RemoteAccess events, `netsh wfp show netevents`; \
strongSwan: the charon log), e.g. certificate chain or revocation checks, authentication \
policy, or an IKE SA it does not know.";

/// `ike-sa-init-unanswered`, or `ike-sa-init-refused-for-peer` when the
/// same responder answered other peers on the same port meanwhile.
pub(super) fn sa_init_unanswered(v: &SaView<'_>, out: &mut Vec<Finding>) {
    for (e, status) in &v.exchanges {
        if e.key.exchange != ExchangeType::IKE_SA_INIT
            || !e.key.by_initiator
            || *status != Status::Unanswered
        {
            continue;
        }
        let sent = e.latest_sent();
        let (Some(first), Some(last)) = (sent.first(), sent.last()) else {
            continue;
        };
        let cookie = e
            .answered_with()
            .iter()
            .any(|t| t.notifies.contains(&NotifyType::COOKIE));
        let retried = match (sent.len() < e.sent().len(), cookie) {
            (false, _) => "",
            (true, true) => " (the retry with the COOKIE the responder demanded)",
            (true, false) => " (the retry after the responder's INVALID_KE_PAYLOAD)",
        };
        let point = v.point(first.file);
        let span = last.last_ts.secs_since(first.first_ts);
        let others = answered_elsewhere(v, first, last);
        if !others.is_empty() {
            out.push(refused_for_peer(v, &sent, retried, &others, point));
            continue;
        }
        let here = match point.side {
            Side::Responder => "; it reached this capture point, on the server's side, every time",
            _ => "",
        };
        let remedy = match point.side {
            Side::Responder => Ranked::new()
                .cause("The server receives IKE_SA_INIT and does not answer: check that the VPN service runs and listens on UDP 500 (RRAS with the IKEEXT service; strongSwan charon), that the server's own firewall allows UDP 500 and 4500, and its IKE log for requests it refuses (half-open SA limits, policy).")
                .tell_apart("the server's IKE log shows whether the requests reach the IKE service."),
            _ => Ranked::new()
                .cause("The server never answered on UDP 500: allow UDP 500 and 4500 from the clients to the VPN server on every firewall and NAT on the way, check that the server listens (RRAS running, IKEEXT service started; strongSwan charon up) and that the name resolves to the right address.")
                .tell_apart("capture on the server at the same time (do the requests arrive?), or run `aovpn-diag probe SERVER` from this client."),
        };
        out.push(
            Finding::new(
                Code::IkeSaInitUnanswered,
                Severity::Fail,
                format!(
                    "IKE_SA_INIT request from {} to {}{retried} sent {} over {:.1} s, never answered{here}",
                    first.src,
                    first.dst,
                    times(sent.len()),
                    span
                ),
            )
            .with_frames("frames", &sent.iter().map(|t| t.first).collect::<Vec<_>>())
            .with("transmissions", sent.len())
            .with("first_time", v.rel(first.first_ts))
            .with("last_time", v.rel(last.last_ts))
            .with("responder", v.sa.responder.to_string())
            .with("size", first.ip_len)
            .with("capture_point", point.describe())
            .remedy(remedy.render()),
        );
    }
}

/// Other peers whose IKE_SA_INIT the same responder (address and port)
/// answered while this peer tried: from the in-progress window before its
/// first request to the same after its last. Their SAs are in the analysis,
/// or were summarised and left their answers with this one.
fn answered_elsewhere(
    v: &SaView<'_>,
    first: &Transmission,
    last: &Transmission,
) -> Vec<SocketAddr> {
    let from = first.first_ts.plus_secs(-IN_PROGRESS_WINDOW_SECS);
    let to = last.last_ts.plus_secs(IN_PROGRESS_WINDOW_SECS);
    let mut others: Vec<SocketAddr> =
        v.a.sas
            .iter()
            .filter(|o| {
                o.responder == v.sa.responder
                    && o.initiator != v.sa.initiator
                    && o.negotiated()
                    && o.responses(ExchangeType::IKE_SA_INIT)
                        .any(|r| r.file == first.file && r.first_ts >= from && r.first_ts <= to)
            })
            .map(|o| o.initiator)
            .collect();
    others.extend(
        v.sa.answers_elsewhere
            .iter()
            .filter(|e| e.file == first.file && e.at >= from && e.at <= to)
            .map(|e| e.initiator),
    );
    others
}

/// `ike-sa-init-refused-for-peer`: a per-peer limit on the responder, not a
/// firewall.
fn refused_for_peer(
    v: &SaView<'_>,
    sent: &[&Transmission],
    retried: &str,
    others: &[SocketAddr],
    point: CapturePoint,
) -> Finding {
    let sa = v.sa;
    let mut other_peers: Vec<String> = others.iter().map(|o| o.to_string()).collect();
    other_peers.dedup();
    let same_ip = others.iter().any(|o| o.ip() == sa.initiator.ip());
    let shared = if same_ip {
        "; some of the answered peers share this peer's IP address (a source-NATing load balancer or a NAT in front of many clients makes them one address to the server)"
    } else {
        ""
    };
    let first = sent.first().map(|t| t.first_ts).unwrap_or_default();
    let last = sent.last().map(|t| t.last_ts).unwrap_or_default();
    Finding::new(
        Code::IkeSaInitRefusedForPeer,
        Severity::Fail,
        format!(
            "IKE_SA_INIT from {} to {}{retried} sent {}, never answered, while the same responder answered {} other peer(s) on the same port at the same time ({}){shared}: the responder refuses this peer",
            sa.initiator,
            sa.responder,
            times(sent.len()),
            others.len(),
            and_list(&other_peers.iter().take(4).cloned().collect::<Vec<_>>()),
        ),
    )
    .with_frames("frames", &sent.iter().map(|t| t.first).collect::<Vec<_>>())
    .with("transmissions", sent.len())
    .with("first_time", v.rel(first))
    .with("last_time", v.rel(last))
    .with("responder", sa.responder.to_string())
    .with("answered_peers", json!(other_peers))
    .with("same_address_answered", same_ip)
    .with("capture_point", point.describe())
    .remedy("Not a firewall and not a dead server: it answers others on the same port meanwhile. It refuses this peer: a per-peer limit on half-open or established IKE SAs per source address (Windows: HKLM\\SYSTEM\\CurrentControlSet\\Services\\IKEEXT\\Parameters\\IkeNumEstablishedForInitialQuery, DWORD, e.g. 50000, then restart IKEEXT; strongSwan: charon.block_threshold), most often hit when a load balancer source-NATs every client to one address (turn source NAT off), or a block of this address on the server. The server's IKE log names it.")
}

/// `ike-auth-unanswered` for each unanswered IKE_AUTH exchange, and
/// `ike-auth-never-arrived` (or, cut off by the end of the capture,
/// `exchange-in-progress`) when IKE_SA_INIT was answered and no complete
/// IKE_AUTH request followed.
pub(super) fn ike_auth(v: &SaView<'_>, out: &mut Vec<Finding>) {
    let sa = v.sa;
    let auth: Vec<&(Exchange<'_>, Status)> = v
        .exchanges
        .iter()
        .filter(|(e, _)| e.key.exchange == ExchangeType::IKE_AUTH && e.key.by_initiator)
        .collect();
    for (e, status) in &auth {
        if *status == Status::Unanswered {
            out.push(auth_unanswered(v, e));
        }
    }
    let arrived = auth.iter().any(|(e, _)| !e.complete_requests().is_empty());
    if arrived || !sa.negotiated() || sa.ike_auth_answered() {
        return;
    }
    let Some(answer) = sa
        .responses(ExchangeType::IKE_SA_INIT)
        .filter(|t| t.same_as.is_none())
        .last()
    else {
        return;
    };
    let end = v.a.end_of(answer.file).unwrap_or(answer.last_ts);
    let waited = end.secs_since(answer.last_ts);
    let since_request = sa
        .requests(ExchangeType::IKE_SA_INIT)
        .filter(|t| t.same_as.is_none())
        .last()
        .map(|t| end.secs_since(t.first_ts));
    let lost: Vec<_> = auth.iter().flat_map(|(e, _)| e.lost.iter()).collect();
    let partial: Vec<&Transmission> = auth.iter().flat_map(|(e, _)| e.sent()).collect();
    if lost.len() + partial.len() < 2 && waited < IN_PROGRESS_WINDOW_SECS as f64 {
        out.push(
            Finding::new(
                Code::ExchangeInProgress,
                Severity::Info,
                format!(
                    "IKE_SA_INIT ({}) was answered and the capture ends {waited:.3} s later{}: IKE_AUTH had no time to appear yet; nothing has failed in this capture",
                    peers(sa),
                    since_request
                        .map(|s| format!(", {s:.3} s after the request"))
                        .unwrap_or_default(),
                ),
            )
            .with("exchange", "IKE_AUTH")
            .with("after", answer.first.to_string())
            .with("waited_secs", round3(waited))
            .with("window_secs", IN_PROGRESS_WINDOW_SECS)
            .remedy("Nothing to fix from this capture. To see how the attempt ends, keep capturing until the client reports success or an error (30 s is enough for Windows to give up)."),
        );
        return;
    }
    out.push(never_arrived(v, answer, lost.len(), &partial));
}

/// Of the files that saw a request, the one furthest toward the responder
/// (a responder-side capture, then one of unknown side, then the
/// initiator's); the later file when two are equally far.
fn furthest_point(v: &SaView<'_>, files: &[u16]) -> Option<u16> {
    let rank = |side: Side| match side {
        Side::Initiator => 0,
        Side::Unknown => 1,
        Side::Responder => 2,
    };
    files
        .iter()
        .copied()
        .max_by_key(|&f| (rank(v.point(f).side), f))
}

/// Ranked causes of an IKE_AUTH request that no response answered.
fn auth_unanswered(v: &SaView<'_>, e: &Exchange<'_>) -> Finding {
    let sa = v.sa;
    let sent = e.sent();
    let first = sent
        .iter()
        .find(|t| t.ip_fragmented())
        .or(sent.first())
        .copied();
    let id = e.key.message_id;
    let files_sa = sa.files();
    // Every copy of the request, at every capture point: a copy recorded
    // in another file counts as seen there.
    let everywhere: Vec<&Transmission> = e
        .requests
        .iter()
        .filter_map(|&i| e.transmission(i))
        .collect();
    let mut files_req: Vec<u16> = everywhere.iter().map(|t| t.file).collect();
    files_req.sort_unstable();
    files_req.dedup();
    let seen_in: Vec<u16> = files_req.iter().map(|f| f + 1).collect();
    let not_in: Vec<u16> = files_sa
        .iter()
        .filter(|f| !files_req.contains(f))
        .map(|f| f + 1)
        .collect();
    // Reason from the capture point furthest toward the responder that
    // saw the request: what reached it rules out the path before it.
    let reach = furthest_point(v, &files_req)
        .or_else(|| first.map(|t| t.file))
        .unwrap_or(0);
    let point = v.point(reach);
    let at_reach: Vec<&Transmission> = everywhere
        .iter()
        .copied()
        .filter(|t| t.file == reach)
        .collect();
    let complete_here = !at_reach.is_empty() && at_reach.iter().all(|t| t.complete());
    // No IKE_SA_INIT of this SA at that point: the responder there never
    // negotiated it (one file alone: none in the whole capture).
    let no_init = !sa
        .transmissions
        .iter()
        .any(|t| t.file == reach && t.key.exchange == ExchangeType::IKE_SA_INIT);
    let skf = sent.iter().any(|t| t.is_skf());
    let too_many = sent
        .iter()
        .any(|t| t.skf_total.is_some_and(|n| n > MAX_IKE_FRAGMENTS));
    let ip_frag = sent.iter().any(|t| t.ip_fragmented());
    let last_first = sent
        .iter()
        .any(|t| t.fragment_order == crate::capture::defrag::FragmentOrder::LastFirst);
    let span = match (sent.first(), sent.last()) {
        (Some(a), Some(b)) => b.last_ts.secs_since(a.first_ts),
        _ => 0.0,
    };
    let mut summary = format!(
        "IKE_AUTH request (message ID {id}) from {} to {}{}, sent {} over {span:.1} s, never answered (error 809)",
        first.map_or(sa.initiator, |t| t.src),
        first.map_or(sa.responder, |t| t.dst),
        first.map(|t| format!(", {}", shape(t))).unwrap_or_default(),
        times(sent.len()),
    );
    if skf {
        summary = summary.replace("IKEv2 fragments", "IKEv2 fragments (SKF)");
    }
    let this_point = if files_sa.len() > 1 {
        format!("capture point {} (file {})", reach + 1, reach + 1)
    } else {
        "this capture point".to_string()
    };
    if complete_here && point.side == Side::Responder && !no_init {
        summary.push_str(&format!("; it reached {this_point}, on the server's side, complete every time: the server itself discards it"));
    } else if complete_here && point.side == Side::Responder {
        summary.push_str(&format!(
            "; it reached {this_point}, on the server's side, complete every time"
        ));
    } else if complete_here && point.side == Side::Unknown {
        summary.push_str(&format!("; it reached {this_point} complete every time"));
    } else if !complete_here && skf {
        summary
            .push_str("; some transmissions reached this point without all their IKEv2 fragments");
    }
    if last_first {
        summary.push_str("; its IP fragments left last-first");
    }
    if files_sa.len() > 1 && !not_in.is_empty() {
        summary.push_str(&format!(
            "; it is in capture file {} but never in file {}: lost between those capture points",
            join(&seen_in),
            join(&not_in)
        ));
    }
    if no_init && files_sa.len() > 1 {
        summary.push_str(&format!("; capture file {} has no IKE_SA_INIT for this SA, so the responder there never negotiated it (a load balancer sending UDP 4500 to another server than UDP 500?)", reach + 1));
    } else if no_init {
        summary.push_str("; this capture has no IKE_SA_INIT for this SA, so this responder never negotiated it (a load balancer sending UDP 4500 to another server than UDP 500?)");
    }
    let responder_big = sa.fragmentation.responder != Support::Yes;
    let at_server = point.side == Side::Responder && complete_here;
    // A complete request seen at a point of unknown place: the responder is
    // as likely as the path past the point.
    // A server-side capture that never saw the request rules the server
    // out: it cannot discard what never reached it.
    let missed_at_server = not_in
        .iter()
        .any(|f| v.point(f - 1).side == Side::Responder);
    let unknown_complete = complete_here && point.side == Side::Unknown && !missed_at_server;
    let causes = Ranked::new()
        .cause_if(no_init && point.side != Side::Initiator, remedy::LOAD_BALANCER)
        .cause_if(too_many, remedy::TOO_MANY_FRAGMENTS)
        .cause_if(ip_frag && last_first && !at_server, remedy::OUT_OF_ORDER)
        .cause_if(ip_frag && !at_server, remedy::FRAGMENTS)
        .cause_if(at_server, SERVER_DISCARDS)
        .cause_if(!at_server && !ip_frag && responder_big && !skf, remedy::RESPONSE_FRAGMENTS)
        .cause_if(unknown_complete, SERVER_DISCARDS)
        .cause_if(!at_server, remedy::UDP_4500)
        .cause_if(!at_server && skf && !missed_at_server, remedy::RESPONSE_SKF_TOO_BIG)
        .cause_if(!at_server && !no_init, remedy::LOAD_BALANCER)
        // Seen only on the client's side: the server may as well have
        // received it and discarded it.
        .cause_if(
            point.side == Side::Initiator && complete_here && !missed_at_server,
            SERVER_DISCARDS,
        )
        .tell_apart(if files_sa.len() > 1 && !not_in.is_empty() {
            "the captures already show where the request is lost; from a client, `aovpn-diag probe SERVER` tests IP fragments, UDP 4500 and load-balancer persistence one by one."
        } else if at_server && files_sa.len() > 1 {
            "the captures show the request reaching the server's side complete; the server's IKE log says why it drops the request."
        } else if at_server {
            "a capture on the client at the same time shows whether anything comes back; the server's IKE log says why it drops the request."
        } else {
            TELL_FROM_CLIENT
        });
    let mut f = Finding::new(Code::IkeAuthUnanswered, Severity::Fail, summary)
        .with_frames("frames", &sent.iter().map(|t| t.first).collect::<Vec<_>>())
        .with("message_id", id)
        .with("transmissions", sent.len())
        .with(
            "first_time",
            v.rel(sent.first().map_or_else(Default::default, |t| t.first_ts)),
        )
        .with(
            "last_time",
            v.rel(sent.last().map_or_else(Default::default, |t| t.last_ts)),
        )
        .with("ip_length", first.map_or(0, |t| t.ip_len))
        .with(
            "ip_fragments",
            first.map_or(0, |t| t.ip_packets / t.datagrams.max(1)),
        )
        .with("ike_fragmentation", skf)
        .with(
            "ike_fragments",
            first.and_then(|t| t.skf_total).unwrap_or(0),
        )
        .with("complete_at_capture_point", complete_here)
        .with("capture_point", point.describe());
    if files_sa.len() > 1 {
        f = f.with("furthest_file", reach + 1);
    }
    if files_sa.len() > 1 {
        f = f
            .with("seen_in_files", json!(seen_in))
            .with("missing_from_files", json!(not_in));
    }
    if let Some(t) = first {
        f = f.with("ports", format!("{} -> {}", t.src.port(), t.dst.port()));
    }
    f.remedy(causes.render())
}

/// `ike-auth-never-arrived`: the responder-side view of IKE_AUTH lost
/// before the capture point.
fn never_arrived(
    v: &SaView<'_>,
    answer: &Transmission,
    lost: usize,
    partial: &[&Transmission],
) -> Finding {
    let sa = v.sa;
    let point = v.point(answer.file);
    let both_frag =
        sa.fragmentation.initiator == Support::Yes && sa.fragmentation.responder == Support::Yes;
    let how = if lost > 0 {
        ": only parts of it (IP fragments) arrived"
    } else if !partial.is_empty() {
        ": only some of its IKEv2 fragments arrived"
    } else {
        ": nothing of it arrived"
    };
    let causes = if lost > 0 {
        Ranked::new().cause(format!(
            "The first IP fragment of IKE_AUTH arrived {} and the rest never did: a device before this capture point drops non-first IP fragments. {}",
            times(lost),
            remedy::FRAGMENTS
        ))
    } else if both_frag {
        Ranked::new()
            .cause(remedy::UDP_4500)
            .cause(remedy::LOAD_BALANCER)
            .cause("The IKEv2 fragments are larger than the path allows and are lost as IP fragments: lower the client's or server's IKE fragment size.")
            .tell_apart("a capture on the client shows whether IKE_AUTH left and how; from a client, `aovpn-diag probe SERVER` tests UDP 4500 (IKE_AUTH test: load-balancer persistence) and IP fragments.")
    } else {
        Ranked::new()
            .cause(format!(
                "IKEv2 fragmentation was not negotiated ({} side did not offer it), so IKE_AUTH (certificates, 2 to 4 KB) travels as IP fragments, which a device before this point drops. {}",
                if sa.fragmentation.responder != Support::Yes { "the server's" } else { "the client's" },
                remedy::FRAGMENTS
            ))
            .cause(remedy::UDP_4500)
            .cause(remedy::LOAD_BALANCER)
            .tell_apart("a capture on the client shows whether IKE_AUTH left as IP fragments; from a client, `aovpn-diag probe SERVER` tests IP fragments (fragment test), UDP 4500 and load-balancer persistence (IKE_AUTH test).")
    };
    Finding::new(
        Code::IkeAuthNeverArrived,
        Severity::Fail,
        format!(
            "IKE_SA_INIT was answered ({}) but no complete IKE_AUTH request followed{how}",
            peers(sa)
        ),
    )
    .with("ike_sa_init_response", answer.first.to_string())
    .with("lost_datagrams", lost)
    .with("incomplete_transmissions", partial.len())
    .with("fragmentation_negotiated", both_frag)
    .with("capture_point", point.describe())
    .remedy(causes.render())
}

/// `ike-response-lost`: the responder answered, the requester kept
/// retransmitting and never moved on.
pub(super) fn response_lost(v: &SaView<'_>, out: &mut Vec<Finding>) {
    let sa = v.sa;
    for (e, status) in &v.exchanges {
        let Status::ResponseLost { repeats } = status else {
            continue;
        };
        let reqs = e.sent();
        let resps = e.answered_with();
        let (Some(req), Some(resp)) = (reqs.first(), resps.first()) else {
            continue;
        };
        let to = req.src;
        let req_max = reqs.iter().map(|t| t.ip_len).max().unwrap_or(0);
        let resp_max = resps.iter().map(|t| t.ip_len).max().unwrap_or(0);
        let resp_frag = resps.iter().any(|t| t.ip_fragmented());
        let point = v.point(resp.file);
        let (requester, responder) = if e.key.by_initiator {
            ("initiator", "responder")
        } else {
            ("responder", "initiator")
        };
        let each = piece_sizes(&resps)
            .map(|s| format!(", packets of {s} bytes"))
            .unwrap_or_default();
        // The requester's own capture point saw the responses arrive: they
        // were not lost on the path but discarded on its host.
        let requester_side = if e.key.by_initiator {
            Side::Initiator
        } else {
            Side::Responder
        };
        let fate = if point.side == requester_side {
            format!(
                "the responses reached this capture point, on the {requester}'s side, and the {requester} still ignored them (its IKE service or a host firewall past the capture point discards them)"
            )
        } else {
            format!("the responses were lost on the way back to {to}")
        };
        let mut summary = format!(
            "the {responder} answered {} (message ID {}) {} ({}{each}), but the {requester} kept sending the request ({} in all, {}) and never went on: {fate}",
            e.key.exchange,
            e.key.message_id,
            times(resps.len()),
            shape(resp),
            times(reqs.len()),
            shape(req),
        );
        // Two capture points: where the responses were seen and where not.
        let mut resp_files: Vec<u16> = e
            .responses
            .iter()
            .filter_map(|&i| sa.transmissions.get(i))
            .map(|t| t.file)
            .collect();
        resp_files.sort_unstable();
        resp_files.dedup();
        let missing_in: Vec<u16> = sa
            .files()
            .into_iter()
            .filter(|f| !resp_files.contains(f))
            .collect();
        if !missing_in.is_empty() {
            let names = |v: &[u16]| {
                v.iter()
                    .map(|f| (f + 1).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            summary.push_str(&format!(
                "; the responses are in capture file {} but never in file {}: lost between the two capture points",
                names(&resp_files),
                names(&missing_in)
            ));
        }
        let path = if resp_max > req_max {
            format!(
                "; the {responder}'s packets (up to {} bytes) are larger than the {requester}'s (up to {} bytes, which got through): the path toward {} likely carries less than {} bytes",
                thousands(resp_max),
                thousands(req_max),
                to.ip(),
                thousands(resp_max)
            )
        } else {
            String::new()
        };
        summary.push_str(&path);
        let liveness = liveness_unanswered(sa, e);
        if liveness > 0 {
            summary.push_str(&format!(
                "; the {responder}'s own requests (liveness checks) went unanswered too ({})",
                times(liveness)
            ));
        }
        let causes = if resp_frag {
            Ranked::new().cause(remedy::RESPONSE_FRAGMENTS)
        } else if resp_max > req_max && resps.iter().any(|t| t.is_skf()) {
            Ranked::new().cause(format!(
                "Large packets from the server to the client are dropped (a smaller MTU on the way back, with the ICMP 'too big' errors lost or filtered). Lower the responder's IKEv2 fragment size to at most {} bytes (strongSwan: charon.fragment_size; other gateways: the IKE fragmentation size or the interface MTU), and find the hop that drops larger packets toward the clients.",
                thousands(req_max)
            ))
        } else if resp_max > req_max {
            Ranked::new().cause(format!(
                "Large packets from the server to the client are dropped (a smaller MTU on the way back). Negotiate IKEv2 fragmentation with a fragment size of at most {} bytes, and find the hop that drops larger packets toward the clients.",
                thousands(req_max)
            ))
        } else {
            Ranked::new().cause("Something on the way back drops the server's UDP to the client although its requests get through: a firewall or NAT without state for the return direction, or an asymmetric route.")
        }
        .tell_apart(if point.side == Side::Initiator {
            "the responses reached this capture point: on the client itself, its IKE service or host firewall discards them (its log says why)."
        } else {
            "capture on the client at the same time: responses that never arrive there are lost on the path; `aovpn-diag mtu SERVER` from the client measures the path MTU."
        });
        let restarted = sa_restarted(v, sa, resp);
        if restarted {
            summary.push_str("; the initiator then started over with a new IKE SA");
        }
        out.push(
            Finding::new(Code::IkeResponseLost, Severity::Fail, summary)
                .with_frames(
                    "requests",
                    &reqs.iter().map(|t| t.first).collect::<Vec<_>>(),
                )
                .with_frames(
                    "responses",
                    &resps.iter().map(|t| t.first).collect::<Vec<_>>(),
                )
                .with("exchange", e.key.exchange.to_string())
                .with("message_id", e.key.message_id)
                .with("request_transmissions", reqs.len())
                .with("response_transmissions", resps.len())
                .with("retransmissions_after_response", *repeats)
                .with("request_ip_length", req_max)
                .with("response_ip_length", resp_max)
                .with(
                    "response_ip_fragments",
                    resp.ip_packets / resp.datagrams.max(1),
                )
                .with("response_ike_fragments", resp.skf_total.unwrap_or(0))
                .with("response_frame_length", resp.frame_len)
                .with("capture_point", point.describe())
                .remedy(causes.render()),
        );
    }
}

/// `1,264 and 722`: the IP lengths of a response's IKEv2 fragments, or of
/// its IP fragments.
fn piece_sizes(resps: &[&Transmission]) -> Option<String> {
    let r = resps.first()?;
    let sizes = if r.is_skf() {
        &r.datagram_sizes
    } else {
        &r.fragment_sizes
    };
    let words: Vec<String> = sizes.iter().map(|s| thousands(*s)).collect();
    (words.len() > 1).then(|| and_list(&words))
}

/// Requests the other side sent in this SA after the exchange, unanswered.
fn liveness_unanswered(sa: &IkeSa, e: &Exchange<'_>) -> usize {
    let requester = e.key.by_initiator;
    let mut asked: Vec<&Transmission> = sa
        .transmissions
        .iter()
        .filter(|t| !t.key.response && t.key.from_initiator != requester && t.same_as.is_none())
        .collect();
    asked.retain(|q| {
        !sa.transmissions
            .iter()
            .any(|r| r.key.response && r.exchange_key() == q.exchange_key())
    });
    asked.len()
}

/// A later IKE SA from the same initiator address to the same responder.
fn sa_restarted(v: &SaView<'_>, sa: &IkeSa, after: &Transmission) -> bool {
    v.a.sas.iter().any(|o| {
        o.spi_i != sa.spi_i
            && o.initiator.ip() == sa.initiator.ip()
            && o.responder.ip() == sa.responder.ip()
            && o.transmissions.iter().any(|t| t.first_ts > after.first_ts)
    })
}

/// `exchange-in-progress` (info) for every exchange the end of the
/// capture cut off.
pub(super) fn in_progress(v: &SaView<'_>, out: &mut Vec<Finding>) {
    for (e, status) in &v.exchanges {
        let Status::InProgress { waited } = status else {
            continue;
        };
        let Some(last) = e.sent().last().copied() else {
            continue;
        };
        out.push(
            Finding::new(
                Code::ExchangeInProgress,
                Severity::Info,
                format!(
                    "the capture ends {waited:.3} s after {} was last sent ({} -> {}), within its retransmission window ({IN_PROGRESS_WINDOW_SECS} s): its answer may still have come; nothing has failed in this capture",
                    message(&e.key_request()),
                    last.src,
                    last.dst
                ),
            )
            .with("exchange", e.key.exchange.to_string())
            .with("message_id", e.key.message_id)
            .with("last_sent", frame(last.first))
            .with("waited_secs", round3(*waited))
            .with("window_secs", IN_PROGRESS_WINDOW_SECS)
            .remedy("Nothing to fix from this capture. To see how the attempt ends, keep capturing until the client reports success or an error (30 s is enough for Windows to give up)."),
        );
    }
}

fn join(v: &[u16]) -> String {
    v.iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
