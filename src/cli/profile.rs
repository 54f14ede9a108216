//! Arguments of `aovpn-diag profile`.

use std::path::PathBuf;

use clap::Args;

/// Show the IKEv2 settings of Windows VPN profiles (rasphone.pbk).
///
/// Reads the phonebooks Windows keeps VPN connections in, including Always On
/// VPN user and device tunnels, and reports per profile: the server dialled,
/// the tunnel strategy, whether IKEv2 fragmentation is switched off, and the
/// custom IPsec crypto set (decoded, with the IKE proposal it offers). On
/// Windows, without arguments, it reads
/// %ProgramData%\Microsoft\Network\Connections\Pbk\rasphone.pbk and
/// %AppData%\Microsoft\Network\Connections\Pbk\rasphone.pbk; elsewhere, give
/// the path of a phonebook copied from a client.
#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Examples:
  aovpn-diag profile rasphone.pbk --json
      a phonebook collected from a client, as JSON
  ssh helpdesk@client type rasphone.pbk | aovpn-diag profile -
      a phonebook on standard input (`-`)

Windows only (PowerShell or cmd):
  aovpn-diag.exe profile
      the profiles of this Windows machine (no admin rights needed); elsewhere
      a phonebook path is required

A file larger than 16 MiB, with a line over 64 KiB or more than 1000 profiles
is not a phonebook: the command says so and exits 2.

",
    crate::exit_codes_help!()
))]
pub struct ProfileArgs {
    /// Phonebook files to read, `-` for standard input (default on Windows: the all-user and the current user's rasphone.pbk).
    #[arg(value_name = "PBK")]
    pub files: Vec<PathBuf>,
}
