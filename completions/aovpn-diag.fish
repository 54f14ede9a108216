# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_aovpn_diag_global_optspecs
    string join \n json v/verbose q/quiet color= h/help V/version
end

function __fish_aovpn_diag_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_aovpn_diag_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_aovpn_diag_using_subcommand
    set -l cmd (__fish_aovpn_diag_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -s v -l verbose -d 'Show more detail (repeat for more)'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "6to4" -d 'Map IPv4 addresses and prefixes to 6to4 and back; decode Teredo and ISATAP'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "pcap" -d 'Find why IKEv2 failed in a capture: unanswered IKE_SA_INIT or IKE_AUTH, dropped IP fragments, missing IKEv2 fragmentation, proposal mismatch'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "profile" -d 'Show the IKEv2 settings of Windows VPN profiles (rasphone.pbk)'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "completions" -d 'Print a shell completion script on stdout'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -l site -d 'Also print the PowerShell line that adds each 6to4 prefix as a subnet of this AD site' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -l netlogon -d 'Summarise the NO_CLIENT_SITE lines of a domain controller\'s netlogon.log: clients per public IPv4 /24, the 6to4 prefixes to assign, the computers affected' -r -F
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -s v -l verbose -d 'Show more detail (repeat for more)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -l ike-port -d 'Also decode IKE on this UDP port (besides 500 and 4500); repeatable' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -l frag-timeout -d 'Seconds of capture time after which an unfinished IP datagram is given up' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -s v -l verbose -d 'Show more detail (repeat for more)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand profile" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand profile" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand profile" -s v -l verbose -d 'Show more detail (repeat for more)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand profile" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand profile" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand profile" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -s v -l verbose -d 'Show more detail (repeat for more)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from 6to4 pcap profile completions help" -f -a "6to4" -d 'Map IPv4 addresses and prefixes to 6to4 and back; decode Teredo and ISATAP'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from 6to4 pcap profile completions help" -f -a "pcap" -d 'Find why IKEv2 failed in a capture: unanswered IKE_SA_INIT or IKE_AUTH, dropped IP fragments, missing IKEv2 fragmentation, proposal mismatch'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from 6to4 pcap profile completions help" -f -a "profile" -d 'Show the IKEv2 settings of Windows VPN profiles (rasphone.pbk)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from 6to4 pcap profile completions help" -f -a "completions" -d 'Print a shell completion script on stdout'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from 6to4 pcap profile completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
