//! `aovpn-diag completions <shell>`: the same scripts as `completions/`.

use aovpn_diag::cli::CompletionsArgs;
use aovpn_diag::generate::completion;

use super::{Ctx, Exit, Outcome};

pub fn run(args: &CompletionsArgs, ctx: &mut Ctx) -> Outcome {
    ctx.out.write_all(&completion(args.shell))?;
    Ok(Exit::Ok)
}
