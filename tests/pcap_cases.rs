//! `aovpn-diag pcap` on the field cases of issue 12 (fixtures/case-*, copied
//! from shared/cases/ with their right answers, fixed before the tool ran on
//! them) and on the fixtures made for each kind of fault (fixtures/kind-*,
//! see fixtures/README.md): the verdict, the codes, and the facts that make
//! the diagnosis true.

#[path = "support/cli.rs"]
mod cli;

use cli::{codes, finding, has};
use serde_json::Value;

fn json(file: &str) -> (Value, i32) {
    cli::json("pcap", &[file])
}

fn human(file: &str) -> String {
    let out = cli::command("pcap").arg(file).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn text(f: &Value, key: &str) -> String {
    f[key].as_str().unwrap_or_default().to_owned()
}

fn exchange<'a>(doc: &'a Value, sa: usize, name: &str, id: u64) -> &'a Value {
    doc["sas"][sa]["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["exchange"] == name && e["message_id"] == id)
        .unwrap_or_else(|| panic!("no {name} {id} in {:#}", doc["sas"][sa]["exchanges"]))
}

#[test]
fn esp_in_udp_without_ike_was_negotiated_before_the_capture() {
    let file = "fixtures/case-esp-in-udp-no-ike.pcap";
    let (doc, code) = json(file);
    assert_eq!(code, 0);
    assert_eq!(doc["verdict"], "ok");
    assert_eq!(
        codes(&doc),
        vec![("ike-not-in-capture".to_string(), "warn".to_string())]
    );
    let f = finding(&doc, "ike-not-in-capture");
    let summary = text(f, "summary");
    assert!(
        summary.contains("negotiated before the capture started"),
        "{summary}"
    );
    assert!(
        summary
            .contains("8 ESP-in-UDP packet(s) 192.1.2.23:4500 -> 192.1.2.45:4500 (SPI 0x12345678)"),
        "{summary}"
    );
    assert!(!summary.contains("never reached"), "{summary}");
    assert!(text(f, "remedy").contains("start the capture, then connect"));
    assert_eq!(f["evidence"]["esp_in_udp_packets"], 8);
    assert_eq!(doc["ipsec_flows"][0]["kind"], "esp-in-udp");
    assert_eq!(doc["ipsec_flows"][0]["packets"], 8);
    assert!(!human(file).contains("no-ike-traffic"));
}

#[test]
fn a_capture_ending_after_ike_sa_init_is_in_progress_not_failed() {
    let (doc, code) = json("fixtures/case-capture-ends-after-sa-init.pcapng");
    assert_eq!(code, 0);
    assert_eq!(doc["verdict"], "ok");
    assert!(has(&doc, "exchange-in-progress", "info"));
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] != "fail"),
        "{:#}",
        doc["findings"]
    );
    assert_eq!(exchange(&doc, 0, "IKE_SA_INIT", 0)["status"], "answered");
}

#[test]
fn the_answered_ike_auth_whose_response_never_reached_the_client() {
    let file = "fixtures/case-ike-auth-answered-response-lost-server.pcap";
    let (doc, code) = json(file);
    assert_eq!(code, 1);
    assert_eq!(doc["findings"][0]["code"], "ike-response-lost");
    assert!(!has(&doc, "ike-auth-unanswered", "fail"));
    assert!(!has(&doc, "ike-auth-never-arrived", "fail"));
    let f = finding(&doc, "ike-response-lost");
    assert_eq!(f["severity"], "fail");
    assert_eq!(f["windows_error"], 809);
    // Counted per IKE message: 5 transmissions of one 4-piece request and
    // 5 responses of 2 pieces, not 20 and 10.
    assert_eq!(f["evidence"]["request_transmissions"], 5);
    assert_eq!(f["evidence"]["response_transmissions"], 5);
    assert_eq!(f["evidence"]["response_ike_fragments"], 2);
    assert_eq!(f["evidence"]["response_frame_length"], 1278);
    let summary = text(f, "summary");
    assert!(summary.contains("4 IKEv2 fragments"), "{summary}");
    assert!(
        summary.contains("packets of 1,264 and 722 bytes"),
        "{summary}"
    );
    assert!(
        summary.contains("lost on the way back to 203.0.113.194:64916"),
        "{summary}"
    );
    assert!(summary.contains("less than 1,264 bytes"), "{summary}");
    let auth = exchange(&doc, 0, "IKE_AUTH", 1);
    assert_eq!(auth["status"], "response-lost");
    // Answered at the server, never heard by the client: both facts.
    assert_eq!(doc["sas"][0]["ike_auth_answered"], true);
    assert_eq!(doc["sas"][0]["ike_auth_response_lost"], true);
    assert!(human(file).contains("its response never reached the"));
    assert_eq!(auth["request_transmissions"], 5);
    assert_eq!(auth["response_transmissions"], 5);
    assert_eq!(auth["request_ike_fragments"], 4);
    // The last IKE_SA_INIT, answered just before the end: in progress.
    let last = finding(&doc, "exchange-in-progress");
    assert!(
        text(last, "summary").contains("203.0.113.194:61023"),
        "{last}"
    );
    // wire counts stay tshark's (per datagram)
    assert_eq!(doc["stats"]["ike_messages"], 37);
    assert_eq!(doc["stats"]["ike_transmissions"], 17);
    assert!(human(file).contains("Windows shows: error 809"));
}

