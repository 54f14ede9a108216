//! `aovpn-diag 6to4`: placeholder wiring, filled in by the 6to4 work.

use aovpn_diag::cli::SixToFourArgs;

use super::{Ctx, Failure, Outcome};

pub fn run(_args: &SixToFourArgs, _ctx: &mut Ctx) -> Outcome {
    Err(Failure::input("6to4 is being built"))
}
