//! The client's IP address, for rate limits, the audit trail and the session list. The
//! peer address is the client unless the peer is one of the configured trusted proxies;
//! then `X-Forwarded-For` is read from the right, skipping trusted hops, and the first
//! address that is not a trusted proxy is the client. Entries left of it were written by
//! the client itself and are never believed.

use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// `forwarded_for` holds every `X-Forwarded-For` header line in the order received, `None`
/// for a line that is not text. They are one list: a client can send a line of its own
/// before the proxy's, and reading only the first line would believe it.
pub fn client_ip(peer: IpAddr, forwarded_for: &[Option<&str>], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    // A line that is not text is one garbled entry.
    let hops = forwarded_for
        .iter()
        .flat_map(|line| {
            line.map_or_else(|| vec![None], |line| line.split(',').map(Some).collect())
        })
        .map(|hop| hop.map(str::trim))
        .filter(|hop| hop != &Some(""))
        .collect::<Vec<_>>();
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        match hop.and_then(|hop| hop.parse::<IpAddr>().ok()) {
            Some(ip) if is_trusted(&ip) => client = ip,
            Some(ip) => return ip,
            // A garbled entry ends the trusted chain: the last trusted hop is what we know.
            None => return client,
        }
    }
    client
}

/// The network that per-client limits and fraud rules count an address under: the address
/// itself for IPv4, its /64 for IPv6. An IPv6 subscriber is handed a whole /64 (often more)
/// and picks addresses in it freely, so counting single addresses would let one client
/// rotate through 2^64 fresh limits. An IPv4 address mapped into IPv6 counts as itself.
pub fn network(ip: IpAddr) -> IpNet {
    match ip {
        IpAddr::V4(v4) => IpNet::V4(Ipv4Net::from(v4)),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpNet::V4(Ipv4Net::from(v4)),
            None => IpNet::V6(Ipv6Net::new_assert(v6, 64).trunc()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_peer_is_looked_behind_and_spoofed_entries_are_ignored() {
        let trusted: Vec<IpNet> = vec![
            "10.0.0.0/8".parse().unwrap(),
            "127.0.0.1/32".parse().unwrap(),
        ];
        let one = |line: &'static str| vec![Some(line)];
        // Direct, untrusted peer: its header is the client's own claim.
        assert_eq!(
            client_ip(ip("203.0.113.9"), &one("198.51.100.1"), &trusted),
            ip("203.0.113.9")
        );
        // Through one trusted proxy.
        assert_eq!(
            client_ip(ip("10.0.0.5"), &one("198.51.100.1"), &trusted),
            ip("198.51.100.1")
        );
        // The client prepended a fake entry; the proxy appended the real address.
        assert_eq!(
            client_ip(ip("10.0.0.5"), &one("1.2.3.4, 198.51.100.1"), &trusted),
            ip("198.51.100.1")
        );
        // Two trusted hops.
        assert_eq!(
            client_ip(ip("127.0.0.1"), &one("198.51.100.1, 10.1.1.1"), &trusted),
            ip("198.51.100.1")
        );
        // No header, or garbage: the nearest hop we trust.
        assert_eq!(client_ip(ip("10.0.0.5"), &[], &trusted), ip("10.0.0.5"));
        assert_eq!(
            client_ip(ip("10.0.0.5"), &one("nonsense, 10.2.2.2"), &trusted),
            ip("10.2.2.2")
        );
        // No trusted proxies configured: the peer, always.
        assert_eq!(
            client_ip(ip("10.0.0.5"), &one("198.51.100.1"), &[]),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn every_header_line_is_read_in_order_as_one_list() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // The client sent its own line; the proxy added a second line with the real address.
        let lines = [Some("1.2.3.4"), Some("198.51.100.1")];
        assert_eq!(
            client_ip(ip("10.0.0.5"), &lines, &trusted),
            ip("198.51.100.1")
        );
        // Lines and commas mix; trusted hops on the right are skipped across lines.
        let lines = [Some("1.2.3.4, 198.51.100.1"), Some("10.0.0.7")];
        assert_eq!(
            client_ip(ip("10.0.0.5"), &lines, &trusted),
            ip("198.51.100.1")
        );
        // A line that is not text ends the chain where it stands.
        let lines = [Some("198.51.100.1"), None, Some("10.0.0.7")];
        assert_eq!(client_ip(ip("10.0.0.5"), &lines, &trusted), ip("10.0.0.7"));
    }

    #[test]
    fn ipv6_clients_count_by_their_64_and_ipv4_by_the_address() {
        let net = |text: &str| network(ip(text)).to_string();
        assert_eq!(net("203.0.113.7"), "203.0.113.7/32");
        assert_eq!(net("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            net("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            "2001:db8:1:2::/64",
            "one /64, one network"
        );
        assert_ne!(
            net("2001:db8:1:3::1"),
            net("2001:db8:1:2::1"),
            "the next /64 is another network"
        );
        assert_eq!(
            net("::ffff:203.0.113.7"),
            "203.0.113.7/32",
            "IPv4 mapped into IPv6 is IPv4"
        );
    }
}
