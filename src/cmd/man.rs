//! `aovpn-diag man [COMMAND] [--dir DIR]`: the same pages as `man/`.

use std::fs;

use aovpn_diag::cli::ManArgs;
use aovpn_diag::generate::{BIN, man_pages};
use aovpn_diag::report::Status;
use aovpn_diag::report::files::ManJson;

use super::{Ctx, Exit, Failure, Outcome};

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
            .ok_or_else(|| Failure::usage(format!("no man page {want}")))?;
        if !ctx.json {
            ctx.write_raw(roff)?;
            return Ok(Exit::Ok);
        }
        let body = ManJson::Page {
            page: want,
            roff: String::from_utf8_lossy(roff).into_owned(),
        };
        return ctx.emit(Status::OK, &body, |_| Ok(()));
    };
    let writable = "choose a directory you can write, e.g. ~/.local/share/man/man1";
    fs::create_dir_all(dir).map_err(|e| {
        Failure::file(format!("cannot create {}", dir.display()), &e).hint(writable)
    })?;
    let mut written = Vec::new();
    for (name, roff) in &pages {
        let path = dir.join(name);
        fs::write(&path, roff).map_err(|e| {
            Failure::file(format!("cannot write {}", path.display()), &e).hint(writable)
        })?;
        written.push(path);
    }
    let body = ManJson::Written {
        dir: dir.clone(),
        pages: written,
    };
    let quiet = ctx.detail.quiet;
    ctx.emit(Status::OK, &body, |out| {
        let ManJson::Written { dir, pages } = &body else {
            return Ok(());
        };
        writeln!(out, "wrote {} man pages to {}", pages.len(), dir.display())?;
        if !quiet {
            for path in pages {
                writeln!(out, "  {}", path.display())?;
            }
            writeln!(
                out,
                "man finds them when {} is on its search path (a share/man beside a bin directory on PATH, or MANPATH); check with: man -w {BIN}-pcap",
                dir.parent().unwrap_or(dir).display()
            )?;
        }
        Ok(())
    })
}
