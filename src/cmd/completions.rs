//! `aovpn-diag completions <shell>`: the same scripts as `completions/`.
//! With `--json`, the script inside the usual envelope (`script`).

use aovpn_diag::cli::CompletionsArgs;
use aovpn_diag::generate::{COMPLETION_FILES, completion};
use aovpn_diag::report::Status;
use aovpn_diag::report::files::CompletionsJson;

use super::{Ctx, Exit, Outcome};

pub fn run(args: &CompletionsArgs, ctx: &mut Ctx) -> Outcome {
    let script = completion(args.shell);
    if !ctx.json {
        ctx.write_raw(&script)?;
        return Ok(Exit::Ok);
    }
    let body = CompletionsJson {
        shell: args.shell.to_string(),
        file: COMPLETION_FILES
            .iter()
            .find(|(s, _)| *s == args.shell)
            .map(|(_, f)| (*f).to_owned())
            .unwrap_or_default(),
        script: String::from_utf8_lossy(&script).into_owned(),
    };
    ctx.emit(Status::OK, &body, |_| Ok(()))
}
