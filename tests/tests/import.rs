//! Importing the agency's CSV files with `midwa-node import`, as real processes over mutual TLS:
//! recorded once, published, receipts handed out, every bad row reported, and no personal value
//! anywhere in the node's or the gateway's files and logs.

mod common;

use common::path;

use std::collections::{HashMap, HashSet};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use common::{TestRegion, gateway_events};
use midwa_deploy::synthetic::Synthetic;
use midwa_proto::pb;
use midwa_proto::receipt::ReceiptCode;

/// Every value of the given columns of a CSV file.
fn column_values(file: &Path, columns: &[&str]) -> Vec<String> {
    let mut reader = csv::Reader::from_path(file).expect("csv");
    let headers = reader.headers().expect("header").clone();
    let wanted: Vec<usize> = columns
        .iter()
        .map(|c| headers.iter().position(|h| h == *c).expect("column"))
        .collect();
    let mut out = Vec::new();
    for row in reader.records() {
        let row = row.expect("row");
        out.extend(
            wanted
                .iter()
                .map(|i| row[*i].to_owned())
                .filter(|v| !v.is_empty()),
        );
    }
    out
}

/// The first needle found in `haystack`, if any. Needles are grouped by length so that each
/// position is looked up once per length, not once per needle.
fn find_any(haystack: &[u8], needles: &HashSet<String>) -> Option<String> {
    let mut by_len: HashMap<usize, HashSet<&[u8]>> = HashMap::new();
    for n in needles {
        by_len.entry(n.len()).or_default().insert(n.as_bytes());
    }
    for (len, set) in by_len {
        let firsts: HashSet<u8> = set.iter().map(|n| n[0]).collect();
        for window in haystack.windows(len) {
            if firsts.contains(&window[0]) && set.contains(window) {
                return Some(String::from_utf8_lossy(window).into_owned());
            }
        }
    }
    None
}

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files_under(&path, out);
        } else if path.is_file() {
            out.push(path);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn imports_are_recorded_once_with_receipts_and_leave_no_personal_data() {
    let region = TestRegion::new(&["NG"]);
    let mut gateway = region.start_gateway();
    let mut node = region.start_node("NG").await;
    let input = tempfile::tempdir().expect("input dir");
    let files = Synthetic::new("NG", 11)
        .write_csv_files(input.path(), 0, 400)
        .expect("synthetic files");

    // A check records nothing.
    let (ok, out, err) = region.node_command("NG", &["import", path(&files.returns), "--check"]);
    assert!(ok, "{err}");
    assert!(out.contains("400 would be recorded"), "{out}");

    let (ok, out, err) = region.node_command("NG", &["import", path(&files.returns), "--receipts"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("400 returns rows: 400 recorded now, 0 already recorded"),
        "{out}"
    );
    let receipts_file = input.path().join("returns.receipts.csv");
    let mode = std::fs::metadata(&receipts_file)
        .expect("receipts file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the receipts file links ids to codes");
    let people = column_values(&files.returns, &["person_id"]);
    let receipt_people = column_values(&receipts_file, &["person_id"]);
    assert_eq!(
        receipt_people, people,
        "one receipt per return, in file order"
    );
    let codes: Vec<ReceiptCode> = column_values(&receipts_file, &["receipt"])
        .iter()
        .map(|c| c.parse().expect("a receipt code"))
        .collect();

    // The same file again: nothing new, and no receipt printed as new.
    let (ok, out, err) = region.node_command("NG", &["import", path(&files.returns)]);
    assert!(ok, "{err}");
    assert!(out.contains("nothing new"), "{out}");
    assert!(!out.contains("receipt"), "{out}");

    let mut rows = 400;
    for file in [&files.assistance, &files.assessments, &files.closures] {
        let (ok, out, err) = region.node_command("NG", &["import", path(file)]);
        assert!(ok, "{}: {err}", file.display());
        assert!(out.contains("recorded now"), "{out}");
        rows += column_values(file, &["person_id"]).len() as u64;
    }
    let status = region.wait_published("NG", Duration::from_secs(30)).await;
    assert_eq!(status.acked_seq, rows, "{status:?}");
    assert!(node.terminate(), "the node stops cleanly");
    assert!(gateway.terminate(), "the gateway stops cleanly");

    // The gateway holds each row once, and each return carries its receipt's digest only.
    let events = gateway_events(&region.gateway_data());
    assert_eq!(events.len() as u64, rows);
    let digests: HashSet<Vec<u8>> = events
        .iter()
        .filter_map(|(_, e)| match &e.body {
            Some(pb::event::Body::Return(r)) => Some(r.receipt.clone()),
            _ => None,
        })
        .collect();
    let expected: HashSet<Vec<u8>> = codes.iter().map(|c| c.digest().0.to_vec()).collect();
    assert_eq!(digests, expected);

    // No personal value anywhere in the node's or the gateway's files and logs.
    let mut personal: HashSet<String> = HashSet::new();
    personal.extend(column_values(
        &files.returns,
        &[
            "person_id",
            "full_name",
            "phone",
            "date_of_birth",
            "return_date",
        ],
    ));
    for file in [&files.assistance, &files.assessments, &files.closures] {
        personal.extend(column_values(file, &["person_id", "date"]));
    }
    personal.extend(codes.iter().map(|c| c.to_string()));
    // The scan finds what is there: the input file itself is full of it.
    assert!(find_any(&std::fs::read(&files.returns).expect("read"), &personal).is_some());
    let mut scanned = Vec::new();
    files_under(region.root(), &mut scanned);
    assert!(
        scanned.iter().any(|f| f.ends_with("node-NG.log")) && scanned.len() > 10,
        "{scanned:?}"
    );
    for file in scanned {
        if file.extension().is_some_and(|e| e == "pem" || e == "toml") {
            continue;
        }
        let bytes = std::fs::read(&file).expect("read");
        if let Some(found) = find_any(&bytes, &personal) {
            panic!("{found:?} was found in {}", file.display());
        }
    }
}

/// Writes `text` (raw bytes) as `name` in `dir`.
fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let file = dir.join(name);
    std::fs::write(&file, bytes).expect("write");
    file.to_str().expect("UTF-8").to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_bad_row_is_reported_with_line_and_column_and_nothing_is_recorded() {
    let region = TestRegion::new(&["NG"]);
    let _node = region.start_node("NG").await;
    let dir = tempfile::tempdir().expect("input dir");
    let header = "person_id,full_name,phone,date_of_birth,sex,nationality,return_date,mode,return_type,host_country,transit_countries,arrival_point,destination_region,vulnerabilities\n";
    let good = write(
        dir.path(),
        "good.csv",
        format!("{header}P1,A B,1,1990-01-01,F,NG,2024-01-10,air,avrr,LY,NE,LOS,NG-LA,\n")
            .as_bytes(),
    );
    let (ok, _, err) = region.node_command("NG", &["import", &good]);
    assert!(ok, "{err}");

    let mut returns = header.as_bytes().to_vec();
    for row in [
        ",,,,F,NG,2024-01-10,air,avrr,LY,,,,",    // 2 person_id empty
        "P2,,,,Q,NG,2024-01-10,air,avrr,LY,,,,",  // 3 sex
        "P3,,,,F,GH,2024-01-10,air,avrr,LY,,,,",  // 4 nationality
        "P4,,,,F,NG,2999-01-10,air,avrr,LY,,,,",  // 5 future
        "P5,,,,F,NG,10/01/2024,air,avrr,LY,,,,",  // 6 date format
        "P6,,,,F,NG,2024-01-10,boat,avrr,LY,,,,", // 7 mode
        "P7,,,,F,NG,2024-01-10,air,deported,LY,,,,", // 8 return_type
        "P8,,,,F,NG,2024-01-10,air,avrr,Libya,,,,", // 9 host_country
        "P9,,,,F,NG,2024-01-10,air,avrr,LY,NE;X1,,,", // 10 transit
        "P10,,,,F,NG,2024-01-10,air,avrr,LY,,L,,", // 11 arrival point
        "P11,,,,F,NG,2024-01-10,air,avrr,LY,,,GH-AA,", // 12 region of another state
        "P12,,,,F,NG,2024-01-10,air,avrr,LY,,,,pregnant", // 13 vulnerability
        "P13,,,2025-01-01,F,NG,2024-01-10,air,avrr,LY,,,,", // 14 born after return
        "P14,,,,F,NG,2024-01-10,air,avrr,LY,,,",  // 15 a field short
        "P16,,,,F,NG,2024-02-10,air,avrr,LY,,,,", // 16 valid
        "P16,,,,M,NG,2024-02-10,air,avrr,LY,,,,", // 17 same identity, other content
        "P1,,,1990-01-01,F,NG,2024-01-10,land,avrr,LY,,,,", // 18 conflicts with what is held
    ] {
        returns.extend_from_slice(row.as_bytes());
        returns.push(b'\n');
    }
    returns.extend_from_slice(b"P17,\xff\xfe,,,F,NG,2024-01-10,air,avrr,LY,,,,\n"); // 19 not UTF-8
    let returns = write(dir.path(), "returns.csv", &returns);
    let assistance = write(
        dir.path(),
        "assistance.csv",
        b"person_id,date,category,type,modality,provider\n\
          NOBODY,2024-02-01,economic,housing,individual,iom\n\
          P1,2024-02-01,money,housing,individual,iom\n\
          P1,2024-02-01,economic,cash,individual,iom\n\
          P1,2024-02-01,economic,housing,alone,iom\n\
          P1,2024-02-01,economic,housing,individual,bank\n",
    );
    let assessments = write(
        dir.path(),
        "assessments.csv",
        b"person_id,date,economic,social,psychosocial\n\
          P1,2023-12-01,0.5,0.5,0.5\n\
          P1,2024-06-01,1.5,0.5,0.5\n\
          P1,2024-06-01,0.5,abc,0.5\n",
    );
    let closures = write(
        dir.path(),
        "closures.csv",
        b"person_id,date,outcome\nP1,2024-06-01,finished\nP1,2023-06-01,completed\n",
    );
    // As French and Portuguese spreadsheets save CSV: a BOM, semicolons, CRLF line ends.
    let excel_fr = write(
        dir.path(),
        "clotures.csv",
        b"\xef\xbb\xbfperson_id;date;outcome\r\nP1;2024-06-01;finished\r\nP1;2023-06-01;completed\r\n",
    );
    let unknown_column = write(
        dir.path(),
        "unknown.csv",
        b"person_id,date,outcome,notes\nP1,2024-06-01,completed,x\n",
    );
    let missing_column = write(
        dir.path(),
        "missing.csv",
        b"person_id,date,economic,social\nP1,2024-06-01,0.5,0.5\n",
    );

    let cases: &[(&str, &[&str])] = &[
        (
            &returns,
            &[
                "returns.csv: line 2, column A (person_id): required but empty",
                "returns.csv: line 3, column E (sex):",
                "returns.csv: line 4, column F (nationality):",
                "returns.csv: line 5, column G (return_date): 2999-01-10 is in the future",
                "returns.csv: line 6, column G (return_date):",
                "returns.csv: line 7, column H (mode):",
                "returns.csv: line 8, column I (return_type):",
                "returns.csv: line 9, column J (host_country):",
                "returns.csv: line 10, column K (transit_countries):",
                "returns.csv: line 11, column L (arrival_point):",
                "returns.csv: line 12, column M (destination_region):",
                "returns.csv: line 13, column N (vulnerabilities):",
                "returns.csv: line 14, column D (date_of_birth): is after the return date",
                "returns.csv: line 15: has 13 fields where the header has 14",
                "returns.csv: line 17, column A (person_id): same person_id and return_date as line 16",
                "returns.csv: line 18, column A (person_id): a different record with the same person_id and return_date is already recorded",
                "returns.csv: line 19, column B (full_name): is not UTF-8 text",
                "returns.csv: 17 of 18 rows cannot be imported; nothing was recorded",
            ],
        ),
        (
            &assistance,
            &[
                "assistance.csv: line 2, column A (person_id): no return is recorded on this node for this person",
                "assistance.csv: line 3, column C (category):",
                "assistance.csv: line 4, column D (type):",
                "assistance.csv: line 5, column E (modality):",
                "assistance.csv: line 6, column F (provider):",
            ],
        ),
        (
            &assessments,
            &[
                "assessments.csv: line 2, column B (date): is before the person's return (2024-01)",
                "assessments.csv: line 3, column C (economic): 1.5 is not a number between 0 and 1",
                "assessments.csv: line 4, column D (social): \"abc\" is not a number",
            ],
        ),
        (
            &closures,
            &[
                "closures.csv: line 2, column C (outcome):",
                "closures.csv: line 3, column B (date): is before the person's return",
            ],
        ),
        (
            &excel_fr,
            &[
                "clotures.csv: line 2, column C (outcome):",
                "clotures.csv: line 3, column B (date): is before the person's return",
            ],
        ),
        (
            &unknown_column,
            &["unknown.csv: line 1, column D (notes): not a column of a closures file"],
        ),
        (
            &missing_column,
            &[
                "missing.csv: line 1: looks like assessments.csv but lacks the required column psychosocial",
            ],
        ),
    ];
    for (file, expected) in cases {
        let (ok, out, err) = region.node_command("NG", &["import", file]);
        assert!(!ok, "{file} was accepted: {out}");
        for line in *expected {
            assert!(err.contains(line), "{file}: expected {line:?} in:\n{err}");
        }
    }
    let status = midwa_node::api::client::connect(&region.node_socket("NG"))
        .await
        .expect("local API")
        .status(pb::StatusRequest {})
        .await
        .expect("status")
        .into_inner();
    assert_eq!(status.recorded_seq, 1, "only the good file was recorded");
}
