
use builtin;
use str;

set edit:completion:arg-completer[aovpn-diag] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'aovpn-diag'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'aovpn-diag'= {
            cand --color 'When to colour the human view'
            cand --json 'Print one JSON document on stdout instead of the human view'
            cand -v 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand --verbose 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand -q 'Print only the verdict and failing findings; no progress'
            cand --quiet 'Print only the verdict and failing findings; no progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand check 'One call for a helpdesk script on error 809: every test in order, one verdict, the most likely cause and its remedy'
            cand pcap 'Find why IKEv2 failed in a capture: unanswered IKE_SA_INIT or IKE_AUTH, dropped IP fragments, missing IKEv2 fragmentation, proposal mismatch'
            cand capture 'Watch an interface and explain a failing IKEv2 connection as it happens'
            cand probe 'Speak real IKEv2 to a VPN server: is it reachable on UDP 500 and 4500, which proposals does it accept, does it support IKEv2 fragmentation, and do IP fragments get through to it?'
            cand mtu 'Measure the path MTU to a VPN server, like mtupath, and say what it means for IKEv2'
            cand lb 'Test a load balancer in front of VPN servers: does it keep each client on one server for UDP 500 and 4500, without source NAT, and which servers are behind it?'
            cand 6to4 'Map IPv4 addresses and prefixes to 6to4 and back; decode Teredo and ISATAP'
            cand profile 'Show the IKEv2 settings of Windows VPN profiles (rasphone.pbk)'
            cand events 'Read Windows'' own record of VPN connection attempts and say why they failed'
            cand completions 'Print a shell completion script on stdout'
            cand man 'Print a man page, or write all of them where `man` finds them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'aovpn-diag;check'= {
            cand --timeout 'Seconds to wait for each reply: every probe, and name resolution as a whole (the hosts file first, then A and AAAA side by side)'
            cand --proposals 'Proposals to check one at a time: windows, aovpn, all, or a list like aes256-sha256-modp2048'
            cand --frag-size 'Size in bytes of the IP datagram of the fragment test (576 to 65535)'
            cand --color 'When to colour the human view'
            cand -4 'Test IPv4 addresses only (from the hosts file, else DNS A records)'
            cand --ipv4 'Test IPv4 addresses only (from the hosts file, else DNS A records)'
            cand -6 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)'
            cand --ipv6 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)'
            cand --no-mtu 'Skip the path-MTU step'
            cand --local-rras 'Also read this machine''s RRAS IKEv2 fragmentation setting (Windows only)'
            cand --local-events 'Also read this machine''s RasClient events of the last 24 hours and fold the last attempt''s error code into the verdict (Windows only)'
            cand --json 'Print one JSON document on stdout instead of the human view'
            cand -v 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand --verbose 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand -q 'Print only the verdict and failing findings; no progress'
            cand --quiet 'Print only the verdict and failing findings; no progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'aovpn-diag;pcap'= {
            cand --ike-port 'Also decode IKE on this UDP port (besides 500 and 4500); repeatable'
            cand --frag-timeout 'Seconds of capture time after which an unfinished IP datagram is given up (1-3600)'
            cand --color 'When to colour the human view'
            cand --each 'Analyse each file on its own (one verdict per file; JSON `results[]`) instead of reading them together as one attempt'
            cand --json 'Print one JSON document on stdout instead of the human view'
            cand -v 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand --verbose 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand -q 'Print only the verdict and failing findings; no progress'
            cand --quiet 'Print only the verdict and failing findings; no progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'aovpn-diag;capture'= {
            cand -i 'Interface to capture on (a name from --list-interfaces). Default: the one with the route to --server, else the system''s first active interface'
            cand --interface 'Interface to capture on (a name from --list-interfaces). Default: the one with the route to --server, else the system''s first active interface'
            cand --duration 'Stop after this long and print the report: seconds, or with s, m or h (90, 2.5, 5m, 1h). Default: until Ctrl-C'
            cand -w 'Also save what was captured as pcapng (for `aovpn-diag pcap FILE`, Wireshark or a ticket)'
            cand --write 'Also save what was captured as pcapng (for `aovpn-diag pcap FILE`, Wireshark or a ticket)'
            cand --server 'The VPN server (name or address as in the VPN profile): capture on the interface that routes to it'
            cand --ike-port 'Also decode IKE on this UDP port (besides 500 and 4500); repeatable'
            cand --frag-timeout 'Seconds after which an unfinished IP datagram is given up'
            cand --color 'When to colour the human view'
            cand --list-interfaces 'List the interfaces that can be captured on, and exit'
            cand --json 'Print one JSON document on stdout instead of the human view'
            cand -v 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand --verbose 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand -q 'Print only the verdict and failing findings; no progress'
            cand --quiet 'Print only the verdict and failing findings; no progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'aovpn-diag;probe'= {
            cand --timeout 'Seconds to wait for each reply: every probe, and name resolution as a whole (the hosts file first, then A and AAAA side by side)'
            cand --proposals 'Check these proposals one at a time: windows, aovpn, all, or a list like aes256-sha256-modp2048,aes128gcm16-prfsha256-ecp256'
            cand --frag-size 'Size in bytes of the padded IP datagram of the fragment test (576 to 65535); it must exceed the path MTU'
            cand --retransmits 'Re-sends of an unanswered request, each wait 50% longer than the last (0 to 5)'
            cand --color 'When to colour the human view'
            cand -4 'Test IPv4 addresses only (from the hosts file, else DNS A records)'
            cand --ipv4 'Test IPv4 addresses only (from the hosts file, else DNS A records)'
            cand -6 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)'
            cand --ipv6 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)'
            cand --no-frag-test 'Skip the fragment test'
            cand --no-auth-test 'Skip the IKE_AUTH test (an IKE_AUTH on UDP 4500 for the IKE SA made on UDP 500, which shows a load balancer without persistence across both ports)'
            cand --json 'Print one JSON document on stdout instead of the human view'
            cand -v 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand --verbose 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand -q 'Print only the verdict and failing findings; no progress'
            cand --quiet 'Print only the verdict and failing findings; no progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'aovpn-diag;mtu'= {
            cand --timeout 'Seconds to wait for each reply: every probe, and name resolution as a whole (the hosts file first, then A and AAAA side by side)'
            cand --min 'Smallest IP packet size to test [default: 576 for IPv4, 1280 for IPv6]'
            cand --max 'Largest IP packet size to test [default: the outgoing interface MTU]'
            cand --tries 'Probes per size before silence counts as "too big" (guards against random loss)'
            cand --port 'UDP port for --ike: 500, or 4500 (the port IKE_AUTH uses)'
            cand --color 'When to colour the human view'
            cand -4 'Test IPv4 addresses only (from the hosts file, else DNS A records)'
            cand --ipv4 'Test IPv4 addresses only (from the hosts file, else DNS A records)'
            cand -6 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)'
            cand --ipv6 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)'
            cand --ike 'Probe with IKE_SA_INIT requests over UDP instead of ICMP echo'
            cand --progress 'Show a progress bar on stderr (when stderr is a terminal)'
            cand --json 'Print one JSON document on stdout instead of the human view'
            cand -v 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand --verbose 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand -q 'Print only the verdict and failing findings; no progress'
            cand --quiet 'Print only the verdict and failing findings; no progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'aovpn-diag;lb'= {
            cand --timeout 'Seconds to wait for each reply: every probe, and name resolution as a whole (the hosts file first, then A and AAAA side by side)'
            cand --rounds 'Connection attempts, each from fresh source ports (1 to 64)'
            cand --backends 'The real servers'' addresses, comma-separated: each answer is matched against them'
            cand --find-backends 'Search these ranges (CIDR, comma-separated) for the servers; alone (or ''default''): 10/8, 172.16/12, 192.168/16 and the VIP''s /24 (IPv4 only)'
            cand --snat-candidates 'Addresses the load balancer may source-NAT clients to (self IPs, SNAT pool), comma-separated, at most 64'
            cand --search-time 'Seconds the backend search may take per VIP (1 to 3600)'
            cand --retransmits 'Re-sends of an unanswered request, each wait 50% longer than the last (0 to 5)'
            cand --color 'When to colour the human view'
            cand -4 'Test IPv4 addresses only (from the hosts file, else DNS A records)'
            cand --ipv4 'Test IPv4 addresses only (from the hosts file, else DNS A records)'
            cand -6 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)'
            cand --ipv6 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)'
            cand --json 'Print one JSON document on stdout instead of the human view'
            cand -v 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand --verbose 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand -q 'Print only the verdict and failing findings; no progress'
            cand --quiet 'Print only the verdict and failing findings; no progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'aovpn-diag;6to4'= {
            cand --site 'Also print the PowerShell line that adds each 6to4 prefix as a subnet of this AD site'
            cand --netlogon 'Summarise the NO_CLIENT_SITE lines of a domain controller''s netlogon.log: clients per public IPv4 /24, the 6to4 prefixes to assign, the computers affected'
            cand --color 'When to colour the human view'
            cand --json 'Print one JSON document on stdout instead of the human view'
            cand -v 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand --verbose 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand -q 'Print only the verdict and failing findings; no progress'
            cand --quiet 'Print only the verdict and failing findings; no progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'aovpn-diag;profile'= {
            cand --color 'When to colour the human view'
            cand --json 'Print one JSON document on stdout instead of the human view'
            cand -v 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand --verbose 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand -q 'Print only the verdict and failing findings; no progress'
            cand --quiet 'Print only the verdict and failing findings; no progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'aovpn-diag;events'= {
            cand --since 'Only events of the last DURATION: hours (24), or with a unit: 90m, 2h, 7d. Default: 24h for this machine''s logs, everything in files'
            cand --color 'When to colour the human view'
            cand --json 'Print one JSON document on stdout instead of the human view'
            cand -v 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand --verbose 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand -q 'Print only the verdict and failing findings; no progress'
            cand --quiet 'Print only the verdict and failing findings; no progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'aovpn-diag;completions'= {
            cand --color 'When to colour the human view'
            cand --json 'Print one JSON document on stdout instead of the human view'
            cand -v 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand --verbose 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand -q 'Print only the verdict and failing findings; no progress'
            cand --quiet 'Print only the verdict and failing findings; no progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'aovpn-diag;man'= {
            cand --dir 'Write every page into this directory (created if missing) instead of printing one'
            cand --color 'When to colour the human view'
            cand --json 'Print one JSON document on stdout instead of the human view'
            cand -v 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand --verbose 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused'
            cand -q 'Print only the verdict and failing findings; no progress'
            cand --quiet 'Print only the verdict and failing findings; no progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'aovpn-diag;help'= {
            cand check 'One call for a helpdesk script on error 809: every test in order, one verdict, the most likely cause and its remedy'
            cand pcap 'Find why IKEv2 failed in a capture: unanswered IKE_SA_INIT or IKE_AUTH, dropped IP fragments, missing IKEv2 fragmentation, proposal mismatch'
            cand capture 'Watch an interface and explain a failing IKEv2 connection as it happens'
            cand probe 'Speak real IKEv2 to a VPN server: is it reachable on UDP 500 and 4500, which proposals does it accept, does it support IKEv2 fragmentation, and do IP fragments get through to it?'
            cand mtu 'Measure the path MTU to a VPN server, like mtupath, and say what it means for IKEv2'
            cand lb 'Test a load balancer in front of VPN servers: does it keep each client on one server for UDP 500 and 4500, without source NAT, and which servers are behind it?'
            cand 6to4 'Map IPv4 addresses and prefixes to 6to4 and back; decode Teredo and ISATAP'
            cand profile 'Show the IKEv2 settings of Windows VPN profiles (rasphone.pbk)'
            cand events 'Read Windows'' own record of VPN connection attempts and say why they failed'
            cand completions 'Print a shell completion script on stdout'
            cand man 'Print a man page, or write all of them where `man` finds them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'aovpn-diag;help;check'= {
        }
        &'aovpn-diag;help;pcap'= {
        }
        &'aovpn-diag;help;capture'= {
        }
        &'aovpn-diag;help;probe'= {
        }
        &'aovpn-diag;help;mtu'= {
        }
        &'aovpn-diag;help;lb'= {
        }
        &'aovpn-diag;help;6to4'= {
        }
        &'aovpn-diag;help;profile'= {
        }
        &'aovpn-diag;help;events'= {
        }
        &'aovpn-diag;help;completions'= {
        }
        &'aovpn-diag;help;man'= {
        }
        &'aovpn-diag;help;help'= {
        }
    ]
    $completions[$command]
}
