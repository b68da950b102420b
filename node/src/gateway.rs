//! The connection to the regional gateway: TCP, then TLS 1.3 with the node's certificate,
//! checked against the regional CA and the gateway's name, then HTTP/2 for gRPC.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tonic::transport::{Channel, Endpoint};

use crate::config::Config;

/// A channel to the gateway; its one connection is made now. The error says why not.
pub async fn connect(config: &Config, tls: Arc<ClientConfig>) -> Result<Channel, String> {
    let address = config.gateway.clone();
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
        .connect_timeout(config.connect_timeout)
        .http2_keep_alive_interval(Duration::from_secs(30))
        .keep_alive_timeout(Duration::from_secs(10));
    let timeout = config.connect_timeout;
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

/// What the gateway holds from this node's state, asked over mTLS.
pub async fn holdings(config: &Config) -> Result<midwa_proto::pb::HoldingsResponse, String> {
    let tls = node_tls(config).map_err(|e| e.to_string())?;
    let channel = connect(config, tls).await?;
    let mut client = midwa_proto::pb::exchange_client::ExchangeClient::new(channel);
    let response = client.holdings(midwa_proto::pb::HoldingsRequest {}).await;
    response
        .map(|r| r.into_inner())
        .map_err(|status| format!("the gateway refused: {}", status.message()))
}

/// The client TLS configuration of a node, checked: a node certificate of the configured state.
pub fn node_tls(config: &Config) -> Result<Arc<ClientConfig>, crate::NodeError> {
    let credentials = midwa_certs::tls::Credentials::load(&config.tls, &config.trust_domain)?;
    credentials.require_role("node", &config.tls.cert)?;
    let found = credentials
        .identity()
        .role
        .state()
        .unwrap_or_default()
        .to_owned();
    if found != config.state.as_str() {
        return Err(crate::NodeError::StateMismatch {
            cert: config.tls.cert.clone(),
            expected: config.state.to_string(),
            found,
        });
    }
    Ok(midwa_certs::tls::client_config(&credentials)?)
}
