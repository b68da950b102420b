//! A client of the node's local API, for the `midwa-node` command, the agency's own tools and
//! tests.

use std::path::{Path, PathBuf};

use hyper_util::rt::TokioIo;
use midwa_proto::pb::node_local_client::NodeLocalClient;
use tokio::net::UnixStream;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

/// A client of the local API whose every request asks for answers in the user's language.
pub type Client = NodeLocalClient<InterceptedService<Channel, InLanguage>>;

/// Adds the user's language ([`midwa_i18n::current`]) to every request, as `accept-language`.
#[derive(Debug, Clone)]
pub struct InLanguage(tonic::metadata::AsciiMetadataValue);

impl Interceptor for InLanguage {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        request
            .metadata_mut()
            .insert(midwa_i18n::HEADER, self.0.clone());
        Ok(request)
    }
}

/// Connects to the node's local API on its Unix socket.
pub async fn connect(socket: &Path) -> Result<Client, String> {
    let path: PathBuf = socket.to_owned();
    let connector = tower::service_fn(move |_| {
        let path = path.clone();
        async move { UnixStream::connect(path).await.map(TokioIo::new) }
    });
    // The URI is required by tonic but unused: the connector dials the socket.
    let channel = Endpoint::from_static("http://node.local")
        .connect_with_connector(connector)
        .await
        .map_err(|e| {
            format!(
                "cannot reach the node's local API at {}: {}; is `midwa-node run` running with this configuration?",
                socket.display(),
                std::error::Error::source(&e).map_or(e.to_string(), |s| s.to_string())
            )
        })?;
    let lang = tonic::metadata::AsciiMetadataValue::from_static(midwa_i18n::current().code());
    Ok(NodeLocalClient::with_interceptor(channel, InLanguage(lang))
        .max_decoding_message_size(64 * 1024 * 1024)
        .max_encoding_message_size(64 * 1024 * 1024))
}
