//! The client's IP address, for rate limits, the audit trail and the session list. The
//! peer address is the client unless the peer is one of the configured trusted proxies;
//! then `X-Forwarded-For` is read from the right, skipping trusted hops, and the first
//! address that is not a trusted proxy is the client. Entries left of it were written by
//! the client itself and are never believed.

use std::net::IpAddr;

use ipnet::IpNet;

pub fn client_ip(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = forwarded_for.unwrap_or_default().split(',').map(str::trim).filter(|hop| !hop.is_empty());
    let mut client = peer;
    for hop in hops.rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => client = ip,
            Ok(ip) => return ip,
            // A garbled entry ends the trusted chain: the last trusted hop is what we know.
            Err(_) => return client,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_peer_is_looked_behind_and_spoofed_entries_are_ignored() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap(), "127.0.0.1/32".parse().unwrap()];
        // Direct, untrusted peer: its header is the client's own claim.
        assert_eq!(client_ip(ip("203.0.113.9"), Some("198.51.100.1"), &trusted), ip("203.0.113.9"));
        // Through one trusted proxy.
        assert_eq!(client_ip(ip("10.0.0.5"), Some("198.51.100.1"), &trusted), ip("198.51.100.1"));
        // The client prepended a fake entry; the proxy appended the real address.
        assert_eq!(client_ip(ip("10.0.0.5"), Some("1.2.3.4, 198.51.100.1"), &trusted), ip("198.51.100.1"));
        // Two trusted hops.
        assert_eq!(client_ip(ip("127.0.0.1"), Some("198.51.100.1, 10.1.1.1"), &trusted), ip("198.51.100.1"));
        // No header, or garbage: the nearest hop we trust.
        assert_eq!(client_ip(ip("10.0.0.5"), None, &trusted), ip("10.0.0.5"));
        assert_eq!(client_ip(ip("10.0.0.5"), Some("nonsense, 10.2.2.2"), &trusted), ip("10.2.2.2"));
        // No trusted proxies configured: the peer, always.
        assert_eq!(client_ip(ip("10.0.0.5"), Some("198.51.100.1"), &[]), ip("10.0.0.5"));
    }
}
