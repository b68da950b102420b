//! Importing one CSV file: every row is read, checked and anonymised into a staging file first;
//! only when the whole file is valid are its events recorded in the outbox, and so published.
//! Memory stays flat whatever the file's size: rows stream from the client, events stream to
//! the staging file and back. The staging file holds anonymised events only, and is removed
//! when the import ends (or, after a crash, when the node starts).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use midwa_i18n::{Lang, Text, text};
use midwa_proto::pb;
use midwa_proto::receipt::ReceiptCode;
use midwa_store::index::SpillMap;
use prost::Message;

use crate::outbox::{Held, Prepared, Recorded};
use crate::record::Recorder;
use crate::record::anonymise::anonymise;
use crate::record::intake::{CsvRecords, Kind, Problem};

/// Most problems reported for one file; the rest are only counted.
pub const MAX_PROBLEMS: usize = 1000;
/// Rows between two progress updates.
const UPDATE_EVERY: u64 = 25_000;
/// Rows seen kept in memory before the rest go to scratch files.
const SEEN_IN_MEMORY: usize = 1 << 16;
/// Events recorded in one outbox write while committing.
const COMMIT_CHUNK: usize = 20_000;

/// How an import was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    /// Record nothing, only check.
    pub check_only: bool,
    /// Sign an attestation of each return.
    pub attest: bool,
    /// The language the problems are reported in (the client's).
    pub lang: Lang,
}

/// A staged event, as the staging file holds it.
#[derive(Clone, PartialEq, prost::Message)]
struct Staged {
    #[prost(uint64, tag = "1")]
    line: u64,
    #[prost(fixed64, optional, tag = "2")]
    receipt: Option<u64>,
    #[prost(message, required, tag = "3")]
    event: Prepared,
    /// Recorded before: staged only for its receipt.
    #[prost(bool, tag = "4")]
    held: bool,
}

/// Why a file was not imported, in whole or in part.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file cannot be imported as it is: the agency's to change (the text says how).
    #[error("{0}")]
    File(Text),
    /// The client went away (what was recorded stays recorded; the text says how much).
    #[error("{0}")]
    Cancelled(Text),
    /// The node cannot stage or record right now (the detail is in its log).
    #[error("{0}")]
    Unavailable(Text),
    /// A staging file the node wrote cannot be read back (the detail is in its log).
    #[error("{}", text!("import-staging-damaged"))]
    Damaged,
}

impl ImportError {
    /// What it says, in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match self {
            ImportError::File(t) | ImportError::Cancelled(t) | ImportError::Unavailable(t) => {
                t.render(lang)
            }
            ImportError::Damaged => text!("import-staging-damaged").render(lang),
        }
    }
}

/// Where updates go; `false` when the client has gone.
pub type Send<'a> = dyn FnMut(pb::ImportUpdate) -> bool + 'a;

/// Imports a file read from `input`. Updates (progress, problems, receipts) go to `send`; the
/// summary is returned. Nothing is recorded unless every row is valid.
pub fn run(
    recorder: &Recorder,
    options: &Options,
    input: impl Read + std::marker::Send,
    send: &mut Send<'_>,
) -> Result<pb::ImportSummary, ImportError> {
    let staging = Staging::create(&recorder.imports).map_err(|e| {
        tracing::error!(error = %e, dir = %recorder.imports.display(), "cannot create an import staging file");
        ImportError::Unavailable(text!("import-unavailable"))
    })?;
    let started = std::time::Instant::now();
    let checked = check(recorder, input, &staging, options.lang, send)?;
    tracing::info!(kind = %checked.kind, rows = checked.rows, invalid = checked.invalid, staged = checked.staged, elapsed_ms = started.elapsed().as_millis() as u64, "import checked");
    let mut summary = pb::ImportSummary {
        kind: checked.kind.to_string(),
        rows: checked.rows,
        already_recorded: checked.already,
        invalid: checked.invalid,
        check_only: options.check_only,
        ..Default::default()
    };
    if checked.invalid > 0 {
        return Err(ImportError::File(text!(
            "import-invalid",
            invalid = checked.invalid,
            rows = checked.rows
        )));
    }
    if !options.check_only {
        let started = std::time::Instant::now();
        commit(
            recorder,
            options,
            &staging,
            checked.staged,
            &mut summary,
            send,
        )?;
        tracing::info!(kind = %checked.kind, recorded = summary.recorded, already = summary.already_recorded, elapsed_ms = started.elapsed().as_millis() as u64, "import recorded");
    }
    Ok(summary)
}

