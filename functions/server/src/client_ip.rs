//! The client's address. On Cloudflare the edge sets `CF-Connecting-IP`; here anyone could send
//! that header, so it is never read. The peer's address is the client's, unless the peer is a
//! proxy listed in `TRUSTED_PROXIES`: then the nearest address in `X-Forwarded-For` that is not
//! itself a trusted proxy (the right-most untrusted hop; what a client writes on the left is
//! not believed).

use std::net::IpAddr;

pub fn client_ip(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let Some(chain) = forwarded_for else {
        return peer;
    };
    let mut nearest = peer;
    for hop in chain.rsplit(',').map(str::trim) {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => nearest = ip,
            Ok(ip) => return ip,
            // An unreadable hop: nothing further left can be trusted either.
            Err(_) => return nearest,
        }
    }
    nearest
}

/// Whether the peer is a trusted proxy (its `X-Forwarded-Proto` then tells the scheme).
pub fn trusted(peer: IpAddr, trusted: &[IpAddr]) -> bool {
    trusted.contains(&peer)
}

#[cfg(test)]
mod tests {
    use super::client_ip;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_direct_client_cannot_name_another_address() {
        let trusted = [ip("10.0.0.1")];
        assert_eq!(
            client_ip(ip("203.0.113.9"), Some("1.2.3.4"), &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(client_ip(ip("203.0.113.9"), None, &[]), ip("203.0.113.9"));
    }

    #[test]
    fn behind_a_trusted_proxy_the_right_most_untrusted_hop_counts() {
        let trusted = [ip("10.0.0.1"), ip("10.0.0.2")];
        // The client wrote 1.2.3.4 itself; the proxy appended the real peer 198.51.100.7.
        assert_eq!(
            client_ip(ip("10.0.0.1"), Some("1.2.3.4, 198.51.100.7"), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(ip("10.0.0.1"), Some("198.51.100.7, 10.0.0.2"), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(client_ip(ip("10.0.0.1"), None, &trusted), ip("10.0.0.1"));
        assert_eq!(
            client_ip(ip("10.0.0.1"), Some("garbage"), &trusted),
            ip("10.0.0.1")
        );
    }
}
