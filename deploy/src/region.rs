//! A region laid out in one directory:
//!
//! ```text
//! ROOT/ca/                      the regional CA (ca.pem, ca.key, registry.toml, crl.pem)
//! ROOT/gateway/tls/             the gateway's cert.pem, key.pem, ca.pem
//! ROOT/gateway/gateway.toml     its configuration
//! ROOT/nodes/NG/tls/            each node's certificate
//! ROOT/nodes/NG/node.toml       its configuration
//! ROOT/clients/coordinator/     a regional coordinator's `midwa` (client.toml, tls/)
//! ROOT/clients/consulate-NG/    a consulate of each state (post "tripoli")
//! ROOT/clients/node-NG/         `midwa` for a state's agency, with its node's certificate
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use midwa_certs::{Authority, LeafRequest, Role, write_party_files};
use time::Duration;

/// The trust domain of regions laid out here.
pub const TRUST_DOMAIN: &str = "midwa.example";

/// Where everything of a laid-out region is.
#[derive(Debug, Clone)]
pub struct Region {
    /// The region's directory.
    pub root: PathBuf,
    /// The CA's directory.
    pub ca_dir: PathBuf,
    /// The gateway's configuration file.
    pub gateway_config: PathBuf,
    /// The gateway's address.
    pub gateway_addr: SocketAddr,
    /// The nodes, by state.
    pub nodes: Vec<NodeFiles>,
    /// The coordinator's and consulates' configurations, by name (`coordinator`,
    /// `consulate-NG`, ...).
    pub clients: Vec<(String, PathBuf)>,
}

/// A node's files.
#[derive(Debug, Clone)]
pub struct NodeFiles {
    /// The state code.
    pub state: String,
    /// The node's directory.
    pub dir: PathBuf,
    /// Its configuration file.
    pub config: PathBuf,
}

impl Region {
    /// Creates a CA, certificates and configuration files in `root` for a gateway at
    /// `gateway_addr` (on loopback) and a node per state.
    pub fn create(root: &Path, gateway_addr: SocketAddr, states: &[&str]) -> Result<Self> {
        let ca_dir = root.join("ca");
        let mut ca = Authority::init(
            &ca_dir,
            TRUST_DOMAIN.parse()?,
            "MIDWA Regional CA",
            Duration::days(3650),
            false,
        )?;
        let gateway_dir = root.join("gateway");
        let issued = ca.issue(&LeafRequest {
            role: Role::Gateway {
                name: "main".into(),
            },
            validity: Duration::days(365),
            dns_names: vec!["localhost".into()],
            ip_addresses: vec![gateway_addr.ip()],
        })?;
        write_party_files(&gateway_dir.join("tls"), &issued, ca.cert_pem(), false)?;
        let gateway_config = gateway_dir.join("gateway.toml");
        write(
            &gateway_config,
            &gateway_toml(gateway_addr, &ca_dir.join("crl.pem"), states),
        )?;
        let mut nodes = Vec::new();
        for state in states {
            let dir = root.join("nodes").join(state);
            let issued = ca.issue(&LeafRequest {
                role: Role::Node {
                    state: (*state).into(),
                },
                validity: Duration::days(365),
                dns_names: vec![],
                ip_addresses: vec![],
            })?;
            write_party_files(&dir.join("tls"), &issued, ca.cert_pem(), false)?;
            let config = dir.join("node.toml");
            write(&config, &node_toml(state, gateway_addr))?;
            nodes.push(NodeFiles {
                state: (*state).into(),
                dir,
                config,
            });
        }
        let mut parties = vec![(
            "coordinator".to_owned(),
            Role::Coordinator {
                name: "midwa-secretariat".into(),
            },
        )];
        parties.extend(states.iter().map(|s| {
            (
                format!("consulate-{s}"),
                Role::Consulate {
                    state: (*s).into(),
                    post: "tripoli".into(),
                },
            )
        }));
        let mut clients = Vec::new();
        for (name, role) in parties {
            let dir = root.join("clients").join(&name);
            let issued = ca.issue(&LeafRequest {
                role,
                validity: Duration::days(365),
                dns_names: vec![],
                ip_addresses: vec![],
            })?;
            write_party_files(&dir.join("tls"), &issued, ca.cert_pem(), false)?;
            let config = dir.join("client.toml");
            write(&config, &client_toml(gateway_addr, Path::new("tls")))?;
            clients.push((name, config));
        }
        // A state's agency asks aggregates of other states with its node's certificate.
        for node in &nodes {
            let dir = root.join("clients").join(format!("node-{}", node.state));
            std::fs::create_dir_all(&dir)?;
            let config = dir.join("client.toml");
            write(&config, &client_toml(gateway_addr, &node.dir.join("tls")))?;
            clients.push((format!("node-{}", node.state), config));
        }
        Ok(Self {
            root: root.to_owned(),
            ca_dir,
            gateway_config,
            gateway_addr,
            nodes,
            clients,
        })
    }