#[test]
fn seventeen_ikev2_fragments_arrive_complete_and_the_gateway_drops_them() {
    let (doc, code) = json("fixtures/case-ike-auth-17-skf-unanswered-server.pcap");
    assert_eq!(code, 1);
    assert_eq!(doc["findings"][0]["code"], "too-many-ike-fragments");
    let many = finding(&doc, "too-many-ike-fragments");
    assert_eq!(many["severity"], "fail");
    assert_eq!(many["evidence"]["ike_fragments"], 17);
    assert_eq!(many["evidence"]["transmissions"], 5);
    let f = finding(&doc, "ike-auth-unanswered");
    assert_eq!(f["evidence"]["transmissions"], 5);
    assert_eq!(f["evidence"]["complete_at_capture_point"], true);
    let summary = text(f, "summary");
    assert!(summary.contains("17 IKEv2 fragments"), "{summary}");
    assert!(summary.contains("sent 5 times"), "{summary}");
    assert!(summary.contains("complete every time"), "{summary}");
    // No firewall, load balancer or UDP 4500 block before this point.
    let remedy = text(f, "remedy");
    assert!(
        remedy.starts_with("Most likely: Some gateways drop IKE messages of more than 16"),
        "{remedy}"
    );
    for wrong in ["UDP 4500 is blocked", "load balancer", "firewall"] {
        assert!(!remedy.contains(wrong), "{wrong}: {remedy}");
    }
    let fix = text(many, "remedy");
    assert!(
        fix.contains("fragment limit") && fix.contains("ECDSA") && fix.contains("MTU"),
        "{fix}"
    );
    assert_eq!(exchange(&doc, 0, "IKE_AUTH", 1)["request_transmissions"], 5);
}

// ---- fixtures made for each kind (fixtures/README.md, "Kinds of fault") ----

fn codes_of(doc: &Value) -> Vec<(String, String)> {
    codes(doc)
}

fn no_fail(doc: &Value) -> bool {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["severity"] != "fail")
}

#[test]
fn kind1_more_than_16_pieces_counted_as_one_message_sent_three_times() {
    let (doc, code) = json("fixtures/kind-many-skf-udp4500-blocked-client.pcapng");
    assert_eq!(code, 1);
    assert_eq!(doc["findings"][0]["code"], "too-many-ike-fragments");
    let f = finding(&doc, "ike-auth-unanswered");
    assert_eq!(f["evidence"]["transmissions"], 3);
    let pieces = f["evidence"]["ike_fragments"].as_u64().unwrap();
    assert!(pieces > 16, "{f}");
    assert!(text(f, "summary").contains("sent 3 times"), "{f}");
    assert!(
        text(f, "summary").contains(&format!("{pieces} IKEv2 fragments")),
        "{f}"
    );
    let auth = exchange(&doc, 0, "IKE_AUTH", 1);
    assert_eq!(auth["request_transmissions"], 3);
    assert_eq!(auth["request_ike_fragments"], pieces);
    // stats stay per wire datagram, as tshark counts
    assert_eq!(doc["stats"]["ike_messages"], 2 + 3 * pieces);
    assert_eq!(doc["stats"]["ike_transmissions"], 5);
}

#[test]
fn kind1_and_5_many_pieces_answered_are_a_warning_and_one_transmission() {
    let (doc, code) = json("fixtures/kind-many-skf-success-server.pcapng");
    assert_eq!(code, 0, "{:?}", codes_of(&doc));
    assert!(has(&doc, "too-many-ike-fragments", "warn"));
    let auth = exchange(&doc, 0, "IKE_AUTH", 1);
    assert_eq!(auth["status"], "answered");
    assert_eq!(auth["request_transmissions"], 1);
    assert!(auth["request_ike_fragments"].as_u64().unwrap() > 16);
}

