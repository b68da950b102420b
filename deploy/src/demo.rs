//! The whole region on one machine, as `midwa-region` runs it: a regional CA, a gateway and a
//! node per state on loopback (real mutual TLS, real files), each agency importing synthetic
//! CSV files and pushing its own consent policy, opportunities published, a cross-border
//! notice sent, and the console served for a regional coordinator and a consulate, until
//! stopped.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use midwa_proto::pb;
use tokio::sync::watch;

use crate::region::{Region, free_loopback_addr};
use crate::synthetic::Synthetic;

/// What to bring up.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where the region's files go (must not exist); `None`: a temporary directory, removed
    /// at the end.
    pub dir: Option<PathBuf>,
    /// States with a node, in order; each takes a consent profile by position (see
    /// [`policy_for`]).
    pub states: Vec<String>,
    /// Returnees per state.
    pub people: u64,
    /// Where the coordinator's console listens; the consulate's listens on the next port.
    pub console: SocketAddr,
}

/// Each state's consent policy differs, as they would in a real region. By position:
/// the 1st shares widely; the 2nd shares returns without vulnerability and with a stricter
/// threshold; the 3rd shares only returns by period and mode; the 4th has not pushed a policy
/// yet (nothing of it is shared); the others share widely.
pub fn policy_for(state: &str, position: usize, states: &[&str]) -> Option<String> {
    let others = || states.iter().filter(|s| **s != state);
    let opportunities = format!(
        "[[grant]]\nrecipient = \"coordinators\"\ndata = \"opportunities\"\npurpose = \"Regional information system on reintegration opportunities\"\n\n{}",
        others()
            .map(|s| format!("[[grant]]\nrecipient = \"state:{s}\"\ndata = \"opportunities\"\npurpose = \"Referral of returnees living in {s}\"\n\n"))
            .collect::<String>()
    );
    let verification = format!(
        "[[grant]]\nrecipient = \"consulates:{state}\"\ndata = \"verification\"\ndimensions = [\"period\", \"mode\", \"assisted\"]\npurpose = \"Consular verification of returns\"\n\n"
    );
    let wide = r#"[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
dimensions = ["period", "host_country", "mode", "return_type", "sex", "age_band", "vulnerability"]
purpose = "Regional monitoring of returns"

[[grant]]
recipient = "coordinators"
data = "aggregates:assistance"
dimensions = ["period", "sex", "assistance_category", "assistance_type"]
purpose = "Tracking reintegration assistance"

[[grant]]
recipient = "coordinators"
data = "aggregates:assessments"
dimensions = ["period", "sex", "age_band"]
purpose = "Estimating whether reintegration is sustainable"

[[grant]]
recipient = "coordinators"
data = "aggregates:closures"
dimensions = ["period", "outcome"]
purpose = "Case outcomes"

"#;
    let stricter = r#"[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
dimensions = ["period", "host_country", "mode", "sex"]
purpose = "Regional monitoring of returns"
threshold = 15

[[grant]]
recipient = "coordinators"
data = "aggregates:assistance"
dimensions = ["assistance_category"]
purpose = "Tracking reintegration assistance"

"#;
    let minimal = r#"[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
dimensions = ["period", "mode"]
purpose = "Counting returns by land and by air"

"#;
    match position {
        1 => Some(format!("{stricter}{verification}{opportunities}")),
        2 => Some(format!("{minimal}{verification}")),
        3 => None,
        _ => Some(format!("{wide}{verification}{opportunities}")),
    }
}

/// Opportunities a state publishes (the 1st and 2nd states do).
fn opportunities_of(state: &str) -> String {
    format!(
        r#"[[opportunity]]
id = "{state}-2026-T01"
kind = "training"
sector = "agriculture"
capacity = 40
starts = "2026-09-01"
ends = "2027-02-28"
title = "Irrigated vegetable growing, with a starter kit"
contact_office = "Reintegration desk, {state} migration agency"
contact = "reintegration@example.org"

[[opportunity]]
id = "{state}-2026-E02"
kind = "employment"
sector = "ict"
starts = "2026-10-01"
title = "Mobile phone repair technicians"
contact_office = "Youth employment agency"
contact = "+000 00 000 0000"
"#
    )
}

/// Brings the region up, prints where its consoles are, and serves until `stop` resolves;
/// then stops everything cleanly.
pub async fn run(options: Options, stop: impl std::future::Future<Output = ()>) -> Result<()> {
    let (root, keep) = match &options.dir {
        Some(dir) if dir.exists() => {
            bail!("{} already exists; give a new directory", dir.display())
        }
        Some(dir) => (dir.clone(), true),
        None => (
            std::env::temp_dir().join(format!("midwa-region-{}", std::process::id())),
            false,
        ),
    };
    let states: Vec<&str> = options.states.iter().map(String::as_str).collect();
    if states.is_empty() {
        bail!("--states: name at least one state");
    }
    let region = Region::create(&root, free_loopback_addr()?, &states)?;
    println!(
        "regional CA, gateway and nodes of {} laid out in {}",
        states.join(", "),
        root.display()
    );
    let result = serve(&region, &options, &states, stop).await;
    if keep {
        println!("files kept in {}", root.display());
    } else {
        let _ = std::fs::remove_dir_all(&root);
    }
    result
}

