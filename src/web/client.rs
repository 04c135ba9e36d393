//! Which address a request came from. Behind a TLS proxy every request's
//! socket comes from the proxy, so rate limits and connection caps would
//! lump every consultee together; the address the proxy forwards
//! (`X-Forwarded-For` or `Forwarded`) is believed only when the socket's
//! peer is a proxy the council trusts (OWASP: never trust client-supplied
//! forwarding headers from an untrusted peer).

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::dev::ServiceRequest;
use actix_web::http::header::HeaderMap;

pub use crate::config::{Cidr, parse_ranges};

/// The client's address: the socket's peer, or, when that peer is a
/// trusted proxy, the nearest address in the forwarding chain that is not
/// itself a trusted proxy.
pub fn address(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[Cidr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.iter().any(|range| range.contains(peer)) {
        return Some(peer);
    }
    let chain = forwarded_chain(headers);
    // The chain lists the client first and each proxy after: walk back from
    // the last hop, past our own proxies.
    for hop in chain.iter().rev() {
        if !trusted.iter().any(|range| range.contains(*hop)) {
            return Some(*hop);
        }
    }
    Some(chain.first().copied().unwrap_or(peer))
}

/// The addresses of `Forwarded` (RFC 7239) `for=` elements, or else of
/// `X-Forwarded-For`, client first.
fn forwarded_chain(headers: &HeaderMap) -> Vec<IpAddr> {
    let forwarded: Vec<IpAddr> = headers
        .get_all("forwarded")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .flat_map(|element| element.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("for")
                .then(|| node_address(value))?
        })
        .collect();
    if !forwarded.is_empty() {
        return forwarded;
    }
    headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(node_address)
        .collect()
}

/// An address from a forwarding header: `192.0.2.1`, `"[2001:db8::1]:443"`,
/// `192.0.2.1:8080`; obfuscated or unknown nodes give none.
fn node_address(value: &str) -> Option<IpAddr> {
    let value = value.trim().trim_matches('"');
    if let Ok(address) = value.parse() {
        return Some(address);
    }
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    value.rsplit_once(':')?.0.parse().ok()
}

/// The client address of a request under the service's settings.
pub fn of_request(req: &HttpRequest, trusted: &[Cidr]) -> Option<IpAddr> {
    address(req.peer_addr().map(|a| a.ip()), req.headers(), trusted)
}

/// [`of_request`] for middleware.
pub fn of_service_request(req: &ServiceRequest, trusted: &[Cidr]) -> Option<IpAddr> {
    address(req.peer_addr().map(|a| a.ip()), req.headers(), trusted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_str(value).expect("value"),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn ranges_contain_what_they_should() {
        let private: Cidr = "10.0.0.0/8".parse().expect("range");
        assert!(private.contains(ip("10.20.30.40")));
        assert!(!private.contains(ip("11.0.0.1")));
        let one: Cidr = "::1".parse().expect("range");
        assert!(one.contains(ip("::1")) && !one.contains(ip("::2")));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("proxy".parse::<Cidr>().is_err());
    }

    #[test]
    fn forwarding_headers_count_only_from_a_trusted_proxy() {
        let trusted = parse_ranges("10.0.0.0/8").expect("ranges");
        let forged = headers(&[("x-forwarded-for", "203.0.113.9")]);
        // Straight from the internet: the header is the client's own claim.
        assert_eq!(
            address(Some(ip("198.51.100.7")), &forged, &trusted),
            Some(ip("198.51.100.7"))
        );
        // Through our proxy: the client it saw.
        assert_eq!(
            address(Some(ip("10.0.0.2")), &forged, &trusted),
            Some(ip("203.0.113.9"))
        );
        // A client that forges a first hop does not get to choose: the
        // nearest untrusted hop counts.
        let chained = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.0.0.3")]);
        assert_eq!(
            address(Some(ip("10.0.0.2")), &chained, &trusted),
            Some(ip("203.0.113.9"))
        );
        let standard = headers(&[("forwarded", "for=\"[2001:db8::7]:443\";proto=https")]);
        assert_eq!(
            address(Some(ip("10.0.0.2")), &standard, &trusted),
            Some(ip("2001:db8::7"))
        );
        assert_eq!(
            address(Some(ip("10.0.0.2")), &HeaderMap::new(), &trusted),
            Some(ip("10.0.0.2"))
        );
    }
}
