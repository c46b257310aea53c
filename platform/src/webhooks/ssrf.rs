//! Which addresses a webhook may reach. In Live Mode, and for every mode in production,
//! an endpoint's host must resolve only to public addresses: otherwise a merchant could
//! point Saleonix at its own network (the database, the cloud metadata service at
//! 169.254.169.254) and read the answers in the delivery log. The check runs at
//! registration and again at every delivery, since a name can be re-pointed at any time.
//! At delivery it runs inside the HTTP client's resolver ([`CheckedNames`]), so the
//! client connects to the very addresses that passed, with no second lookup a name could
//! answer differently (DNS rebinding).
//!
//! Names are looked up through a [`Resolve`] the platform is given: the system's
//! ([`SystemNames`]) in production, a fixed table in tests, so a test can make a name
//! resolve to a private address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use domain::Mode;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use crate::config::{Environment, Settings};

/// Why a resolver found no address, as `reqwest`'s resolvers report it.
type ResolveError = Box<dyn std::error::Error + Send + Sync>;

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

/// The operating system's resolver (`getaddrinfo`, on a blocking thread).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemNames;

impl Resolve for SystemNames {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            // Port 0: the client puts in the URL's port.
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            Ok::<_, ResolveError>(Box::new(found.collect::<Vec<_>>().into_iter()) as Addrs)
        })
    }
}

/// The resolver webhook requests connect through: `names`, with every answer checked
/// when `public_only`. A refused answer fails the request with a [`Refusal`] in its
/// error's sources, before any connection is made.
pub(crate) struct CheckedNames {
    pub names: Arc<dyn Resolve>,
    pub public_only: bool,
}

impl Resolve for CheckedNames {
    fn resolve(&self, name: Name) -> Resolving {
        let (names, public_only) = (Arc::clone(&self.names), self.public_only);
        Box::pin(async move {
            let addrs = checked(lookup(names.as_ref(), name).await?, public_only)?;
            Ok::<_, ResolveError>(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Checks `url`'s host as registration does: an address literal as it stands, a name by
/// what `names` resolves it to. When `public_only`, every address must be public.
pub async fn check(names: &dyn Resolve, url: &Url, public_only: bool) -> Result<(), Refusal> {
    if let Some(ip) = literal(url)? {
        return checked_ip(ip, public_only);
    }
    let name = url
        .host_str()
        .ok_or(Refusal::NoHost)?
        .parse::<Name>()
        .map_err(|_| Refusal::Unresolvable)?;
    checked(lookup(names, name).await?, public_only).map(drop)
}

/// Checks `url`'s host when it is an address literal, which the HTTP client connects to
/// without asking any resolver; a name is left to [`CheckedNames`].
pub(crate) fn check_literal(url: &Url, public_only: bool) -> Result<(), Refusal> {
    match literal(url)? {
        Some(ip) => checked_ip(ip, public_only),
        None => Ok(()),
    }
}

fn literal(url: &Url) -> Result<Option<IpAddr>, Refusal> {
    match url.host().ok_or(Refusal::NoHost)? {
        Host::Ipv4(ip) => Ok(Some(IpAddr::V4(ip))),
        Host::Ipv6(ip) => Ok(Some(IpAddr::V6(ip))),
        Host::Domain(_) => Ok(None),
    }
}

fn checked_ip(ip: IpAddr, public_only: bool) -> Result<(), Refusal> {
    if public_only && !is_public(ip) {
        return Err(Refusal::NotPublic(ip));
    }
    Ok(())
}

async fn lookup(names: &dyn Resolve, name: Name) -> Result<Vec<SocketAddr>, Refusal> {
    let found = tokio::time::timeout(RESOLVE_TIMEOUT, names.resolve(name))
        .await
        .map_err(|_| Refusal::Unresolvable)?
        .map_err(|_| Refusal::Unresolvable)?;
    let addrs: Vec<SocketAddr> = found.collect();
    if addrs.is_empty() {
        return Err(Refusal::Unresolvable);
    }
    Ok(addrs)
}

/// `addrs`, unless `public_only` and one of them is not public: a name with one public
/// and one private address is refused, as the client might connect to either.
fn checked(addrs: Vec<SocketAddr>, public_only: bool) -> Result<Vec<SocketAddr>, Refusal> {
    for addr in &addrs {
        checked_ip(addr.ip(), public_only)?;
    }
    Ok(addrs)
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
    async fn a_name_the_system_resolves_to_loopback_is_refused_when_public_only() {
        let url = Url::parse("https://localhost:8443/hook").unwrap();
        assert!(matches!(
            check(&SystemNames, &url, true).await,
            Err(Refusal::NotPublic(ip)) if ip.is_loopback()
        ));
        assert_eq!(check(&SystemNames, &url, false).await, Ok(()));
    }
}