async fn serve(
    region: &Region,
    options: &Options,
    states: &[&str],
    stop: impl std::future::Future<Output = ()>,
) -> Result<()> {
    let (stopping, stopped) = watch::channel(false);
    let until_stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let gateway =
        midwa_gateway::Gateway::start(midwa_gateway::Config::load(&region.gateway_config)?).await?;
    println!("gateway listening on {} (mTLS)", gateway.local_addr());
    let gateway_task = tokio::spawn(gateway.serve(until_stopped(stopped.clone())));
    let mut node_tasks = Vec::new();
    let mut configs = Vec::new();
    for files in &region.nodes {
        let config = midwa_node::Config::load(&files.config)?;
        let node = midwa_node::Node::start(config.clone()).await?;
        node_tasks.push(tokio::spawn(node.serve(until_stopped(stopped.clone()))));
        configs.push(config);
    }

    let started = Instant::now();
    for (i, config) in configs.iter().enumerate() {
        let state = config.state.as_str();
        let input = region.root.join("input").join(state);
        std::fs::create_dir_all(&input)?;
        let files = Synthetic::new(state, i as u64 + 1)
            .write_csv_files(&input, 1, options.people)
            .context("synthetic files")?;
        println!("\n{state}: the agency imports its files");
        for (file, receipts) in [
            (&files.returns, true),
            (&files.assistance, false),
            (&files.assessments, false),
            (&files.closures, false),
        ] {
            midwa_node::cli::upload::import(
                &config.local_socket,
                midwa_node::cli::upload::Request {
                    file: file.clone(),
                    check_only: false,
                    receipts: receipts
                        .then(|| midwa_node::cli::upload::default_receipts_path(file)),
                    force: false,
                    attest: receipts,
                },
            )
            .await?;
        }
        match policy_for(state, i, states) {
            Some(text) => {
                let policy = midwa_node::cli::policy::parse(&text).map_err(anyhow::Error::msg)?;
                let version = midwa_node::cli::policy::push(config, policy)
                    .await
                    .map_err(anyhow::Error::msg)?;
                println!(
                    "{state}: consent policy version {} in force",
                    version.version
                );
            }
            None => println!("{state}: no consent policy pushed yet: nothing of {state} is shared"),
        }
        if i < 2 {
            let file = input.join("opportunities.toml");
            std::fs::write(&file, opportunities_of(state))?;
            let all = midwa_commands::opportunities::load(&file, config.state)
                .map_err(anyhow::Error::msg)?;
            let channel = midwa_node::publish::gateway::channel(config)
                .await
                .map_err(anyhow::Error::msg)?;
            print!(
                "{}",
                midwa_commands::opportunities::publish(channel, all)
                    .await
                    .map_err(anyhow::Error::msg)?
            );
        }
    }
    wait_published(&configs).await?;
    println!(
        "\nevery node's events acknowledged durably by the gateway in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    if let [origin, .., host] = configs.as_slice() {
        // A host or transit state tells the first state that some of its nationals are coming.
        let notice = midwa_commands::notices::NoticeArgs {
            to: origin.state.to_string(),
            date: "2026-12-03".into(),
            mode: "land".into(),
            arrival_point: "BORDER-POST".into(),
            persons: 12,
            vulnerable: vec!["unaccompanied_minor".into()],
            from: None,
            id: None,
        };
        let channel = midwa_node::publish::gateway::channel(host)
            .await
            .map_err(anyhow::Error::msg)?;
        print!(
            "\n{}: {}",
            host.state,
            midwa_commands::notices::send(channel, notice.to_pb().map_err(anyhow::Error::msg)?)
                .await
                .map_err(anyhow::Error::msg)?
        );
    }

    let first = &configs[0];
    let coordinator =
        midwa_client::config::Config::load(region.client("coordinator").context("coordinator")?)?;
    let consulate = midwa_client::config::Config::load(
        region
            .client(&format!("consulate-{}", first.state))
            .context("consulate")?,
    )?;
    let coordinator_console = midwa_client::console::Ready::bind(coordinator, options.console)
        .await
        .map_err(anyhow::Error::msg)?;
    let next = match options.console.port() {
        0 => options.console,
        port => SocketAddr::new(options.console.ip(), port.saturating_add(1)),
    };
    let consulate_console = midwa_client::console::Ready::bind(consulate, next)
        .await
        .map_err(anyhow::Error::msg)?;
    let (receipt, qr) = a_receipt(region, first)?;
    println!("\nthe region is up. Open the console:");
    println!("  regional coordinator:  {}", coordinator_console.url());
    println!(
        "  consulate of {} (verify receipt {receipt}, or load the photo {}):  {}",
        first.state,
        qr.display(),
        consulate_console.url()
    );
    let config = region.nodes[0].config.display();
    println!(
        "  notices received by {}:  {} --config {config} notices",
        first.state,
        sibling("midwa-node")
    );
    println!(
        "  the same in French:  {} --config {config} --lang fr notices",
        sibling("midwa-node")
    );
    println!("Ctrl-C stops the region.");
    let consoles = [
        tokio::spawn(coordinator_console.serve(until_stopped(stopped.clone()))),
        tokio::spawn(consulate_console.serve(until_stopped(stopped.clone()))),
    ];
    stop.await;
    println!("\nstopping");
    let _ = stopping.send(true);
    for console in consoles {
        console.await?.map_err(anyhow::Error::msg)?;
    }
    for task in node_tasks {
        task.await??;
    }
    gateway_task.await??;
    println!("region stopped cleanly");
    Ok(())
}

