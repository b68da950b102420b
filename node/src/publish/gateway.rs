//! The connection to the regional gateway: TCP, then TLS 1.3 with the node's certificate,
//! checked against the regional CA and the gateway's name, then HTTP/2 for gRPC.

use std::sync::Arc;

use rustls::ClientConfig;
use tonic::transport::Channel;

use crate::config::Config;

/// A channel to the gateway; its one connection is made now. The error says why not.
pub async fn connect(config: &Config, tls: Arc<ClientConfig>) -> Result<Channel, String> {
    midwa_certs::connect::connect(&config.gateway, tls, config.connect_timeout).await
}

/// A channel to the gateway with the node's checked certificate, for the command line.
pub async fn channel(config: &Config) -> Result<Channel, String> {
    let tls = node_tls(config).map_err(|e| e.to_string())?;
    connect(config, tls).await
}

/// What the gateway holds from this node's state, asked over mTLS.
pub async fn holdings(config: &Config) -> Result<midwa_proto::pb::HoldingsResponse, String> {
    let channel = channel(config).await?;
    let mut client = midwa_proto::pb::exchange_client::ExchangeClient::new(channel);
    let mut request = midwa_certs::language::ask_in_language(midwa_proto::pb::HoldingsRequest {});
    // An answer that never comes is an error too, not a command that hangs.
    request.set_timeout(config.connect_timeout * 3);
    let response = client.holdings(request).await;
    response
        .map(|r| r.into_inner())
        .map_err(|status| midwa_certs::connect::explain(&status))
}

/// The node's TLS configuration read again from its files, so that a rotated certificate is
/// used from the next connection on; `previous` if the files cannot be used now (a rotation
/// half done), with the reason logged.
pub fn current_tls(config: &Config, previous: &Arc<ClientConfig>) -> Arc<ClientConfig> {
    match node_tls(config) {
        Ok(tls) => tls,
        Err(e) => {
            tracing::warn!(error = %e, "the node's certificate files cannot be used now; the previous certificate is used");
            previous.clone()
        }
    }
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
