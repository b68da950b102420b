//! The agency's CSV files (`shared/INTAKE.md`) read as records, one row at a time: the kind of
//! file is recognised from its header, columns may come in any order, fields are separated by
//! commas or, as French and Portuguese spreadsheets save them, semicolons (told from the
//! header), and every problem names its line and column, counted as an editor counts them (CRLF
//! line ends and line breaks inside quoted fields included). Values are checked by
//! [`anonymise`](mod@super::anonymise); this module only reads.

use std::collections::VecDeque;
use std::fmt;
use std::io::{BufRead, BufReader, Read};

use midwa_i18n::{Text, text};
use midwa_proto::pb;

/// The four kinds of file an agency imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `returns.csv`.
    Returns,
    /// `assistance.csv`.
    Assistance,
    /// `assessments.csv`.
    Assessments,
    /// `closures.csv`.
    Closures,
}

/// A column of one kind of file.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Its name in the header.
    pub name: &'static str,
    /// Whether every file of its kind must have it.
    pub required: bool,
}

const fn required(name: &'static str) -> Column {
    Column {
        name,
        required: true,
    }
}

const fn optional(name: &'static str) -> Column {
    Column {
        name,
        required: false,
    }
}

const RETURNS: &[Column] = &[
    required("person_id"),
    optional("full_name"),
    optional("phone"),
    optional("date_of_birth"),
    required("sex"),
    required("nationality"),
    required("return_date"),
    required("mode"),
    required("return_type"),
    required("host_country"),
    optional("transit_countries"),
    optional("arrival_point"),
    optional("destination_region"),
    optional("vulnerabilities"),
];
const ASSISTANCE: &[Column] = &[
    required("person_id"),
    required("date"),
    required("category"),
    required("type"),
    required("modality"),
    optional("provider"),
];
const ASSESSMENTS: &[Column] = &[
    required("person_id"),
    required("date"),
    required("economic"),
    required("social"),
    required("psychosocial"),
];
const CLOSURES: &[Column] = &[required("person_id"), required("date"), required("outcome")];

impl Kind {
    /// Every kind of file.
    pub const ALL: [Kind; 4] = [
        Kind::Returns,
        Kind::Assistance,
        Kind::Assessments,
        Kind::Closures,
    ];

    /// The kind's name, as in the file names of `INTAKE.md`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Returns => "returns",
            Kind::Assistance => "assistance",
            Kind::Assessments => "assessments",
            Kind::Closures => "closures",
        }
    }

    /// Its columns, in the order of the documentation and of templates.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Returns => RETURNS,
            Kind::Assistance => ASSISTANCE,
            Kind::Assessments => ASSESSMENTS,
            Kind::Closures => CLOSURES,
        }
    }

    fn column_list(self) -> String {
        self.columns()
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong at one place of a file. `column` is empty when the whole row is at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Line in the file, from 1 (the header).
    pub line: u64,
    /// The column's name in the header.
    pub column: String,
    /// The column as a spreadsheet shows it (A, B, ..., AA), empty if none.
    pub letter: String,
    /// What is wrong and what is expected.
    pub reason: Text,
}

impl Problem {
    /// Where it is and what it is, as a message.
    pub fn text(&self) -> Text {
        let reason = self.reason.clone();
        match (self.column.is_empty(), self.letter.is_empty()) {
            (true, _) => text!("problem-at-line", line = self.line, reason = reason),
            (false, true) => text!(
                "problem-at-column",
                line = self.line,
                column = &self.column,
                reason = reason
            ),
            (false, false) => text!(
                "problem-at-cell",
                line = self.line,
                letter = &self.letter,
                column = &self.column,
                reason = reason
            ),
        }
    }
}

impl fmt::Display for Problem {
    /// In the process's language.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text())
    }
}