struct Checked {
    kind: Kind,
    rows: u64,
    already: u64,
    invalid: u64,
    staged: u64,
}

/// A row read and anonymised, or what is wrong with it.
enum Row {
    Bad(Vec<Problem>),
    Good {
        line: u64,
        receipt: Option<u64>,
        event: Prepared,
    },
}

/// Rows handed from the reading thread to the checking one at a time.
const ROWS_PER_CHUNK: usize = 1024;

/// Reads every row, reporting problems, and stages the new events. Two threads: one reads and
/// anonymises (the costly part: parsing and keyed hashes), the other checks each event
/// against the file and the ledger, in file order, and stages it.
fn check(
    recorder: &Recorder,
    input: impl Read + std::marker::Send,
    staging: &Staging,
    lang: Lang,
    send: &mut Send<'_>,
) -> Result<Checked, ImportError> {
    let gone = || ImportError::Cancelled(text!("import-client-gone"));
    let mut reported = 0usize;
    let mut report = |problems: Vec<Problem>, send: &mut Send<'_>| {
        let room = MAX_PROBLEMS.saturating_sub(reported);
        if room == 0 {
            return true;
        }
        let problems: Vec<_> = problems
            .into_iter()
            .take(room)
            .map(|p| row_problem(p, lang))
            .collect();
        reported += problems.len();
        send(pb::ImportUpdate {
            problems,
            ..Default::default()
        })
    };
    let mut rows = match CsvRecords::new(input) {
        Ok(rows) => rows,
        Err(problem) => {
            report(vec![problem], send);
            return Err(ImportError::File(text!("import-header-first")));
        }
    };
    let kind = rows.kind();
    let identity = || identity(kind);
    // Problems found while checking name the person_id column.
    let template = rows.problem(0, "person_id", Text::plain(""));
    let person_column = |line: u64, reason: Text| Problem {
        line,
        reason,
        ..template.clone()
    };
    let today = time::OffsetDateTime::now_utc().date();
    let mut out = BufWriter::with_capacity(1 << 20, staging.file().map_err(stage_error)?);
    // Rows of this file already seen: id → (content digest, line). Mostly on disk, beside the
    // staging file, so that a large file does not grow the node.
    let mut seen: SpillMap<(u32, u32)> =
        SpillMap::create(staging.dir(), &staging.seen_name(), SEEN_IN_MEMORY)
            .map_err(stage_error)?;
    let mut checked = Checked {
        kind,
        rows: 0,
        already: 0,
        invalid: 0,
        staged: 0,
    };
    let mut buffer = Vec::new();
    std::thread::scope(|scope| {
        let (chunks, received) = std::sync::mpsc::sync_channel::<Vec<Row>>(4);
        let reader = scope.spawn(move || {
            let mut chunk = Vec::with_capacity(ROWS_PER_CHUNK);
            while let Some(row) = rows.next_record() {
                chunk.push(match row {
                    Err(problem) => Row::Bad(problem),
                    Ok((line, record)) => {
                        match anonymise(
                            record,
                            recorder.state,
                            &recorder.keys,
                            today,
                            &*recorder.outbox,
                        ) {
                            Err(errors) => {
                                let mut problems: Vec<Problem> = errors
                                    .0
                                    .into_iter()
                                    .map(|e| rows.problem(line, e.field, e.why))
                                    .collect();
                                // In the order of the file's columns, as the user reads them.
                                problems.sort_by(|a, b| {
                                    (a.letter.len(), &a.letter).cmp(&(b.letter.len(), &b.letter))
                                });
                                Row::Bad(problems)
                            }
                            Ok(anonymised) => Row::Good {
                                line,
                                receipt: anonymised.receipt.map(|r| r.bits()),
                                event: Prepared::new(&anonymised),
                            },
                        }
                    }
                });
                if chunk.len() == ROWS_PER_CHUNK
                    && chunks
                        .send(std::mem::replace(
                            &mut chunk,
                            Vec::with_capacity(ROWS_PER_CHUNK),
                        ))
                        .is_err()
                {
                    return;
                }
            }
            let _ = chunks.send(chunk);
        });
        let mut consume = || -> Result<(), ImportError> {
            for chunk in received.iter() {
                for row in chunk {
                    checked.rows += 1;
                    if checked.rows.is_multiple_of(UPDATE_EVERY)
                        && !send(pb::ImportUpdate {
                            rows_checked: checked.rows,
                            ..Default::default()
                        })
                    {
                        return Err(gone());
                    }
                    let problems = match row {
                        Row::Bad(problems) => Some(problems),
                        Row::Good {
                            line,
                            receipt,
                            event,
                        } => match seen.get(event.key).map_err(stage_error)? {
                            Some((digest, _)) if digest == event.digest => {
                                checked.already += 1;
                                None
                            }
                            Some((_, first)) => Some(vec![person_column(
                                line,
                                text!("row-same-as", identity = identity(), first = first),
                            )]),
                            None => {
                                seen.insert(event.key, (event.digest, line as u32))
                                    .map_err(stage_error)?;
                                let held = recorder.outbox.held(&event).map_err(|e| {
                                    tracing::error!(error = %e, "cannot read the outbox");
                                    ImportError::Unavailable(text!("row-unreadable"))
                                })?;
                                match held {
                                    Held::Different => Some(vec![person_column(
                                        line,
                                        text!("row-already-different", identity = identity()),
                                    )]),
                                    held => {
                                        let held = held == Held::Same;
                                        if held {
                                            checked.already += 1;
                                        }
                                        // A return recorded before is staged only for its receipt.
                                        if checked.invalid == 0 && (!held || receipt.is_some()) {
                                            stage(
                                                &mut out,
                                                &mut buffer,
                                                Staged {
                                                    line,
                                                    receipt,
                                                    event,
                                                    held,
                                                },
                                            )?;
                                            checked.staged += 1;
                                        }
                                        None
                                    }
                                }
                            }
                        },
                    };
                    if let Some(problems) = problems {
                        checked.invalid += 1;
                        if !report(problems, send) {
                            return Err(gone());
                        }
                    }
                }
            }
            Ok(())
        };
        let result = consume();
        // Closing the channel ends the reader even if it is waiting to hand over more rows.
        drop(received);
        let _ = reader.join();
        result
    })?;
    out.flush().map_err(stage_error)?;
    if !send(pb::ImportUpdate {
        rows_checked: checked.rows,
        ..Default::default()
    }) {
        return Err(gone());
    }
    Ok(checked)
}

