//! The exports a statistician loads, read back by readers that are not this project's (pysdmx
//! for SDMX-CSV 2.0, a JSON schema of DHIS2's data value sets, libhxl for HXL), from answers
//! over mTLS: every figure of the answer is in the export, hidden ones flagged, nothing else.
//!
//! The readers run in the Python that `MIDWA_PYTHON` names (tests/run.sh installs them from
//! tests/python/requirements.txt), or `python3`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{TestRegion, path};
use midwa_deploy::synthetic::Synthetic;
use serde_json::Value;

const POLICY: &str = r#"
[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
dimensions = ["period", "sex", "mode"]
purpose = "regional monitoring"

[[grant]]
recipient = "coordinators"
data = "aggregates:assessments"
dimensions = ["period"]
purpose = "regional monitoring"
"#;

/// What an independent reader read of `file`, one JSON object per observation.
fn read_back(kind: &str, file: &Path) -> Vec<Value> {
    let python = std::env::var("MIDWA_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/read_export.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg(kind)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}; run the tests with tests/run.sh"));
    assert!(
        output.status.success(),
        "{kind} reader failed on {}: {}\n(the readers are installed by tests/run.sh, from tests/python/requirements.txt)",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// The answer's cells by their values (period, origin, ...): count, or none if hidden.
fn cells(answer: &Value) -> BTreeMap<Vec<String>, Option<u64>> {
    answer["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|c| {
            let key = c["values"]
                .as_array()
                .expect("values")
                .iter()
                .map(|v| v.as_str().expect("value").to_owned())
                .collect();
            (key, c["count"].as_u64())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_read_back_by_independent_readers_hold_every_figure_of_the_answer() {
    let region = TestRegion::new(&["NG", "GH"]);
    let _gateway = region.start_gateway();
    let input = tempfile::tempdir().expect("input");
    let mut nodes = Vec::new();
    for (state, seed) in [("NG", 5), ("GH", 6)] {
        nodes.push(region.start_node(state).await);
        let dir = input.path().join(state);
        std::fs::create_dir_all(&dir).expect("dir");
        let files = Synthetic::new(state, seed)
            .write_csv_files(&dir, 0, 300)
            .expect("files");
        for file in [&files.returns, &files.assistance, &files.assessments] {
            let (ok, _, err) = region.node_command(state, &["import", path(file)]);
            assert!(ok, "{state}: {err}");
        }
        region.push_policy(state, POLICY);
        region.wait_published(state, Duration::from_secs(30)).await;
    }
    let out = tempfile::tempdir().expect("out");
    let ask = |format: &str, args: &[&str]| {
        let mut all = vec!["query"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", format]);
        let (ok, text, err) = region.midwa("coordinator", &all);
        assert!(ok, "{all:?}: {err}");
        text
    };
    let by = ["returns", "--by", "period,origin,sex", "--unit", "year"];
    let answer: Value = serde_json::from_str(&ask("json", &by)).expect("json");
    let truth = cells(&answer);
    assert!(truth.values().any(Option::is_some) && truth.values().any(Option::is_none));

    // SDMX-CSV 2.0, read by pysdmx.
    let file = out.path().join("returns.sdmx.csv");
    std::fs::write(&file, ask("sdmx", &by)).expect("write");
    let read = read_back("sdmx", &file);
    assert_eq!(
        read[0]["structure"], "Dataflow=MIDWA:DF_RETURN_REINTEGRATION(1.0)",
        "{:?}",
        read[0]
    );
    let observations = &read[1..];
    assert_eq!(observations.len(), truth.len());
    for o in observations {
        let key = ["TIME_PERIOD", "REF_AREA", "SEX"]
            .map(|d| o[d].as_str().expect("dimension").to_owned())
            .to_vec();
        assert_eq!(o["INDICATOR"], "RETURNS");
        assert_eq!(o["AGE"], "_T", "a dimension not asked is the total");
        match truth
            .get(&key)
            .unwrap_or_else(|| panic!("{key:?} is not in the answer"))
        {
            Some(count) => {
                assert_eq!(o["OBS_VALUE"], count.to_string(), "{key:?}");
                assert_eq!(
                    (o["OBS_STATUS"].as_str(), o["CONF_STATUS"].as_str()),
                    (Some("E"), Some("F"))
                );
                assert!(
                    o["ERROR_95"]
                        .as_str()
                        .expect("error")
                        .parse::<f64>()
                        .expect("number")
                        > 0.0
                );
            }
            None => {
                assert!(
                    matches!(o["OBS_VALUE"].as_str(), Some("" | "nan")),
                    "{key:?}: hidden, yet {}",
                    o["OBS_VALUE"]
                );
                assert!(matches!(o["CONF_STATUS"].as_str(), Some("C" | "N")), "{o}");
            }
        }
    }

    // A DHIS2 data value set, valid against the schema of dataValueSets: released figures only.
    let file = out.path().join("returns.dhis2.json");
    std::fs::write(&file, ask("dhis2", &by)).expect("write");
    let values = read_back("dhis2", &file);
    let released: BTreeMap<_, _> = truth
        .iter()
        .filter_map(|(k, v)| v.map(|v| (k.clone(), v)))
        .collect();
    assert_eq!(values.len(), released.len());
    for v in &values {
        let sex = v["categoryOptionCombo"]
            .as_str()
            .and_then(|c| c.strip_prefix("MIDWA_SEX_"))
            .expect("a combination of sex");
        let key = vec![
            v["period"].as_str().expect("period").to_owned(),
            v["orgUnit"].as_str().expect("org unit").to_owned(),
            sex.to_owned(),
        ];
        assert_eq!(v["dataElement"], "MIDWA_RETURNS");
        let count = released
            .get(&key)
            .unwrap_or_else(|| panic!("{key:?} not released; {released:?}"));
        assert_eq!(v["value"], count.to_string(), "{key:?}");
    }
    // Without a period and an origin, DHIS2 cannot place a value: said so.
    let (ok, _, err) = region.midwa(
        "coordinator",
        &["query", "returns", "--by", "sex", "--format", "dhis2"],
    );
    assert!(!ok && err.contains("--by period,origin"), "{err}");

    // HXL, read by libhxl: mean scores, each with its error.
    let means = ["mean_scores", "--by", "period,origin", "--unit", "year"];
    let answer: Value = serde_json::from_str(&ask("json", &means)).expect("json");
    let file = out.path().join("scores.hxl.csv");
    std::fs::write(&file, ask("hxl", &means)).expect("write");
    let read = read_back("hxl", &file);
    assert_eq!(
        read[0]["tags"],
        serde_json::json!([
            "#date",
            "#country+code+origin",
            "#indicator+code",
            "#indicator+value+num",
            "#meta+error95+num",
            "#status"
        ])
    );
    let rows = &read[1..];
    assert_eq!(
        rows.len(),
        5 * answer["cells"].as_array().expect("cells").len()
    );
    for cell in answer["cells"].as_array().expect("cells") {
        let (period, origin) = (&cell["values"][0], &cell["values"][1]);
        let of = |indicator: &str| {
            rows.iter()
                .find(|r| {
                    r["#date"] == *period
                        && r["#country+code+origin"] == *origin
                        && r["#indicator+code"] == indicator
                })
                .unwrap_or_else(|| panic!("{period} {origin} {indicator} missing"))
        };
        match cell["economic"].as_f64() {
            Some(mean) => {
                let read: f64 = of("MEAN_SCORE_ECONOMIC")["#indicator+value+num"]
                    .as_str()
                    .expect("value")
                    .parse()
                    .expect("number");
                assert!((read - mean).abs() < 1e-4, "{read} against {mean}");
            }
            None => {
                let hidden = of("MEAN_SCORE_ECONOMIC");
                assert!(
                    matches!(hidden["#indicator+value+num"].as_str(), None | Some("")),
                    "{hidden}"
                );
                assert!(
                    hidden["#status"]
                        .as_str()
                        .is_some_and(|s| s.starts_with("hidden"))
                );
            }
        }
    }
}
