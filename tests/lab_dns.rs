//! Name resolution as the VPN client does it (issue 20), in the namespace lab:
//! the client namespace gets its own hosts file and resolv.conf (`lab.sh
//! names`, bind-mounted by `ip netns exec`), then `probe` and `check` run on
//! the server's name without `-4`/`-6`.
//!
//! Ignored unless asked for; as root:
//! `sudo AOVPN_LAB=1 cargo test --test lab_dns -- --include-ignored --test-threads=1`.

#[path = "support/cli.rs"]
mod cli;
#[path = "support/lab.rs"]
mod lab;

use std::time::{Duration, Instant};

use lab::{Lab, NS_CLIENT};
use serde_json::Value;

const NAME: &str = "vpn.aovd.test";
/// The bound the issue sets for a name the hosts file answers.
const QUICK: Duration = Duration::from_secs(3);

struct Run {
    code: i32,
    doc: Value,
    text: String,
    took: Duration,
}

/// `aovpn-diag COMMAND NAME --json ARGS` in the client namespace, timed.
fn run(lab: &Lab, command: &str, target: &str, args: &[&str]) -> Run {
    let mut all = vec![command, target, "--json"];
    all.extend_from_slice(args);
    let started = Instant::now();
    let out = lab.run_bin(NS_CLIENT, &all);
    let took = started.elapsed();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    Run {
        code: out.status.code().unwrap_or(-1),
        doc,
        text,
        took,
    }
}

fn step<'a>(r: &'a Run, name: &str) -> &'a Value {
    r.doc["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == name))
        .unwrap_or_else(|| panic!("no step {name}: {}", r.text))
}

