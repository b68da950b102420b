//! Where the gateway is. There is no plaintext mode: only `https://host:port` is accepted.

/// Where the gateway is: an `https://host:port` address. There is no plaintext mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayAddress {
    /// Host name or IP address; checked against the gateway's certificate.
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl GatewayAddress {
    /// Parses `https://host:port`, refusing any other scheme.
    pub fn parse(text: &str) -> Result<Self, String> {
        let rest = match text.split_once("://") {
            Some(("https", rest)) => rest,
            Some(("http", _)) => {
                return Err(format!(
                    "{text:?} is a plaintext address; the gateway is reached only over mutual TLS: use https://"
                ));
            }
            _ => return Err(format!("{text:?} is not an https://host:port address")),
        };
        let rest = rest.trim_end_matches('/');
        let (host, port) = rest
            .rsplit_once(':')
            .ok_or_else(|| format!("{text:?} has no port; write https://host:port"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = port
            .parse()
            .map_err(|_| format!("{text:?} has an invalid port"))?;
        if host.is_empty() || host.contains('/') {
            return Err(format!("{text:?} has no valid host"));
        }
        Ok(Self {
            host: host.to_owned(),
            port,
        })
    }
}

impl std::fmt::Display for GatewayAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "https://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "https://{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_addresses_must_be_https() {
        assert_eq!(
            GatewayAddress::parse("https://gw.midwa.example:7443"),
            Ok(GatewayAddress {
                host: "gw.midwa.example".into(),
                port: 7443
            })
        );
        assert_eq!(
            GatewayAddress::parse("https://[::1]:7443").map(|a| a.host),
            Ok("::1".into())
        );
        let err = GatewayAddress::parse("http://gw:7443").expect_err("plaintext");
        assert!(err.contains("plaintext"), "{err}");
        assert!(GatewayAddress::parse("gw:7443").is_err());
        assert!(GatewayAddress::parse("https://gw").is_err());
    }
}
