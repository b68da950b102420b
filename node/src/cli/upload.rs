//! The `midwa-node import` command: streams a CSV file to the running node's local API, shows
//! progress, prints every problem with file, line and column, and hands out the receipts of
//! returns (on the terminal, or in a CSV file beside the input that stays on this machine).

use std::fs::File;
use std::io::IsTerminal;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use midwa_proto::pb;
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::record::intake::CsvRecords;

/// Bytes per uploaded chunk.
const CHUNK: usize = 256 * 1024;

/// What the command was asked to do.
#[derive(Debug, Clone)]
pub struct Request {
    /// The CSV file.
    pub file: PathBuf,
    /// Only check the file.
    pub check_only: bool,
    /// Write receipts to this CSV file instead of the terminal.
    pub receipts: Option<PathBuf>,
    /// Replace an existing receipts file.
    pub force: bool,
    /// Sign an attestation of each return.
    pub attest: bool,
}

/// The default receipts file: `returns.csv` → `returns.receipts.csv`, beside the input.
pub fn default_receipts_path(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map_or_else(|| "import".into(), |s| s.to_string_lossy().into_owned());
    file.with_file_name(format!("{stem}.receipts.csv"))
}

/// Runs the import against the node at `socket`; prints the outcome.
pub async fn import(socket: &Path, request: Request) -> anyhow::Result<()> {
    let name = request.file.file_name().map_or_else(
        || request.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut file = tokio::fs::File::open(&request.file)
        .await
        .with_context(|| format!("cannot open {}", request.file.display()))?;
    let mut receipts = match &request.receipts {
        Some(path) => Some(ReceiptsFile::create(
            path,
            &request.file,
            request.force,
            request.attest,
        )?),
        None => None,
    };
    let mut client = crate::api::client::connect(socket)
        .await
        .map_err(anyhow::Error::msg)?;
    let (chunks, outgoing) = mpsc::channel(8);
    let (file_name, check_only, attest) = (name.clone(), request.check_only, request.attest);
    let path = request.file.clone();
    let reader = tokio::spawn(async move {
        let mut first = true;
        loop {
            let mut data = vec![0u8; CHUNK];
            let n = file
                .read(&mut data)
                .await
                .with_context(|| format!("cannot read {}", path.display()))?;
            if n == 0 && !first {
                return Ok::<_, anyhow::Error>(());
            }
            data.truncate(n);
            let chunk = pb::ImportChunk {
                file_name: if first {
                    file_name.clone()
                } else {
                    String::new()
                },
                data,
                check_only,
                attest,
            };
            first = false;
            if chunks.send(chunk).await.is_err() || n == 0 {
                return Ok(());
            }
        }
    });
    let mut updates = client
        .import(ReceiverStream::new(outgoing))
        .await
        .context("the node refused the import")?
        .into_inner();
    let mut progress = Progress::new();
    let mut problems = 0u64;
    let outcome = loop {
        match updates.message().await {
            Ok(Some(update)) => {
                progress.show(update.rows_checked, update.rows_recorded);
                for p in &update.problems {
                    problems += 1;
                    progress.clear();
                    eprintln!("{name}: {}", describe(p));
                }
                for r in &update.receipts {
                    match receipts.as_mut() {
                        Some(file) => file.add(r)?,
                        None if r.new => {
                            progress.clear();
                            println!("{name}: line {}: receipt {}", r.line, r.code);
                            if !r.attestation.is_empty() {
                                println!("  attestation {}", r.attestation);
                            }
                        }
                        None => {}
                    }
                }
                if let Some(summary) = update.summary {
                    break Ok(summary);
                }
            }
            Ok(None) => {
                break Err(anyhow::anyhow!(
                    "the node ended the import without a summary"
                ));
            }
            Err(status) => break Err(anyhow::anyhow!("{name}: {}", status.message())),
        }
    };
    progress.clear();
    reader.await.context("file reader")??;
    let summary = match outcome {
        Ok(summary) => summary,
        Err(e) => {
            if problems as usize >= crate::record::import::MAX_PROBLEMS {
                eprintln!("{name}: (only the first {problems} problems are listed)");
            }
            return Err(e);
        }
    };
    report(&name, &summary);
    if let Some(file) = receipts {
        let (path, count) = file.finish()?;
        println!(
            "{count} receipts written to {} (keep it on this machine: it links person ids to receipts)",
            path.display()
        );
    }
    if summary.conflicts > 0 {
        bail!(
            "{name}: {} rows conflicted with records imported meanwhile by another import; they were not recorded",
            summary.conflicts
        );
    }
    Ok(())
}

fn describe(p: &pb::RowProblem) -> String {
    let problem = crate::record::intake::Problem {
        line: p.line,
        column: p.column.clone(),
        letter: p.column_letter.clone(),
        reason: p.reason.clone(),
    };
    problem.to_string()
}

fn report(name: &str, s: &pb::ImportSummary) {
    let rows = format!("{} {} rows", thousands(s.rows), s.kind);
    if s.check_only {
        println!(
            "{name}: {rows}, all valid; {} would be recorded, {} are already recorded (nothing was recorded: --check)",
            thousands(s.rows - s.already_recorded),
            thousands(s.already_recorded)
        );
    } else if s.recorded == 0 {
        println!("{name}: {rows}, nothing new: every row was already recorded");
    } else {
        println!(
            "{name}: {rows}: {} recorded now, {} already recorded",
            thousands(s.recorded),
            thousands(s.already_recorded)
        );
    }
}

/// 1234567 → "1,234,567".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A one-line progress display on a terminal's standard error; silent otherwise.
struct Progress {
    on: bool,
    started: Instant,
    shown: bool,
    last: Instant,
}

impl Progress {
    fn new() -> Self {
        let now = Instant::now();
        Self {
            on: std::io::stderr().is_terminal(),
            started: now,
            shown: false,
            last: now,
        }
    }

    fn show(&mut self, checked: u64, recorded: u64) {
        if !self.on || self.last.elapsed().as_millis() < 100 {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let (phase, rows) = if recorded > 0 {
            ("recorded", recorded)
        } else {
            ("checked", checked)
        };
        eprint!(
            "\r\x1b[K{phase} {} rows ({} rows/s)",
            thousands(rows),
            thousands((rows as f64 / secs) as u64)
        );
        self.shown = true;
    }

    fn clear(&mut self) {
        if self.shown {
            eprint!("\r\x1b[K");
            self.shown = false;
        }
    }
}

/// The receipts CSV: written beside the input under a temporary name, readable only by its
/// owner, and renamed into place only when the import succeeded.
struct ReceiptsFile {
    path: PathBuf,
    partial: PathBuf,
    out: csv::Writer<File>,
    input: CsvRecords<std::io::BufReader<File>>,
    count: u64,
    attestations: bool,
}

impl ReceiptsFile {
    fn create(path: &Path, input: &Path, force: bool, attestations: bool) -> anyhow::Result<Self> {
        if path.exists() && !force {
            bail!(
                "{} exists; pass --force to replace it, or name another file with --receipts",
                path.display()
            );
        }
        let partial = path.with_extension("csv.partial");
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&partial)
            .with_context(|| format!("cannot create {}", partial.display()))?;
        let mut out = csv::Writer::from_writer(file);
        let header: &[&str] = if attestations {
            &["person_id", "receipt", "attestation"]
        } else {
            &["person_id", "receipt"]
        };
        out.write_record(header)
            .with_context(|| format!("cannot write {}", partial.display()))?;
        let reader =
            File::open(input).with_context(|| format!("cannot open {}", input.display()))?;
        let input = CsvRecords::new(std::io::BufReader::new(reader))
            .map_err(|p| anyhow::anyhow!("{}: {p}", input.display()))?;
        Ok(Self {
            path: path.to_owned(),
            partial,
            out,
            input,
            count: 0,
            attestations,
        })
    }

    /// Writes the receipt with the person id of its line, read again from the input.
    fn add(&mut self, receipt: &pb::RowReceipt) -> anyhow::Result<()> {
        loop {
            let (line, record) = match self.input.next_record() {
                Some(Ok(row)) => row,
                Some(Err(_)) => continue,
                None => bail!("the input file changed during the import; import it again"),
            };
            if line < receipt.line {
                continue;
            }
            let Some(pb::record::Kind::Return(r)) = record.kind.filter(|_| line == receipt.line)
            else {
                bail!("the input file changed during the import; import it again");
            };
            let mut row = vec![r.person_id.as_str(), receipt.code.as_str()];
            if self.attestations {
                row.push(receipt.attestation.as_str());
            }
            self.out
                .write_record(&row)
                .with_context(|| format!("cannot write {}", self.partial.display()))?;
            self.count += 1;
            return Ok(());
        }
    }

    fn finish(mut self) -> anyhow::Result<(PathBuf, u64)> {
        self.out
            .flush()
            .and_then(|_| self.out.get_ref().sync_all())
            .with_context(|| format!("cannot write {}", self.partial.display()))?;
        std::fs::rename(&self.partial, &self.path)
            .with_context(|| format!("cannot create {}", self.path.display()))?;
        let path = std::mem::take(&mut self.path);
        Ok((path, self.count))
    }
}

impl Drop for ReceiptsFile {
    fn drop(&mut self) {
        // Not finished: leave nothing half-written.
        let _ = std::fs::remove_file(&self.partial);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_paths_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(
            default_receipts_path(Path::new("/data/returns.csv")),
            PathBuf::from("/data/returns.receipts.csv")
        );
    }
}
