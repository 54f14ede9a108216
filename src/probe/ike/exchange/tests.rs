use super::*;
use crate::probe::ike::fake::{FakeServer, ke_group};
use crate::wire::ike::notation;

const SERVER4: &str = "198.18.1.10";

fn exchange(port: u16, offer: &str) -> Exchange {
    Exchange {
        peer: format!("{SERVER4}:{port}").parse().unwrap(),
        proposals: notation::parse_list(offer).unwrap(),
        ke_group: None,
        follow_invalid_ke: true,
        pad_to_ip_size: None,
        fragmentation: Fragmentation::SystemDefault,
        timing: Timing {
            timeout: Duration::from_millis(100),
            retransmits: 2,
        },
        offer_fragmentation: true,
    }
}

#[test]
fn answered_on_500_with_real_nat_detection_hashes() {
    let net = FakeServer::new("aes256-sha256-modp2048").network();
    let report = run(&net.env(), &exchange(500, "aes256-sha256-modp2048"))
        .unwrap()
        .facts;
    assert_eq!(report.outcome, Outcome::Answered);
    assert_eq!(report.requests_sent, 1);
    assert!(report.rtt.is_some());
    let facts = report.response.clone().unwrap();
    assert_eq!(
        facts.chosen.unwrap().describe(),
        "AES-CBC-256/HMAC-SHA2-256/PRF-SHA2-256/MODP-2048"
    );
    assert!(facts.fragmentation_supported);
    assert_eq!(facts.responder_behind_nat, Some(false));
    assert_eq!(facts.initiator_behind_nat, Some(false));
    assert_eq!(facts.vendor_ids, ["strongSwan"]);
    assert!(facts.errors.is_empty());

    // Byte-level check of what went out: no marker on 500, a fresh SPI,
    // NAT_DETECTION hashes over the real socket addresses, 16430 offered.
    let sent = net.sent();
    assert_eq!(sent.len(), 1);
    let req = Message::parse(&sent[0].data).unwrap();
    assert_eq!(req.header.spi_i, report.spi_i);
    assert_eq!(req.header.spi_r, [0; 8]);
    assert_eq!(
        req.notify(NotifyType::NAT_DETECTION_SOURCE_IP)
            .unwrap()
            .data,
        natt::nat_detection_hash(&report.spi_i, &[0; 8], sent[0].local)
    );
    assert_eq!(
        req.notify(NotifyType::NAT_DETECTION_DESTINATION_IP)
            .unwrap()
            .data,
        natt::nat_detection_hash(&report.spi_i, &[0; 8], sent[0].peer)
    );
    assert!(
        req.notify(NotifyType::IKEV2_FRAGMENTATION_SUPPORTED)
            .is_some()
    );
    assert_eq!(req.ke().unwrap().data.len(), 256, "MODP-2048 public value");
    assert_eq!(report.udp_payload_bytes, sent[0].data.len());
    assert_eq!(report.ip_datagram_bytes, sent[0].data.len() + 28);
}

#[test]
fn port_4500_uses_the_non_esp_marker() {
    let net = FakeServer::new("aes256-sha256-modp2048").network();
    let report = run(&net.env(), &exchange(4500, "aes256-sha256-modp2048"))
        .unwrap()
        .facts;
    assert_eq!(report.outcome, Outcome::Answered);
    let sent = net.sent();
    assert_eq!(sent[0].data[..4], [0, 0, 0, 0]);
    assert!(Message::parse(&sent[0].data[4..]).is_ok());
    assert_eq!(report.ip_datagram_bytes, sent[0].data.len() + 28);
}

