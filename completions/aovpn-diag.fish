# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_aovpn_diag_global_optspecs
    string join \n json v/verbose q/quiet color= h/help V/version
end

function __fish_aovpn_diag_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_aovpn_diag_global_optspecs) -- $cmd 2>/dev/null
    or argparse -s (__fish_aovpn_diag_global_optspecs) -- $cmd[1..-2] 2>/dev/null
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
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -s v -l verbose -d 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "check" -d 'One call for a helpdesk script on error 809: every test in order, one verdict, the most likely cause and its remedy'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "pcap" -d 'Find why IKEv2 failed in a capture: unanswered IKE_SA_INIT or IKE_AUTH, dropped IP fragments, missing IKEv2 fragmentation, proposal mismatch'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "capture" -d 'Watch an interface and explain a failing IKEv2 connection as it happens'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "probe" -d 'Speak real IKEv2 to a VPN server: is it reachable on UDP 500 and 4500, which proposals does it accept, does it support IKEv2 fragmentation, and do IP fragments get through to it?'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "mtu" -d 'Measure the path MTU to a VPN server, like mtupath, and say what it means for IKEv2'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "lb" -d 'Test a load balancer in front of VPN servers: does it keep each client on one server for UDP 500 and 4500, without source NAT, and which servers are behind it?'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "6to4" -d 'Map IPv4 addresses and prefixes to 6to4 and back; decode Teredo and ISATAP'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "profile" -d 'Show the IKEv2 settings of Windows VPN profiles (rasphone.pbk)'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "events" -d 'Read Windows\' own record of VPN connection attempts and say why they failed'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "completions" -d 'Print a shell completion script on stdout'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "man" -d 'Print a man page, or write all of them where `man` finds them'
complete -c aovpn-diag -n "__fish_aovpn_diag_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand check" -l timeout -d 'Seconds to wait for each reply: every probe, and name resolution as a whole (the hosts file first, then A and AAAA side by side)' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand check" -l proposals -d 'Proposals to check one at a time: windows, aovpn, all, or a list like aes256-sha256-modp2048' -r -f -a "windows\t'the Windows built-in client\'s default proposals'
aovpn\t'sets commonly configured for Always On VPN'
all\t'windows and aovpn'"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand check" -l frag-size -d 'Size in bytes of the IP datagram of the fragment test (576 to 65535)' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand check" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand check" -s 4 -l ipv4 -d 'Test IPv4 addresses only (from the hosts file, else DNS A records)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand check" -s 6 -l ipv6 -d 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand check" -l no-mtu -d 'Skip the path-MTU step'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand check" -l local-rras -d 'Also read this machine\'s RRAS IKEv2 fragmentation setting (Windows only)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand check" -l local-events -d 'Also read this machine\'s RasClient events of the last 24 hours and fold the last attempt\'s error code into the verdict (Windows only)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand check" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand check" -s v -l verbose -d 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand check" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand check" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -l ike-port -d 'Also decode IKE on this UDP port (besides 500 and 4500); repeatable' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -l frag-timeout -d 'Seconds of capture time after which an unfinished IP datagram is given up (1-3600)' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -l each -d 'Analyse each file on its own (one verdict per file; JSON `results[]`) instead of reading them together as one attempt'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -s v -l verbose -d 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand pcap" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand capture" -s i -l interface -d 'Interface to capture on (a name from --list-interfaces). Default: the one with the route to --server, else the system\'s first active interface' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand capture" -l duration -d 'Stop after this long and print the report: seconds, or with s, m or h (90, 2.5, 5m, 1h). Default: until Ctrl-C' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand capture" -s w -l write -d 'Also save what was captured as pcapng (for `aovpn-diag pcap FILE`, Wireshark or a ticket)' -r -F
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand capture" -l server -d 'The VPN server (name or address as in the VPN profile): capture on the interface that routes to it' -r -f -a "(__fish_print_hostnames)"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand capture" -l ike-port -d 'Also decode IKE on this UDP port (besides 500 and 4500); repeatable' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand capture" -l frag-timeout -d 'Seconds after which an unfinished IP datagram is given up' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand capture" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand capture" -l list-interfaces -d 'List the interfaces that can be captured on, and exit'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand capture" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand capture" -s v -l verbose -d 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand capture" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand capture" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand capture" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand probe" -l timeout -d 'Seconds to wait for each reply: every probe, and name resolution as a whole (the hosts file first, then A and AAAA side by side)' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand probe" -l proposals -d 'Check these proposals one at a time: windows, aovpn, all, or a list like aes256-sha256-modp2048,aes128gcm16-prfsha256-ecp256' -r -f -a "windows\t'the Windows built-in client\'s default proposals'
aovpn\t'sets commonly configured for Always On VPN'
all\t'windows and aovpn'"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand probe" -l frag-size -d 'Size in bytes of the padded IP datagram of the fragment test (576 to 65535); it must exceed the path MTU' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand probe" -l retransmits -d 'Re-sends of an unanswered request, each wait 50% longer than the last (0 to 5)' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand probe" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand probe" -s 4 -l ipv4 -d 'Test IPv4 addresses only (from the hosts file, else DNS A records)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand probe" -s 6 -l ipv6 -d 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand probe" -l no-frag-test -d 'Skip the fragment test'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand probe" -l no-auth-test -d 'Skip the IKE_AUTH test (an IKE_AUTH on UDP 4500 for the IKE SA made on UDP 500, which shows a load balancer without persistence across both ports)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand probe" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand probe" -s v -l verbose -d 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand probe" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand probe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand probe" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand mtu" -l timeout -d 'Seconds to wait for each reply: every probe, and name resolution as a whole (the hosts file first, then A and AAAA side by side)' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand mtu" -l min -d 'Smallest IP packet size to test [default: 576 for IPv4, 1280 for IPv6]' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand mtu" -l max -d 'Largest IP packet size to test [default: the outgoing interface MTU]' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand mtu" -l tries -d 'Probes per size before silence counts as "too big" (guards against random loss)' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand mtu" -l port -d 'UDP port for --ike: 500, or 4500 (the port IKE_AUTH uses)' -r -f -a "500\t'IKE (IKE_SA_INIT)'
4500\t'NAT traversal, where IKE_AUTH travels'"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand mtu" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand mtu" -s 4 -l ipv4 -d 'Test IPv4 addresses only (from the hosts file, else DNS A records)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand mtu" -s 6 -l ipv6 -d 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand mtu" -l ike -d 'Probe with IKE_SA_INIT requests over UDP instead of ICMP echo'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand mtu" -l progress -d 'Show a progress bar on stderr (when stderr is a terminal)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand mtu" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand mtu" -s v -l verbose -d 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand mtu" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand mtu" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand mtu" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand lb" -l timeout -d 'Seconds to wait for each reply: every probe, and name resolution as a whole (the hosts file first, then A and AAAA side by side)' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand lb" -l rounds -d 'Connection attempts, each from fresh source ports (1 to 64)' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand lb" -l backends -d 'The real servers\' addresses, comma-separated: each answer is matched against them' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand lb" -l find-backends -d 'Search these ranges (CIDR, comma-separated) for the servers; alone (or \'default\'): 10/8, 172.16/12, 192.168/16 and the VIP\'s /24 (IPv4 only)' -r -f -a "default\t'10/8, 172.16/12, 192.168/16 and the VIP\'s /24 (IPv4)'"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand lb" -l snat-candidates -d 'Addresses the load balancer may source-NAT clients to (self IPs, SNAT pool), comma-separated, at most 64' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand lb" -l search-time -d 'Seconds the backend search may take per VIP (1 to 3600)' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand lb" -l retransmits -d 'Re-sends of an unanswered request, each wait 50% longer than the last (0 to 5)' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand lb" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand lb" -s 4 -l ipv4 -d 'Test IPv4 addresses only (from the hosts file, else DNS A records)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand lb" -s 6 -l ipv6 -d 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand lb" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand lb" -s v -l verbose -d 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand lb" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand lb" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand lb" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -l site -d 'Also print the PowerShell line that adds each 6to4 prefix as a subnet of this AD site' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -l netlogon -d 'Summarise the NO_CLIENT_SITE lines of a domain controller\'s netlogon.log: clients per public IPv4 /24, the 6to4 prefixes to assign, the computers affected' -r -F
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -s v -l verbose -d 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand 6to4" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand profile" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand profile" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand profile" -s v -l verbose -d 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand profile" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand profile" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand profile" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand events" -l since -d 'Only events of the last DURATION: hours (24), or with a unit: 90m, 2h, 7d. Default: 24h for this machine\'s logs, everything in files' -r
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand events" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand events" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand events" -s v -l verbose -d 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand events" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand events" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand events" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -s v -l verbose -d 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -l dir -d 'Write every page into this directory (created if missing) instead of printing one' -r -f -a "(__fish_complete_directories)"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -l color -d 'When to colour the human view' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -l json -d 'Print one JSON document on stdout instead of the human view'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -s v -l verbose -d 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -s q -l quiet -d 'Print only the verdict and failing findings; no progress'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -s V -l version -d 'Print version'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from check pcap capture probe mtu lb 6to4 profile events completions man help" -f -a "check" -d 'One call for a helpdesk script on error 809: every test in order, one verdict, the most likely cause and its remedy'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from check pcap capture probe mtu lb 6to4 profile events completions man help" -f -a "pcap" -d 'Find why IKEv2 failed in a capture: unanswered IKE_SA_INIT or IKE_AUTH, dropped IP fragments, missing IKEv2 fragmentation, proposal mismatch'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from check pcap capture probe mtu lb 6to4 profile events completions man help" -f -a "capture" -d 'Watch an interface and explain a failing IKEv2 connection as it happens'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from check pcap capture probe mtu lb 6to4 profile events completions man help" -f -a "probe" -d 'Speak real IKEv2 to a VPN server: is it reachable on UDP 500 and 4500, which proposals does it accept, does it support IKEv2 fragmentation, and do IP fragments get through to it?'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from check pcap capture probe mtu lb 6to4 profile events completions man help" -f -a "mtu" -d 'Measure the path MTU to a VPN server, like mtupath, and say what it means for IKEv2'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from check pcap capture probe mtu lb 6to4 profile events completions man help" -f -a "lb" -d 'Test a load balancer in front of VPN servers: does it keep each client on one server for UDP 500 and 4500, without source NAT, and which servers are behind it?'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from check pcap capture probe mtu lb 6to4 profile events completions man help" -f -a "6to4" -d 'Map IPv4 addresses and prefixes to 6to4 and back; decode Teredo and ISATAP'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from check pcap capture probe mtu lb 6to4 profile events completions man help" -f -a "profile" -d 'Show the IKEv2 settings of Windows VPN profiles (rasphone.pbk)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from check pcap capture probe mtu lb 6to4 profile events completions man help" -f -a "events" -d 'Read Windows\' own record of VPN connection attempts and say why they failed'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from check pcap capture probe mtu lb 6to4 profile events completions man help" -f -a "completions" -d 'Print a shell completion script on stdout'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from check pcap capture probe mtu lb 6to4 profile events completions man help" -f -a "man" -d 'Print a man page, or write all of them where `man` finds them'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand help; and not __fish_seen_subcommand_from check pcap capture probe mtu lb 6to4 profile events completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'

# Positional values (added by aovpn-diag's generate::fix_fish)
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -f -a 'bash'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -f -a 'elvish'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -f -a 'fish'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -f -a 'powershell'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand completions" -f -a 'zsh'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -f -a 'check' -d 'aovpn-diag-check(1)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -f -a 'pcap' -d 'aovpn-diag-pcap(1)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -f -a 'capture' -d 'aovpn-diag-capture(1)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -f -a 'probe' -d 'aovpn-diag-probe(1)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -f -a 'mtu' -d 'aovpn-diag-mtu(1)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -f -a 'lb' -d 'aovpn-diag-lb(1)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -f -a '6to4' -d 'aovpn-diag-6to4(1)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -f -a 'profile' -d 'aovpn-diag-profile(1)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -f -a 'events' -d 'aovpn-diag-events(1)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -f -a 'completions' -d 'aovpn-diag-completions(1)'
complete -c aovpn-diag -n "__fish_aovpn_diag_using_subcommand man" -f -a 'man' -d 'aovpn-diag-man(1)'