    /// The `midwa` configuration of a client of the region: `coordinator` or `consulate-NG`.
    pub fn client(&self, name: &str) -> Option<&Path> {
        self.clients
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.as_path())
    }

    /// The files of the node of `state`.
    pub fn node(&self, state: &str) -> Option<&NodeFiles> {
        self.nodes.iter().find(|n| n.state == state)
    }
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// The participants of MIDWA: code, names in English, French and Portuguese, standing.
pub const PARTICIPANTS: &[(&str, &str, &str, &str, &str)] = &[
    ("BJ", "Benin", "Bénin", "Benim", "member"),
    (
        "BF",
        "Burkina Faso",
        "Burkina Faso",
        "Burkina Faso",
        "associate",
    ),
    ("CV", "Cabo Verde", "Cap-Vert", "Cabo Verde", "member"),
    (
        "CI",
        "Côte d'Ivoire",
        "Côte d'Ivoire",
        "Costa do Marfim",
        "member",
    ),
    ("GM", "The Gambia", "Gambie", "Gâmbia", "member"),
    ("GH", "Ghana", "Ghana", "Gana", "member"),
    ("GN", "Guinea", "Guinée", "Guiné", "member"),
    (
        "GW",
        "Guinea-Bissau",
        "Guinée-Bissau",
        "Guiné-Bissau",
        "member",
    ),
    ("LR", "Liberia", "Libéria", "Libéria", "member"),
    ("ML", "Mali", "Mali", "Mali", "associate"),
    ("NE", "Niger", "Niger", "Níger", "associate"),
    ("NG", "Nigeria", "Nigéria", "Nigéria", "member"),
    ("SN", "Senegal", "Sénégal", "Senegal", "member"),
    ("SL", "Sierra Leone", "Sierra Leone", "Serra Leoa", "member"),
    ("TG", "Togo", "Togo", "Togo", "member"),
    ("MR", "Mauritania", "Mauritanie", "Mauritânia", "associate"),
];

/// Paths are relative to each configuration file, as in a real deployment. Every state of the
/// region is listed as a participant, with its names where known.
fn gateway_toml(addr: SocketAddr, crl: &Path, states: &[&str]) -> String {
    let mut participants = String::new();
    for state in states {
        let (en, fr, pt, standing) = PARTICIPANTS
            .iter()
            .find(|p| p.0 == *state)
            .map_or((*state, *state, *state, "member"), |p| (p.1, p.2, p.3, p.4));
        participants.push_str(&format!(
            "\n[[participant]]\ncode = \"{state}\"\nstatus = \"{standing}\"\nname = {{ en = \"{en}\", fr = \"{fr}\", pt = \"{pt}\" }}\n"
        ));
    }
    format!(
        r#"listen = "{addr}"
metrics_listen = "127.0.0.1:0"
data_dir = "data"
trust_domain = "{TRUST_DOMAIN}"

[tls]
cert = "tls/cert.pem"
key = "tls/key.pem"
ca = "tls/ca.pem"
crl = "{crl}"
crl_check_seconds = 1

[disclosure]
# Months are released as soon as they end, and measured again at once when late data or an
# erasure changes them: a region on one machine has no offline nodes to wait for.
measure_after_days = 0
supplement_every_hours = 0
# The synthetic records start in 2019.
first_month = "2019-01"

[limits]
shutdown_grace_ms = 2000
# Short, so that tests show long-lived publishing streams are not cut by it.
request_timeout_ms = 300
{participants}"#,
        crl = crl.display()
    )
}

fn node_toml(state: &str, gateway: SocketAddr) -> String {
    format!(
        r#"state = "{state}"
gateway = "https://{gateway}"
trust_domain = "{TRUST_DOMAIN}"
data_dir = "data"
local_socket = "local.sock"

[tls]
cert = "tls/cert.pem"
key = "tls/key.pem"
ca = "tls/ca.pem"

[publish]
backoff_min_ms = 50
backoff_max_ms = 1000
"#
    )
}

fn client_toml(gateway: SocketAddr, tls: &Path) -> String {
    let tls = tls.display();
    format!(
        r#"gateway = "https://{gateway}"
trust_domain = "{TRUST_DOMAIN}"

[tls]
cert = "{tls}/cert.pem"
key = "{tls}/key.pem"
ca = "{tls}/ca.pem"
"#
    )
}

/// A free TCP port on loopback, for a process that will bind it itself (and may bind it again
/// after a restart). Chosen below Linux's ephemeral range (32768 and up), so no outgoing
/// connection takes it as its source port in the meantime.
pub fn free_loopback_addr() -> Result<SocketAddr> {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    let start = hasher.finish();
    for i in 0..2_000u64 {
        let port = 20_000 + ((start + i * 7_919) % 12_000) as u16;
        if let Ok(listener) = std::net::TcpListener::bind(("127.0.0.1", port)) {
            return Ok(listener.local_addr()?);
        }
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}
