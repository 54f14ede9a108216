//! Cross-checks `aovpn_diag::addr` against an independent implementation:
//! Python's `ipaddress` module (`IPv6Address.sixtofour`, `.teredo`,
//! `IPv6Network`), run once over every address in one process.
//!
//! The addresses come from a seeded generator, so a failure names an address
//! that reproduces. Ignored unless asked for (`cargo test -- --include-ignored`,
//! as `.ci/run` does), because it needs `python3`; asked for without `python3`
//! it fails with the reason, it never passes without comparing.

use std::io::Write;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::process::{Command, Stdio};

use aovpn_diag::addr::{
    decode_isatap, decode_sixtofour, decode_teredo, sixtofour_host, sixtofour_prefix,
    sixtofour_prefix_for,
};
use ipnet::Ipv4Net;

/// Per kind of check; three kinds, so over 36,000 cases in all.
const CASES: usize = 12_000;

/// SplitMix64: tiny, seeded, good enough to spread addresses over the space.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn next_u128(&mut self) -> u128 {
        (u128::from(self.next()) << 64) | u128::from(self.next())
    }
}

/// Reads `kind value [len]` lines and answers each with one line computed
/// only with `ipaddress`.
const ORACLE: &str = r#"
import ipaddress, sys
out = []
for line in sys.stdin:
    f = line.split()
    if f[0] == "v4":
        v = int(f[1])
        host = ipaddress.IPv6Address((0x2002 << 112) | (v << 80) | v)
        assert host.sixtofour == ipaddress.IPv4Address(v)
        net = ipaddress.IPv6Network(((0x2002 << 112) | (v << 80), 48))
        out.append(f"{net} {host}")
    elif f[0] == "net":
        v, n = int(f[1]), int(f[2])
        net4 = ipaddress.IPv4Network((v, n), strict=False)
        net6 = ipaddress.IPv6Network(((0x2002 << 112) | (int(net4.network_address) << 80), 16 + n))
        out.append(str(net6))
    else:
        a = ipaddress.IPv6Address(int(f[1], 16))
        s = a.sixtofour
        t = a.teredo
        port = ((~int(a)) >> 32) & 0xffff if t else None
        iid_hi = (int(a) >> 32) & 0xffffffff
        isatap = ipaddress.IPv4Address(int(a) & 0xffffffff) if iid_hi & ~0x02000000 == 0x5efe else None
        out.append(" ".join([
            str(s) if s else "-",
            f"{t[0]} {t[1]} {port}" if t else "- - -",
            str(isatap) if isatap else "-",
        ]))
sys.stdout.write("\n".join(out) + "\n")
"#;

fn ours(line: &str) -> String {
    let f: Vec<&str> = line.split_whitespace().collect();
    match f[0] {
        "v4" => {
            let v = Ipv4Addr::from(f[1].parse::<u32>().unwrap());
            format!("{} {}", sixtofour_prefix(v), sixtofour_host(v))
        }
        "net" => {
            let v = Ipv4Addr::from(f[1].parse::<u32>().unwrap());
            let n: u8 = f[2].parse().unwrap();
            sixtofour_prefix_for(Ipv4Net::new(v, n).unwrap()).to_string()
        }
        _ => {
            let a = Ipv6Addr::from(u128::from_str_radix(f[1], 16).unwrap());
            let s = decode_sixtofour(a).map_or("-".to_owned(), |s| s.ipv4.to_string());
            let t = decode_teredo(a).map_or("- - -".to_owned(), |t| {
                format!("{} {} {}", t.server, t.client_ipv4, t.client_port)
            });
            let i = decode_isatap(a).map_or("-".to_owned(), |i| i.ipv4.to_string());
            format!("{s} {t} {i}")
        }
    }
}

fn cases() -> Vec<String> {
    let mut rng = SplitMix(0x6_70_4a_0d_1a_97);
    let mut lines = Vec::with_capacity(3 * CASES);
    for _ in 0..CASES {
        lines.push(format!("v4 {}", rng.next() as u32));
    }
    for _ in 0..CASES {
        let len = rng.next() % 33;
        lines.push(format!("net {} {len}", rng.next() as u32));
    }
    for i in 0..CASES {
        let raw = rng.next_u128();
        // A third each in 2002::/16, in 2001:0::/32, and anywhere, with
        // ISATAP identifiers planted in some of each.
        let mut a = match i % 3 {
            0 => (0x2002 << 112) | (raw & ((1 << 112) - 1)),
            1 => (0x2001_0000 << 96) | (raw & ((1 << 96) - 1)),
            _ => raw,
        };
        if i % 7 == 0 {
            let u = u128::from(rng.next() & 1) << 57;
            a = (a & !(0xffff_ffff_u128 << 32)) | (0x5efe << 32) | u;
        }
        lines.push(format!("v6 {a:032x}"));
    }
    lines
}

#[test]
#[cfg_attr(not(windows), ignore = "needs python3")]
#[cfg_attr(
    windows,
    ignore = "runs python3 (ipaddress) as the oracle; the Wine CI prefix has no Windows python3"
)]
fn encode_and_decode_agree_with_python_ipaddress() {
    let lines = cases();
    let child = Command::new("python3")
        .args(["-c", ORACLE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn();
    let mut child = child.unwrap_or_else(|e| {
        panic!("cannot start python3, the oracle of this test ({e}): install python3 (apt-get install python3)")
    });
    let input = lines.join("\n") + "\n";
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(output.status.success(), "python3 oracle failed");
    let theirs = String::from_utf8(output.stdout).unwrap();
    let theirs: Vec<&str> = theirs.lines().collect();
    assert_eq!(
        theirs.len(),
        lines.len(),
        "oracle answered a different number of lines"
    );

    let mut kinds = [0usize; 3];
    for (case, expected) in lines.iter().zip(&theirs) {
        assert_eq!(&ours(case), expected, "case `{case}`");
        match case.as_bytes().first() {
            Some(b'v') if case.starts_with("v4") => kinds[0] += 1,
            Some(b'n') => kinds[1] += 1,
            _ => kinds[2] += 1,
        }
    }
    assert!(kinds.iter().all(|&k| k >= 10_000), "{kinds:?}");
}
