//! The documents of the commands that print generated files rather than a
//! diagnosis (`completions`, `man`): with `--json` the file's text or the
//! paths written, inside the same envelope as every other command.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Serialize;

/// `completions SHELL --json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CompletionsJson {
    /// `bash`, `zsh`, `fish`, `powershell` or `elvish`.
    pub shell: String,
    /// The file name it is shipped as under `completions/`.
    pub file: String,
    /// The script itself.
    pub script: String,
}

/// `man [COMMAND] --json` (one page) or `man --dir DIR --json` (written).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ManJson {
    /// One page, printed.
    Page {
        /// File name, e.g. `aovpn-diag-pcap.1`.
        page: String,
        /// The page in roff.
        roff: String,
    },
    /// Every page, written into `dir`.
    Written { dir: PathBuf, pages: Vec<PathBuf> },
}
