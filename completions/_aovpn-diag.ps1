
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'aovpn-diag' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'aovpn-diag'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'aovpn-diag' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human view')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of the human view')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'One call for a helpdesk script on error 809: every test in order, one verdict, the most likely cause and its remedy')
            [CompletionResult]::new('pcap', 'pcap', [CompletionResultType]::ParameterValue, 'Find why IKEv2 failed in a capture: unanswered IKE_SA_INIT or IKE_AUTH, dropped IP fragments, missing IKEv2 fragmentation, proposal mismatch')
            [CompletionResult]::new('capture', 'capture', [CompletionResultType]::ParameterValue, 'Watch an interface and explain a failing IKEv2 connection as it happens')
            [CompletionResult]::new('probe', 'probe', [CompletionResultType]::ParameterValue, 'Speak real IKEv2 to a VPN server: is it reachable on UDP 500 and 4500, which proposals does it accept, does it support IKEv2 fragmentation, and do IP fragments get through to it?')
            [CompletionResult]::new('mtu', 'mtu', [CompletionResultType]::ParameterValue, 'Measure the path MTU to a VPN server, like mtupath, and say what it means for IKEv2')
            [CompletionResult]::new('lb', 'lb', [CompletionResultType]::ParameterValue, 'Test a load balancer in front of VPN servers: does it keep each client on one server for UDP 500 and 4500, without source NAT, and which servers are behind it?')
            [CompletionResult]::new('6to4', '6to4', [CompletionResultType]::ParameterValue, 'Map IPv4 addresses and prefixes to 6to4 and back; decode Teredo and ISATAP')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'Show the IKEv2 settings of Windows VPN profiles (rasphone.pbk)')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'Read Windows'' own record of VPN connection attempts and say why they failed')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script on stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page, or write all of them where `man` finds them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'aovpn-diag;check' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each reply: every probe, and name resolution as a whole (the hosts file first, then A and AAAA side by side)')
            [CompletionResult]::new('--proposals', '--proposals', [CompletionResultType]::ParameterName, 'Proposals to check one at a time: windows, aovpn, all, or a list like aes256-sha256-modp2048')
            [CompletionResult]::new('--frag-size', '--frag-size', [CompletionResultType]::ParameterName, 'Size in bytes of the IP datagram of the fragment test (576 to 65535)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human view')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Test IPv4 addresses only (from the hosts file, else DNS A records)')
            [CompletionResult]::new('--ipv4', '--ipv4', [CompletionResultType]::ParameterName, 'Test IPv4 addresses only (from the hosts file, else DNS A records)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)')
            [CompletionResult]::new('--ipv6', '--ipv6', [CompletionResultType]::ParameterName, 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)')
            [CompletionResult]::new('--no-mtu', '--no-mtu', [CompletionResultType]::ParameterName, 'Skip the path-MTU step')
            [CompletionResult]::new('--local-rras', '--local-rras', [CompletionResultType]::ParameterName, 'Also read this machine''s RRAS IKEv2 fragmentation setting (Windows only)')
            [CompletionResult]::new('--local-events', '--local-events', [CompletionResultType]::ParameterName, 'Also read this machine''s RasClient events of the last 24 hours and fold the last attempt''s error code into the verdict (Windows only)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of the human view')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'aovpn-diag;pcap' {
            [CompletionResult]::new('--ike-port', '--ike-port', [CompletionResultType]::ParameterName, 'Also decode IKE on this UDP port (besides 500 and 4500); repeatable')
            [CompletionResult]::new('--frag-timeout', '--frag-timeout', [CompletionResultType]::ParameterName, 'Seconds of capture time after which an unfinished IP datagram is given up (1-3600)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human view')
            [CompletionResult]::new('--each', '--each', [CompletionResultType]::ParameterName, 'Analyse each file on its own (one verdict per file; JSON `results[]`) instead of reading them together as one attempt')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of the human view')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'aovpn-diag;capture' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Interface to capture on (a name from --list-interfaces). Default: the one with the route to --server, else the system''s first active interface')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Interface to capture on (a name from --list-interfaces). Default: the one with the route to --server, else the system''s first active interface')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long and print the report: seconds, or with s, m or h (90, 2.5, 5m, 1h). Default: until Ctrl-C')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Also save what was captured as pcapng (for `aovpn-diag pcap FILE`, Wireshark or a ticket)')
            [CompletionResult]::new('--write', '--write', [CompletionResultType]::ParameterName, 'Also save what was captured as pcapng (for `aovpn-diag pcap FILE`, Wireshark or a ticket)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'The VPN server (name or address as in the VPN profile): capture on the interface that routes to it')
            [CompletionResult]::new('--ike-port', '--ike-port', [CompletionResultType]::ParameterName, 'Also decode IKE on this UDP port (besides 500 and 4500); repeatable')
            [CompletionResult]::new('--frag-timeout', '--frag-timeout', [CompletionResultType]::ParameterName, 'Seconds after which an unfinished IP datagram is given up')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human view')
            [CompletionResult]::new('--list-interfaces', '--list-interfaces', [CompletionResultType]::ParameterName, 'List the interfaces that can be captured on, and exit')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of the human view')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'aovpn-diag;probe' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each reply: every probe, and name resolution as a whole (the hosts file first, then A and AAAA side by side)')
            [CompletionResult]::new('--proposals', '--proposals', [CompletionResultType]::ParameterName, 'Check these proposals one at a time: windows, aovpn, all, or a list like aes256-sha256-modp2048,aes128gcm16-prfsha256-ecp256')
            [CompletionResult]::new('--frag-size', '--frag-size', [CompletionResultType]::ParameterName, 'Size in bytes of the padded IP datagram of the fragment test (576 to 65535); it must exceed the path MTU')
            [CompletionResult]::new('--retransmits', '--retransmits', [CompletionResultType]::ParameterName, 'Re-sends of an unanswered request, each wait 50% longer than the last (0 to 5)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human view')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Test IPv4 addresses only (from the hosts file, else DNS A records)')
            [CompletionResult]::new('--ipv4', '--ipv4', [CompletionResultType]::ParameterName, 'Test IPv4 addresses only (from the hosts file, else DNS A records)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)')
            [CompletionResult]::new('--ipv6', '--ipv6', [CompletionResultType]::ParameterName, 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)')
            [CompletionResult]::new('--no-frag-test', '--no-frag-test', [CompletionResultType]::ParameterName, 'Skip the fragment test')
            [CompletionResult]::new('--no-auth-test', '--no-auth-test', [CompletionResultType]::ParameterName, 'Skip the IKE_AUTH test (an IKE_AUTH on UDP 4500 for the IKE SA made on UDP 500, which shows a load balancer without persistence across both ports)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of the human view')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'aovpn-diag;mtu' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each reply: every probe, and name resolution as a whole (the hosts file first, then A and AAAA side by side)')
            [CompletionResult]::new('--min', '--min', [CompletionResultType]::ParameterName, 'Smallest IP packet size to test [default: 576 for IPv4, 1280 for IPv6]')
            [CompletionResult]::new('--max', '--max', [CompletionResultType]::ParameterName, 'Largest IP packet size to test [default: the outgoing interface MTU]')
            [CompletionResult]::new('--tries', '--tries', [CompletionResultType]::ParameterName, 'Probes per size before silence counts as "too big" (guards against random loss)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'UDP port for --ike: 500, or 4500 (the port IKE_AUTH uses)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human view')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Test IPv4 addresses only (from the hosts file, else DNS A records)')
            [CompletionResult]::new('--ipv4', '--ipv4', [CompletionResultType]::ParameterName, 'Test IPv4 addresses only (from the hosts file, else DNS A records)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)')
            [CompletionResult]::new('--ipv6', '--ipv6', [CompletionResultType]::ParameterName, 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)')
            [CompletionResult]::new('--ike', '--ike', [CompletionResultType]::ParameterName, 'Probe with IKE_SA_INIT requests over UDP instead of ICMP echo')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Show a progress bar on stderr (when stderr is a terminal)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of the human view')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'aovpn-diag;lb' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each reply: every probe, and name resolution as a whole (the hosts file first, then A and AAAA side by side)')
            [CompletionResult]::new('--rounds', '--rounds', [CompletionResultType]::ParameterName, 'Connection attempts, each from fresh source ports (1 to 64)')
            [CompletionResult]::new('--backends', '--backends', [CompletionResultType]::ParameterName, 'The real servers'' addresses, comma-separated: each answer is matched against them')
            [CompletionResult]::new('--find-backends', '--find-backends', [CompletionResultType]::ParameterName, 'Search these ranges (CIDR, comma-separated) for the servers; alone (or ''default''): 10/8, 172.16/12, 192.168/16 and the VIP''s /24 (IPv4 only)')
            [CompletionResult]::new('--snat-candidates', '--snat-candidates', [CompletionResultType]::ParameterName, 'Addresses the load balancer may source-NAT clients to (self IPs, SNAT pool), comma-separated, at most 64')
            [CompletionResult]::new('--search-time', '--search-time', [CompletionResultType]::ParameterName, 'Seconds the backend search may take per VIP (1 to 3600)')
            [CompletionResult]::new('--retransmits', '--retransmits', [CompletionResultType]::ParameterName, 'Re-sends of an unanswered request, each wait 50% longer than the last (0 to 5)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human view')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Test IPv4 addresses only (from the hosts file, else DNS A records)')
            [CompletionResult]::new('--ipv4', '--ipv4', [CompletionResultType]::ParameterName, 'Test IPv4 addresses only (from the hosts file, else DNS A records)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)')
            [CompletionResult]::new('--ipv6', '--ipv6', [CompletionResultType]::ParameterName, 'Test IPv6 addresses only (from the hosts file, else DNS AAAA records)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of the human view')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'aovpn-diag;6to4' {
            [CompletionResult]::new('--site', '--site', [CompletionResultType]::ParameterName, 'Also print the PowerShell line that adds each 6to4 prefix as a subnet of this AD site')
            [CompletionResult]::new('--netlogon', '--netlogon', [CompletionResultType]::ParameterName, 'Summarise the NO_CLIENT_SITE lines of a domain controller''s netlogon.log: clients per public IPv4 /24, the 6to4 prefixes to assign, the computers affected')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human view')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of the human view')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'aovpn-diag;profile' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human view')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of the human view')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'aovpn-diag;events' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events of the last DURATION: hours (24), or with a unit: 90m, 2h, 7d. Default: 24h for this machine''s logs, everything in files')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human view')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of the human view')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'aovpn-diag;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human view')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of the human view')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'aovpn-diag;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write every page into this directory (created if missing) instead of printing one')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the human view')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of the human view')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail (pcap, probe, mtu, 6to4); one level, -vv is refused')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the verdict and failing findings; no progress')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'aovpn-diag;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'One call for a helpdesk script on error 809: every test in order, one verdict, the most likely cause and its remedy')
            [CompletionResult]::new('pcap', 'pcap', [CompletionResultType]::ParameterValue, 'Find why IKEv2 failed in a capture: unanswered IKE_SA_INIT or IKE_AUTH, dropped IP fragments, missing IKEv2 fragmentation, proposal mismatch')
            [CompletionResult]::new('capture', 'capture', [CompletionResultType]::ParameterValue, 'Watch an interface and explain a failing IKEv2 connection as it happens')
            [CompletionResult]::new('probe', 'probe', [CompletionResultType]::ParameterValue, 'Speak real IKEv2 to a VPN server: is it reachable on UDP 500 and 4500, which proposals does it accept, does it support IKEv2 fragmentation, and do IP fragments get through to it?')
            [CompletionResult]::new('mtu', 'mtu', [CompletionResultType]::ParameterValue, 'Measure the path MTU to a VPN server, like mtupath, and say what it means for IKEv2')
            [CompletionResult]::new('lb', 'lb', [CompletionResultType]::ParameterValue, 'Test a load balancer in front of VPN servers: does it keep each client on one server for UDP 500 and 4500, without source NAT, and which servers are behind it?')
            [CompletionResult]::new('6to4', '6to4', [CompletionResultType]::ParameterValue, 'Map IPv4 addresses and prefixes to 6to4 and back; decode Teredo and ISATAP')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'Show the IKEv2 settings of Windows VPN profiles (rasphone.pbk)')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'Read Windows'' own record of VPN connection attempts and say why they failed')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script on stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page, or write all of them where `man` finds them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'aovpn-diag;help;check' {
            break
        }
        'aovpn-diag;help;pcap' {
            break
        }
        'aovpn-diag;help;capture' {
            break
        }
        'aovpn-diag;help;probe' {
            break
        }
        'aovpn-diag;help;mtu' {
            break
        }
        'aovpn-diag;help;lb' {
            break
        }
        'aovpn-diag;help;6to4' {
            break
        }
        'aovpn-diag;help;profile' {
            break
        }
        'aovpn-diag;help;events' {
            break
        }
        'aovpn-diag;help;completions' {
            break
        }
        'aovpn-diag;help;man' {
            break
        }
        'aovpn-diag;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
