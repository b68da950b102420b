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