/// The spreadsheet name of a zero-based column index: A..Z, AA..
fn letter(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The input, with where each line break lies, for the line numbers of rows: the CSV reader's
/// own count is off by one per line in files with CRLF line ends.
struct Lines<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// Offsets of the line feeds read and not yet passed.
    breaks: VecDeque<u64>,
    /// Line feeds passed.
    passed: u64,
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let offset = self.offset;
        self.breaks
            .extend(memchr::memchr_iter(b'\n', &buf[..n]).map(|i| offset + i as u64));
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R> Lines<R> {
    /// The line (from 1) of a row the CSV reader says starts at `offset`. After a CRLF it
    /// says the row starts at the line feed, so a line feed at `offset` is behind the row.
    /// Offsets asked must not decrease.
    fn line_at(&mut self, offset: u64) -> u64 {
        while self.breaks.front().is_some_and(|b| *b <= offset) {
            self.breaks.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

/// The field separator of a file whose first line is `header`: a semicolon if the header has
/// more of them than commas (what spreadsheets save where the decimal mark is a comma), else a
/// comma.
fn separator(header: &[u8]) -> u8 {
    let line = header.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |c: u8| line.iter().filter(|b| **b == c).count();
    if count(b';') > count(b',') {
        b';'
    } else {
        b','
    }
}

/// A CSV file, read row by row.
pub struct CsvRecords<R> {
    reader: csv::Reader<Lines<BufReader<R>>>,
    kind: Kind,
    /// Column of the file → index in the kind's column list.
    positions: Vec<usize>,
    names: Vec<String>,
    row: csv::ByteRecord,
}

impl<R> fmt::Debug for CsvRecords<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CsvRecords")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl<R: Read> CsvRecords<R> {
    /// Reads the header and recognises the kind of file.
    pub fn new(input: R) -> Result<Self, Problem> {
        let mut input = BufReader::with_capacity(64 * 1024, input);
        let delimiter = separator(input.fill_buf().unwrap_or_default());
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(64 * 1024)
            .from_reader(Lines {
                inner: input,
                offset: 0,
                breaks: VecDeque::new(),
                passed: 0,
            });
        let mut header = csv::ByteRecord::new();
        let at_header = |reason: Text| Problem {
            line: 1,
            column: String::new(),
            letter: String::new(),
            reason,
        };
        match reader.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                return Err(at_header(text!("header-empty-file")));
            }
            Err(e) => return Err(at_header(csv_reason(&e))),
        }
        let line = 1;
        let mut names = Vec::with_capacity(header.len());
        for (i, raw) in header.iter().enumerate() {
            let raw = raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw);
            let name = std::str::from_utf8(raw)
                .map_err(|_| Problem {
                    line,
                    column: String::new(),
                    letter: letter(i),
                    reason: text!("header-not-utf8"),
                })?
                .trim()
                .to_ascii_lowercase();
            if let Some(first) = names.iter().position(|n| *n == name) {
                return Err(Problem {
                    line,
                    column: name,
                    letter: letter(i),
                    reason: text!("header-twice", letter = letter(first)),
                });
            }
            names.push(name);
        }
        let kind = recognise(&names).map_err(|reason| Problem {
            line,
            column: String::new(),
            letter: String::new(),
            reason,
        })?;
        let columns = kind.columns();
        let positions = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                columns
                    .iter()
                    .position(|c| c.name == name)
                    .ok_or_else(|| Problem {
                        line,
                        column: name.clone(),
                        letter: letter(i),
                        reason: text!(
                            "header-unknown-column",
                            kind = kind.as_str(),
                            columns = kind.column_list()
                        ),
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            reader,
            kind,
            positions,
            names,
            row: csv::ByteRecord::new(),
        })
    }

    /// The kind of file.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The next row as a record, with its line, or every problem found reading it; `None` at
    /// the end of the file. A problem with one row does not stop the reading of the next.
    pub fn next_record(&mut self) -> Option<Result<(u64, pb::Record), Vec<Problem>>> {
        match self.reader.read_byte_record(&mut self.row) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.line_of(self.row.position().cloned());
                Some(self.record(line).map(|r| (line, r)))
            }
            Err(e) => {
                let line = self.line_of(e.position().cloned());
                Some(Err(vec![Problem {
                    line,
                    column: String::new(),
                    letter: String::new(),
                    reason: csv_reason(&e),
                }]))
            }
        }
    }

    /// The line a row starts on, from where the CSV reader says it starts.
    fn line_of(&mut self, position: Option<csv::Position>) -> u64 {
        let offset = position.map_or(0, |p| p.byte());
        self.reader.get_mut().line_at(offset)
    }

    fn record(&self, line: u64) -> Result<pb::Record, Vec<Problem>> {
        if self.row.len() != self.names.len() {
            return Err(vec![Problem {
                line,
                column: String::new(),
                letter: String::new(),
                reason: text!(
                    "row-field-count",
                    found = self.row.len(),
                    expected = self.names.len()
                ),
            }]);
        }
        let mut problems = Vec::new();
        let mut values: Vec<&str> = vec![""; self.kind.columns().len()];
        for (i, raw) in self.row.iter().enumerate() {
            match std::str::from_utf8(raw) {
                Ok(text) => values[self.positions[i]] = text.trim(),
                Err(_) => problems.push(Problem {
                    line,
                    column: self.names[i].clone(),
                    letter: letter(i),
                    reason: text!("value-not-utf8"),
                }),
            }
        }
        let mut score = |column: &'static str, text: &str| {
            self.score(line, column, text)
                .map_err(|p| problems.push(p))
                .unwrap_or_default()
        };
        let list = |text: &str| -> Vec<String> {
            text.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        use pb::record::Kind as K;
        let kind = match self.kind {
            // Positions follow the column lists above; full_name and phone are never read.
            Kind::Returns => K::Return(pb::ReturnRecord {
                person_id: values[0].into(),
                date_of_birth: values[3].into(),
                sex: values[4].into(),
                nationality: values[5].into(),
                return_date: values[6].into(),
                mode: values[7].into(),
                return_type: values[8].into(),
                host_country: values[9].into(),
                transit_countries: list(values[10]),
                arrival_point: values[11].into(),
                destination_region: values[12].into(),
                vulnerabilities: list(values[13]),
            }),
            Kind::Assistance => K::Assistance(pb::AssistanceRecord {
                person_id: values[0].into(),
                date: values[1].into(),
                category: values[2].into(),
                r#type: values[3].into(),
                modality: values[4].into(),
                provider: values[5].into(),
            }),
            Kind::Assessments => K::Assessment(pb::AssessmentRecord {
                person_id: values[0].into(),
                date: values[1].into(),
                economic: score("economic", values[2]),
                social: score("social", values[3]),
                psychosocial: score("psychosocial", values[4]),
            }),
            Kind::Closures => K::Closure(pb::ClosureRecord {
                person_id: values[0].into(),
                date: values[1].into(),
                outcome: values[2].into(),
            }),
        };
        if problems.is_empty() {
            Ok(pb::Record { kind: Some(kind) })
        } else {
            Err(problems)
        }
    }

    fn score(&self, line: u64, column: &'static str, text: &str) -> Result<f64, Problem> {
        let problem = |reason: Text| self.problem(line, column, reason);
        if text.is_empty() {
            return Err(problem(text!("value-required")));
        }
        // Spreadsheets where the decimal mark is a comma write 0,75.
        let decimal = match text.split_once(',') {
            Some((whole, fraction)) if !text.contains('.') && !fraction.contains(',') => {
                std::borrow::Cow::Owned(format!("{whole}.{fraction}"))
            }
            _ => std::borrow::Cow::Borrowed(text),
        };
        decimal
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| problem(text!("value-not-score", value = format!("{text:?}"))))
    }

    /// A problem in a named column of the current file.
    pub fn problem(&self, line: u64, column: &str, reason: Text) -> Problem {
        let at = self.names.iter().position(|n| n == column);
        Problem {
            line,
            column: column.to_owned(),
            letter: at.map(letter).unwrap_or_default(),
            reason,
        }
    }
}

