/* duet — the stack's named statistics and drop counters: one X-macro list,
 * so names, descriptions and storage cannot drift apart. A DROP_ counter
 * names the reason a packet was discarded; each drop bumps exactly one. */
#ifndef DUET_COUNTERS_H
#define DUET_COUNTERS_H

#include <stdint.h>

#define DUET_COUNTERS(X) \
	X(LINK_RX_FRAMES,        "frames received from links") \
	X(LINK_RX_BYTES,         "bytes received from links") \
	X(LINK_TX_FRAMES,        "frames handed to links") \
	X(LINK_TX_BYTES,         "bytes handed to links") \
	X(ETH_RX_IPV4,           "frames received with EtherType IPv4") \
	X(ETH_RX_IPV6,           "frames received with EtherType IPv6") \
	X(ETH_RX_ARP,            "frames received with EtherType ARP") \
	X(ETH_RX_VLAN,           "frames received with an 802.1Q tag") \
	X(DROP_RX_QUEUE_FULL,    "received frame dropped: stack input queue full") \
	X(DROP_RX_NO_IFACE,      "received frame dropped: its interface was removed") \
	X(DROP_ETH_MALFORMED,    "received frame dropped: truncated or not Ethernet II") \
	X(DROP_ETH_NOT_FOR_US,   "received frame dropped: destination MAC not ours, broadcast or a joined group") \
	X(DROP_ETH_SELF_SRC,     "received frame dropped: source MAC is our own (a reflection)") \
	X(DROP_ETH_VLAN,         "received frame dropped: 802.1Q tagged (duet interfaces are untagged)") \
	X(DROP_ETH_NO_PROTO,     "received frame dropped: no protocol attached for its EtherType") \
	X(DROP_TX_NO_IFACE,      "output dropped: no such interface") \
	X(DROP_TX_NO_BUFFER,     "output dropped: packet pool exhausted") \
	X(DROP_TX_OVERSIZE,      "output dropped: frame larger than the link MTU") \
	X(DROP_TX_QUEUE_FULL,    "output dropped: interface output queue full") \
	X(DROP_TX_LINK,          "output dropped: the link refused the frame") \
	X(NEIGH_SOLICIT_MCAST,   "neighbour solicitations / ARP requests sent multicast or broadcast to resolve an address") \
	X(NEIGH_SOLICIT_UCAST,   "unicast neighbour probes sent (NUD, PROBE state)") \
	X(NEIGH_RESOLVED,        "neighbour entries resolved: left INCOMPLETE with a link-layer address") \
	X(NEIGH_RES_FAILED,      "neighbour entries removed: no answer to MAX_MULTICAST_SOLICIT solicitations") \
	X(NEIGH_NUD_FAILED,      "neighbour entries removed: no answer to MAX_UNICAST_SOLICIT probes") \
	X(NEIGH_LLADDR_CHANGED,  "neighbour link-layer addresses replaced by received information") \
	X(NEIGH_EVICTED,         "STALE neighbour entries evicted to make room (table full)") \
	X(NEIGH_TABLE_FULL,      "neighbour entries not created: table full, no STALE entry to evict") \
	X(NEIGH_UNREACHABLE,     "queued packets handed back as unreachable after address resolution failed") \
	X(DROP_NEIGH_QUEUE_FULL, "packet dropped: the oldest one waiting for address resolution, replaced by a newer one") \
	X(DROP_NEIGH_TABLE_FULL, "packet dropped: neighbour table full, no STALE entry to evict") \
	X(DROP_NEIGH_FLUSHED,    "packet dropped: waiting for address resolution when its entry was flushed") \
	X(DROP_NEIGH_BAD_IFINDEX, "packet dropped: address resolution asked for an invalid interface") \
	X(REASM_REQDS,           "fragments received that needed reassembly (RFC 4293 ReasmReqds)") \
	X(REASM_OKS,             "datagrams reassembled (RFC 4293 ReasmOKs)") \
	X(REASM_FAILS,           "reassembly failures: datagrams discarded or timed out, fragments rejected (RFC 4293 ReasmFails)") \
	X(REASM_ATOMIC,          "atomic fragments (offset 0, M 0) processed alone (RFC 6946)") \
	X(DROP_REASM_OVERLAP,    "fragment dropped: its datagram had overlapping fragments (RFC 5722)") \
	X(DROP_REASM_DUPLICATE,  "fragment dropped: exact duplicate of a held one (RFC 8200 4.5)") \
	X(DROP_REASM_DISCARDED,  "fragment dropped: its datagram was already discarded, queue awaiting its timeout") \
	X(DROP_REASM_TOO_MANY_FRAGS, "fragment dropped: its datagram exceeded the per-datagram fragment limit") \
	X(DROP_REASM_MEM_CAP,    "fragment dropped: reassembly memory cap reached") \
	X(DROP_REASM_EVICTED,    "fragment dropped: its datagram was evicted, oldest first, for memory or a queue slot") \
	X(DROP_REASM_TIMEOUT,    "fragment dropped: reassembly timed out") \
	X(DROP_REASM_BAD_LENGTH, "fragment dropped: empty, or not the last and not a multiple of 8 octets") \
	X(DROP_REASM_TOO_BIG,    "fragment dropped: the reassembled datagram would exceed 65,535 octets") \
	X(DROP_REASM_INCONSISTENT_LAST, "fragment dropped: its datagram's last fragment disagreed with other fragments") \
	X(DROP_REASM_CHAIN_INCOMPLETE, "fragment dropped: first fragment without the whole header chain (RFC 7112)") \
	X(DROP_REASM_NO_BUFFER,  "fragment dropped: no buffer for the reassembled datagram") \
	X(PMTU_LOWERED,          "path MTU entries created or lowered by Packet Too Big / Fragmentation Needed") \
	X(PMTU_IGNORED,          "Packet Too Big / Fragmentation Needed not lowering the path MTU (ignored)") \
	X(PMTU_CLAMPED,          "reported MTUs below the minimum (1280 IPv6, 68 IPv4) raised to it") \
	X(PMTU_EXPIRED,          "path MTU entries aged out") \
	X(PMTU_EVICTED,          "path MTU entries evicted, oldest first, to make room (cache full)") \
	X(ICMP_RATELIMITED,      "ICMP errors not sent: rate limit (RFC 4443 2.4(f))") \
	X(TIMERS_FIRED,          "timer callbacks run") \
	X(ND6_RX,                "Neighbour Discovery messages received (RS, RA, NS, NA, Redirect)") \
	X(ND6_TX_NS,             "Neighbour Solicitations sent (resolution, NUD, DAD)") \
	X(ND6_TX_NA,             "Neighbour Advertisements sent") \
	X(ND6_TX_RS,             "Router Solicitations sent") \
	X(ND6_TX_FAILED,         "ND messages not sent: no buffer or no route") \
	X(ND6_RA_ACCEPTED,       "Router Advertisements processed") \
	X(ND6_REDIRECT_ACCEPTED, "Redirects processed: host route installed") \
	X(ND6_NA_FOR_OUR_ADDR,   "NAs ignored: target is one of our usable addresses (RFC 4862 5.4.4)") \
	X(DROP_ND6_BAD_HOP_LIMIT, "ND message dropped: IP hop limit not 255 (RFC 4861 6.1, 7.1)") \
	X(DROP_ND6_BAD_CODE,     "ND message dropped: ICMP code not 0") \
	X(DROP_ND6_TRUNCATED,    "ND message dropped: shorter than its fixed part") \
	X(DROP_ND6_BAD_OPTION,   "ND message dropped: option with length 0, truncated or malformed") \
	X(DROP_ND6_FRAGMENTED,   "ND message dropped: arrived in fragments (RFC 6980 5)") \
	X(DROP_ND6_MCAST_TARGET, "NS/NA dropped: target is a multicast address") \
	X(DROP_ND6_DAD_BAD_DST,  "NS dropped: from :: but not to a solicited-node address") \
	X(DROP_ND6_DAD_SLLA,     "NS dropped: from :: with a source link-layer address option") \
	X(DROP_ND6_NA_MCAST_SOLICITED, "NA dropped: solicited flag set on a multicast destination") \
	X(DROP_ND6_NOT_LINKLOCAL, "RA/Redirect dropped: source not link-local") \
	X(DROP_ND6_NOT_OUR_TARGET, "NS dropped: target not an address of the interface") \
	X(DROP_ND6_TENTATIVE_TARGET, "NS dropped: unicast-sourced NS for a tentative address (RFC 4862 5.4.3)") \
	X(DROP_ND6_NA_UNSOLICITED, "NA dropped: no neighbour entry to update (RFC 4861 7.2.5)") \
	X(DROP_ND6_RS_HOST,      "RS dropped: a host ignores Router Solicitations (RFC 4861 6.2.6)") \
	X(DROP_ND6_REDIRECT_INVALID, "Redirect dropped: not from the first-hop router, bad target or destination") \
	X(DROP_ND6_NO_IFACE,     "ND message dropped: its interface has no ND state") \
	X(ADDRCONF_DAD_STARTED,  "Duplicate Address Detection runs started") \
	X(ADDRCONF_DAD_SUCCEEDED, "addresses that passed DAD and became usable") \
	X(ADDRCONF_DAD_FAILED,   "addresses found duplicate by DAD (RFC 4862 5.4.5)") \
	X(ADDRCONF_IID_RETRY,    "stable interface identifiers regenerated after DAD failure (RFC 7217 6)") \
	X(ADDRCONF_SLAAC_ADDED,  "addresses formed from Prefix Information (RFC 4862 5.5.3)") \
	X(ADDRCONF_DEPRECATED,   "addresses deprecated: preferred lifetime over") \
	X(ADDRCONF_EXPIRED,      "addresses removed: valid lifetime over") \
	X(ADDRCONF_PREFIX_IGNORED, "Prefix Information not used for SLAAC (length, lifetimes, link-local)") \
	X(IP6_IN_RECEIVES,       "IPv6 packets received (RFC 4293 ipSystemStatsInReceives)") \
	X(IP6_IN_HDR_ERRORS,     "IPv6 packets discarded for header errors (RFC 4293 InHdrErrors)") \
	X(IP6_IN_ADDR_ERRORS,    "IPv6 packets discarded: destination not ours (RFC 4293 InAddrErrors)") \
	X(IP6_IN_UNKNOWN_PROTOS, "IPv6 packets discarded: unknown next header (RFC 4293 InUnknownProtos)") \
	X(IP6_IN_DELIVERS,       "IPv6 packets delivered to upper layers (RFC 4293 InDelivers)") \
	X(IP6_OUT_REQUESTS,      "IPv6 packets upper layers asked to send (RFC 4293 OutRequests)") \
	X(IP6_OUT_NO_ROUTES,     "IPv6 packets not sent: no route (RFC 4293 OutNoRoutes)") \
	X(IP6_FRAG_CREATES,      "IPv6 fragments created (RFC 4293 OutFragCreates)") \
	X(IP6_FRAG_OKS,          "IPv6 packets fragmented (RFC 4293 OutFragOKs)") \
	X(IP6_FRAG_FAILS,        "IPv6 packets not fragmented: ND, don't-fragment or no buffer (RFC 4293 OutFragFails)") \
	X(ICMP6_IN_MSGS,         "ICMPv6 messages received (RFC 4293 icmpStatsInMsgs)") \
	X(ICMP6_IN_ERRORS,       "ICMPv6 messages received with errors: checksum, length (RFC 4293 icmpStatsInErrors)") \
	X(ICMP6_IN_ECHOS,        "ICMPv6 Echo Requests received") \
	X(ICMP6_IN_ECHO_REPLIES, "ICMPv6 Echo Replies received") \
	X(ICMP6_IN_DEST_UNREACHS, "ICMPv6 Destination Unreachable received") \
	X(ICMP6_IN_PKT_TOO_BIGS, "ICMPv6 Packet Too Big received") \
	X(ICMP6_IN_TIME_EXCEEDS, "ICMPv6 Time Exceeded received") \
	X(ICMP6_IN_PARM_PROBLEMS, "ICMPv6 Parameter Problem received") \
	X(ICMP6_OUT_MSGS,        "ICMPv6 messages sent (RFC 4293 icmpStatsOutMsgs)") \
	X(ICMP6_OUT_ERRORS,      "ICMPv6 error messages sent") \
	X(ICMP6_OUT_ECHOS,       "ICMPv6 Echo Requests sent") \
	X(ICMP6_OUT_ECHO_REPLIES, "ICMPv6 Echo Replies sent") \
	X(ICMP6_ERR_SUPPRESSED,  "ICMPv6 errors not sent: RFC 4443 2.4(e) (about an error, a multicast, or no single source)") \
	X(DROP_IP6_TRUNCATED,    "IPv6 packet dropped: shorter than its header") \
	X(DROP_IP6_BAD_VERSION,  "IPv6 packet dropped: version not 6") \
	X(DROP_IP6_BAD_LENGTH,   "IPv6 packet dropped: Payload Length 0 (jumbogram) or past the frame") \
	X(DROP_IP6_BAD_SRC,      "IPv6 packet dropped: multicast or loopback source (RFC 4291 2.5.3, 2.7)") \
	X(DROP_IP6_NOT_FOR_US,   "IPv6 packet dropped: destination not a usable address of ours or a group we listen to") \
	X(DROP_IP6_TOO_MANY_EXT, "IPv6 packet dropped: extension header chain longer than the nesting limit") \
	X(DROP_IP6_HBH_NOT_FIRST, "IPv6 packet dropped: Hop-by-Hop header not first (RFC 8200 4.1)") \
	X(DROP_IP6_BAD_EXT,      "IPv6 packet dropped: extension header truncated or its options malformed") \
	X(DROP_IP6_OPT_DISCARD,  "IPv6 packet dropped: unrecognised option with action 01, 10 or 11 (RFC 8200 4.2)") \
	X(DROP_IP6_ROUTING_HDR,  "IPv6 packet dropped: Routing header with Segments Left > 0 (a host does not forward; type 0, RFC 5095)") \
	X(DROP_IP6_UNKNOWN_NH,   "IPv6 packet dropped: unknown next header (Parameter Problem code 1)") \
	X(DROP_IP6_NO_NEXT_HEADER, "IPv6 packet dropped: No Next Header (59), nothing to deliver") \
	X(DROP_IP6_OUT_SCOPE,    "IPv6 output dropped: link-local or multicast destination without an interface") \
	X(DROP_IP6_OUT_NO_SOURCE, "IPv6 output dropped: no usable source address (RFC 6724)") \
	X(DROP_IP6_OUT_NO_BUFFER, "IPv6 output dropped: no headroom or no buffer for a fragment") \
	X(DROP_IP6_OUT_NO_ROUTE,   "IPv6 output dropped: no route to the destination") \
	X(DROP_IP6_OUT_BAD_EXT,    "IPv6 output dropped: an extension header buffer malformed (length not a multiple of 8 or not its Hdr Ext Len)") \
	X(DROP_IP6_OUT_TOO_BIG,    "IPv6 output dropped: too big, and fragmenting not allowed (ND, IPV6_DONTFRAG) or beyond 65,535") \
	X(DROP_ICMP6_BAD_CHECKSUM, "ICMPv6 message dropped: bad checksum") \
	X(DROP_ICMP6_MALFORMED,  "ICMPv6 message dropped: truncated or an undefined error code") \
	X(DROP_ICMP6_NO_HANDLER, "ICMPv6 message dropped: unknown informational type or no module for it (RFC 4443 2.4(b))") \
	X(DROP_ICMP6_BAD_QUOTE,  "ICMPv6 error dropped: quoted packet short or not from us") \
	X(DROP_ICMP6_ERROR_CONSUMED, "ICMPv6 error consumed: no transport handler for the quoted packet's protocol, or no upper-layer header quoted") \
	X(DROP_ICMP6_ECHO_NO_SRC, "ICMPv6 Echo Request not answered: no source address or no buffer") \
	X(IP4_IN_RECEIVES,       "IPv4 datagrams received (RFC 4293 ipSystemStatsInReceives)") \
	X(IP4_IN_HDR_ERRORS,     "IPv4 datagrams discarded for header errors (RFC 4293 InHdrErrors)") \
	X(IP4_IN_ADDR_ERRORS,    "IPv4 datagrams discarded: destination not ours or bad source (RFC 4293 InAddrErrors)") \
	X(IP4_IN_UNKNOWN_PROTOS, "IPv4 datagrams for an unattached protocol (RFC 4293 InUnknownProtos)") \
	X(IP4_IN_DELIVERS,       "IPv4 datagrams delivered to upper layers (RFC 4293 InDelivers)") \
	X(IP4_OUT_REQUESTS,      "IPv4 datagrams handed to ip4_output (RFC 4293 OutRequests)") \
	X(IP4_OUT_NO_ROUTES,     "IPv4 datagrams not sent: no route (RFC 4293 OutNoRoutes)") \
	X(IP4_OUT_LOCAL,         "IPv4 datagrams to one of our own addresses, delivered locally") \
	X(IP4_FRAG_CREATES,      "IPv4 fragments created (RFC 4293 OutFragCreates)") \
	X(IP4_FRAG_OKS,          "IPv4 datagrams fragmented (RFC 4293 OutFragOKs)") \
	X(IP4_FRAG_FAILS,        "IPv4 datagrams that needed fragmenting and could not be (RFC 4293 OutFragFails)") \
	X(ARP_IN_REQUESTS,       "ARP requests received") \
	X(ARP_IN_REPLIES,        "ARP replies received") \
	X(ARP_OUT_REQUESTS,      "ARP requests sent to resolve or probe an address") \
	X(ARP_OUT_REPLIES,       "ARP replies sent") \
	X(ARP_OUT_ANNOUNCES,     "gratuitous ARP announcements sent (RFC 5227 3)") \
	X(ICMP4_IN_MSGS,         "ICMPv4 messages received (RFC 4293 icmpStatsInMsgs)") \
	X(ICMP4_IN_ERRORS,       "ICMPv4 messages received with ICMP-specific errors: checksum, length (RFC 4293 icmpStatsInErrors)") \
	X(ICMP4_IN_ECHOS,        "ICMPv4 Echo Requests received") \
	X(ICMP4_IN_ECHO_REPS,    "ICMPv4 Echo Replies received") \
	X(ICMP4_IN_DEST_UNREACHS, "ICMPv4 Destination Unreachable received") \
	X(ICMP4_IN_FRAG_NEEDED,  "ICMPv4 Fragmentation Needed received and applied to the path MTU") \
	X(ICMP4_IN_TIME_EXCDS,   "ICMPv4 Time Exceeded received") \
	X(ICMP4_IN_PARM_PROBS,   "ICMPv4 Parameter Problem received") \
	X(ICMP4_OUT_MSGS,        "ICMPv4 messages sent (RFC 4293 icmpStatsOutMsgs)") \
	X(ICMP4_OUT_ERRORS,      "ICMPv4 error messages sent") \
	X(ICMP4_OUT_ECHOS,       "ICMPv4 Echo Requests sent") \
	X(ICMP4_OUT_ECHO_REPS,   "ICMPv4 Echo Replies sent") \
	X(ICMP4_OUT_DEST_UNREACHS, "ICMPv4 Destination Unreachable sent") \
	X(ICMP4_OUT_TIME_EXCDS,  "ICMPv4 Time Exceeded sent") \
	X(ICMP4_OUT_PARM_PROBS,  "ICMPv4 Parameter Problem sent") \
	X(ICMP4_ERR_SUPPRESSED,  "ICMPv4 errors not sent: about an ICMP error, a broadcast/multicast, a non-first fragment or a non-unicast source (RFC 1122 3.2.2)") \
	X(DROP_IP4_MALFORMED,    "IPv4 datagram dropped: truncated, bad version, IHL or Total Length") \
	X(DROP_IP4_BAD_CHECKSUM, "IPv4 datagram dropped: header checksum") \
	X(DROP_IP4_BAD_FIELD,    "IPv4 datagram dropped: reserved flag bit set") \
	X(DROP_IP4_SOURCE_ROUTE, "IPv4 datagram dropped: Loose or Strict Source Route option (Linux accept_source_route=0)") \
	X(DROP_IP4_BAD_OPTION,   "IPv4 datagram dropped: malformed option (Parameter Problem sent)") \
	X(DROP_IP4_BAD_SRC,      "IPv4 datagram dropped: broadcast, multicast, class E or loopback source (RFC 1122 3.2.1.3)") \
	X(DROP_IP4_NOT_FOR_US,   "IPv4 datagram dropped: destination not ours (a host does not forward)") \
	X(DROP_IP4_L2_BCAST_UNICAST, "IPv4 datagram dropped: link-layer broadcast to a unicast IP destination (RFC 1122 3.3.6)") \
	X(DROP_IP4_UNKNOWN_PROTO, "IPv4 datagram dropped: protocol not attached (protocol unreachable sent)") \
	X(DROP_IP4_NO_BUFFER,    "IPv4 datagram dropped: packet pool exhausted") \
	X(DROP_IP4_NO_ROUTE,     "IPv4 datagram dropped on output: no route") \
	X(DROP_IP4_NO_SOURCE,    "IPv4 datagram dropped on output: no usable source address") \
	X(DROP_IP4_DONTFRAG,     "IPv4 datagram dropped on output: larger than the path MTU with DF set") \
	X(DROP_IP4_LOCAL_QUEUE_FULL, "IPv4 datagram to ourselves dropped: local delivery queue full") \
	X(DROP_IP4_HOST_UNREACH, "IPv4 datagram dropped: address resolution failed (host unreachable)") \
	X(DROP_ARP_MALFORMED,    "ARP packet dropped: truncated, unsupported hardware/protocol or opcode") \
	X(DROP_ARP_BAD_ADDR,     "ARP packet dropped: multicast/broadcast sender or multicast target") \
	X(DROP_ARP_SPA_OURS,     "ARP packet dropped: sender claims one of our addresses (conflict)") \
	X(DROP_ICMP4_MALFORMED,  "ICMPv4 message dropped: truncated or undefined code") \
	X(DROP_ICMP4_BAD_CHECKSUM, "ICMPv4 message dropped: checksum") \
	X(DROP_ICMP4_BCAST_ECHO, "ICMPv4 Echo Request to a broadcast/multicast address ignored (Linux icmp_echo_ignore_broadcasts=1)") \
	X(DROP_ICMP4_BAD_QUOTE,  "ICMPv4 error dropped: quoted datagram truncated or not sent by us") \
	X(DROP_ICMP4_ERROR_CONSUMED, "ICMPv4 error consumed: no transport handler for the quoted datagram (its protocol, or a later fragment)") \
	X(DROP_ICMP4_UNHANDLED_TYPE, "ICMPv4 message of a type duet does not handle, discarded (RFC 1122 3.2.2)") \
	X(MCAST_CHANGE_REPORTS,  "MLDv2/IGMPv3 State Change Reports sent, retransmissions included (RFC 3810 6.1)") \
	X(MCAST_CURRENT_REPORTS, "MLDv2/IGMPv3 Current State Reports sent in answer to queries (RFC 3810 6.3)") \
	X(MCAST_V1_REPORTS,      "MLDv1/IGMPv1/IGMPv2 Reports sent (compatibility mode)") \
	X(MCAST_V1_DONES,        "MLDv1 Done / IGMPv2 Leave Group messages sent (compatibility mode)") \
	X(MCAST_GENERAL_QUERIES, "MLD/IGMP General Queries received") \
	X(MCAST_GROUP_QUERIES,   "MLD/IGMP Multicast Address (Group) Specific Queries received") \
	X(MCAST_SOURCE_QUERIES,  "MLDv2/IGMPv3 Multicast Address and Source Specific Queries received") \
	X(MCAST_V1_SUPPRESSED,   "older-version Reports not sent: another host reported the group first (RFC 2710 4, RFC 2236 3)") \
	X(MCAST_COMPAT_ENTERED,  "interfaces switched to an older version (MLDv1, IGMPv1/v2) by a query (RFC 3810 8.2.1)") \
	X(MCAST_COMPAT_EXPIRED,  "interfaces back to a newer version: Older Version Querier Present timer expired") \
	X(MCAST_LIMIT_GROUPS,    "multicast joins refused: membership table full (max_groups)") \
	X(MCAST_LIMIT_LISTENERS, "multicast joins refused: max_listeners or max_listeners_per_group reached") \
	X(MCAST_LIMIT_SOURCES,   "multicast source filters refused: over max_sources per listener or merged per interface") \
	X(MCAST_SOURCES_OVERFLOW, "retransmission or queried-source lists full: the group's whole state reported instead") \
	X(UDP_IN_DATAGRAMS,      "UDP datagrams delivered to sockets (RFC 4113 udpHCInDatagrams)") \
	X(UDP_OUT_DATAGRAMS,     "UDP datagrams sent (udpHCOutDatagrams)") \
	X(UDP_NO_PORTS,          "UDP datagrams to a port no socket is bound to (udpNoPorts; unicast ones get Port Unreachable)") \
	X(DROP_UDP_MALFORMED,    "UDP datagram dropped: shorter than its header, or a Length beyond the packet") \
	X(DROP_UDP_BAD_CHECKSUM, "UDP datagram dropped: checksum does not verify") \
	X(DROP_UDP6_ZERO_CSUM,   "UDP datagram dropped: zero checksum over IPv6 (RFC 8200 8.1)") \
	X(DROP_UDP_RCVBUF,       "UDP datagram dropped: the socket's receive buffer (SO_RCVBUF) is full, or it was shut down for reading") \
	X(UDP_ICMP_ERRORS,       "ICMP errors about our UDP datagrams reported to a socket (SO_ERROR)") \
	X(UDP_ICMP_IGNORED,      "ICMP errors about our UDP datagrams not reported: no socket, not connected, or not fatal (as Linux)") \
	X(RAW_IN_DELIVERS,       "copies of received packets queued on raw sockets (R-1..R-10)") \
	X(RAW_OUT_DATAGRAMS,     "datagrams sent by raw sockets") \
	X(RAW_FILTERED,          "ICMPv6 messages a raw socket's ICMP6_FILTER kept from it") \
	X(DROP_RAW_BAD_CHECKSUM, "raw socket copy dropped: ICMPv6 or IPV6_CHECKSUM checksum does not verify (R-7, R-8)") \
	X(DROP_RAW_SHORT,        "raw socket copy dropped: payload too short for the IPV6_CHECKSUM offset (R-8)") \
	X(TCP_ACTIVE_OPENS,      "TCP connections that went SYN-SENT from CLOSED: connect() (RFC 4022 tcpActiveOpens)") \
	X(TCP_PASSIVE_OPENS,     "TCP connections that went SYN-RECEIVED from LISTEN (tcpPassiveOpens)") \
	X(TCP_ATTEMPT_FAILS,     "TCP connection attempts that failed: reset or timed out in SYN-SENT / SYN-RECEIVED (tcpAttemptFails)") \
	X(TCP_ESTAB_RESETS,      "TCP connections reset from ESTABLISHED or CLOSE-WAIT (tcpEstabResets)") \
	X(TCP_IN_SEGS,           "TCP segments received with a valid header and checksum (tcpHCInSegs)") \
	X(TCP_OUT_SEGS,          "TCP segments sent, retransmissions excluded (tcpHCOutSegs)") \
	X(TCP_RETRANS_SEGS,      "TCP segments retransmitted (tcpRetransSegs)") \
	X(TCP_OUT_RSTS,          "TCP resets sent (tcpOutRsts)") \
	X(TCP_NO_SOCKET,         "TCP segments for no connection and no listener (answered with a reset unless one)") \
	X(DROP_TCP_MALFORMED,    "TCP segment dropped: shorter than its header, a bad data offset or option length, or a broadcast/multicast destination") \
	X(DROP_TCP_BAD_CHECKSUM, "TCP segment dropped: checksum does not verify (tcpInErrs)") \
	X(DROP_TCP_OUT_OF_WINDOW, "TCP segment dropped: not acceptable in the receive window (RFC 9293 3.10.7.4; an ACK answers it)") \
	X(DROP_TCP_PAWS,         "TCP segment dropped: an old timestamp (RFC 7323 5, PAWS)") \
	X(DROP_TCP_BAD_ACK,      "TCP segment dropped: acknowledges data never sent, or too old (RFC 5961 5)") \
	X(DROP_TCP_OOO_FULL,     "TCP out-of-order segment dropped: more disjoint ranges than kept (TCP_OOO_MAX) or no buffer") \
	X(DROP_TCP_RCVBUF,       "TCP data dropped: beyond the receive buffer, or arrived after SHUT_RD/close") \
	X(TCP_OOO_QUEUED,        "TCP segments kept out of order until the hole before them filled") \
	X(TCP_CHALLENGE_ACKS,    "TCP challenge ACKs sent (RFC 5961 3-5: an in-window RST or SYN, an unacceptable ACK)") \
	X(TCP_CHALLENGE_LIMITED, "TCP challenge ACKs not sent: within 500 ms of the connection's last one, or over the stack's per-second limit (RFC 5961 7)") \
	X(TCP_RST_IGNORED,       "TCP resets ignored: outside the window (RFC 5961 3.2)") \
	X(TCP_LISTEN_OVERFLOWS,  "SYNs to a listener whose accept queue was full, dropped (Linux ListenOverflows)") \
	X(TCP_SYNQ_FULL,         "SYNs to a listener whose SYN queue was full (answered with a SYN cookie when enabled)") \
	X(TCP_SYNCOOKIES_SENT,   "SYN-ACKs sent carrying a SYN cookie (no state kept)") \
	X(TCP_SYNCOOKIES_RECV,   "ACKs that carried a valid SYN cookie and made a connection") \
	X(TCP_SYNCOOKIES_FAILED, "ACKs to a listener with no connection and no valid SYN cookie (reset)") \
	X(TCP_TIMEOUTS,          "TCP retransmission timer expiries (RFC 6298)") \
	X(TCP_FAST_RETRANS,      "TCP fast retransmissions: recovery entered on duplicate ACKs or SACK (RFC 6675, 6582)") \
	X(TCP_KEEPALIVE_PROBES,  "TCP keepalive probes sent") \
	X(TCP_ABORT_TIMEOUT,     "TCP connections ended by retransmission, keepalive or user timeout (ETIMEDOUT)") \
	X(TCP_ABORT_ON_CLOSE,    "TCP connections reset at close: unread data, or SO_LINGER 0") \
	X(TCP_ORPHAN_OVERFLOW,   "TCP connections reset at close: too many closed connections still finishing (max_orphans)") \
	X(TCP_ICMP_ERRORS,       "ICMP errors about our TCP segments acted on (PMTU, hard errors in SYN-SENT)") \
	X(TCP_ICMP_IGNORED,      "ICMP errors about our TCP segments ignored: no connection, or a sequence number not in flight") \
	X(TCP_ZERO_WINDOW_PROBES, "TCP zero-window probes sent (RFC 9293 3.8.6.1)") \
	X(MLD6_IN_QUERIES,       "MLD Queries received and handed to the listener engine") \
	X(MLD6_IN_REPORTS,       "MLD Reports / Dones of other listeners received (a host ignores them, RFC 3810 6.1)") \
	X(MLD6_OUT_MSGS,         "MLD messages sent (MLDv2 Reports, MLDv1 Reports and Dones)") \
	X(DROP_MLD6_INVALID,     "MLD message dropped: source not link-local (or :: for a report), hop limit not 1, or no Router Alert (RFC 3810 5, 6.2)") \
	X(DROP_MLD6_MALFORMED,   "MLD message dropped: truncated, bad length, or a group that is not multicast") \
	X(MLD6_OUT_FAILED,       "MLD messages not sent: no buffer, or IPv6 output refused them (its drop counter says why)") \
	X(IGMP4_IN_QUERIES,      "IGMP Membership Queries received and handed to the listener engine") \
	X(IGMP4_IN_REPORTS,      "IGMP Reports / Leave Groups of other hosts received (a host ignores them, RFC 3376 5.1)") \
	X(IGMP4_OUT_MSGS,        "IGMP messages sent (IGMPv3 Reports, IGMPv1/v2 Reports and Leave Groups)") \
	X(DROP_IGMP4_INVALID,    "IGMP message dropped: TTL not 1 (RFC 3376 4), or a General Query to a group other than 224.0.0.1 (9.1)") \
	X(DROP_IGMP4_MALFORMED,  "IGMP message dropped: truncated, 9-11 octet Query (RFC 3376 7.1), or a group that is not multicast") \
	X(DROP_IGMP4_BAD_CHECKSUM, "IGMP message dropped: checksum does not verify (RFC 3376 4.1.2)") \
	X(DROP_IGMP4_UNKNOWN_TYPE, "IGMP message dropped: a type a host does not handle (DVMRP, PIM v1, mtrace ...; RFC 3376 4)") \
	X(IGMP4_OUT_FAILED,      "IGMP messages not sent: no buffer, or IPv4 output refused them (its drop counter says why)")

enum duet_counter {
#define DUET_CTR_ENUM(name, desc) DUET_CTR_##name,
	DUET_COUNTERS(DUET_CTR_ENUM)
#undef DUET_CTR_ENUM
	DUET_CTR__COUNT
};

/* The counter's name as in the list ("DROP_ETH_MALFORMED"), or NULL for an
 * out-of-range id. Static string. */
const char *duet_counter_name(enum duet_counter id);

/* One line describing the counter, or NULL for an out-of-range id. */
const char *duet_counter_desc(enum duet_counter id);

/* The id of the counter called name, or -1. */
int duet_counter_by_name(const char *name);

#endif