#[test]
fn follows_invalid_ke_payload_to_the_group_the_server_wants() {
    let net = FakeServer::new("aes256gcm16-prfsha384-ecp384").network();
    let report = run(
        &net.env(),
        &exchange(500, "aes256-sha256-modp2048,aes256gcm16-prfsha384-ecp384"),
    )
    .unwrap()
    .facts;
    assert_eq!(report.outcome, Outcome::Answered);
    assert_eq!(report.ke_retries, [DhGroup::ECP_384]);
    let sent = net.sent();
    assert_eq!(sent.len(), 2);
    assert_eq!(ke_group(&sent[0].data, 500), Some(DhGroup::MODP_2048));
    assert_eq!(ke_group(&sent[1].data, 500), Some(DhGroup::ECP_384));
    let second = Message::parse(&sent[1].data).unwrap();
    assert_eq!(second.header.spi_i, report.spi_i, "same SPI on the retry");
    assert_eq!(second.ke().unwrap().data.len(), 96, "ECP-384 x||y");
    let facts = report.response.clone().unwrap();
    assert_eq!(
        facts.chosen.unwrap().describe(),
        "AES-GCM-16-256/PRF-SHA2-384/ECP-384"
    );
}

#[test]
fn repeats_with_the_cookie_first() {
    let mut server = FakeServer::new("aes256-sha256-modp2048");
    server.cookie = true;
    let net = server.network();
    let report = run(&net.env(), &exchange(500, "aes256-sha256-modp2048"))
        .unwrap()
        .facts;
    assert_eq!(report.outcome, Outcome::Answered);
    assert!(report.cookie_requested);
    let sent = net.sent();
    assert_eq!(sent.len(), 2);
    let retry = Message::parse(&sent[1].data).unwrap();
    assert!(matches!(
        &retry.payloads[0].body,
        crate::wire::ike::Body::Notify(n) if n.kind == NotifyType::COOKIE && n.data == b"fake-cookie"
    ));
    assert!(report.chosen().is_some());
}

#[test]
fn a_silent_port_costs_exactly_the_retransmission_budget() {
    let mut server = FakeServer::new("aes256-sha256-modp2048");
    server.dropped_ports.insert(4500);
    let clock = std::sync::Arc::new(crate::env::ManualClock::default());
    let net = server.network().with_clock(clock.clone());
    let ex = exchange(4500, "aes256-sha256-modp2048");
    let report = run(&net.env(), &ex).unwrap().facts;
    assert_eq!(report.outcome, Outcome::NoAnswer);
    // 100 ms, then 150 ms, then 200 ms: waited out on the virtual clock.
    assert_eq!(clock.elapsed(), ex.timing.budget());
    assert_eq!(clock.elapsed(), Duration::from_millis(450));
    // An answer on the same clock takes no time at all.
    let net = FakeServer::new("aes256-sha256-modp2048")
        .network()
        .with_clock(clock.clone());
    let report = run(&net.env(), &exchange(500, "aes256-sha256-modp2048"))
        .unwrap()
        .facts;
    assert_eq!(report.rtt, Some(Duration::ZERO));
    assert_eq!(clock.elapsed(), Duration::from_millis(450));
}

#[test]
fn unanswered_requests_are_retransmitted_identically_then_given_up() {
    let mut server = FakeServer::new("aes256-sha256-modp2048");
    server.dropped_ports.insert(500);
    let net = server.network();
    let report = run(&net.env(), &exchange(500, "aes256-sha256-modp2048"))
        .unwrap()
        .facts;
    assert_eq!(report.outcome, Outcome::NoAnswer);
    assert_eq!(report.requests_sent, 3);
    let sent = net.sent();
    assert_eq!(sent.len(), 3);
    assert!(sent.iter().all(|s| s.data == sent[0].data));
    assert!(report.response.is_none());
}

#[test]
fn port_unreachable_stops_at_once() {
    let mut server = FakeServer::new("aes256-sha256-modp2048");
    server.closed_ports.insert(4500);
    let net = server.network();
    let report = run(&net.env(), &exchange(4500, "aes256-sha256-modp2048"))
        .unwrap()
        .facts;
    assert_eq!(report.outcome, Outcome::Unreachable);
    assert_eq!(report.requests_sent, 1);
}