/// The kind whose required columns are all present, or why none is.
fn recognise(names: &[String]) -> Result<Kind, Text> {
    let has = |kind: Kind| {
        kind.columns()
            .iter()
            .filter(|c| c.required)
            .all(|c| names.iter().any(|n| n == c.name))
    };
    if let Some(kind) = Kind::ALL.into_iter().find(|k| has(*k)) {
        return Ok(kind);
    }
    // The closest kind: the one sharing the most columns with the header.
    let shared = |kind: Kind| {
        kind.columns()
            .iter()
            .filter(|c| names.iter().any(|n| n == c.name))
            .count()
    };
    let closest = Kind::ALL
        .into_iter()
        .max_by_key(|k| shared(*k))
        .unwrap_or(Kind::Returns);
    if shared(closest) <= 1 {
        return Err(text!("header-not-recognised", found = names.join(", ")));
    }
    let missing: Vec<_> = closest
        .columns()
        .iter()
        .filter(|c| c.required && !names.iter().any(|n| n == c.name))
        .map(|c| c.name)
        .collect();
    Err(text!(
        "header-lacks-columns",
        kind = closest.as_str(),
        count = missing.len(),
        columns = missing.join(", ")
    ))
}

fn csv_reason(e: &csv::Error) -> Text {
    match e.kind() {
        csv::ErrorKind::Io(e) => text!("csv-unreadable", detail = e.to_string()),
        _ => text!("csv-invalid", detail = e.to_string()),
    }
}

#[cfg(test)]
mod tests;
