//! What every benchmark needs: processes, memory and disk figures, the machine.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use midwa_proto::pb;

/// A process, stopped with SIGTERM when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.0.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let _ = self.0.wait();
    }
}

/// Starts `exe`, its output to `log`, logging warnings and errors.
pub fn spawn(exe: &Path, args: &[&str], log: &Path) -> Result<Proc> {
    spawn_logging(exe, args, log, "warn")
}

/// Starts `exe`, its output to `log`, logging at `level`.
pub fn spawn_logging(exe: &Path, args: &[&str], log: &Path, level: &str) -> Result<Proc> {
    let out = std::fs::File::create(log)?;
    let child = Command::new(exe)
        .args(args)
        .env("RUST_LOG", level)
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        .spawn()
        .with_context(|| {
            format!(
                "cannot start {}; build it with `cargo build --release -p midwa-tests`",
                exe.display()
            )
        })?;
    Ok(Proc(child))
}

/// Peak resident memory (VmHWM) of a process, in MiB.
pub fn peak_mib(pid: u32) -> f64 {
    proc_status_mib(pid, "VmHWM:")
}

/// Resident memory now (VmRSS) of a process, in MiB.
pub fn rss_mib(pid: u32) -> f64 {
    proc_status_mib(pid, "VmRSS:")
}

pub fn proc_status_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

pub fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_bytes(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Bytes (sent, received) by the node on its connection to the gateway, from `ss`.
pub fn wire_bytes(gateway_port: u16) -> Option<(u64, u64)> {
    let out = Command::new("ss")
        .args([
            "-tinH",
            "state",
            "established",
            &format!("( dport = :{gateway_port} )"),
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        text.split_whitespace()
            .filter_map(|w| w.strip_prefix(name))
            .filter_map(|v| v.parse::<u64>().ok())
            .sum::<u64>()
    };
    let sent = field("bytes_sent:");
    (sent > 0).then(|| (sent, field("bytes_received:")))
}

pub async fn status(socket: &Path) -> Result<pb::NodeStatus> {
    let mut client = midwa_node::api::client::connect(socket)
        .await
        .map_err(anyhow::Error::msg)?;
    Ok(client.status(pb::StatusRequest {}).await?.into_inner())
}

/// The gateway's Prometheus counters, from the metrics address it logged.
pub fn gateway_metrics(log: &Path) -> Option<Vec<(String, f64)>> {
    use std::io::{Read, Write};
    let log = std::fs::read_to_string(log).ok()?;
    let addr = log
        .split("metrics on http://")
        .nth(1)?
        .split('/')
        .next()?
        .to_owned();
    let mut socket = std::net::TcpStream::connect(addr).ok()?;
    socket
        .write_all(b"GET /metrics HTTP/1.1\r\nhost: bench\r\n\r\n")
        .ok()?;
    let mut body = String::new();
    socket.read_to_string(&mut body).ok()?;
    Some(
        body.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(' '))
            .filter_map(|(n, v)| Some((n.to_owned(), v.trim().parse().ok()?)))
            .collect(),
    )
}

pub fn tempfile_dir(keep: Option<&Path>) -> Result<PathBuf> {
    match keep {
        Some(dir) if dir.exists() => bail!("{} already exists", dir.display()),
        Some(dir) => Ok(dir.to_owned()),
        None => Ok(std::env::temp_dir().join(format!("midwa-bench-{}", std::process::id()))),
    }
}

pub fn num_cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// Starts the node of `config` and waits until its local API answers.
pub async fn start_node(exe: &Path, config: &Path, socket: &Path, log: &Path) -> Result<Proc> {
    let node = spawn(
        exe,
        &["--config", config.to_str().context("path")?, "run"],
        log,
    )?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while midwa_node::api::client::connect(socket).await.is_err() {
        if Instant::now() > deadline {
            bail!("the node did not start; see {}", log.display());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(node)
}

/// The e2e-gateway and e2e-node executables beside this one.
pub fn executables() -> Result<(PathBuf, PathBuf)> {
    let dir = std::env::current_exe()?
        .parent()
        .context("exe dir")?
        .to_owned();
    Ok((dir.join("e2e-gateway"), dir.join("e2e-node")))
}

/// Waits until something listens on `addr`.
pub async fn wait_listening(addr: std::net::SocketAddr, log: &Path) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        if Instant::now() > deadline {
            bail!("nothing listens on {addr}; see {}", log.display());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}