#[test]
fn padded_requests_have_the_asked_ip_size_and_vanish_past_the_limit() {
    for port in [500, 4500] {
        let mut server = FakeServer::new("aes256-sha256-modp2048");
        server.max_ip_size = Some(1500);
        let net = server.network();
        let mut ex = exchange(port, "aes256-sha256-modp2048");
        ex.pad_to_ip_size = Some(2000);
        ex.fragmentation = Fragmentation::Allow;
        let report = run(&net.env(), &ex).unwrap().facts;
        assert_eq!(report.ip_datagram_bytes, 2000, "port {port}");
        assert_eq!(report.outcome, Outcome::NoAnswer);
        assert!(net.sent().iter().all(|s| s.data.len() + 28 == 2000));
        assert!(
            net.sent()
                .iter()
                .all(|s| s.options.fragmentation == Fragmentation::Allow)
        );
        ex.pad_to_ip_size = Some(1400);
        let report = run(&net.env(), &ex).unwrap().facts;
        assert_eq!(report.outcome, Outcome::Answered, "port {port}");
    }
}

#[test]
fn nat_on_either_side_is_detected_from_the_hashes() {
    let mut server = FakeServer::new("aes256-sha256-modp2048");
    server.real_addr = Some("10.0.0.5:500".parse().unwrap());
    server.sees_client_as = Some("203.0.113.9:61000".parse().unwrap());
    let net = server.network();
    let report = run(&net.env(), &exchange(500, "aes256-sha256-modp2048"))
        .unwrap()
        .facts;
    let facts = report.response.clone().unwrap();
    assert_eq!(facts.responder_behind_nat, Some(true));
    assert_eq!(facts.initiator_behind_nat, Some(true));
}

#[test]
fn proposal_check_reads_invalid_ke_as_acceptance_without_retrying() {
    let net = FakeServer::new("aes256-sha256-modp2048").network();
    let mut ex = exchange(500, "aes256-sha256-modp2048");
    ex.ke_group = Some(DhGroup::ECP_256);
    ex.follow_invalid_ke = false;
    let report = run(&net.env(), &ex).unwrap().facts;
    assert_eq!(net.sent().len(), 1);
    let facts = report.response.clone().unwrap();
    assert_eq!(facts.requested_group, Some(DhGroup::MODP_2048));

    let mut ex = exchange(500, "3des-sha1-modp1024");
    ex.ke_group = Some(DhGroup::ECP_256);
    ex.follow_invalid_ke = false;
    let report = run(&net.env(), &ex).unwrap().facts;
    let facts = report.response.clone().unwrap();
    assert_eq!(facts.errors, [NotifyType::NO_PROPOSAL_CHOSEN]);
}

#[test]
fn timing_backs_off_and_stays_bounded() {
    let t = Timing {
        timeout: Duration::from_secs(2),
        retransmits: 2,
    };
    assert_eq!(t.wait(0), Duration::from_secs(2));
    assert_eq!(t.wait(1), Duration::from_secs(3));
    assert_eq!(t.wait(2), Duration::from_secs(4));
    assert_eq!(t.budget(), Duration::from_secs(9));
}

#[test]
fn packet_too_big_is_answered_by_sending_again_at_once() {
    let server = FakeServer::new("aes256-sha256-modp2048");
    let mut sends = 0;
    let inner = server.network();
    // First datagram: the router answers "too big"; the request sent again
    // (fragmented by the kernel to the learned MTU) reaches the server.
    let clock = std::sync::Arc::new(crate::env::ManualClock::default());
    let net = crate::probe::net::Scripted::new(move |sent| {
        sends += 1;
        if sends == 1 {
            vec![Received::TooBig]
        } else {
            let mut conn =
                crate::probe::net::Network::open(&inner, sent.peer, sent.options).unwrap();
            conn.send(&sent.data).unwrap();
            vec![conn.recv(std::time::Instant::now()).unwrap()]
        }
    })
    .with_clock(clock.clone());
    let report = run(&net.env(), &exchange(500, "aes256-sha256-modp2048"))
        .unwrap()
        .facts;
    assert!(report.too_big);
    assert_eq!(report.outcome, Outcome::Answered);
    assert_eq!(report.requests_sent, 2);
    // Not one wait was waited out: the second send followed the error.
    assert_eq!(clock.elapsed(), Duration::ZERO);
}

