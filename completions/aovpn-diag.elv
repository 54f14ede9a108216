
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
            cand -v 'Show more detail (repeat for more)'
            cand --verbose 'Show more detail (repeat for more)'
            cand -q 'Print only the verdict and failing findings; no progress'
            cand --quiet 'Print only the verdict and failing findings; no progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand 6to4 'Map IPv4 addresses and prefixes to 6to4 and back; decode Teredo and ISATAP'
            cand probe 'Speak real IKEv2 to a VPN server: is it reachable on UDP 500 and 4500, which proposals does it accept, does it support IKEv2 fragmentation, and do IP fragments get through to it?'
            cand profile 'Show the IKEv2 settings of Windows VPN profiles (rasphone.pbk)'
            cand completions 'Print a shell completion script on stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'aovpn-diag;6to4'= {
            cand --site 'Also print the PowerShell line that adds each 6to4 prefix as a subnet of this AD site'
            cand --netlogon 'Summarise the NO_CLIENT_SITE lines of a domain controller''s netlogon.log: clients per public IPv4 /24, the 6to4 prefixes to assign, the computers affected'
            cand --color 'When to colour the human view'
            cand --json 'Print one JSON document on stdout instead of the human view'
            cand -v 'Show more detail (repeat for more)'
            cand --verbose 'Show more detail (repeat for more)'
            cand -q 'Print only the verdict and failing findings; no progress'
            cand --quiet 'Print only the verdict and failing findings; no progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'aovpn-diag;probe'= {
            cand --timeout 'Seconds to wait for each reply (DNS and every probe)'
            cand --proposals 'Check these proposals one at a time: windows, aovpn, all, or a list like aes256-sha256-modp2048,aes128gcm16-prfsha256-ecp256'
            cand --frag-size 'Size in bytes of the padded IP datagram of the fragment test (576 to 65535); it must exceed the path MTU'
            cand --retransmits 'Re-sends of an unanswered request, each wait 50% longer than the last (0 to 5)'
            cand --color 'When to colour the human view'
            cand -4 'Test IPv4 addresses only'
            cand --ipv4 'Test IPv4 addresses only'
            cand -6 'Test IPv6 addresses only'
            cand --ipv6 'Test IPv6 addresses only'
            cand --no-frag-test 'Skip the fragment test'
            cand --no-auth-test 'Skip the IKE_AUTH test (an IKE_AUTH on UDP 4500 for the IKE SA made on UDP 500, which shows a load balancer without persistence across both ports)'
            cand --json 'Print one JSON document on stdout instead of the human view'
            cand -v 'Show more detail (repeat for more)'
            cand --verbose 'Show more detail (repeat for more)'
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
            cand -v 'Show more detail (repeat for more)'
            cand --verbose 'Show more detail (repeat for more)'
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
            cand -v 'Show more detail (repeat for more)'
            cand --verbose 'Show more detail (repeat for more)'
            cand -q 'Print only the verdict and failing findings; no progress'
            cand --quiet 'Print only the verdict and failing findings; no progress'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'aovpn-diag;help'= {
            cand 6to4 'Map IPv4 addresses and prefixes to 6to4 and back; decode Teredo and ISATAP'
            cand probe 'Speak real IKEv2 to a VPN server: is it reachable on UDP 500 and 4500, which proposals does it accept, does it support IKEv2 fragmentation, and do IP fragments get through to it?'
            cand profile 'Show the IKEv2 settings of Windows VPN profiles (rasphone.pbk)'
            cand completions 'Print a shell completion script on stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'aovpn-diag;help;6to4'= {
        }
        &'aovpn-diag;help;probe'= {
        }
        &'aovpn-diag;help;profile'= {
        }
        &'aovpn-diag;help;completions'= {
        }
        &'aovpn-diag;help;help'= {
        }
    ]
    $completions[$command]
}
