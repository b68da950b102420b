//! A determined analyst against disclosure control, through the real `midwa query` over mTLS:
//! a three-state dataset whose truth the test knows (the imported files), and the patterns that
//! recover hidden small counts when answers are safe only one by one:
//!
//! - a period range minus the same range one month shorter;
//! - a total over a list of origins minus the same total without one of them;
//! - a flag's total over all years minus its totals over the other years;
//! - closures with a list of outcomes minus the same list without one;
//! - a mean over n persons and over the same persons less one, which gives that person's score;
//! - the same question asked many times, and asked in many phrasings, averaged.
//!
//! What must hold: hidden counts come back exactly no more often than a guess near the
//! released figures would, no single score comes back, asking again gives the same answer, and
//! an attacker averaging every phrasing stays about as far from the truth as the error each
//! answer publishes.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::TestRegion;
use midwa_deploy::synthetic::Synthetic;
use serde_json::Value;

const POLICY: &str = r#"
[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
dimensions = ["period", "sex", "vulnerability", "mode"]
purpose = "regional monitoring"

[[grant]]
recipient = "state:GH"
data = "aggregates:returns"
dimensions = ["period", "sex", "vulnerability", "mode"]
purpose = "neighbourly monitoring"

[[grant]]
recipient = "coordinators"
data = "aggregates:assessments"
dimensions = ["period"]
purpose = "regional monitoring"

[[grant]]
recipient = "coordinators"
data = "aggregates:closures"
dimensions = ["period", "outcome"]
purpose = "regional monitoring"
"#;

/// The truth, from the files.
#[derive(Default)]
struct Truth {
    /// Returns by (origin, month).
    returns: BTreeMap<(String, String), u64>,
    /// Single women returned, by (origin, year).
    single_women: BTreeMap<(String, String), u64>,
    /// Closures by (origin, outcome).
    closures: BTreeMap<(String, String), u64>,
}

fn count(answer: &Value) -> Option<f64> {
    answer["total"]["count"].as_f64()
}

fn q(region: &TestRegion, client: &str, args: &[&str]) -> Value {
    region
        .query(client, args)
        .unwrap_or_else(|e| panic!("midwa query {}: {e}", args.join(" ")))
}

/// A difference of two totals, if both were released.
fn difference(region: &TestRegion, client: &str, a: &[&str], b: &[&str]) -> Option<f64> {
    Some(count(&q(region, client, a))? - count(&q(region, client, b))?)
}

fn next_month(month: &str) -> String {
    let year: u32 = month[..4].parse().expect("year");
    let m: u32 = month[5..7].parse().expect("month");
    if m == 12 {
        format!("{}-01", year + 1)
    } else {
        format!("{year}-{:02}", m + 1)
    }
}

fn previous_month(month: &str) -> String {
    let year: u32 = month[..4].parse().expect("year");
    let m: u32 = month[5..7].parse().expect("month");
    if m == 1 {
        format!("{}-12", year - 1)
    } else {
        format!("{year}-{:02}", m - 1)
    }
}

/// Tally of one attack pattern: attempts made, and exact recoveries of the hidden truth.
#[derive(Default, Debug)]
struct Tally {
    attempts: u32,
    exact: u32,
}

impl Tally {
    fn note(&mut self, estimate: Option<f64>, truth: u64) {
        if let Some(e) = estimate {
            self.attempts += 1;
            if e.round() as i64 == truth as i64 {
                self.exact += 1;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_hidden_count_or_score_comes_back_from_many_answers() {
    let region = TestRegion::new(&["NG", "GH", "SN"]);
    // An analyst is patient: the rate limit only slows these attacks down, so it is out of the
    // way here.
    let config = std::fs::read_to_string(&region.region.gateway_config).expect("config");
    std::fs::write(
        &region.region.gateway_config,
        config.replace(
            "request_timeout_ms = 300",
            "request_timeout_ms = 30000\nqueries_burst = 100000\nqueries_per_minute = 1000000",
        ),
    )
    .expect("config");
    let _gateway = region.start_gateway();
    let input = tempfile::tempdir().expect("input");
    let mut truth = Truth::default();
    let mut nodes = Vec::new();
    for (state, people, seed) in [("NG", 3000, 11), ("GH", 300, 12), ("SN", 120, 13)] {
        nodes.push(region.start_node(state).await);
        let dir = input.path().join(state);
        std::fs::create_dir_all(&dir).expect("dir");
        let files = Synthetic::new(state, seed)
            .write_csv_files(&dir, 0, people)
            .expect("files");
        for file in [&files.returns, &files.assessments, &files.closures] {
            let (ok, _, err) =
                region.node_command(state, &["import", file.to_str().expect("path")]);
            assert!(ok, "{state}: {err}");
        }
        region.push_policy(state, POLICY);
        region.wait_published(state, Duration::from_secs(30)).await;
        for row in common::csv_rows(&files.returns) {
            let month = row["return_date"][..7].to_owned();
            *truth
                .returns
                .entry((state.into(), month.clone()))
                .or_default() += 1;
            if row["vulnerabilities"]
                .split(';')
                .any(|v| v == "single_woman")
            {
                *truth
                    .single_women
                    .entry((state.into(), month[..4].to_owned()))
                    .or_default() += 1;
            }
        }
        for row in common::csv_rows(&files.closures) {
            *truth
                .closures
                .entry((state.into(), row["outcome"].clone()))
                .or_default() += 1;
        }
    }
    // Four of Nigeria's returnees surveyed again, each alone in a month.
    let lone_surveys = [
        ("2026-01", 0.93),
        ("2026-02", 0.07),
        ("2026-03", 0.51),
        ("2026-04", 0.77),
    ];
    let extra = input.path().join("late-surveys.csv");
    let mut rows = "person_id,date,economic,social,psychosocial\n".to_owned();
    for (i, (month, score)) in lone_surveys.iter().enumerate() {
        rows.push_str(&format!("NG-{:08},{month}-15,{score},0.5,0.5\n", i + 1));
    }
    std::fs::write(&extra, rows).expect("write");
    let (ok, _, err) = region.node_command("NG", &["import", extra.to_str().expect("path")]);
    assert!(ok, "{err}");
    region.wait_published("NG", Duration::from_secs(30)).await;
    let first = truth
        .returns
        .keys()
        .map(|k| k.1.clone())
        .min()
        .expect("data");
    let last = truth
        .returns
        .keys()
        .map(|k| k.1.clone())
        .max()
        .expect("data");

    // Hidden small counts to go after: one origin's returns in one month, from 1 to 9.
    let mut targets: Vec<(String, String, u64)> = truth
        .returns
        .iter()
        .filter(|(_, n)| (1..10).contains(*n))
        .map(|((o, m), n)| (o.clone(), m.clone(), *n))
        .collect();
    // Spread over origins and months.
    targets.sort_by_key(|(o, m, _)| (m.clone(), o.clone()));
    let step = (targets.len() / 16).max(1);
    let targets: Vec<_> = targets.into_iter().step_by(step).take(16).collect();
    assert!(targets.len() >= 8, "the dataset has hidden cells to attack");

    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    for (origin, month, n) in &targets {
        let big = if origin == "NG" { "GH" } else { "NG" };
        let o = format!("origin={origin}");
        let after = next_month(month);
        // A period range, minus the same range one month shorter.
        let estimate = difference(
            &region,
            "coordinator",
            &["returns", "--where", &o, "--from", month, "--to", &last],
            &["returns", "--where", &o, "--from", &after, "--to", &last],
        );
        tallies
            .entry("period range")
            .or_default()
            .note(estimate, *n);
        // A list of origins, minus the list without the target.
        let both = format!("origin={origin},{big}");
        let other = format!("origin={big}");
        let estimate = difference(
            &region,
            "coordinator",
            &["returns", "--where", &both, "--from", month, "--to", month],
            &["returns", "--where", &other, "--from", month, "--to", month],
        );
        tallies.entry("origin list").or_default().note(estimate, *n);
        // The same, by a state with an aggregate grant (Ghana, from Nigeria only).
        if origin == "NG" {
            let estimate = difference(
                &region,
                "node-GH",
                &["returns", "--where", &o, "--from", &first, "--to", month],
                &[
                    "returns",
                    "--where",
                    &o,
                    "--from",
                    &first,
                    "--to",
                    &previous_month(month),
                ],
            );
            tallies
                .entry("period range, by a state")
                .or_default()
                .note(estimate, *n);
        }
    }

    // A flag's total over every year, minus its totals over the other years.
    for ((origin, year), n) in truth.single_women.iter().filter(|(_, n)| **n < 10) {
        let o = format!("origin={origin}");
        let flag = "vulnerability=single_woman";
        let all = q(
            &region,
            "coordinator",
            &["returns", "--where", &o, "--where", flag],
        );
        let before = format!("{}-12", year.parse::<u32>().expect("year") - 1);
        let after = format!("{}-01", year.parse::<u32>().expect("year") + 1);
        let early = q(
            &region,
            "coordinator",
            &["returns", "--where", &o, "--where", flag, "--to", &before],
        );
        let late = q(
            &region,
            "coordinator",
            &["returns", "--where", &o, "--where", flag, "--from", &after],
        );
        let estimate = match (count(&all), count(&early), count(&late)) {
            (Some(a), e, l) => Some(a - e.unwrap_or(0.0) - l.unwrap_or(0.0)),
            _ => None,
        };
        tallies
            .entry("flag by year")
            .or_default()
            .note(estimate, *n);
    }

    // Deaths among closures: a list of outcomes, minus the list without "deceased".
    for ((origin, outcome), n) in truth
        .closures
        .iter()
        .filter(|((_, outcome), n)| outcome == "deceased" && **n < 10)
    {
        let o = format!("origin={origin}");
        let estimate = difference(
            &region,
            "coordinator",
            &[
                "closures",
                "--where",
                &o,
                "--where",
                &format!("outcome=completed,{outcome}"),
            ],
            &["closures", "--where", &o, "--where", "outcome=completed"],
        );
        tallies
            .entry("outcome list")
            .or_default()
            .note(estimate, *n);
    }

    let attempts: u32 = tallies.values().map(|t| t.attempts).sum();
    let exact: u32 = tallies.values().map(|t| t.exact).sum();
    eprintln!("differencing attacks: {tallies:?}");
    assert!(attempts >= 12, "the attacks were answered: {tallies:?}");
    // A difference of noisy figures lands on the truth by chance: about one time in nine with
    // the noise of one monthly cell (sigma 3.7 at the default budget). More than that, by four
    // standard deviations, is an attack that works; without noise, every attempt does.
    let chance = 0.11 * f64::from(attempts);
    let limit = chance + 4.0 * (chance * 0.89).sqrt() + 1.0;
    assert!(
        f64::from(exact) <= limit,
        "{exact} of {attempts} hidden counts recovered exactly: {tallies:?}"
    );

    // A single person's score: the mean over every survey up to a month in which only that
    // person was surveyed, and the mean up to the month before.
    let mut scores = 0;
    let mut recovered = 0;
    for (month, score) in &lone_surveys {
        let with = q(
            &region,
            "coordinator",
            &["mean_scores", "--where", "origin=NG", "--to", month],
        );
        let without = q(
            &region,
            "coordinator",
            &[
                "mean_scores",
                "--where",
                "origin=NG",
                "--to",
                &previous_month(month),
            ],
        );
        let (Some(n1), Some(m1), Some(n0), Some(m0)) = (
            with["total"]["count"].as_f64(),
            with["total"]["economic"].as_f64(),
            without["total"]["count"].as_f64(),
            without["total"]["economic"].as_f64(),
        ) else {
            continue;
        };
        scores += 1;
        if (n1 * m1 - n0 * m0 - score).abs() < 0.005 {
            recovered += 1;
        }
    }
    assert!(scores >= 4, "means were released to attack");
    assert!(
        recovered <= 1,
        "{recovered} of {scores} single scores recovered from two means"
    );

    // Asking again gives nothing new: the same answer every time.
    let (origin, month, _) = &targets[0];
    let o = format!("origin={origin}");
    let args = ["returns", "--where", &o, "--from", month, "--to", &last];
    let once = q(&region, "coordinator", &args);
    for _ in 0..20 {
        assert_eq!(q(&region, "coordinator", &args), once, "a repeated answer");
    }

    // Averaging every phrasing of the same figures: one origin's returns in one month, as a
    // range, as a list of origins with and without another, by mode, by period.
    let mut squares = 0.0;
    let mut published = 0.0;
    let mut cells = 0;
    for (origin, month, n) in &targets {
        let big = if origin == "NG" { "GH" } else { "NG" };
        let o = format!("origin={origin}");
        let in_month = ["--from", month.as_str(), "--to", month.as_str()];
        let mut estimates = Vec::new();
        let ask = |args: Vec<&str>| q(&region, "coordinator", &args);
        let plain = ask([vec!["returns", "--where", &o], in_month.to_vec()].concat());
        estimates.extend(count(&plain));
        let both = format!("origin={big},{origin}");
        let other = format!("origin={big}");
        let a = ask([vec!["returns", "--where", &both], in_month.to_vec()].concat());
        let b = ask([vec!["returns", "--where", &other], in_month.to_vec()].concat());
        if let (Some(a), Some(b)) = (count(&a), count(&b)) {
            estimates.push(a - b);
        }
        for by in ["mode", "period"] {
            let grouped = ask([
                vec!["returns", "--where", &o, "--by", by],
                in_month.to_vec(),
            ]
            .concat());
            let mut sum = 0.0;
            let mut all = true;
            for c in grouped["cells"].as_array().expect("cells") {
                match c["count"].as_f64() {
                    Some(x) => sum += x,
                    None => all = false,
                }
            }
            if all {
                estimates.push(sum);
            }
        }
        // The error each answer publishes: 95 % of the time within this of the truth.
        let bound = plain["total"]["error"].as_f64().unwrap_or(0.0);
        if estimates.is_empty() {
            continue;
        }
        let mean = estimates.iter().sum::<f64>() / estimates.len() as f64;
        squares += (mean - *n as f64).powi(2);
        published += (bound / 1.96).powi(2);
        cells += 1;
    }
    assert!(cells >= 8, "the averaging attacker had figures to average");
    let rms = (squares / f64::from(cells)).sqrt();
    let sigma = (published / f64::from(cells)).sqrt();
    eprintln!("averaging attacker: error {rms:.2} persons (published standard error {sigma:.2})");
    assert!(sigma >= 1.0, "every answer publishes its error");
    // Averaging can only combine the few measured tables that hold a figure (here the month's
    // total and its cells by mode), so the error stays near the published one: below 0.4 of it
    // over 16 figures would happen by chance about three times in ten thousand.
    assert!(
        rms >= 0.4 * sigma,
        "averaging every phrasing came within {rms:.2} of the truth, against a published standard error of {sigma:.2}"
    );
}