#[test]
fn too_big_re_sends_are_bounded() {
    // A router that answers every send with "too big" (and never lets one
    // through): a few retransmissions at once instead of after their wait,
    // then the normal schedule; never more sends or time than without it.
    let clock = std::sync::Arc::new(crate::env::ManualClock::default());
    let net =
        crate::probe::net::Scripted::new(|_: &crate::probe::net::Sent| vec![Received::TooBig])
            .with_clock(clock.clone());
    let ex = exchange(500, "aes256-sha256-modp2048");
    let report = run(&net.env(), &ex).unwrap().facts;
    assert_eq!(report.outcome, Outcome::NoAnswer);
    assert_eq!(report.requests_sent, u32::from(ex.timing.retransmits) + 1);
    assert!(u32::from(ex.timing.retransmits) >= u32::from(MAX_TOO_BIG_RESENDS));
    // The first MAX_TOO_BIG_RESENDS waits were cut short; only the last
    // one was waited out.
    assert_eq!(clock.elapsed(), ex.timing.wait(ex.timing.retransmits));
}

#[test]
fn a_known_round_trip_shortens_a_silent_port_to_a_few_round_trips() {
    let mut server = FakeServer::new("aes256-sha256-modp2048");
    server.dropped_ports.insert(4500);
    let clock = std::sync::Arc::new(crate::env::ManualClock::default());
    let net = server.network().with_clock(clock.clone());
    let mut ex = exchange(4500, "aes256-sha256-modp2048");
    ex.timing.timeout = Duration::from_secs(2);
    // Without knowledge: 2 + 3 + 4 s.
    let responder = Responder::new(ex.peer.ip(), ex.timing);
    run_with(&net.env(), &ex, &responder).unwrap();
    assert_eq!(clock.elapsed(), Duration::from_secs(9));
    // The server answered in 1 ms on another port: 0.25 + 0.5 + 1 s.
    let responder = Responder::new(ex.peer.ip(), ex.timing);
    responder.sample(Duration::from_millis(1));
    let report = run_with(&net.env(), &ex, &responder).unwrap().facts;
    assert_eq!(report.outcome, Outcome::NoAnswer);
    assert_eq!(report.requests_sent, 3);
    assert_eq!(
        clock.elapsed(),
        Duration::from_secs(9) + Duration::from_millis(1750)
    );
}

#[test]
fn an_answer_to_a_request_sent_once_teaches_the_responder() {
    let clock = std::sync::Arc::new(crate::env::ManualClock::default());
    let net = FakeServer::new("aes256-sha256-modp2048")
        .network()
        .with_clock(clock.clone());
    let ex = exchange(500, "aes256-sha256-modp2048");
    let responder = Responder::new(ex.peer.ip(), ex.timing);
    assert_eq!(responder.srtt(), None);
    run_with(&net.env(), &ex, &responder).unwrap();
    assert_eq!(responder.srtt(), Some(Duration::ZERO));
}

#[test]
fn the_raw_response_is_kept_and_16430_can_be_left_out() {
    let net = FakeServer::new("aes256-sha256-modp2048").network();
    let done = run(&net.env(), &exchange(500, "aes256-sha256-modp2048")).unwrap();
    let init = done.sa_init.unwrap();
    // RealMessage2 (RFC 7296 §2.15): the bytes as received, which parse to
    // the response kept beside them.
    assert_eq!(Message::parse(&init.response_bytes).unwrap(), init.response);
    assert_eq!(
        init.response_bytes.len(),
        init.response.header.length as usize
    );
    let sent = |net: &crate::probe::net::Scripted| {
        Message::parse(&net.sent()[0].data)
            .unwrap()
            .notify(NotifyType::IKEV2_FRAGMENTATION_SUPPORTED)
            .is_some()
    };
    assert!(sent(&net));
    let net = FakeServer::new("aes256-sha256-modp2048").network();
    let mut ex = exchange(500, "aes256-sha256-modp2048");
    ex.offer_fragmentation = false;
    let done = run(&net.env(), &ex).unwrap();
    assert!(!sent(&net));
    // The fake, like strongSwan, then does not send 16430 either.
    assert!(!done.facts.response.unwrap().fragmentation_supported);
}