/// Waits until the gateway holds every node's events.
async fn wait_published(configs: &[midwa_node::Config]) -> Result<()> {
    for config in configs {
        let mut local = midwa_node::api::client::connect(&config.local_socket)
            .await
            .map_err(anyhow::Error::msg)?;
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let s = local.status(pb::StatusRequest {}).await?.into_inner();
            if s.acked_seq >= s.recorded_seq {
                break;
            }
            if Instant::now() > deadline {
                bail!(
                    "{}: the gateway holds {} of {} events after 120 s; last error: {}",
                    s.state,
                    s.acked_seq,
                    s.recorded_seq,
                    s.last_error
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    Ok(())
}

/// A receipt of the first state's first returnee, and a PNG of its QR code to try the
/// consulate's console with.
fn a_receipt(region: &Region, node: &midwa_node::Config) -> Result<(String, PathBuf)> {
    let receipts = region
        .root
        .join("input")
        .join(node.state.as_str())
        .join("returns.receipts.csv");
    let mut rows = csv::Reader::from_path(&receipts)
        .with_context(|| format!("cannot read {}", receipts.display()))?;
    let headers = rows.headers()?.clone();
    let row = rows.records().next().context("no receipt")??;
    let field = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .and_then(|i| row.get(i))
            .unwrap_or_default()
            .to_owned()
    };
    let code: midwa_proto::receipt::ReceiptCode = field("receipt").parse()?;
    let attestation = field("attestation");
    let png = midwa_node::cli::qr::png(&midwa_node::cli::qr::content(
        &code,
        Some(attestation.as_str()).filter(|a| !a.is_empty()),
    ))
    .map_err(anyhow::Error::msg)?;
    let path = region.root.join("receipt-qr.png");
    std::fs::write(&path, png)?;
    Ok((code.to_string(), path))
}

/// The `midwa-region` command line.
#[derive(clap::Parser)]
#[command(name = "midwa-region", version)]
struct Cli {
    /// Keep the region's files (CA, certificates, configurations, databases) in this directory,
    /// which must not exist yet. By default a temporary directory is used and removed.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// States with a node. The last one also sends a cross-border notice to the first.
    #[arg(long, value_delimiter = ',', default_value = "NG,GH,SN,ML,NE")]
    states: Vec<String>,
    /// Returnees per state (about half also receive assistance, a third are surveyed, a fifth
    /// have their case closed).
    #[arg(long, default_value_t = 2000)]
    people: u64,
    /// Where the coordinator's console listens (loopback); the consulate's listens on the
    /// next port.
    #[arg(long, default_value = "127.0.0.1:8080")]
    console: SocketAddr,
}

/// Parses the command line and runs the region until Ctrl-C or SIGTERM; what `main` of the
/// binary calls.
pub fn main() -> std::process::ExitCode {
    use clap::Parser as _;
    let cli = Cli::parse();
    midwa_process::init_logging(false, "error");
    let options = Options {
        dir: cli.dir,
        states: cli.states,
        people: cli.people,
        console: cli.console,
    };
    midwa_process::run(run(options, midwa_process::stop_signal()))
}

/// How to run another of the project's binaries from here: its path beside this one when it
/// was built with it (`cargo build --release`), else the `cargo run` that builds it.
fn sibling(name: &str) -> String {
    std::env::current_exe()
        .ok()
        .map(|exe| exe.with_file_name(name))
        .filter(|path| path.is_file())
        .map_or_else(
            || format!("cargo run --release --bin {name} --"),
            |path| path.display().to_string(),
        )
}