/// `probe` and `check` on NAME succeed within [`QUICK`], from the hosts
/// file, on exactly `expected` addresses.
fn assert_answers_from_hosts(lab: &Lab, expected: &[&str], label: &str) {
    let p = run(lab, "probe", NAME, &[]);
    assert_eq!(p.code, 0, "{label}: probe: {}", p.text);
    assert!(p.took < QUICK, "{label}: probe took {:?}", p.took);
    let res = &p.doc["resolution"];
    assert_eq!(res["source"], "hosts-file", "{label}: {}", p.text);
    assert_eq!(res["hosts_file"], "/etc/hosts", "{label}");
    let addrs: Vec<&str> = res["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(addrs, expected, "{label}");
    assert!(
        cli::has(&p.doc, "dns-hosts-file", "info"),
        "{label}: {}",
        p.text
    );
    assert_eq!(
        p.doc["targets"].as_array().unwrap().len(),
        expected.len(),
        "{label}"
    );
    assert!(
        p.doc["targets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["udp500"]["answered"] == true),
        "{label}: {}",
        p.text
    );

    let c = run(lab, "check", NAME, &[]);
    assert_eq!(c.code, 0, "{label}: check: {}", c.text);
    assert!(c.took < QUICK, "{label}: check took {:?}", c.took);
    assert_eq!(c.doc["cause"], Value::Null, "{label}");
    assert_eq!(step(&c, "dns")["status"], "ok", "{label}: {}", c.text);
    assert!(
        step(&c, "dns")["detail"]
            .as_str()
            .unwrap()
            .starts_with("hosts file /etc/hosts: "),
        "{label}: {}",
        c.text
    );
    assert_eq!(step(&c, "udp-500")["status"], "ok", "{label}");
    eprintln!("{label}: probe {:?}, check {:?}", p.took, c.took);
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn a_hosts_entry_of_either_family_or_both_is_enough_without_a_dns_server() {
    let lab = Lab::require();
    lab.server_start(&[]);
    lab.fw(&["none"]);
    let (v4, v6) = (lab.addr("SERVER4"), lab.addr("SERVER6"));
    let e4 = format!("{v4} {NAME}");
    let e6 = format!("{v6} {NAME}");
    // No DNS server configured at all.
    lab.names(None, &[&e4]);
    assert_answers_from_hosts(&lab, &[v4], "IPv4 only");
    lab.names(None, &[&e6]);
    assert_answers_from_hosts(&lab, &[v6], "IPv6 only");
    lab.names(None, &[&e6, &e4]);
    assert_answers_from_hosts(&lab, &[v4, v6], "both");
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn a_silent_dns_server_does_not_slow_down_a_name_from_the_hosts_file() {
    // The situation of issue 20: a DNS server is configured but never
    // answers, and the hosts file has only the IPv4 address. The AAAA query
    // must not be sent to DNS at all.
    let lab = Lab::require();
    lab.server_start(&[]);
    lab.fw(&["drop-dns"]);
    let v4 = lab.addr("SERVER4");
    lab.names(Some(v4), &[&format!("{v4} {NAME}")]);
    assert_answers_from_hosts(&lab, &[v4], "IPv4 only, DNS silent");
    assert_eq!(
        lab.router_counter("aovd_drop_dns"),
        0,
        "no DNS query may leave the client for a name the hosts file answers"
    );
}

#[test]
#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]
#[cfg_attr(
    windows,
    ignore = "needs the Linux namespace lab (netns, nftables, charon)"
)]
fn an_unknown_name_is_dns_failed_within_the_bound_and_says_why() {
    let lab = Lab::require();
    lab.server_start(&[]);
    let v4 = lab.addr("SERVER4");
    let entry = format!("{v4} {NAME}");

    // No DNS server configured.
    lab.fw(&["none"]);
    lab.names(None, &[&entry]);
    // DNS that cannot be asked: the check could not run (3), as for probe;
    // the document still names the cause.
    let c = run(&lab, "check", "unknown.aovd.test", &[]);
    assert_eq!(c.code, 3, "{}", c.text);
    assert_eq!(c.doc["error"]["code"], "dns-unavailable", "{}", c.text);
    assert_eq!(c.doc["cause"], "dns-failed", "{}", c.text);
    assert_eq!(c.doc["dns"]["failure"]["kind"], "no-server", "{}", c.text);
    assert!(c.took < QUICK, "took {:?}", c.took);
    let p = run(&lab, "probe", "unknown.aovd.test", &[]);
    assert_eq!(
        p.code, 3,
        "no DNS server: the probe could not run: {}",
        p.text
    );
    assert!(p.text.contains("no DNS server is configured"), "{}", p.text);

    // A DNS server that never answers: both queries time out, together,
    // within the 2 s bound (plus start-up), each with its time.
    lab.fw(&["drop-dns"]);
    lab.names(Some(v4), &[&entry]);
    let c = run(&lab, "check", "unknown.aovd.test", &[]);
    assert_eq!(c.code, 3, "{}", c.text);
    assert_eq!(c.doc["error"]["code"], "dns-unavailable", "{}", c.text);
    assert_eq!(c.doc["cause"], "dns-failed", "{}", c.text);
    let failure = &c.doc["dns"]["failure"];
    assert_eq!(failure["kind"], "timeout", "{}", c.text);
    let lookups = failure["lookups"].as_array().unwrap();
    assert_eq!(lookups.len(), 2, "{}", c.text);
    for l in lookups {
        assert_eq!(l["result"]["error"]["kind"], "timeout", "{}", c.text);
        let ms = l["elapsed_ms"].as_f64().unwrap();
        assert!((1900.0..2600.0).contains(&ms), "{ms} ms: {}", c.text);
    }
    assert!(c.took < QUICK, "took {:?}", c.took);
    assert!(
        lab.router_counter("aovd_drop_dns") > 0,
        "the queries did go to the server"
    );
    // The step says what failed, and the probe steps are skipped.
    assert_eq!(step(&c, "dns")["status"], "problem");
    assert_eq!(step(&c, "udp-500")["status"], "skipped");
}
