//! Aggregates equal a straightforward recount of the imported files, under the same
//! suppression, through the real commands over mTLS: as imported, after a gateway restart,
//! and after erasures (before and after another restart).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use common::TestRegion;
use midwa_deploy::synthetic::{CsvFiles, Synthetic};
use midwa_gateway::stats::disclosure::{Hidden, suppress};
use serde_json::Value;

fn quarter(date: &str) -> String {
    let month: u32 = date[5..7].parse().expect("month");
    format!("{}-Q{}", &date[..4], (month - 1) / 3 + 1)
}

/// What the test knows of one state's files.
struct Files {
    state: &'static str,
    returns: Vec<HashMap<String, String>>,
    assistance: Vec<HashMap<String, String>>,
    assessments: Vec<HashMap<String, String>>,
    closures: Vec<HashMap<String, String>>,
}

impl Files {
    fn read(state: &'static str, f: &CsvFiles) -> Self {
        Self {
            state,
            returns: common::csv_rows(&f.returns),
            assistance: common::csv_rows(&f.assistance),
            assessments: common::csv_rows(&f.assessments),
            closures: common::csv_rows(&f.closures),
        }
    }

    fn sex_of(&self) -> HashMap<String, String> {
        self.returns
            .iter()
            .map(|r| (r["person_id"].clone(), r["sex"].clone()))
            .collect()
    }
}

type Recount = BTreeMap<Vec<String>, (u64, [f64; 3])>;

/// Compares an answer with a recount: the same cells, each released count equal to the
/// recount, suppression as the rule gives for these counts in this order, and every released
/// mean equal to the recount's.
fn check(answer: &Value, recount: &Recount, what: &str) {
    let cells = answer["cells"].as_array().expect("cells");
    let threshold = answer["threshold"].as_u64().expect("threshold");
    let got: Vec<Vec<String>> = cells
        .iter()
        .map(|c| {
            c["values"]
                .as_array()
                .expect("values")
                .iter()
                .map(|v| v.as_str().expect("value").to_owned())
                .collect()
        })
        .collect();
    let want: BTreeSet<Vec<String>> = recount.keys().cloned().collect();
    assert_eq!(
        got.iter().cloned().collect::<BTreeSet<_>>(),
        want,
        "{what}: cells differ: {answer}"
    );
    let counts: Vec<u64> = got.iter().map(|k| recount[k].0).collect();
    let release = suppress(&counts, threshold);
    for ((cell, key), hidden) in cells.iter().zip(&got).zip(&release.cells) {
        let (count, sums) = recount[key];
        match hidden {
            None => assert_eq!(cell["count"].as_u64(), Some(count), "{what}: {key:?}"),
            Some(h) => {
                assert_eq!(cell["count"], Value::Null, "{what}: {key:?} released");
                let why = if *h == Hidden::Primary {
                    "primary"
                } else {
                    "secondary"
                };
                assert_eq!(cell["suppressed"], why, "{what}: {key:?}");
            }
        }
        if let Some(mean) = cell["economic"].as_f64() {
            assert!(count >= 20, "{what}: a mean over {count} persons");
            assert!(
                (mean - sums[0] / count as f64).abs() < 1e-9,
                "{what}: {key:?}"
            );
        }
    }
    let total: u64 = counts.iter().sum();
    if !release.total_hidden {
        assert_eq!(
            answer["total"]["count"].as_u64(),
            Some(total),
            "{what}: total"
        );
    }
}

fn add(recount: &mut Recount, key: Vec<String>, sums: [f64; 3]) {
    let e = recount.entry(key).or_insert((0, [0.0; 3]));
    e.0 += 1;
    for (s, x) in e.1.iter_mut().zip(sums) {
        *s += x;
    }
}

/// Each query, and its recount over the files of both states.
fn queries(files: &[Files]) -> Vec<(Vec<&'static str>, Recount)> {
    let mut out = Vec::new();

    let mut r = Recount::new();
    for f in files {
        for row in &f.returns {
            add(
                &mut r,
                vec![
                    quarter(&row["return_date"]),
                    f.state.into(),
                    row["sex"].clone(),
                ],
                [0.0; 3],
            );
        }
    }
    out.push((
        vec!["returns", "--by", "period,origin,sex", "--unit", "quarter"],
        r,
    ));

    let mut r = Recount::new();
    for f in files {
        for row in f.returns.iter().filter(|row| row["sex"] == "F") {
            add(
                &mut r,
                vec![row["host_country"].clone(), row["mode"].clone()],
                [0.0; 3],
            );
        }
    }
    out.push((
        vec!["returns", "--by", "host_country,mode", "--where", "sex=F"],
        r,
    ));

    // Assisted persons: once per person and category.
    let mut r = Recount::new();
    for f in files {
        let mut seen = BTreeSet::new();
        for row in &f.assistance {
            if seen.insert((row["person_id"].clone(), row["category"].clone())) {
                add(&mut r, vec![row["category"].clone()], [0.0; 3]);
            }
        }
    }
    out.push((vec!["assisted_persons", "--by", "assistance_category"], r));

    // Assisted persons by the year of their first assistance.
    let mut r = Recount::new();
    for f in files {
        let mut first: BTreeMap<String, String> = BTreeMap::new();
        for row in &f.assistance {
            let e = first
                .entry(row["person_id"].clone())
                .or_insert(row["date"].clone());
            if row["date"] < *e {
                *e = row["date"].clone();
            }
        }
        for date in first.values() {
            add(&mut r, vec![date[..4].to_owned()], [0.0; 3]);
        }
    }
    out.push((
        vec!["assisted_persons", "--by", "period", "--unit", "year"],
        r,
    ));

    let mut r = Recount::new();
    for f in files {
        let sex = f.sex_of();
        for row in &f.assessments {
            add(&mut r, vec![sex[&row["person_id"]].clone()], [0.0; 3]);
        }
    }
    out.push((vec!["assessments", "--by", "sex"], r));

    let mut r = Recount::new();
    for f in files {
        for row in &f.closures {
            add(
                &mut r,
                vec![f.state.into(), row["outcome"].clone()],
                [0.0; 3],
            );
        }
    }
    out.push((vec!["closures", "--by", "origin,outcome"], r));

    // Mean scores over each person's latest assessment (the files have one per person).
    let mut r = Recount::new();
    for f in files {
        let sex = f.sex_of();
        for row in &f.assessments {
            let score = |c: &str| row[c].parse::<f64>().expect("score");
            add(
                &mut r,
                vec![sex[&row["person_id"]].clone()],
                [score("economic"), score("social"), score("psychosocial")],
            );
        }
    }
    out.push((vec!["mean_scores", "--by", "sex"], r));
    out
}

