//! Which addresses a webhook may reach. In Live Mode, and for every mode in production,
//! an endpoint's host must resolve only to public addresses: otherwise a merchant could
//! point Saleonix at its own network (the database, the cloud metadata service at
//! 169.254.169.254) and read the answers in the delivery log. The check runs at
//! registration and again at every delivery, since a name can be re-pointed at any time,
//! and the delivery then connects to the very addresses that passed ([`Target`]), so a
//! name that answers differently a moment later (DNS rebinding) gains nothing.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use domain::Mode;
use url::{Host, Url};

use crate::config::{Environment, Settings};

/// A name that takes longer than this to resolve is treated as unresolvable.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the URL has no host")]
    NoHost,
    #[error("the host does not resolve")]
    Unresolvable,
    /// The address is named: it is what the merchant needs to fix, and not a secret.
    #[error("the host resolves to {0}, which is not a public address")]
    NotPublic(IpAddr),
}

/// Whether `mode`'s endpoints must reach only public addresses under `settings`.
pub fn must_be_public(settings: &Settings, mode: Mode) -> bool {
    mode == Mode::Live || settings.env == Environment::Production
}

/// Where a request to an endpoint goes: its host and the addresses it resolved to, all
/// of them checked when `checked`.
#[derive(Debug, Clone)]
pub struct Target {
    /// The host's name, when it is one rather than an address literal.
    pub domain: Option<String>,
    pub addrs: Vec<SocketAddr>,
}

/// Resolves `url`'s host and, when `public_only`, refuses it unless every address is public.
pub async fn resolve(url: &Url, public_only: bool) -> Result<Target, Refusal> {
    let port = url.port_or_known_default().ok_or(Refusal::NoHost)?;
    let (domain, addrs) = match url.host().ok_or(Refusal::NoHost)? {
        Host::Ipv4(ip) => (None, vec![SocketAddr::new(IpAddr::V4(ip), port)]),
        Host::Ipv6(ip) => (None, vec![SocketAddr::new(IpAddr::V6(ip), port)]),
        Host::Domain(name) => {
            let found =
                tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((name, port)))
                    .await
                    .map_err(|_| Refusal::Unresolvable)?
                    .map_err(|_| Refusal::Unresolvable)?;
            (Some(name.to_owned()), found.collect::<Vec<_>>())
        }
    };
    if addrs.is_empty() {
        return Err(Refusal::Unresolvable);
    }
    if public_only && let Some(bad) = addrs.iter().find(|addr| !is_public(addr.ip())) {
        return Err(Refusal::NotPublic(bad.ip()));
    }
    Ok(Target { domain, addrs })
}

/// Whether `ip` is an address on the public internet: not loopback, private, shared
/// (CGNAT), link-local, multicast, broadcast, reserved, documentation or benchmarking,
/// and not an IPv6 form of one of those (mapped, NAT64, 6to4).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let refused = a == 0 // "this network"
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 169 && b == 254) // link-local, cloud metadata
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // TEST-NET-1
        || (a == 198 && b == 51 && c == 100) // TEST-NET-2
        || (a == 203 && b == 0 && c == 113) // TEST-NET-3
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 224; // multicast, reserved, broadcast
    !refused
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    let embedded_v4 = |high: u16, low: u16| {
        let [a, b] = high.to_be_bytes();
        let [c, d] = low.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    match segments {
        // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
        [0x64, 0xff9b, 0, 0, 0, 0, high, low] => is_public_v4(embedded_v4(high, low)),
        // 6to4 (2002::/16) carries an IPv4 address in bits 16 to 48.
        [0x2002, high, low, ..] => is_public_v4(embedded_v4(high, low)),
        // Unspecified, loopback and the deprecated IPv4-compatible form (::a.b.c.d).
        [0, 0, 0, 0, 0, 0, _, _] => false,
        [first, second, ..] => {
            let unique_local = first & 0xfe00 == 0xfc00;
            let link_local = first & 0xffc0 == 0xfe80;
            let multicast = first & 0xff00 == 0xff00;
            let documentation = first == 0x2001 && second == 0x0db8;
            !(unique_local || link_local || multicast || documentation)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str) -> bool {
        is_public(text.parse().unwrap())
    }

    #[test]
    fn refuses_every_private_and_special_range() {
        for refused in [
            "127.0.0.1",
            "127.5.5.5",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.10",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:c0a8:0101::1",
        ] {
            assert!(!public(refused), "{refused} must be refused");
        }
    }

    #[test]
    fn allows_public_addresses() {
        for allowed in [
            "1.1.1.1",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "93.184.216.34",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(public(allowed), "{allowed} must be allowed");
        }
    }

    #[tokio::test]
    async fn a_name_for_loopback_is_refused_when_public_only() {
        let url = Url::parse("https://localhost:8443/hook").unwrap();
        assert!(matches!(
            resolve(&url, true).await,
            Err(Refusal::NotPublic(ip)) if ip.is_loopback()
        ));
        let target = resolve(&url, false).await.unwrap();
        assert_eq!(target.domain.as_deref(), Some("localhost"));
        assert!(target.addrs.iter().all(|addr| addr.port() == 8443));
    }
}
