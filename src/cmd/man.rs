//! `aovpn-diag man [COMMAND] [--dir DIR]`: the same pages as `man/`.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use aovpn_diag::Exit;
use aovpn_diag::cli::ManArgs;
use aovpn_diag::generate::{BIN, man_pages};
use aovpn_diag::report::write_json;

use super::{Ctx, Failure, Outcome};

#[derive(Serialize)]
struct Written<'a> {
    dir: &'a Path,
    pages: Vec<PathBuf>,
}

pub fn run(args: &ManArgs, ctx: &mut Ctx) -> Outcome {
    let pages = man_pages();
    let Some(dir) = &args.dir else {
        let want = match &args.command {
            Some(c) => format!("{BIN}-{c}.1"),
            None => format!("{BIN}.1"),
        };
        let (_, roff) = pages
            .iter()
            .find(|(name, _)| *name == want)
            .ok_or_else(|| Failure::input(format!("no man page {want}")))?;
        ctx.out.write_all(roff)?;
        return Ok(Exit::Ok);
    };
    fs::create_dir_all(dir).map_err(|e| {
        Failure::input(format!(
            "cannot create {}: {e} (choose a directory you can write)",
            dir.display()
        ))
    })?;
    let mut written = Vec::new();
    for (name, roff) in &pages {
        let path = dir.join(name);
        fs::write(&path, roff).map_err(|e| {
            Failure::input(format!(
                "cannot write {}: {e} (choose a directory you can write)",
                path.display()
            ))
        })?;
        written.push(path);
    }
    if ctx.json {
        write_json(
            ctx.out,
            "man",
            &Written {
                dir,
                pages: written,
            },
        )?;
        return Ok(Exit::Ok);
    }
    writeln!(
        ctx.out,
        "wrote {} man pages to {}",
        written.len(),
        dir.display()
    )?;
    if !ctx.detail.quiet {
        for path in &written {
            writeln!(ctx.out, "  {}", path.display())?;
        }
        writeln!(
            ctx.out,
            "man finds them when {} is on its search path (a share/man beside a bin directory on PATH, or MANPATH); check with: man -w {BIN}-pcap",
            dir.parent().unwrap_or(dir).display()
        )?;
    }
    Ok(Exit::Ok)
}
