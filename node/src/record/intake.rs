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
mod tests {
    use super::*;

    type Rows = Vec<Result<(u64, pb::Record), Vec<Problem>>>;

    fn says(p: &Problem, words: &str) -> bool {
        p.reason.render(midwa_i18n::Lang::En).contains(words)
    }

    fn read(text: &str) -> Result<(Kind, Rows), Problem> {
        let mut rows = CsvRecords::new(text.as_bytes())?;
        let mut out = Vec::new();
        while let Some(r) = rows.next_record() {
            out.push(r);
        }
        Ok((rows.kind(), out))
    }

    #[test]
    fn the_kind_comes_from_the_header_in_any_order_with_a_bom() {
        let (kind, rows) =
            read("\u{feff}Outcome,person_id,date\ncompleted,P1,2024-03-01\n").expect("closures");
        assert_eq!(kind, Kind::Closures);
        let (line, record) = rows[0].clone().expect("row");
        assert_eq!(line, 2);
        assert_eq!(
            record.kind,
            Some(pb::record::Kind::Closure(pb::ClosureRecord {
                person_id: "P1".into(),
                date: "2024-03-01".into(),
                outcome: "completed".into(),
            }))
        );
    }

    #[test]
    fn names_and_phones_are_never_read() {
        let (_, rows) = read(
            "person_id,full_name,phone,sex,nationality,return_date,mode,return_type,host_country,vulnerabilities\n\
             P1,\"Ada, Obi\",+2348000000,F,NG,2024-01-05,air,avrr,LY,single_woman; medical_need\n",
        )
        .expect("returns");
        let (_, record) = rows[0].clone().expect("row");
        let debug = format!("{record:?}");
        assert!(!debug.contains("Ada") && !debug.contains("2348"), "{debug}");
        assert!(debug.contains("medical_need"));
    }

    #[test]
    fn header_problems_say_what_to_do() {
        let unknown = read("person_id,date,outcome,remarks\n").expect_err("unknown column");
        assert_eq!(
            (
                unknown.line,
                unknown.column.as_str(),
                unknown.letter.as_str()
            ),
            (1, "remarks", "D")
        );
        assert!(says(&unknown, "closures"), "{unknown}");
        let missing = read("person_id,date,category,modality\n").expect_err("missing column");
        assert!(says(&missing, "assistance") && says(&missing, "type"));
        let twice = read("person_id,date,date,outcome\n").expect_err("twice");
        assert!(says(&twice, "twice"));
        assert!(says(&read("").expect_err("empty"), "empty"));
        let foreign = read("a,b\n").expect_err("foreign");
        assert!(says(&foreign, "docs/formats/en.md"), "{foreign}");
        assert!(says(&foreign, "--template"), "{foreign}");
        // In French, with the French guide.
        let fr = foreign.text().render(midwa_i18n::Lang::Fr);
        assert!(fr.starts_with("ligne 1 : l'en-tête"), "{fr}");
        assert!(fr.contains("docs/formats/fr.md"), "{fr}");
    }

    #[test]
    fn row_problems_name_line_and_column() {
        let (_, rows) = read(
            "person_id,date,economic,social,psychosocial\nP1,2024-05-01,0.5,high,0.2\nP2,2024-05-01,0.5\n",
        )
        .expect("assessments");
        let bad_score = rows[0].clone().expect_err("not a number");
        assert_eq!(
            bad_score[0].text().render(midwa_i18n::Lang::En),
            "line 2, column D (social): \"high\" is not a number; write scores such as 0.75"
        );
        let short = rows[1].clone().expect_err("short row");
        assert_eq!(short[0].line, 3);
        assert!(says(&short[0], "3 fields"), "{}", short[0]);
    }

    #[test]
    fn every_bad_score_of_a_row_is_reported_and_decimal_commas_are_read() {
        let (_, rows) = read(
            "person_id;date;economic;social;psychosocial\nP1;2024-05-01;high;0,5;low\nP2;2024-05-01;0,25;1;0.5\n",
        )
        .expect("assessments");
        let problems = rows[0].clone().expect_err("two bad scores");
        let columns: Vec<_> = problems.iter().map(|p| p.column.as_str()).collect();
        assert_eq!(columns, ["economic", "psychosocial"]);
        let (_, record) = rows[1].clone().expect("decimal commas");
        let Some(pb::record::Kind::Assessment(a)) = record.kind else {
            panic!("an assessment")
        };
        assert_eq!((a.economic, a.social, a.psychosocial), (0.25, 1.0, 0.5));
    }

    #[test]
    fn spreadsheet_letters() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(letter(27), "AB");
        assert_eq!(letter(701), "ZZ");
        assert_eq!(letter(702), "AAA");
    }

    #[test]
    fn lines_are_counted_right_in_crlf_files_and_across_quoted_line_breaks() {
        let (_, rows) = read(
            "person_id,date,outcome\r\nP1,2024-03-01,completed\r\nP2,2024-03-01,completed\r\nP3,\"2024-03-01\",finished\r\n",
        )
        .expect("closures");
        assert_eq!(rows[0].clone().expect("row").0, 2);
        assert_eq!(rows[1].clone().expect("row").0, 3);
        assert_eq!(rows[2].clone().expect("row").0, 4);
        let (_, rows) = read(
            "person_id,full_name,sex,nationality,return_date,mode,return_type,host_country\r\nP1,\"Ada\r\nObi\",F,NG,2024-01-05,air,avrr,LY\r\nP2,Bo,F,NG,2024-01-05,boat,avrr,LY\r\n",
        )
        .expect("returns");
        assert_eq!(
            rows[0].clone().expect("row").0,
            2,
            "the row starts on line 2"
        );
        assert_eq!(
            rows[1].clone().expect("row").0,
            4,
            "after a name on two lines"
        );
    }

    #[test]
    fn a_semicolon_separated_file_is_read_like_a_comma_separated_one() {
        let (kind, rows) =
            read("person_id;date;outcome\r\nP1;2024-03-01;completed\r\n").expect("closures");
        assert_eq!(kind, Kind::Closures);
        let (line, record) = rows[0].clone().expect("row");
        assert_eq!(line, 2);
        assert!(format!("{record:?}").contains("completed"));
    }
}
