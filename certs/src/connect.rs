//! The connection to the regional gateway, for every party: TCP, then TLS 1.3 with the
//! party's certificate, checked against the regional CA and the gateway's name, then HTTP/2
//! for gRPC. TLS is done here with rustls, not by tonic.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tonic::transport::{Channel, Endpoint};

use crate::address::GatewayAddress;

/// A channel to the gateway; its one connection is made now. The error says why not.
pub async fn connect(
    address: &GatewayAddress,
    tls: Arc<ClientConfig>,
    timeout: Duration,
) -> Result<Channel, String> {
    let address = address.clone();
    let server_name =
        ServerName::try_from(address.host.clone()).map_err(|e| format!("{}: {e}", address.host))?;
    let connector = TlsConnector::from(tls);
    // tonic only frames HTTP/2 over the stream the connector returns; TLS is done here, so
    // tonic's own (CRL-less) TLS is not involved and the origin it sees is plain.
    let origin = if address.host.contains(':') {
        format!("http://[{}]:{}", address.host, address.port)
    } else {
        format!("http://{}:{}", address.host, address.port)
    };
    let endpoint = Endpoint::from_shared(origin)
        .map_err(|e| e.to_string())?
        .connect_timeout(timeout)
        .http2_keep_alive_interval(Duration::from_secs(30))
        .keep_alive_timeout(Duration::from_secs(10));
    let connect = tower::service_fn(move |_| {
        let (connector, server_name, address) =
            (connector.clone(), server_name.clone(), address.clone());
        async move {
            let handshake = async {
                let tcp = TcpStream::connect((address.host.as_str(), address.port)).await?;
                tcp.set_nodelay(true)?;
                connector.connect(server_name, tcp).await
            };
            let tls = tokio::time::timeout(timeout, handshake)
                .await
                .map_err(|_| {
                    std::io::Error::new(std::io::ErrorKind::TimedOut, "TLS connection timed out")
                })??;
            Ok::<_, std::io::Error>(TokioIo::new(tls))
        }
    });
    endpoint.connect_with_connector(connect).await.map_err(|e| {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text = format!("{text}: {s}");
            source = s.source();
        }
        text
    })
}

/// Why a call to the gateway failed, in words a user acts on: a TLS alert the gateway sent
/// (the certificate revoked, expired or not of this region) is said as such, in the user's
/// language, instead of tonic's "transport error".
pub fn explain(status: &tonic::Status) -> String {
    let mut chain = status.message().to_owned();
    let mut source = std::error::Error::source(status);
    while let Some(s) = source {
        chain = format!("{chain}: {s}");
        source = s.source();
    }
    let alert = |name: &str| chain.contains(name);
    let text = if alert("CertificateRevoked") {
        midwa_i18n::text!("connect-revoked")
    } else if alert("CertificateExpired") {
        midwa_i18n::text!("connect-expired")
    } else if alert("UnknownCA") || alert("BadCertificate") || alert("CertificateRequired") {
        midwa_i18n::text!("connect-not-accepted")
    } else if matches!(
        status.code(),
        tonic::Code::Unknown | tonic::Code::Cancelled | tonic::Code::Unavailable
    ) {
        // The gateway closes a revoked party's connection without a word it can read.
        midwa_i18n::text!("connect-lost", detail = chain)
    } else {
        return midwa_i18n::text!("gateway-refused", why = chain).to_string();
    };
    text.to_string()
}
