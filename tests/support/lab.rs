//! Harness for the namespace lab (`tests/lab/lab.sh`): a client, a router and two
//! servers in network namespaces, strongSwan peers and nftables scenarios.
//!
//! Include it from an integration test with
//! `#[path = "support/lab.rs"] mod lab;`, mark every lab test
//! `#[cfg_attr(not(windows), ignore = "needs root + AOVPN_LAB")]` (plus the
//! `cfg_attr(windows, ignore = ...)` every lab test has) and start it with
//! `let lab = lab::Lab::require();`.
//!
//! Why ignored and why it panics: the lab needs root and creates
//! machine-global namespaces, so a plain `cargo test` must not touch it, and
//! must say so: it reports the lab tests as ignored (not run), never as
//! passed. They run when asked for, with `AOVPN_LAB=1 cargo test --
//! --include-ignored` as root (what `.ci/run` does); then a lab that cannot
//! start (not root, a package missing, `AOVPN_LAB` unset) panics with the
//! reason: a failure, never a silent pass.
//!
//! Why the lock: namespaces, charon processes and the router ruleset are shared
//! by every lab test on the machine. A static mutex serialises the tests of one
//! binary, an `flock` on [`LOCK_FILE`] serialises different test binaries.
#![allow(dead_code)] // each test binary uses a different part of the harness

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Environment variable that turns the lab tests on (value `1`).
pub const ENV: &str = "AOVPN_LAB";
/// Set to `1` to leave the lab running after a test for inspection.
pub const KEEP_ENV: &str = "AOVPN_LAB_KEEP";
/// Cross-process lock file (outside the lab state dir, which `down` cleans).
pub const LOCK_FILE: &str = "/tmp/aovd-lab.lock";
/// Default MTU of the router -> server links.
pub const DEFAULT_MTU: u32 = 1400;

pub const NS_CLIENT: &str = "aovd-client";
pub const NS_ROUTER: &str = "aovd-router";
pub const NS_SERVER: &str = "aovd-server";
pub const NS_SERVER2: &str = "aovd-server2";

/// Longest a single lab.sh call may take (charon start, a 15 s initiation...).
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest we wait for another test binary to release the lab.
const LOCK_WAIT: Duration = Duration::from_secs(900);
/// Default bound for commands run inside a namespace.
pub const EXEC_TIMEOUT: Duration = Duration::from_secs(120);

static IN_PROCESS: Mutex<()> = Mutex::new(());

/// A running lab. Dropping it tears everything down (`lab.sh down`).
pub struct Lab {
    addrs: BTreeMap<String, String>,
    mtu: u32,
    // Field order matters: the locks are released after `Drop::drop` ran `down`.
    _file_lock: File,
    _guard: MutexGuard<'static, ()>,
}

/// Result of `lab.sh client initiate`.
#[derive(Debug)]
pub struct Initiation {
    /// The CHILD_SA (and with it the IKE_SA) came up.
    pub established: bool,
    /// swanctl's log of the attempt (stderr of lab.sh), for assertion messages.
    pub log: String,
}

impl Lab {
    /// Starts the lab with the default router->server MTU (1400). Panics with
    /// the reason when it cannot start (an ignored test runs only when asked).
    pub fn require() -> Lab {
        Self::require_with_mtu(DEFAULT_MTU)
    }

    /// Like [`Lab::require`] with another router->server MTU (1280..=9000).
    pub fn require_with_mtu(mtu: u32) -> Lab {
        if std::env::var(ENV).as_deref() != Ok("1") {
            panic!(
                "the namespace lab tests were asked for (--include-ignored) but {ENV} is not 1: \
                 run them as root with {ENV}=1, e.g. \
                 sudo {ENV}=1 cargo test --test lab_probe -- --include-ignored --test-threads=1"
            );
        }
        if let Err(why) = preflight() {
            panic!("the namespace lab cannot start: {why}");
        }
        let guard = IN_PROCESS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let file_lock = lock_across_processes();
        let lab = Lab {
            addrs: BTreeMap::new(),
            mtu,
            _file_lock: file_lock,
            _guard: guard,
        };
        // From here on, Drop cleans up even if `up` fails half-way.
        let mut lab = lab;
        lab.sh(&["up", "--mtu", &mtu.to_string()]);
        lab.addrs = parse_addrs(&lab.sh(&["addrs"]));
        lab
    }

