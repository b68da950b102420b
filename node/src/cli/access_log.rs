//! Reading and checking the state's access log at the gateway: every entry's hash, the chain
//! between them, and that the log still holds what this node read last time (remembered in
//! `access-log.head` in the data directory).

use std::path::Path;

use midwa_proto::access::{ChainError, Head, check};
use midwa_proto::pb;

use crate::config::Config;

/// The whole log, fetched over the node's mTLS identity.
pub async fn fetch(config: &Config) -> Result<Vec<pb::AccessLogEntry>, String> {
    let tls = crate::publish::gateway::node_tls(config).map_err(|e| e.to_string())?;
    let channel = crate::publish::gateway::connect(config, tls).await?;
    let mut stream = pb::consent_client::ConsentClient::new(channel)
        .read_access_log(pb::ReadAccessLogRequest { from_index: 0 })
        .await
        .map_err(|s| format!("the gateway refused: {}", s.message()))?
        .into_inner();
    let mut entries = Vec::new();
    while let Some(entry) = stream
        .message()
        .await
        .map_err(|s| format!("reading the access log: {}", s.message()))?
    {
        entries.push(entry);
    }
    Ok(entries)
}

/// Checks the log against itself and the head remembered in `head_file`; on success the new
/// head is remembered.
pub fn verify(entries: &[pb::AccessLogEntry], head_file: &Path) -> Result<(), String> {
    let seen = read_head(head_file)?;
    let head = check(entries, seen).map_err(|e: ChainError| {
        midwa_i18n::text!("access-log-fails", why = e.to_string()).to_string()
    })?;
    if let Some(head) = head {
        let text = format!(
            "{} {}\n",
            head.index,
            head.hash
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        midwa_certs::files::write_file(
            head_file,
            text.as_bytes(),
            midwa_certs::files::Mode::Public,
            true,
        )
        .map_err(|e| format!("cannot remember the log's head: {e}"))?;
    }
    Ok(())
}

fn read_head(path: &Path) -> Result<Option<Head>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let damaged = || {
        format!(
            "{} is damaged; remove it to start checking afresh",
            path.display()
        )
    };
    let (index, hash) = text.trim().split_once(' ').ok_or_else(damaged)?;
    let index = index.parse().map_err(|_| damaged())?;
    let bytes: Vec<u8> = (0..hash.len() / 2)
        .map(|i| u8::from_str_radix(hash.get(2 * i..2 * i + 2).unwrap_or("zz"), 16))
        .collect::<Result<_, _>>()
        .map_err(|_| damaged())?;
    let hash: [u8; 32] = bytes.try_into().map_err(|_| damaged())?;
    Ok(Some(Head { index, hash }))
}

/// The entries as a table.
pub fn describe(entries: &[pb::AccessLogEntry]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for e in entries {
        let when =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(e.time_ms) * 1_000_000)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_default();
        let policy = midwa_i18n::text!("access-log-policy", version = e.policy_version).to_string();
        let _ = writeln!(
            out,
            "{:>6}  {when}  {:<9} {:<8} {:<24} {policy:<12} {:>5}  {}{}{}",
            e.index,
            e.operation,
            e.decision,
            e.data_class,
            e.count,
            e.identity,
            if e.reason.is_empty() {
                String::new()
            } else {
                format!("  ({})", e.reason)
            },
            if e.rho_budget > 0.0 {
                format!(
                    "  [{}]",
                    midwa_i18n::text!(
                        "access-log-privacy",
                        spent = format!("{:.3}", e.rho_spent),
                        budget = format!("{:.3}", e.rho_budget)
                    )
                )
            } else {
                String::new()
            }
        );
    }
    out
}