/// A responder that answers every IKE_SA_INIT request with the notify
/// `demand(request)` only, as a hostile or broken server in a loop would.
fn demanding(
    mut demand: impl FnMut(&Message) -> Notify + Send + 'static,
) -> crate::probe::net::Scripted {
    crate::probe::net::Scripted::new(move |sent| {
        let req = Message::parse(&sent.data).unwrap();
        let mut header = req.header;
        header.flags = crate::wire::ike::Flags(crate::wire::ike::Flags::RESPONSE);
        let answer = Message {
            header,
            payloads: vec![crate::wire::ike::Body::Notify(demand(&req)).into()],
        };
        vec![Received::Datagram(answer.emit())]
    })
}

#[test]
fn a_second_cookie_demand_ends_the_exchange_as_unfinished() {
    let mut n = 0u8;
    let net = demanding(move |_| {
        n += 1;
        Notify::new(NotifyType::COOKIE, vec![n; 16])
    });
    let report = run(&net.env(), &exchange(500, "aes256-sha256-modp2048"))
        .unwrap()
        .facts;
    assert_eq!(report.outcome, Outcome::Answered);
    assert!(report.cookie_requested);
    assert_eq!(report.unfinished, Some(Unfinished::CookieRepeated));
    assert!(report.chosen().is_none());
    assert_eq!(net.sent().len(), 2, "one retry with the cookie, no more");
}

#[test]
fn invalid_ke_for_the_group_already_sent_is_unfinished_not_an_answer() {
    let net = demanding(|req| {
        let group = req.ke().unwrap().group;
        Notify::new(
            NotifyType::INVALID_KE_PAYLOAD,
            group.0.to_be_bytes().to_vec(),
        )
    });
    let report = run(&net.env(), &exchange(500, "aes256-sha256-modp2048"))
        .unwrap()
        .facts;
    assert_eq!(
        report.unfinished,
        Some(Unfinished::KeGroupRepeated(DhGroup::MODP_2048))
    );
    assert!(report.ke_retries.is_empty());
    assert_eq!(net.sent().len(), 1);
}

#[test]
fn invalid_ke_cycling_through_the_offer_is_bounded_and_unfinished() {
    // Asks for each offered group in turn: MODP-2048 sent first, then
    // ECP-384, ECP-256, then MODP-2048 again (already sent).
    let groups = [DhGroup::ECP_384, DhGroup::ECP_256, DhGroup::MODP_2048];
    let mut n = 0;
    let net = demanding(move |_| {
        let g = groups[n % groups.len()];
        n += 1;
        Notify::new(NotifyType::INVALID_KE_PAYLOAD, g.0.to_be_bytes().to_vec())
    });
    let report = run(
        &net.env(),
        &exchange(
            500,
            "aes256-sha256-modp2048,aes256gcm16-prfsha384-ecp384,aes128gcm16-prfsha256-ecp256",
        ),
    )
    .unwrap()
    .facts;
    assert_eq!(report.ke_retries, [DhGroup::ECP_384, DhGroup::ECP_256]);
    assert_eq!(
        report.unfinished,
        Some(Unfinished::KeGroupRepeated(DhGroup::MODP_2048))
    );
    assert!(net.sent().len() <= MAX_ROUNDS);
}

