//! What every end-to-end test needs: a region laid out in a temporary directory, the gateway and
//! nodes as real processes, and raw mTLS clients that can present any certificate.

#![allow(dead_code)]

pub mod browser;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper_util::rt::TokioIo;
use midwa_deploy::region::{Region, free_loopback_addr};
use midwa_proto::pb;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::net::TcpStream;
use tonic::transport::{Channel, Endpoint};

pub const GATEWAY_EXE: &str = env!("CARGO_BIN_EXE_e2e-gateway");
pub const NODE_EXE: &str = env!("CARGO_BIN_EXE_e2e-node");
pub const MIDWA_EXE: &str = env!("CARGO_BIN_EXE_e2e-midwa");

/// A region in a temporary directory, removed at the end of the test.
pub struct TestRegion {
    pub region: Region,
    _dir: tempfile::TempDir,
}

impl TestRegion {
    pub fn new(states: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let region = Region::create(dir.path(), free_loopback_addr().expect("free port"), states)
            .expect("region");
        Self { region, _dir: dir }
    }

    /// Keeps the region's directory (logs, databases) after the test, for a post-mortem.
    pub fn keep(&self) -> PathBuf {
        let kept = std::env::temp_dir().join(format!("midwa-kept-{}", std::process::id()));
        let _ = std::process::Command::new("cp")
            .arg("-a")
            .arg(self.root())
            .arg(&kept)
            .status();
        kept
    }

    pub fn root(&self) -> &Path {
        &self.region.root
    }

    pub fn node_config(&self, state: &str) -> PathBuf {
        self.region
            .node(state)
            .expect("node of the region")
            .config
            .clone()
    }

    pub fn gateway_data(&self) -> PathBuf {
        self.region.root.join("gateway/data")
    }

    pub fn node_socket(&self, state: &str) -> PathBuf {
        self.region
            .node(state)
            .expect("node")
            .dir
            .join("local.sock")
    }

    /// Starts the gateway process and waits until it accepts TCP connections.
    /// Submits records to the node of `state` through its local API; returns the ids of the
    /// events it recorded, in order.
    #[allow(dead_code)]
    pub async fn submit(&self, state: &str, records: Vec<pb::Record>) -> Vec<Vec<u8>> {
        let mut client = midwa_node::api::client::connect(&self.node_socket(state))
            .await
            .expect("local API");
        let results = client
            .submit(pb::SubmitRequest {
                records,
                attest: false,
            })
            .await
            .expect("submit")
            .into_inner()
            .results;
        results
            .into_iter()
            .filter(|r| r.outcome == pb::SubmitOutcome::Recorded as i32)
            .map(|r| r.event_id)
            .collect()
    }

    /// Sets how often the gateway checkpoints its ledger, from its next start.
    #[allow(dead_code)]
    pub fn set_checkpoint_every(&self, seconds: u64) {
        let config = std::fs::read_to_string(&self.region.gateway_config).expect("config");
        let config = match config.find("\n[storage]") {
            Some(at) => config[..at].to_owned(),
            None => config,
        };
        std::fs::write(
            &self.region.gateway_config,
            format!("{config}\n[storage]\ncheckpoint_every_s = {seconds}\n"),
        )
        .expect("config");
    }

    pub fn start_gateway(&self) -> Proc {
        let log = self.root().join("gateway.log");
        let proc = Proc::spawn(
            GATEWAY_EXE,
            &["--config", path(&self.region.gateway_config)],
            &log,
        );
        wait_until(Duration::from_secs(20), "the gateway to listen", || {
            std::net::TcpStream::connect(self.region.gateway_addr).is_ok()
        });
        proc
    }

    /// Starts the node process of `state` and waits until its local API answers.
    pub async fn start_node(&self, state: &str) -> Proc {
        let log = self.root().join(format!("node-{state}.log"));
        let proc = Proc::spawn(
            NODE_EXE,
            &["--config", path(&self.node_config(state)), "run"],
            &log,
        );
        let socket = self.node_socket(state);
        let deadline = Instant::now() + Duration::from_secs(20);
        while midwa_node::api::client::connect(&socket).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "the node of {state} did not start: {}",
                proc.log()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        proc
    }

