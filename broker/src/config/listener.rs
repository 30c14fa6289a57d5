//! Listener URIs (`NAME://host:port`), security protocols, and controller quorum voters.

use std::collections::BTreeMap;

/// Kafka's security protocols, with the ids the metadata log and DescribeCluster use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityProtocol {
    /// No encryption, no authentication (id 0). The only protocol Strata serves today.
    Plaintext,
    /// TLS (id 1).
    Ssl,
    /// SASL over plaintext (id 2).
    SaslPlaintext,
    /// SASL over TLS (id 3).
    SaslSsl,
}

impl SecurityProtocol {
    /// Kafka's numeric id.
    pub fn id(self) -> i16 {
        match self {
            SecurityProtocol::Plaintext => 0,
            SecurityProtocol::Ssl => 1,
            SecurityProtocol::SaslPlaintext => 2,
            SecurityProtocol::SaslSsl => 3,
        }
    }

    /// Parses Kafka's name (case-insensitive).
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_uppercase().as_str() {
            "PLAINTEXT" => Some(SecurityProtocol::Plaintext),
            "SSL" => Some(SecurityProtocol::Ssl),
            "SASL_PLAINTEXT" => Some(SecurityProtocol::SaslPlaintext),
            "SASL_SSL" => Some(SecurityProtocol::SaslSsl),
            _ => None,
        }
    }
}

/// One `NAME://host:port` entry of `listeners` or `advertised.listeners`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerAddress {
    /// Listener name, upper-case (e.g. `PLAINTEXT`, `CONTROLLER`).
    pub name: String,
    /// Host; empty means "all interfaces" when binding.
    pub host: String,
    /// Port; 0 asks the OS for a free port.
    pub port: u16,
}

impl ListenerAddress {
    /// Parses `NAME://host:port`; IPv6 hosts are bracketed (`[::1]`). Error text is the reason.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (name, rest) = text
            .split_once("://")
            .ok_or_else(|| format!("`{text}` is not of the form NAME://host:port"))?;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!("`{name}` is not a valid listener name"));
        }
        let (host, port) = rest
            .rsplit_once(':')
            .ok_or_else(|| format!("`{text}` has no port"))?;
        let port = port
            .parse::<u16>()
            .map_err(|_| format!("`{port}` is not a valid port in `{text}`"))?;
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        Ok(ListenerAddress {
            name: name.to_ascii_uppercase(),
            host: host.to_string(),
            port,
        })
    }

    /// The address to bind: an empty host binds every interface.
    pub fn bind_address(&self) -> String {
        let host = if self.host.is_empty() {
            "0.0.0.0"
        } else {
            self.host.as_str()
        };
        if host.contains(':') {
            format!("[{host}]:{}", self.port)
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

impl std::fmt::Display for ListenerAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "{}://[{}]:{}", self.name, self.host, self.port)
        } else {
            write!(f, "{}://{}:{}", self.name, self.host, self.port)
        }
    }
}

/// One `id@host:port` entry of `controller.quorum.voters`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumVoter {
    /// Node id of the voter.
    pub id: i32,
    /// `host:port` of its controller listener.
    pub address: String,
}

impl QuorumVoter {
    /// Parses `id@host:port`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (id, address) = text
            .split_once('@')
            .ok_or_else(|| format!("`{text}` is not of the form id@host:port"))?;
        let id = id
            .trim()
            .parse::<i32>()
            .map_err(|_| format!("`{id}` is not a node id in `{text}`"))?;
        let (_, port) = address
            .rsplit_once(':')
            .ok_or_else(|| format!("`{text}` has no port"))?;
        port.parse::<u16>()
            .map_err(|_| format!("`{port}` is not a valid port in `{text}`"))?;
        Ok(QuorumVoter {
            id,
            address: address.trim().to_string(),
        })
    }
}

/// Parses `NAME:PROTOCOL,...`.
pub(crate) fn parse_security_protocol_map(
    text: &str,
) -> Result<BTreeMap<String, SecurityProtocol>, String> {
    let mut map = BTreeMap::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (name, protocol) = entry
            .split_once(':')
            .ok_or_else(|| format!("`{entry}` is not of the form NAME:PROTOCOL"))?;
        let protocol = SecurityProtocol::parse(protocol.trim())
            .ok_or_else(|| format!("`{protocol}` is not a security protocol"))?;
        map.insert(name.trim().to_ascii_uppercase(), protocol);
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listener_uris_parse_including_ipv6_and_empty_host() {
        let l = ListenerAddress::parse("PLAINTEXT://[::1]:9092").expect("valid");
        assert_eq!(
            (l.name.as_str(), l.host.as_str(), l.port),
            ("PLAINTEXT", "::1", 9092)
        );
        assert_eq!(l.bind_address(), "[::1]:9092");
        let any = ListenerAddress::parse("plaintext://:0").expect("valid");
        assert_eq!(any.bind_address(), "0.0.0.0:0");
        assert_eq!(any.name, "PLAINTEXT");
        assert!(ListenerAddress::parse("localhost:9092").is_err());
        assert!(ListenerAddress::parse("PLAINTEXT://localhost:99999").is_err());
    }

    #[test]
    fn voters_parse() {
        let v = QuorumVoter::parse("3@host:9093").expect("valid");
        assert_eq!((v.id, v.address.as_str()), (3, "host:9093"));
        assert!(QuorumVoter::parse("x@host:1").is_err());
    }
}