fn stage(out: &mut impl Write, buffer: &mut Vec<u8>, staged: Staged) -> Result<(), ImportError> {
    buffer.clear();
    staged
        .encode_length_delimited(buffer)
        .map_err(|_| ImportError::Damaged)?;
    out.write_all(buffer).map_err(stage_error)
}

/// What identifies a row of each kind, for messages.
fn identity(kind: Kind) -> Text {
    match kind {
        Kind::Returns => text!("identity-returns"),
        Kind::Assistance => text!("identity-assistance"),
        Kind::Assessments | Kind::Closures => text!("identity-dated"),
    }
}

/// Records the staged events in chunks, sending the receipts of returns in line order.
fn commit(
    recorder: &Recorder,
    options: &Options,
    staging: &Staging,
    staged: u64,
    summary: &mut pb::ImportSummary,
    send: &mut Send<'_>,
) -> Result<(), ImportError> {
    let mut input =
        BufReader::with_capacity(1 << 20, File::open(&staging.path).map_err(stage_error)?);
    let mut remaining = staged;
    let mut recorded_rows = 0u64;
    while remaining > 0 {
        let n = remaining.min(COMMIT_CHUNK as u64);
        remaining -= n;
        let mut chunk = Vec::with_capacity(n as usize);
        for _ in 0..n {
            chunk.push(read_staged(&mut input)?);
        }
        let mut meta = Vec::with_capacity(chunk.len());
        let mut events = Vec::with_capacity(chunk.len());
        for staged in chunk {
            let attestation = staged.receipt.filter(|_| options.attest).and_then(|bits| {
                crate::record::attest::attest(
                    &recorder.signer,
                    &pb::Event::decode(staged.event.wire.as_slice()).unwrap_or_default(),
                    ReceiptCode::from_bits(bits),
                )
            });
            meta.push((staged.line, staged.receipt, staged.held, attestation));
            if !staged.held {
                events.push(staged.event);
            }
        }
        let mut outcomes = recorder.outbox.record(events).map_err(|e| {
            tracing::error!(error = %e, "cannot record imported events");
            ImportError::Unavailable(text!("import-failed-after", count = recorded_rows))
        })?;
        recorder.wake.notify_one();
        let mut receipts = Vec::new();
        let mut outcomes = outcomes.drain(..);
        for (line, receipt, held, attestation) in meta {
            let outcome = if held {
                Recorded::Duplicate
            } else {
                let outcome = outcomes.next().unwrap_or(Recorded::Conflict);
                match outcome {
                    Recorded::New(_) => summary.recorded += 1,
                    // Recorded by someone else since the check.
                    Recorded::Duplicate => {
                        summary.already_recorded += 1;
                    }
                    Recorded::Conflict => summary.conflicts += 1,
                }
                outcome
            };
            if let Some(bits) = receipt
                && outcome != Recorded::Conflict
            {
                receipts.push(pb::RowReceipt {
                    line,
                    code: ReceiptCode::from_bits(bits).to_string(),
                    new: matches!(outcome, Recorded::New(_)),
                    attestation: attestation.unwrap_or_default(),
                });
            }
        }
        recorded_rows += n;
        if !send(pb::ImportUpdate {
            rows_checked: summary.rows,
            rows_recorded: recorded_rows,
            receipts,
            ..Default::default()
        }) {
            // What is recorded stays recorded: the file was valid, and importing it again
            // records the rest.
            return Err(ImportError::Cancelled(text!(
                "import-client-gone-after",
                count = recorded_rows
            )));
        }
    }
    Ok(())
}