    /// Waits until the node of `state` says the gateway holds everything it recorded.
    pub async fn wait_published(&self, state: &str, timeout: Duration) -> pb::NodeStatus {
        let mut client = midwa_node::api::client::connect(&self.node_socket(state))
            .await
            .expect("local API");
        let deadline = Instant::now() + timeout;
        loop {
            let s = client
                .status(pb::StatusRequest {})
                .await
                .expect("status")
                .into_inner();
            if s.acked_seq >= s.recorded_seq {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "not published within {timeout:?}: {s:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Runs a `midwa-node` command of `state` (such as `import FILE`) to its end, with the
    /// node's configuration. Returns (success, stdout, stderr).
    pub fn node_command(&self, state: &str, args: &[&str]) -> (bool, String, String) {
        self.node_command_env(state, &[], args)
    }

    /// [`Self::node_command`] with these environment variables (`LANG`, ...); without them, the
    /// command runs in the C locale, whatever the test runner's.
    pub fn node_command_env(
        &self,
        state: &str,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> (bool, String, String) {
        let config = self.node_config(state);
        let output = Command::new(NODE_EXE)
            .arg("--config")
            .arg(&config)
            .args(args)
            .env("RUST_LOG", "info")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "C.UTF-8")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("run midwa-node");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// Writes `policy` (TOML) for `state` and pushes it with `midwa-node policy push`.
    pub fn push_policy(&self, state: &str, policy: &str) {
        let file = self.root().join(format!("policy-{state}.toml"));
        std::fs::write(&file, policy).expect("write policy");
        let (ok, out, err) = self.node_command(state, &["policy", "push", path(&file)]);
        assert!(ok, "policy push for {state} failed: {out}{err}");
    }

    /// Runs `midwa` as a client of the region (`coordinator`, `consulate-NG`) to its end.
    /// Returns (success, stdout, stderr).
    pub fn midwa(&self, client: &str, args: &[&str]) -> (bool, String, String) {
        self.midwa_env(client, &[], args)
    }

    /// [`Self::midwa`] with these environment variables (`LANG`, ...); without them, the
    /// command runs in the C locale, whatever the test runner's.
    pub fn midwa_env(
        &self,
        client: &str,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> (bool, String, String) {
        let config = self.region.client(client).expect("client of the region");
        let output = Command::new(MIDWA_EXE)
            .arg("--config")
            .arg(config)
            .args(args)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "C.UTF-8")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("run midwa");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// Asks aggregates as `client` (`coordinator`, `consulate-NG`) or as the node of a state
    /// (`node-GH`), through the real command lines; the answer as JSON.
    pub fn query(&self, client: &str, args: &[&str]) -> Result<serde_json::Value, String> {
        let mut all = vec!["query"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        let (ok, out, err) = self.midwa(client, &all);
        if !ok {
            return Err(err);
        }
        serde_json::from_str(&out).map_err(|e| format!("{e}: {out}"))
    }

    /// The party files (cert.pem, key.pem) of a node of the region.
    pub fn node_tls(&self, state: &str) -> (Vec<u8>, Vec<u8>) {
        let dir = self.region.node(state).expect("node").dir.join("tls");
        (
            std::fs::read(dir.join("cert.pem")).expect("cert"),
            std::fs::read(dir.join("key.pem")).expect("key"),
        )
    }

    pub fn ca_pem(&self) -> Vec<u8> {
        std::fs::read(self.region.ca_dir.join("ca.pem")).expect("ca.pem")
    }
}

/// A path as text, for command lines.
pub fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Polls `ready` until it holds; a readiness wait, not a sleep.
pub fn wait_until(timeout: Duration, what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A child process whose output goes to a log file; killed if dropped.
pub struct Proc {
    child: Option<Child>,
    log: PathBuf,
    /// Where this process's output starts in its log file: a restarted service appends to the
    /// log of the one before.
    log_start: usize,
}

impl Proc {
    pub fn spawn(exe: &str, args: &[&str], log: &Path) -> Self {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("log file");
        let log_start = out.metadata().map_or(0, |m| m.len() as usize);
        let err = out.try_clone().expect("log file");
        let child = Command::new(exe)
            .args(args)
            .env("RUST_LOG", "info")
            .env_remove("RUST_BACKTRACE")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("spawn");
        Self {
            child: Some(child),
            log: log.to_owned(),
            log_start,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }

    /// SIGKILL: no chance to flush anything.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then waits for a clean exit; returns whether it exited successfully.
    pub fn terminate(&mut self) -> bool {
        self.signal("TERM");
        let Some(mut child) = self.child.take() else {
            return false;
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return status.success();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn signal(&self, name: &str) {
        if self.child.is_some() {
            let _ = Command::new("kill")
                .arg(format!("-{name}"))
                .arg(self.pid().to_string())
                .status();
        }
    }

    /// What this process has logged so far.
    pub fn log(&self) -> String {
        let bytes = std::fs::read(&self.log).unwrap_or_default();
        String::from_utf8_lossy(bytes.get(self.log_start..).unwrap_or_default()).into_owned()
    }

    /// Waits until the log contains `needle`.
    pub fn wait_for_log(&self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let log = self.log();
            if log.contains(needle) {
                return log;
            }
            assert!(
                Instant::now() < deadline,
                "{needle:?} never logged; log:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A client TLS configuration presenting `identity` (PEM certificate and key), or nothing.
pub fn client_tls(ca_pem: &[u8], identity: Option<(&[u8], &[u8])>) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem) {
        roots.add(cert.expect("CA PEM")).expect("CA");
    }
    let builder = rustls::ClientConfig::builder_with_provider(midwa_certs::tls::provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("TLS 1.3")
        .with_root_certificates(roots);
    let mut config = match identity {
        Some((cert, key)) => {
            let chain = CertificateDer::pem_slice_iter(cert)
                .collect::<Result<Vec<_>, _>>()
                .expect("cert PEM");
            let key = PrivateKeyDer::from_pem_slice(key).expect("key PEM");
            builder
                .with_client_auth_cert(chain, key)
                .expect("client cert")
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Arc::new(config)
}

/// A gRPC channel to the gateway over TLS with `tls`; the error says why it failed.
pub async fn channel(addr: SocketAddr, tls: Arc<rustls::ClientConfig>) -> Result<Channel, String> {
    let connector = tokio_rustls::TlsConnector::from(tls);
    let connect = tower::service_fn(move |_| {
        let connector = connector.clone();
        async move {
            let tcp = TcpStream::connect(addr).await?;
            let tls = connector
                .connect(ServerName::IpAddress(addr.ip().into()), tcp)
                .await?;
            Ok::<_, std::io::Error>(TokioIo::new(tls))
        }
    });
    Endpoint::from_shared(format!("http://{addr}"))
        .map_err(|e| e.to_string())?
        .connect_with_connector(connect)
        .await
        .map_err(|e| format!("{e}: {:?}", std::error::Error::source(&e)))
}

/// An exchange client presenting `identity`.
pub async fn exchange(
    region: &TestRegion,
    identity: Option<(&[u8], &[u8])>,
) -> Result<pb::exchange_client::ExchangeClient<Channel>, String> {
    let tls = client_tls(&region.ca_pem(), identity);
    Ok(pb::exchange_client::ExchangeClient::new(
        channel(region.region.gateway_addr, tls).await?,
    ))
}

/// Synthetic returns of people numbered `first..first + n` of `state`.
pub fn returns(state: &str, first: u64, n: u64) -> Vec<pb::Record> {
    let mut synthetic = midwa_deploy::synthetic::Synthetic::new(state, first);
    (first..first + n)
        .map(|i| pb::Record {
            kind: Some(pb::record::Kind::Return(synthetic.return_record(i))),
        })
        .collect()
}

/// Every event the gateway stored for `state` (read offline: the gateway must be stopped), in
/// storage order, with each one's sequence range.
pub fn gateway_events(data: &Path) -> Vec<(String, pb::Event)> {
    let store =
        midwa_gateway::store::Store::open(data, 8 << 20).expect("the gateway's database opens");
    let mut out = Vec::new();
    for stored in store.scan() {
        let stored = stored.expect("readable batch");
        let state = String::from_utf8_lossy(&stored.state).into_owned();
        out.extend(stored.batch.events.iter().map(|bytes| {
            (
                state.clone(),
                <pb::Event as prost::Message>::decode(bytes.as_slice())
                    .expect("a stored event decodes"),
            )
        }));
    }
    out
}

/// Every row of a CSV file as column → value.
pub fn csv_rows(file: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(file).expect("csv");
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

/// The answer of the console's API to a raw request (status line and body).
pub fn console_get(url: &str, path: &str, host: Option<&str>, token: Option<&str>) -> String {
    use std::io::{Read, Write};
    let port = url
        .trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .expect("port");
    let mut stream = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).expect("connect");
    let host = host.map_or_else(|| format!("127.0.0.1:{port}"), str::to_owned);
    let token = token
        .map(|t| format!("x-midwa-token: {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\n{token}Connection: close\r\n\r\n"
    )
    .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
}