const POLICY: &str = r#"
[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
dimensions = ["period", "sex", "host_country", "mode"]
purpose = "regional monitoring"

[[grant]]
recipient = "coordinators"
data = "aggregates:assistance"
dimensions = ["period", "assistance_category"]
purpose = "regional monitoring"

[[grant]]
recipient = "coordinators"
data = "aggregates:assessments"
dimensions = ["sex"]
purpose = "regional monitoring"

[[grant]]
recipient = "coordinators"
data = "aggregates:closures"
dimensions = ["outcome"]
purpose = "regional monitoring"
"#;

#[tokio::test(flavor = "multi_thread")]
async fn aggregates_equal_a_recount_of_the_files_through_restarts_and_erasures() {
    let region = TestRegion::new(&["NG", "GH"]);
    let mut gateway = region.start_gateway();
    let input = tempfile::tempdir().expect("input");
    let mut files = Vec::new();
    let mut nodes = Vec::new();
    for (state, people, seed) in [("NG", 700, 3), ("GH", 350, 4)] {
        nodes.push(region.start_node(state).await);
        let dir = input.path().join(state);
        std::fs::create_dir_all(&dir).expect("dir");
        let written = Synthetic::new(state, seed)
            .write_csv_files(&dir, 0, people)
            .expect("files");
        for file in [
            &written.returns,
            &written.assistance,
            &written.assessments,
            &written.closures,
        ] {
            let (ok, _, err) =
                region.node_command(state, &["import", file.to_str().expect("path")]);
            assert!(ok, "{state}: {err}");
        }
        region.push_policy(state, POLICY);
        region.wait_published(state, Duration::from_secs(30)).await;
        files.push(Files::read(state, &written));
    }
    let queries = queries(&files);

    for (args, recount) in &queries {
        let answer = region.query("coordinator", args).expect("query");
        check(&answer, recount, &args.join(" "));
    }

    assert!(gateway.terminate(), "the gateway stops cleanly");
    let mut gateway = region.start_gateway();
    for (args, recount) in &queries {
        let answer = region
            .query("coordinator", args)
            .expect("query after restart");
        check(
            &answer,
            recount,
            &format!("after restart: {}", args.join(" ")),
        );
    }

    // Erase a few people of NG: someone assisted and surveyed, someone with a closed case, and
    // the first returnee. The answers equal the recount of the files without them.
    let ng = &files[0];
    let mut erased: Vec<String> = vec![ng.returns[0]["person_id"].clone()];
    let surveyed: BTreeSet<&String> = ng.assessments.iter().map(|r| &r["person_id"]).collect();
    erased.extend(
        ng.assistance
            .iter()
            .map(|r| r["person_id"].clone())
            .find(|p| surveyed.contains(p)),
    );
    erased.extend(ng.closures.first().map(|r| r["person_id"].clone()));
    for person in &erased {
        let (ok, _, err) = region.node_command("NG", &["erase", person]);
        assert!(ok, "{err}");
    }
    region.wait_published("NG", Duration::from_secs(30)).await;
    for f in files.iter_mut().filter(|f| f.state == "NG") {
        for rows in [
            &mut f.returns,
            &mut f.assistance,
            &mut f.assessments,
            &mut f.closures,
        ] {
            rows.retain(|r| !erased.contains(&r["person_id"]));
        }
    }
    let queries = self::queries(&files);
    for (args, recount) in &queries {
        let answer = region
            .query("coordinator", args)
            .expect("query after erasure");
        check(
            &answer,
            recount,
            &format!("after erasure: {}", args.join(" ")),
        );
    }
    assert!(gateway.terminate(), "the gateway stops cleanly");
    let _gateway = region.start_gateway();
    for (args, recount) in &queries {
        let answer = region.query("coordinator", args).expect("query");
        check(
            &answer,
            recount,
            &format!("after erasure and restart: {}", args.join(" ")),
        );
    }
}