fn read_staged(input: &mut impl Read) -> Result<Staged, ImportError> {
    let damaged = || {
        tracing::error!("an import staging file is damaged");
        ImportError::Damaged
    };
    let mut len = [0u8; 1];
    let mut bytes = Vec::new();
    // A length-delimited message: a varint length, then the message.
    let mut length = 0usize;
    for shift in (0..64).step_by(7) {
        input.read_exact(&mut len).map_err(stage_error)?;
        length |= usize::from(len[0] & 0x7f) << shift;
        if len[0] & 0x80 == 0 {
            break;
        }
    }
    // A staged event is a few hundred bytes: a larger length is damage, not a reason to
    // allocate it.
    if length > MAX_STAGED {
        return Err(damaged());
    }
    bytes.resize(length, 0);
    input.read_exact(&mut bytes).map_err(stage_error)?;
    Staged::decode(bytes.as_slice()).map_err(|_| damaged())
}

/// The largest staged event read back.
const MAX_STAGED: usize = 1 << 20;

fn row_problem(p: Problem, lang: Lang) -> pb::RowProblem {
    pb::RowProblem {
        line: p.line,
        reason: p.reason.render(lang),
        column: p.column,
        column_letter: p.letter,
    }
}

fn stage_error(e: std::io::Error) -> ImportError {
    tracing::error!(error = %e, "import staging file");
    ImportError::Unavailable(text!("import-unavailable"))
}

/// A staging file, removed when dropped.
struct Staging {
    path: PathBuf,
}

impl Staging {
    fn create(dir: &Path) -> std::io::Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        std::fs::create_dir_all(dir)?;
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("import-{}-{n}.staging", std::process::id()));
        File::create(&path)?;
        Ok(Self { path })
    }

    fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The name of the scratch files of the rows seen, unique like the staging file's.
    fn seen_name(&self) -> String {
        let stem = self.path.file_stem().unwrap_or_default().to_string_lossy();
        format!("{stem}-seen")
    }

    fn file(&self) -> std::io::Result<File> {
        std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&self.path)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Removes staging files (and the scratch files of their rows seen) left by a crash: their
/// imports never finished and are simply run again.
pub fn clear_staging(dir: &Path) -> std::io::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries {
                let path = entry?.path();
                if path
                    .extension()
                    .is_some_and(|e| e == "staging" || e == "run")
                {
                    std::fs::remove_file(path)?;
                }
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_staging_file_is_refused_without_allocating_what_it_says() {
        let staged = Staged {
            line: 7,
            receipt: Some(9),
            event: Prepared::default(),
            held: false,
        };
        let mut good = Vec::new();
        stage(&mut good, &mut Vec::new(), staged.clone()).expect("stage");
        assert_eq!(read_staged(&mut good.as_slice()).expect("read"), staged);
        // A length of 2^62: refused, not allocated.
        let huge = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40];
        let err = read_staged(&mut huge.as_slice()).expect_err("damaged");
        assert!(matches!(err, ImportError::Damaged), "{err}");
        // Cut short: an error, not a panic.
        assert!(read_staged(&mut &good[..good.len() - 1]).is_err());
    }
}