#[test]
fn kind2_server_side_lost_responses_from_the_lab() {
    let (doc, code) = json("fixtures/kind-response-lost-server.pcapng");
    assert_eq!(code, 1);
    assert_eq!(doc["findings"][0]["code"], "ike-response-lost");
    assert!(!has(&doc, "ike-auth-unanswered", "fail"));
    let f = finding(&doc, "ike-response-lost");
    assert_eq!(f["evidence"]["request_transmissions"], 3);
    assert_eq!(f["evidence"]["response_transmissions"], 3);
    assert_eq!(f["windows_error"], 809);
    assert!(
        text(f, "remedy").contains("Lower the responder's IKEv2 fragment size"),
        "{f}"
    );
    assert!(
        f["evidence"]["capture_point"]
            .as_str()
            .unwrap()
            .starts_with("on the responder's (server's) side")
    );
    // The client's side of the same attempt: unanswered, and the remedy
    // says which capture tells the causes apart.
    let (doc, code) = json("fixtures/kind-response-lost-client.pcapng");
    assert_eq!(code, 1);
    let f = finding(&doc, "ike-auth-unanswered");
    assert_eq!(f["evidence"]["transmissions"], 3);
    assert!(
        text(f, "remedy").contains("capture on the VPN server"),
        "{f}"
    );
    // With IKEv2 fragmentation negotiated the response can still be lost
    // on the way back (its pieces are the server's size), and a client-side
    // capture cannot rule out the server discarding the request.
    let remedy = text(f, "remedy");
    assert!(
        remedy.contains("its response is lost on the way back"),
        "{remedy}"
    );
    assert!(
        remedy.contains("The server receives the request and discards it"),
        "{remedy}"
    );
}

#[test]
fn kind2_server_side_ike_auth_never_arrived_without_16430_names_fragments_first() {
    // The lab capture of the 809 case on the server (no 16430, the router
    // drops every IP fragment): IKE_SA_INIT done, nothing on UDP 4500.
    let (doc, code) = json("fixtures/ike-frags-dropped-809-server.pcapng");
    assert_eq!(code, 1);
    let f = finding(&doc, "ike-auth-never-arrived");
    let r = text(f, "remedy");
    assert!(
        r.starts_with("Most likely: IKEv2 fragmentation was not negotiated"),
        "{r}"
    );
    let frag = r.find("EnableServerFragmentation").unwrap();
    assert!(frag < r.find("UDP 4500 is blocked").unwrap(), "{r}");
    assert!(frag < r.find("load balancer").unwrap(), "{r}");
    assert!(r.contains("`aovpn-diag probe SERVER`"), "{r}");
}

#[test]
fn kind3_a_lab_capture_cut_after_the_ike_auth_request_is_in_progress() {
    let (doc, code) = json("fixtures/kind-capture-ends-in-ike-auth-client.pcapng");
    assert_eq!(code, 0, "{:?}", codes_of(&doc));
    assert!(no_fail(&doc));
    let f = finding(&doc, "exchange-in-progress");
    assert_eq!(f["evidence"]["exchange"], "IKE_AUTH");
    assert_eq!(exchange(&doc, 0, "IKE_AUTH", 1)["status"], "in-progress");
}

#[test]
fn kind4_esp_both_ways_from_the_lab_is_a_tunnel_up_before_the_capture() {
    let (doc, code) = json("fixtures/kind-esp-no-ike-client.pcapng");
    assert_eq!(code, 0);
    assert_eq!(
        codes_of(&doc),
        vec![("ike-not-in-capture".to_string(), "warn".to_string())]
    );
    let f = finding(&doc, "ike-not-in-capture");
    assert!(
        text(f, "summary").contains("ESP flows both ways: the tunnel is up"),
        "{f}"
    );
    assert_eq!(f["evidence"]["esp_both_ways"], true);
}

#[test]
fn kind4_ikev1_only_is_named_and_not_a_missing_client() {
    let (doc, code) = json("fixtures/kind-ikev1-only-client.pcapng");
    assert_eq!(code, 0, "{:?}", codes_of(&doc));
    assert!(has(&doc, "ike-not-in-capture", "warn"));
    assert!(has(&doc, "ikev1-traffic", "info"));
    assert!(!has(&doc, "no-ike-traffic", "fail"));
    assert!(text(finding(&doc, "ike-not-in-capture"), "summary").contains("IKEv1"));
}

#[test]
fn kind5_cookie_demanded_by_the_lab_server() {
    let (doc, code) = json("fixtures/kind-cookie-requested-server.pcapng");
    assert_eq!(code, 0, "{:?}", codes_of(&doc));
    let f = finding(&doc, "ike-cookie-requested");
    assert_eq!(f["severity"], "info");
    assert!(
        text(f, "summary").contains("retried with the cookie and was answered"),
        "{f}"
    );
}