    /// Path of `tests/lab/lab.sh`.
    pub fn script() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lab/lab.sh")
    }

    /// Router -> server link MTU of this lab.
    pub fn mtu(&self) -> u32 {
        self.mtu
    }

    /// An address or name printed by `lab.sh addrs` (e.g. `SERVER4`, `VIP6`,
    /// `NS_CLIENT`, `IF_SERVER`). Panics on an unknown key: a typo in a test.
    pub fn addr(&self, key: &str) -> &str {
        match self.addrs.get(key) {
            Some(v) => v,
            None => panic!(
                "lab.sh addrs has no key {key}; known: {:?}",
                self.addrs.keys().collect::<Vec<_>>()
            ),
        }
    }

    /// All `lab.sh addrs` values.
    pub fn addrs(&self) -> &BTreeMap<String, String> {
        &self.addrs
    }

    /// Runs `lab.sh ARGS`, panics with its output when it fails; returns stdout.
    pub fn sh(&self, args: &[&str]) -> String {
        let out = self.try_sh(args);
        if !out.status.success() {
            panic!(
                "lab.sh {} failed ({}):\n{}{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs `lab.sh ARGS` (bounded by a timeout) and returns its output as is.
    pub fn try_sh(&self, args: &[&str]) -> Output {
        output_of(
            Command::new("timeout")
                .arg("--kill-after=5")
                .arg(SCRIPT_TIMEOUT.as_secs().to_string())
                .arg(Self::script())
                .args(args),
        )
    }

    /// Replaces the router ruleset with the union of the named scenarios
    /// (`none`, `drop-frags`, `drop-nonfirst-frags`, `black-hole`, `block-500`,
    /// `block-4500`, `drop-echo`, `drop-dns`, `lb-healthy`, `lb-split`, `lb-snat`).
    pub fn fw(&self, scenarios: &[&str]) {
        let mut args = vec!["fw"];
        args.extend_from_slice(scenarios);
        self.sh(&args);
    }

    /// The client namespace's own hosts file (`entries`, each `ADDR NAME`)
    /// and resolv.conf: `dns` is the one nameserver, `None` for no DNS
    /// server at all. `lab.sh down` removes both.
    pub fn names(&self, dns: Option<&str>, entries: &[&str]) {
        let mut args = vec!["names", "--dns", dns.unwrap_or("none")];
        for e in entries {
            args.extend_from_slice(&["--hosts", e]);
        }
        self.sh(&args);
    }

    /// `lab.sh server start ARGS` (`--fragmentation yes|no`, `--proposals LIST`,
    /// `--eap`, `--ns aovd-server2`).
    pub fn server_start(&self, args: &[&str]) {
        let mut all = vec!["server", "start"];
        all.extend_from_slice(args);
        self.sh(&all);
    }

    /// Starts the client's charon (needed before [`Lab::client_initiate`]).
    pub fn client_start(&self) {
        self.sh(&["client", "start"]);
    }

    /// `lab.sh client initiate ARGS` (`--fragmentation`, `--timeout S`,
    /// `--target server|server2|vip|ADDR`, `-6`, `--eap`, `--proposals`).
    pub fn client_initiate(&self, args: &[&str]) -> Initiation {
        let mut all = vec!["client", "initiate"];
        all.extend_from_slice(args);
        let out = self.try_sh(&all);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let log = String::from_utf8_lossy(&out.stderr).into_owned();
        let established = out.status.success() && stdout.contains("RESULT=established");
        if !established && !stdout.contains("RESULT=failed") {
            panic!(
                "lab.sh client initiate {} did not run ({}):\n{stdout}{log}",
                args.join(" "),
                out.status
            );
        }
        Initiation { established, log }
    }

    /// Starts tcpdump in `ns` writing `file` (full packets); returns once it listens.
    pub fn capture_start(&self, ns: &str, file: &Path, extra: &[&str]) {
        let file = file.to_str().expect("capture path must be UTF-8");
        let mut all = vec!["capture", "start", ns, file];
        all.extend_from_slice(extra);
        self.sh(&all);
    }

    /// Stops every capture of the lab (flushes the files).
    pub fn capture_stop(&self) {
        self.sh(&["capture", "stop"]);
    }

    /// Packets counted by all rules of the router's nftables table `table`
    /// (`aovd_drop_frags`, `aovd_drop_nonfirst_frags`, `aovd_black_hole`,
    /// `aovd_block_500`, `aovd_block_4500`, `aovd_drop_echo`, `aovd_lb`):
    /// proof that a scenario actually dropped or rewrote something.
    pub fn router_counter(&self, table: &str) -> u64 {
        self.router_counter_of("inet", table)
    }

    /// [`Lab::router_counter`] for a table of another family (`arp`, `ip6`:
    /// the tables of `fw delay-first`).
    pub fn router_counter_of(&self, family: &str, table: &str) -> u64 {
        let out = self.exec_in(NS_ROUTER, "nft", &["list", "table", family, table]);
        assert!(
            out.status.success(),
            "no nftables table {family} {table} on the router"
        );
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines()
            .filter_map(|l| {
                let mut words = l.split_whitespace();
                words.find(|w| *w == "packets")?;
                words.next()?.parse::<u64>().ok()
            })
            .sum()
    }

    /// Runs `program ARGS` inside namespace `ns`, bounded by [`EXEC_TIMEOUT`].
    pub fn exec_in(&self, ns: &str, program: &str, args: &[&str]) -> Output {
        self.exec_in_timeout(ns, EXEC_TIMEOUT, program, args)
    }

    /// Runs `program ARGS` inside `ns`; killed after `limit` (exit status 124).
    pub fn exec_in_timeout(
        &self,
        ns: &str,
        limit: Duration,
        program: &str,
        args: &[&str],
    ) -> Output {
        let secs = limit.as_secs().max(1).to_string();
        output_of(
            Command::new("ip")
                .args([
                    "netns",
                    "exec",
                    ns,
                    "timeout",
                    "--kill-after=5",
                    &secs,
                    program,
                ])
                .args(args),
        )
    }

    /// Runs the `aovpn-diag` binary under test inside `ns` (usually the client).
    pub fn run_bin(&self, ns: &str, args: &[&str]) -> Output {
        self.exec_in(ns, env!("CARGO_BIN_EXE_aovpn-diag"), args)
    }

    /// Last lines of each charon log, for failure messages.
    pub fn charon_logs(&self, lines: usize) -> String {
        let run = Path::new(self.addr("STATE_DIR")).join("run");
        let mut text = String::new();
        for inst in ["client", "server", "server2"] {
            let path = run.join(inst).join("charon.log");
            if let Ok(body) = std::fs::read_to_string(&path) {
                let all: Vec<&str> = body.lines().collect();
                let from = all.len().saturating_sub(lines);
                text.push_str(&format!("--- {} (last {lines} lines)\n", path.display()));
                for l in &all[from..] {
                    text.push_str(l);
                    text.push('\n');
                }
            }
        }
        text
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("lab: test failed; charon logs:\n{}", self.charon_logs(40));
        }
        if std::env::var(KEEP_ENV).as_deref() == Ok("1") {
            eprintln!("lab: {KEEP_ENV}=1, leaving the lab up (clean with: tests/lab/lab.sh down)");
            return;
        }
        let out = self.try_sh(&["down"]);
        if !out.status.success() {
            eprintln!(
                "lab: lab.sh down failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// Checks what the lab needs, so that a broken CI setup fails with the reason.
fn preflight() -> Result<(), String> {
    if !cfg!(target_os = "linux") {
        return Err("the lab needs Linux network namespaces".into());
    }
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("cannot read /proc/self/status: {e}"))?;
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|rest| rest.split_whitespace().nth(1))
        .ok_or("no Uid line in /proc/self/status")?;
    if euid != "0" {
        return Err(format!(
            "it must run as root (effective uid is {euid}); try: sudo {ENV}=1 cargo test -- --include-ignored"
        ));
    }
    if !Lab::script().is_file() {
        return Err(format!("{} is missing", Lab::script().display()));
    }
    let charon = std::env::var("AOVD_CHARON").unwrap_or_else(|_| "/usr/lib/ipsec/charon".into());
    if !Path::new(&charon).is_file() {
        return Err(format!(
            "{charon} is missing (apt-get install strongswan-charon)"
        ));
    }
    for (plugin, pkg) in [
        ("kernel-libipsec", "libcharon-extra-plugins"),
        ("eap-mschapv2", "libcharon-extauth-plugins"),
    ] {
        let so = format!("/usr/lib/ipsec/plugins/libstrongswan-{plugin}.so");
        if !Path::new(&so).is_file() {
            return Err(format!(
                "strongSwan plugin {plugin} is missing (apt-get install {pkg})"
            ));
        }
    }
    let tools = [
        ("ip", "iproute2"),
        ("nft", "nftables"),
        ("tcpdump", "tcpdump"),
        ("swanctl", "strongswan-swanctl"),
        ("pki", "strongswan-pki"),
        ("unshare", "util-linux"),
        ("timeout", "coreutils"),
        ("ping", "iputils-ping"),
        ("ss", "iproute2"),
    ];
    let missing: Vec<String> = tools
        .iter()
        .filter(|(tool, _)| !on_path(tool))
        .map(|(tool, pkg)| format!("{tool} (package {pkg})"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("missing tools: {}", missing.join(", ")));
    }
    Ok(())
}

fn on_path(tool: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].iter().map(PathBuf::from))
        .any(|dir| dir.join(tool).is_file())
}

fn lock_across_processes() -> File {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(LOCK_FILE)
        .unwrap_or_else(|e| panic!("cannot open lab lock file {LOCK_FILE}: {e}"));
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return file,
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                panic!("another lab test held {LOCK_FILE} for more than {LOCK_WAIT:?}")
            }
            Err(std::fs::TryLockError::Error(e)) => panic!("cannot lock {LOCK_FILE}: {e}"),
        }
    }
}

fn output_of(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", cmd.get_program()))
}

fn parse_addrs(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}
