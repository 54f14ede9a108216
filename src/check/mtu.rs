//! The `path-mtu` step's policy: ICMP echo first (what mtupath does); when
//! ICMP gets no answer at all or cannot be used here (no permission, no
//! ICMP API), IKE_SA_INIT itself on UDP 500, which also works where ping is
//! blocked, unless the IKE probes already showed that UDP 500 gets no
//! answer (then an IKE search could only end the same way, after its whole
//! budget).
//!
//! [`measure_icmp`] and [`after_icmp`] are the two halves, so that `check`
//! can run the ICMP search beside the IKE probes and decide on IKE once it
//! knows what UDP 500 did; [`measure_path_mtu`] runs both in a row.

use std::net::IpAddr;
use std::time::Duration;

use crate::diagnose::mtu::{End, Measurement};
use crate::env::Env;
use crate::probe::ike::Responder;
use crate::probe::mtu::{MeasureError, MeasureOptions, measure};

/// Probes per size in the path-MTU search of `check`.
pub const MTU_TRIES: u8 = 3;

/// Why neither ICMP nor IKE measured the path.
#[derive(Debug, thiserror::Error)]
pub enum PathMtuError {
    /// ICMP could not run (e.g. no permission), and IKE could not either.
    #[error("{icmp}; IKE: {ike}")]
    NeitherRan {
        icmp: Box<MeasureError>,
        ike: Box<MeasureError>,
    },
    /// ICMP echo went unanswered, and IKE could not run.
    #[error("ICMP echo got no answer; IKE: {ike}")]
    NoEchoAndNoIke { ike: Box<MeasureError> },
    /// ICMP could not run, and UDP 500 answered no IKE probe, so IKE cannot
    /// measure the path either.
    #[error("{icmp}; IKE: UDP 500 answered no IKE_SA_INIT")]
    NoIcmpAndUdp500Silent { icmp: Box<MeasureError> },
    /// The search thread ended without a result (a bug, never a hang).
    #[error("the path-MTU search stopped unexpectedly")]
    Stopped,
}

/// Measures the path MTU to `address` by ICMP echo, falling back to IKE on
/// UDP 500 (see the module documentation). When neither gets an answer the
/// ICMP measurement is kept, so its finding (`icmp-echo-blocked`) stands.
pub fn measure_path_mtu(
    env: &Env,
    address: IpAddr,
    timeout: Duration,
) -> Result<Measurement, PathMtuError> {
    let icmp = measure_icmp(env, address, timeout);
    after_icmp(env, address, timeout, icmp, None, None)
}

fn options(timeout: Duration) -> MeasureOptions {
    MeasureOptions {
        ike_port: None,
        min: None,
        max: None,
        tries: MTU_TRIES,
        timeout,
    }
}

/// The first half: the ICMP search.
pub fn measure_icmp(
    env: &Env,
    address: IpAddr,
    timeout: Duration,
) -> Result<Measurement, MeasureError> {
    measure(env, address, &options(timeout), &mut |_| {})
}

