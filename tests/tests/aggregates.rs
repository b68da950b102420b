//! Aggregates match a straightforward recount of the imported files within the error each
//! answer publishes, through the real commands over mTLS: as imported, after a gateway
//! restart, and after erasures (before and after another restart).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use common::TestRegion;
use midwa_deploy::synthetic::{CsvFiles, Synthetic};
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

/// Compares an answer with a recount. Every released count is within five standard
/// deviations of its noise of the recount (2.55 times the 95 % error it publishes: never by
/// chance, in practice), and with many cells, at least four in five within the published error
/// itself; means and the total likewise. Nothing below the threshold is released, and a mean
/// only over 20 surveys or more.
fn check(answer: &Value, recount: &Recount, what: &str) {
    let cells = answer["cells"].as_array().expect("cells");
    let threshold = answer["threshold"].as_f64().expect("threshold");
    let (mut released, mut within) = (0, 0);
    let mut compare = |cell: &Value, truth: (u64, [f64; 3]), key: &dyn std::fmt::Debug| {
        let error = cell["error"].as_f64().expect("every cell has its error");
        assert!(error > 0.0, "{what}: {key:?} has no error");
        if let Some(count) = cell["count"].as_f64() {
            assert!(count >= threshold, "{what}: {key:?}: {count} released");
            let off = (count - truth.0 as f64).abs();
            assert!(
                off <= 2.55 * error,
                "{what}: {key:?}: {count} released, {} true, error {error}",
                truth.0
            );
            released += 1;
            within += usize::from(off <= error);
        }
        if let Some(mean) = cell["economic"].as_f64() {
            assert!(cell["count"].as_f64().expect("count") >= 20.0);
            let true_mean = truth.1[0] / truth.0 as f64;
            let error = cell["mean_error"].as_f64().expect("mean error");
            assert!(
                (mean - true_mean).abs() <= 2.55 * error + 0.005,
                "{what}: {key:?}: mean {mean}, true {true_mean}, error {error}"
            );
        }
    };
    for cell in cells {
        let key: Vec<String> = cell["values"]
            .as_array()
            .expect("values")
            .iter()
            .map(|v| v.as_str().expect("value").to_owned())
            .collect();
        let truth = recount.get(&key).copied().unwrap_or((0, [0.0; 3]));
        compare(cell, truth, &key);
    }
    let total = recount
        .get(&vec![TOTAL.to_owned()])
        .copied()
        .unwrap_or_else(|| {
            recount.values().fold((0, [0.0; 3]), |mut t, (n, s)| {
                t.0 += n;
                for (a, b) in t.1.iter_mut().zip(s) {
                    *a += b;
                }
                t
            })
        });
    compare(&answer["total"], total, &"total");
    if released >= 20 {
        assert!(
            within * 5 >= released * 4,
            "{what}: only {within} of {released} counts within their published error"
        );
    }
    // The recount's large cells are released.
    for (key, (n, _)) in recount.iter().filter(|(k, _)| k[0] != TOTAL) {
        if *n as f64 >= 200.0 {
            let cell = cells.iter().find(|c| {
                c["values"].as_array().is_some_and(|v| {
                    v.iter()
                        .map(|x| x.as_str().unwrap_or(""))
                        .eq(key.iter().map(String::as_str))
                })
            });
            assert!(
                cell.is_some_and(|c| c["count"].is_u64()),
                "{what}: {key:?} ({n}) not released"
            );
        }
    }
}

/// The key of a recount's total where it is not the sum of its cells (a person is in several).
const TOTAL: &str = "(total)";

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
        for row in &f.returns {
            add(&mut r, vec![row["host_country"].clone()], [0.0; 3]);
        }
    }
    out.push((vec!["returns", "--by", "host_country"], r));

    // One flag at a time: a person with two flags counts in both.
    let mut r = Recount::new();
    for f in files {
        for row in &f.returns {
            for flag in row["vulnerabilities"].split(';').filter(|v| !v.is_empty()) {
                add(&mut r, vec![flag.to_owned()], [0.0; 3]);
            }
            // The total counts every return once.
            add(&mut r, vec![TOTAL.to_owned()], [0.0; 3]);
        }
    }
    out.push((vec!["returns", "--by", "vulnerability_flag"], r));

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

    // Mean scores over the surveys (the files have one per person).
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
dimensions = ["period", "sex", "host_country", "mode", "vulnerability"]
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

    // Coverage: persons assisted in each category over persons returned, both over the same
    // origins and months.
    let coverage = region
        .query("coordinator", &["coverage", "--by", "assistance_category"])
        .expect("coverage");
    let returned: usize = files.iter().map(|f| f.returns.len()).sum();
    let assisted = &queries
        .iter()
        .find(|(args, _)| args == &["assisted_persons", "--by", "assistance_category"])
        .expect("the recount")
        .1;
    let mut shares = 0;
    for cell in coverage["cells"].as_array().expect("cells") {
        let Some(share) = cell["share"].as_f64() else {
            continue;
        };
        let key = vec![cell["values"][0].as_str().expect("category").to_owned()];
        let truth = assisted.get(&key).map_or(0, |c| c.0) as f64 / returned as f64;
        let error = cell["share_error"].as_f64().expect("share error");
        assert!(
            (share - truth).abs() <= 2.55 * error,
            "coverage {key:?}: {share} released, {truth} true, error {error}"
        );
        shares += 1;
    }
    assert!(shares >= 2, "coverage shares released: {coverage}");

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
