//! The `midwa-node import` command: streams a CSV file to the running node's local API, shows
//! progress, prints every problem with file, line and column, and hands out the receipts of
//! returns (on the terminal, or in a CSV file beside the input that stays on this machine).

use std::fs::File;
use std::io::IsTerminal;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::bail;
use midwa_certs::config::io_reason;
use midwa_i18n::text;
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
    let shown = request.file.display().to_string();
    let mut file = tokio::fs::File::open(&request.file).await.map_err(|e| {
        anyhow::anyhow!(
            "{}",
            text!("import-cannot-open", path = &shown, why = io_reason(&e))
        )
    })?;
    let size = file.metadata().await.map_or(0, |m| m.len());
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
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let read_so_far = sent.clone();
    let reader = tokio::spawn(async move {
        let mut first = true;
        loop {
            let mut data = vec![0u8; CHUNK];
            let n = file.read(&mut data).await.map_err(|e| {
                anyhow::anyhow!(
                    "{}",
                    text!("import-cannot-read", path = &shown, why = io_reason(&e))
                )
            })?;
            read_so_far.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
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
        .map_err(|s| anyhow::anyhow!("{}", text!("import-refused", why = s.message().to_owned())))?
        .into_inner();
    let mut progress = Progress::new(&name, size);
    let mut problems = 0u64;
    let outcome = loop {
        match updates.message().await {
            Ok(Some(update)) => {
                let bytes = sent.load(std::sync::atomic::Ordering::Relaxed);
                progress.show(bytes, update.rows_checked, update.rows_recorded);
                for p in &update.problems {
                    problems += 1;
                    progress.above(|| {
                        eprintln!(
                            "{}",
                            text!("import-problem", file = &name, problem = describe(p))
                        )
                    });
                }
                for r in &update.receipts {
                    match receipts.as_mut() {
                        Some(file) => file.add(r)?,
                        None if r.new => {
                            progress.above(|| {
                                println!(
                                    "{}",
                                    text!(
                                        "import-receipt",
                                        file = &name,
                                        line = r.line,
                                        code = &r.code
                                    )
                                );
                                if !r.attestation.is_empty() {
                                    println!(
                                        "{}",
                                        text!("import-attestation", attestation = &r.attestation)
                                    );
                                }
                            });
                        }
                        None => {}
                    }
                }
                if let Some(summary) = update.summary {
                    break Ok(summary);
                }
            }
            Ok(None) => {
                break Err(anyhow::anyhow!("{}", text!("import-no-summary")));
            }
            Err(status) => {
                let why = midwa_i18n::Text::plain(status.message().to_owned());
                break Err(anyhow::anyhow!(
                    "{}",
                    text!("import-problem", file = &name, problem = why)
                ));
            }
        }
    };
    progress.finish();
    reader.await??;
    let summary = match outcome {
        Ok(summary) => summary,
        Err(e) => {
            if problems as usize >= crate::record::import::MAX_PROBLEMS {
                eprintln!(
                    "{}",
                    text!("import-problems-listed", file = &name, count = problems)
                );
            }
            return Err(e);
        }
    };
    report(&name, &summary);
    if let Some(file) = receipts {
        let (path, count) = file.finish()?;
        println!(
            "{}",
            text!(
                "import-receipts-written",
                count = count,
                path = path.display().to_string()
            )
        );
    }
    if summary.conflicts > 0 {
        bail!(
            "{}",
            text!("import-conflicts", file = &name, count = summary.conflicts)
        );
    }
    Ok(())
}

fn describe(p: &pb::RowProblem) -> midwa_i18n::Text {
    let problem = crate::record::intake::Problem {
        line: p.line,
        column: p.column.clone(),
        letter: p.column_letter.clone(),
        reason: p.reason.clone().into(),
    };
    problem.text()
}

fn report(name: &str, s: &pb::ImportSummary) {
    let n = |v: u64| midwa_i18n::current().number(v);
    let summary = if s.check_only {
        text!(
            "import-summary-check",
            file = name.to_owned(),
            rows = n(s.rows),
            kind = &s.kind,
            new = n(s.rows - s.already_recorded),
            already = n(s.already_recorded)
        )
    } else if s.recorded == 0 {
        text!(
            "import-summary-nothing-new",
            file = name.to_owned(),
            rows = n(s.rows),
            kind = &s.kind
        )
    } else {
        text!(
            "import-summary-recorded",
            file = name.to_owned(),
            rows = n(s.rows),
            kind = &s.kind,
            recorded = n(s.recorded),
            already = n(s.already_recorded)
        )
    };
    println!("{summary}");
}

/// How far an import is: a bar with percentage, rate and time left on a terminal; without one
/// (a log, a scheduled job), a plain line every [`PLAIN_EVERY`].
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    file: String,
    /// Bytes of the file: checking advances with the bytes sent.
    size: u64,
    started: Instant,
    last: Instant,
    /// Recording started at (rows are then counted against the rows checked).
    recording: Option<Instant>,
}

/// Time between two plain progress lines.
const PLAIN_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

impl Progress {
    fn new(file: &str, size: u64) -> Self {
        let now = Instant::now();
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(1000),
                indicatif::ProgressDrawTarget::stderr_with_hz(10),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {percent:>3} % {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_prefix(file.to_owned());
            bar
        });
        Self {
            bar,
            file: file.to_owned(),
            size,
            started: now,
            last: now,
            recording: None,
        }
    }

    fn show(&mut self, bytes: u64, checked: u64, recorded: u64) {
        let lang = midwa_i18n::current();
        if recorded > 0 && self.recording.is_none() {
            self.recording = Some(Instant::now());
        }
        let (phase, rows, done, since) = match self.recording {
            Some(at) => (
                text!("import-progress-recording"),
                recorded,
                recorded as f64 / checked.max(1) as f64,
                at,
            ),
            None => (
                text!("import-progress-checking"),
                checked,
                bytes as f64 / self.size.max(1) as f64,
                self.started,
            ),
        };
        let done = done.clamp(0.0, 1.0);
        let secs = since.elapsed().as_secs_f64().max(0.001);
        let rate = (rows as f64 / secs) as u64;
        let left = if done > 0.0 {
            (secs * (1.0 - done) / done).round() as u64
        } else {
            0
        };
        let (rows, rate) = (lang.number(rows), lang.number(rate));
        match &self.bar {
            Some(bar) => {
                bar.set_position((done * 1000.0) as u64);
                bar.set_message(
                    text!(
                        "import-progress-bar",
                        phase = phase,
                        rows = rows,
                        rate = rate,
                        left = left
                    )
                    .to_string(),
                );
            }
            None if self.last.elapsed() >= PLAIN_EVERY => {
                self.last = Instant::now();
                eprintln!(
                    "{}",
                    text!(
                        "import-progress-line",
                        file = &self.file,
                        phase = phase,
                        percent = (done * 100.0) as u64,
                        rows = rows,
                        rate = rate,
                        left = left
                    )
                );
            }
            None => {}
        }
    }

    /// Prints a line of output above the bar.
    fn above(&self, print: impl FnOnce()) {
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
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
                "{}",
                text!("import-receipts-exist", path = path.display().to_string())
            );
        }
        let cannot_write = |path: &Path, e: &dyn std::fmt::Display| {
            anyhow::anyhow!(
                "{}",
                text!(
                    "import-receipts-cannot-write",
                    path = path.display().to_string(),
                    why = e.to_string()
                )
            )
        };
        let partial = path.with_extension("csv.partial");
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&partial)
            .map_err(|e| cannot_write(&partial, &io_reason(&e)))?;
        let mut out = csv::Writer::from_writer(file);
        let header: &[&str] = if attestations {
            &["person_id", "receipt", "attestation"]
        } else {
            &["person_id", "receipt"]
        };
        out.write_record(header)
            .map_err(|e| cannot_write(&partial, &e))?;
        let reader = File::open(input).map_err(|e| {
            anyhow::anyhow!(
                "{}",
                text!(
                    "import-cannot-open",
                    path = input.display().to_string(),
                    why = io_reason(&e)
                )
            )
        })?;
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
                None => bail!("{}", text!("import-input-changed")),
            };
            if line < receipt.line {
                continue;
            }
            let Some(pb::record::Kind::Return(r)) = record.kind.filter(|_| line == receipt.line)
            else {
                bail!("{}", text!("import-input-changed"));
            };
            let mut row = vec![r.person_id.as_str(), receipt.code.as_str()];
            if self.attestations {
                row.push(receipt.attestation.as_str());
            }
            self.out.write_record(&row).map_err(|e| {
                anyhow::anyhow!(
                    "{}",
                    text!(
                        "import-receipts-cannot-write",
                        path = self.partial.display().to_string(),
                        why = e.to_string()
                    )
                )
            })?;
            self.count += 1;
            return Ok(());
        }
    }

    fn finish(mut self) -> anyhow::Result<(PathBuf, u64)> {
        self.out
            .flush()
            .and_then(|_| self.out.get_ref().sync_all())
            .and_then(|_| std::fs::rename(&self.partial, &self.path))
            .map_err(|e| {
                anyhow::anyhow!(
                    "{}",
                    text!(
                        "import-receipts-cannot-write",
                        path = self.path.display().to_string(),
                        why = io_reason(&e)
                    )
                )
            })?;
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
    fn receipts_go_beside_the_input() {
        assert_eq!(
            default_receipts_path(Path::new("/data/returns.csv")),
            PathBuf::from("/data/returns.receipts.csv")
        );
    }
}