#[test]
fn kind5_one_peer_refused_while_the_client_is_answered() {
    let (doc, code) = json("fixtures/kind-sa-init-refused-for-peer-server.pcapng");
    assert_eq!(code, 1);
    assert!(
        !has(&doc, "ike-sa-init-unanswered", "fail"),
        "{:?}",
        codes_of(&doc)
    );
    let refused: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "ike-sa-init-refused-for-peer")
        .collect();
    assert_eq!(refused.len(), 2, "{:?}", codes_of(&doc));
    for f in refused {
        assert_eq!(f["severity"], "fail");
        assert!(
            text(f, "summary").starts_with("IKE_SA_INIT from 198.18.1.3:5000"),
            "{f}"
        );
        assert_eq!(
            f["evidence"]["answered_peers"],
            serde_json::json!(["198.18.1.2:500"])
        );
        assert!(text(f, "remedy").contains("block_threshold"));
    }
}

#[test]
fn kind5_fragments_last_first_are_named_first_when_ike_auth_failed() {
    let (doc, code) = json("fixtures/kind-ipfrag-last-first-unanswered-client.pcap");
    assert_eq!(code, 1);
    let o = finding(&doc, "ip-fragments-out-of-order");
    assert_eq!(o["severity"], "warn");
    assert_eq!(o["evidence"]["exchange_failed"], true);
    let f = finding(&doc, "ike-auth-unanswered");
    assert!(
        text(f, "summary").contains("its IP fragments left last-first"),
        "{f}"
    );
    assert!(
        text(f, "remedy").starts_with("Most likely: Some gateways (a major cloud VPN gateway among them) drop datagrams whose IP fragments arrive last-first"),
        "{f}"
    );
}

#[test]
fn kind2_both_sides_together_say_where_the_responses_were_lost() {
    let (doc, code) = cli::json(
        "pcap",
        &[
            "fixtures/kind-response-lost-client.pcapng",
            "fixtures/kind-response-lost-server.pcapng",
        ],
    );
    assert_eq!(code, 1);
    let f = finding(&doc, "ike-response-lost");
    assert!(
        text(f, "summary").contains("the responses are in capture file 2 but never in file 1"),
        "{f}"
    );
    // One message sent 3 times, each seen at both capture points.
    assert_eq!(f["evidence"]["request_transmissions"], 3);
    assert_eq!(exchange(&doc, 0, "IKE_AUTH", 1)["request_transmissions"], 3);
}

/// Several capture points: a request copied into a later file counts as
/// seen there, and the diagnosis reasons from the furthest point that saw
/// it (found by a new-user trial: the router's copies were ignored and the
/// request called lost between client and router).
fn auth_unanswered(files: &[&str]) -> (Value, Value) {
    let (doc, code) = cli::json("pcap", files);
    assert_eq!(code, 1, "{doc:#}");
    let f = finding(&doc, "ike-auth-unanswered").clone();
    (doc, f)
}

#[test]
fn a_request_the_router_saw_is_not_lost_before_the_router() {
    let (_, f) = auth_unanswered(&[
        "fixtures/ike-frags-dropped-809-client.pcapng",
        "fixtures/ike-frags-dropped-809-router.pcapng",
    ]);
    assert_eq!(f["evidence"]["seen_in_files"], serde_json::json!([1, 2]));
    assert_eq!(f["evidence"]["missing_from_files"], serde_json::json!([]));
    assert_eq!(f["evidence"]["furthest_file"], 2);
    let summary = text(&f, "summary");
    assert!(!summary.contains("never in file"), "{summary}");
    assert!(
        summary.contains("reached capture point 2 (file 2) complete"),
        "{summary}"
    );
}

#[test]
fn a_request_missing_from_the_server_capture_is_not_the_server_discarding_it() {
    let (_, f) = auth_unanswered(&[
        "fixtures/ike-frags-dropped-809-client.pcapng",
        "fixtures/ike-frags-dropped-809-router.pcapng",
        "fixtures/ike-frags-dropped-809-server.pcapng",
    ]);
    assert_eq!(f["evidence"]["seen_in_files"], serde_json::json!([1, 2]));
    assert_eq!(f["evidence"]["missing_from_files"], serde_json::json!([3]));
    let remedy = text(&f, "remedy");
    assert!(
        remedy.starts_with("Most likely: A device on the path drops IP fragments"),
        "{remedy}"
    );
    assert!(
        !remedy.contains("The server receives the request and discards it"),
        "{remedy}"
    );
}

#[test]
fn a_load_balancer_split_stays_a_load_balancer_with_the_client_capture_beside_it() {
    let (_, f) = auth_unanswered(&[
        "fixtures/ike-lb-split-client.pcapng",
        "fixtures/ike-lb-split-server2.pcapng",
    ]);
    assert_eq!(f["evidence"]["missing_from_files"], serde_json::json!([]));
    let summary = text(&f, "summary");
    assert!(
        summary.contains("capture file 2 has no IKE_SA_INIT"),
        "{summary}"
    );
    let remedy = text(&f, "remedy");
    assert!(
        remedy.starts_with("Most likely: A load balancer sends UDP 500 and UDP 4500"),
        "{remedy}"
    );
    assert!(!remedy.contains("UDP 4500 is blocked"), "{remedy}");
}