#[test]
fn a_cookie_then_every_other_group_ends_within_max_rounds() {
    let mut n = 0;
    let net = demanding(move |_| {
        n += 1;
        match n {
            1 => Notify::new(NotifyType::COOKIE, vec![1; 16]),
            2 => Notify::new(NotifyType::INVALID_KE_PAYLOAD, vec![0, 20]), // ECP-384
            _ => Notify::new(NotifyType::INVALID_KE_PAYLOAD, vec![0, 19]), // ECP-256
        }
    });
    let ex = exchange(
        500,
        "aes256-sha256-modp2048,aes256gcm16-prfsha384-ecp384,aes128gcm16-prfsha256-ecp256",
    );
    let report = run(&net.env(), &ex).unwrap().facts;
    // Request 4 (ECP-256) is asked for ECP-256 again: already tried.
    assert!(report.cookie_requested);
    assert_eq!(report.ke_retries, [DhGroup::ECP_384, DhGroup::ECP_256]);
    assert_eq!(
        report.unfinished,
        Some(Unfinished::KeGroupRepeated(DhGroup::ECP_256))
    );
    assert_eq!(net.sent().len(), MAX_ROUNDS);
}

#[test]
fn a_stateless_request_takes_invalid_ke_as_its_answer() {
    let net = demanding(|req| {
        let group = req.ke().unwrap().group;
        Notify::new(
            NotifyType::INVALID_KE_PAYLOAD,
            group.0.to_be_bytes().to_vec(),
        )
    });
    let mut ex = exchange(500, "aes256-sha256-modp2048");
    ex.follow_invalid_ke = false;
    let report = run(&net.env(), &ex).unwrap().facts;
    assert_eq!(report.outcome, Outcome::Answered);
    assert_eq!(report.unfinished, None);
}

#[test]
fn an_answer_behind_a_flood_of_junk_is_still_found() {
    // 600 junk datagrams, then the real answer: more than a socket buffer
    // holds, so the wait must not end after a few hundred.
    let mut server = FakeServer::new("aes256-sha256-modp2048");
    let clock = std::sync::Arc::new(crate::env::ManualClock::default());
    let net = crate::probe::net::Scripted::new(move |sent| {
        let mut out = vec![Received::Datagram(vec![0xee; 60]); 600];
        out.extend(server.answer(sent));
        out
    })
    .with_clock(clock.clone());
    let report = run(&net.env(), &exchange(500, "aes256-sha256-modp2048"))
        .unwrap()
        .facts;
    assert_eq!(report.outcome, Outcome::Answered);
    assert_eq!(report.requests_sent, 1);
    assert_eq!(report.ignored, 600);
    assert!(report.chosen().is_some());
}

#[test]
fn a_new_demand_after_following_one_is_unfinished_even_for_a_group_we_cannot_do() {
    // ECP-384 (followed), then MODP-2048-256 (offered, new, not computable
    // here): after one retry a second demand is the responder's circle.
    let mut n = 0;
    let net = demanding(move |_| {
        n += 1;
        let g: u16 = if n == 1 { 20 } else { 24 };
        Notify::new(NotifyType::INVALID_KE_PAYLOAD, g.to_be_bytes().to_vec())
    });
    let ex = exchange(
        500,
        "aes256-sha256-modp2048,aes256gcm16-prfsha384-ecp384,aes256-sha256-modp2048s256",
    );
    let report = run(&net.env(), &ex).unwrap().facts;
    assert_eq!(report.ke_retries, [DhGroup::ECP_384]);
    assert_eq!(
        report.unfinished,
        Some(Unfinished::KeGroupRepeated(DhGroup(24)))
    );

    // The same demand for MODP-2048-256 first is our limit, not a circle.
    let net = demanding(|_| Notify::new(NotifyType::INVALID_KE_PAYLOAD, vec![0, 24]));
    let report = run(&net.env(), &ex).unwrap().facts;
    assert!(report.ke_retries.is_empty());
    assert_eq!(report.unfinished, None);
}