/// The second half: keeps an ICMP measurement that got answers; otherwise
/// searches with IKE on UDP 500, unless `udp500_answered` is `Some(false)`
/// (the IKE probes got no answer there). The IKE search sends one request
/// at a time, each answered statelessly; it holds one of `responder`'s IKE
/// SA slots while it runs, so the probes sharing it stay below the
/// responder's half-open limit.
pub fn after_icmp(
    env: &Env,
    address: IpAddr,
    timeout: Duration,
    icmp: Result<Measurement, MeasureError>,
    udp500_answered: Option<bool>,
    responder: Option<&Responder>,
) -> Result<Measurement, PathMtuError> {
    let icmp_result = match icmp {
        Ok(m) if m.result.end != End::NoAnswer => return Ok(m),
        other => other,
    };
    if udp500_answered == Some(false) {
        return match icmp_result {
            Ok(icmp) => Ok(icmp),
            Err(icmp) => Err(PathMtuError::NoIcmpAndUdp500Silent {
                icmp: Box::new(icmp),
            }),
        };
    }
    let ike = MeasureOptions {
        ike_port: Some(500),
        ..options(timeout)
    };
    let _slot = responder.map(Responder::open_sa);
    match (measure(env, address, &ike, &mut |_| {}), icmp_result) {
        (Ok(m), _) if m.result.end != End::NoAnswer => Ok(m),
        // Neither answered: keep the ICMP measurement, unless ICMP could not run at all.
        (Ok(_), Ok(icmp)) => Ok(icmp),
        (Ok(ike), Err(_)) => Ok(ike),
        (Err(ike), Ok(_)) => Err(PathMtuError::NoEchoAndNoIke { ike: Box::new(ike) }),
        (Err(ike), Err(icmp)) => Err(PathMtuError::NeitherRan {
            icmp: Box::new(icmp),
            ike: Box::new(ike),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::mtu::Method;
    use crate::probe::mtu::fake::{Eth0, Path};

    fn run(path: &Path) -> Result<Measurement, PathMtuError> {
        let env = Env {
            routes: &Eth0,
            df: path,
            clock: &*path.clock,
            ..Env::offline()
        };
        measure_path_mtu(&env, "198.18.2.2".parse().unwrap(), Duration::from_secs(2))
    }

    fn opened(path: &Path) -> Vec<Method> {
        path.opened.lock().unwrap().clone()
    }

    #[test]
    fn icmp_that_answers_is_the_measurement() {
        let path = Path::new(Some(true), Some(true));
        let m = run(&path).unwrap();
        assert_eq!(
            (m.method, m.result.path_mtu()),
            (Method::IcmpRaw, Some(1400))
        );
        assert_eq!(opened(&path), [Method::IcmpRaw]);
    }

    #[test]
    fn unanswered_echo_falls_back_to_ike_on_udp_500() {
        let path = Path::new(Some(false), Some(true));
        let m = run(&path).unwrap();
        assert_eq!((m.method, m.port), (Method::Ike, Some(500)));
        assert_eq!(m.result.path_mtu(), Some(1400));
        assert_eq!(opened(&path), [Method::IcmpRaw, Method::Ike]);
    }

    #[test]
    fn the_ike_search_holds_one_slot_of_the_responder() {
        let path = Path::new(Some(false), Some(true));
        let env = Env {
            routes: &Eth0,
            df: &path,
            clock: &*path.clock,
            ..Env::offline()
        };
        let a = "198.18.2.2".parse().unwrap();
        let t = Duration::from_secs(2);
        let r = Responder::new(
            a,
            crate::probe::ike::Timing {
                timeout: t,
                retransmits: 2,
            },
        );
        let _kept = r.open_sa();
        let m = after_icmp(&env, a, t, measure_icmp(&env, a, t), Some(true), Some(&r)).unwrap();
        assert_eq!(m.method, Method::Ike);
        assert_eq!((r.peak_open_sas(), r.open_sas()), (2, 1));
    }

    #[test]
    fn icmp_without_permission_falls_back_to_ike() {
        let path = Path::new(None, Some(true));
        assert_eq!(run(&path).unwrap().method, Method::Ike);
    }

    #[test]
    fn neither_answering_keeps_the_icmp_measurement_for_its_finding() {
        let path = Path::new(Some(false), Some(false));
        let m = run(&path).unwrap();
        assert_eq!((m.method, m.result.end), (Method::IcmpRaw, End::NoAnswer));
        // No ICMP at all: the silent IKE measurement is what there is.
        let path = Path::new(None, Some(false));
        assert_eq!(run(&path).unwrap().method, Method::Ike);
    }

    #[test]
    fn a_silent_udp_500_skips_the_ike_search() {
        let path = Path::new(Some(false), Some(true));
        let env = Env {
            routes: &Eth0,
            df: &path,
            clock: &*path.clock,
            ..Env::offline()
        };
        let a = "198.18.2.2".parse().unwrap();
        let t = Duration::from_secs(2);
        let m = after_icmp(&env, a, t, measure_icmp(&env, a, t), Some(false), None).unwrap();
        assert_eq!((m.method, m.result.end), (Method::IcmpRaw, End::NoAnswer));
        assert_eq!(opened(&path), [Method::IcmpRaw]);
        // No ICMP at all and a silent UDP 500: nothing can measure.
        let path = Path::new(None, Some(true));
        let env = Env {
            routes: &Eth0,
            df: &path,
            ..Env::offline()
        };
        let e = after_icmp(&env, a, t, measure_icmp(&env, a, t), Some(false), None).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("IKE: UDP 500 answered no IKE_SA_INIT"),
            "{e}"
        );
        assert!(opened(&path).is_empty());
    }

    #[test]
    fn neither_running_names_both_reasons() {
        let e = run(&Path::new(None, None)).unwrap_err();
        assert!(matches!(e, PathMtuError::NeitherRan { .. }));
        let text = e.to_string();
        assert!(text.contains("not allowed to send ICMP echo"), "{text}");
        assert!(
            text.contains("; IKE: cannot open a UDP socket towards 198.18.2.2:500"),
            "{text}"
        );
        let e = run(&Path::new(Some(false), None)).unwrap_err();
        assert!(
            e.to_string().starts_with("ICMP echo got no answer; IKE: "),
            "{e}"
        );
    }
}
