//! Each state's privacy budget, end to end: set in its policy file, spent as its data is
//! measured (and only then: asking again spends nothing), shown to the state by `midwa-node
//! policy show` and in its access log, shown in every answer; a budget lowered below what was
//! spent stops every release of that state's aggregates, with the reason, until it is raised.
//! And the same figure asked in different ways gets the same value.

mod common;

use std::time::Duration;

use common::{TestRegion, path};
use midwa_deploy::synthetic::Synthetic;
use serde_json::Value;

fn policy(budget: &str) -> String {
    format!(
        r#"{budget}

[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
dimensions = ["period", "sex"]
purpose = "regional monitoring"

[[grant]]
recipient = "coordinators"
data = "aggregates:assistance"
dimensions = ["period"]
purpose = "regional monitoring"

[[grant]]
recipient = "coordinators"
data = "aggregates:closures"
dimensions = ["period", "outcome"]
purpose = "regional monitoring"
"#
    )
}

/// NG's status in an answer.
fn ng(answer: &Value) -> &Value {
    answer["origins"]
        .as_array()
        .expect("origins")
        .iter()
        .find(|o| o["state"] == "NG")
        .unwrap_or_else(|| panic!("NG is listed: {answer}"))
}

fn spent(answer: &Value) -> f64 {
    ng(answer)["privacy"]["rho_spent"].as_f64().expect("spent")
}

fn policy_show(region: &TestRegion) -> String {
    let (ok, out, err) = region.node_command("NG", &["policy", "show"]);
    assert!(ok, "{err}");
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_state_budget_is_spent_once_shown_everywhere_and_stops_release_when_spent() {
    let region = TestRegion::new(&["NG"]);
    let _gateway = region.start_gateway();
    let _node = region.start_node("NG").await;
    let input = tempfile::tempdir().expect("input");
    let files = Synthetic::new("NG", 21)
        .write_csv_files(input.path(), 0, 800)
        .expect("files");
    for file in [&files.returns, &files.assistance, &files.closures] {
        let (ok, _, err) = region.node_command("NG", &["import", path(file)]);
        assert!(ok, "{err}");
    }
    region.wait_published("NG", Duration::from_secs(30)).await;

    // A budget that is not one is refused with what to write.
    let bad = region.root().join("bad-policy.toml");
    std::fs::write(&bad, policy("privacy_budget = -1")).expect("write");
    let (ok, _, err) = region.node_command("NG", &["policy", "push", path(&bad)]);
    assert!(!ok);
    assert!(
        err.contains("privacy_budget") && err.contains("a number above 0"),
        "{err}"
    );

    region.push_policy("NG", &policy("privacy_budget = 1.0"));
    let shown = policy_show(&region);
    assert!(
        shown.contains("privacy budget (zCDP rho per person): 1.000 (this policy's); spent by the aggregates measured so far: 0.000, 1.000 left"),
        "{shown}"
    );

    // Returns are measured at the first question: 40 % of the budget.
    let returns = region
        .query("coordinator", &["returns", "--by", "sex"])
        .expect("returns");
    assert_eq!(ng(&returns)["included"], true, "{returns}");
    assert_eq!(ng(&returns)["privacy"]["rho_budget"], 1.0);
    assert!((spent(&returns) - 0.4).abs() < 0.005, "{returns}");
    let epsilon = ng(&returns)["privacy"]["epsilon"]
        .as_f64()
        .expect("epsilon");
    assert!(epsilon > 0.4 && epsilon < 10.0, "{returns}");
    // Asking again, and asking many other things of the same data, spends nothing more.
    for args in [
        &["returns", "--by", "sex"][..],
        &["returns", "--by", "period", "--unit", "year"],
        &[
            "returns", "--where", "sex=F", "--from", "2020-01", "--to", "2020-12",
        ],
    ] {
        let again = region.query("coordinator", args).expect("again");
        assert!((spent(&again) - 0.4).abs() < 0.005, "{again}");
    }
    // Assistance is measured when it is first asked: 25 % more.
    let assisted = region
        .query("coordinator", &["assisted_persons"])
        .expect("assisted");
    assert!((spent(&assisted) - 0.65).abs() < 0.005, "{assisted}");
    let shown = policy_show(&region);
    assert!(
        shown.contains("spent by the aggregates measured so far: 0.650, 0.350 left"),
        "{shown}"
    );
    let (ok, log, err) = region.node_command("NG", &["access-log"]);
    assert!(ok, "{err}");
    assert!(
        log.contains("measure   measured aggregates:assistance")
            && log.contains("[privacy: rho 0.650 of 1.000 spent]"),
        "{log}"
    );

    // The state lowers its budget below what was spent: nothing of it is released any more,
    // whatever is asked, and its access log says why.
    region.push_policy("NG", &policy("privacy_budget = 0.5"));
    for args in [
        &["returns", "--by", "sex"][..],
        &["closures", "--by", "outcome"],
    ] {
        let answer = region.query("coordinator", args).expect("answer");
        assert_eq!(ng(&answer)["included"], false, "{answer}");
        assert_eq!(ng(&answer)["reason_kind"], "budget", "{answer}");
        assert!(
            ng(&answer)["reason"].as_str().is_some_and(
                |r| r.contains("privacy budget is spent") && r.contains("0.650 of 0.500")
            ),
            "{answer}"
        );
        assert!(
            answer["cells"]
                .as_array()
                .is_none_or(|c| c.iter().all(|c| c["count"].is_null() || c["count"] == 0))
        );
    }
    let (ok, log, err) = region.node_command("NG", &["access-log"]);
    assert!(ok, "{err}");
    assert!(
        log.lines()
            .any(|l| l.contains("refused") && l.contains("privacy budget is spent")),
        "{log}"
    );

    // Raised to the region's (a policy may not give more than it): closures are measured too.
    region.push_policy("NG", &policy("privacy_budget = 5.0"));
    let closures = region
        .query("coordinator", &["closures", "--by", "outcome"])
        .expect("closures");
    assert_eq!(ng(&closures)["included"], true, "{closures}");
    assert_eq!(
        ng(&closures)["privacy"]["rho_budget"],
        2.0,
        "capped at the region's"
    );
    assert!((spent(&closures) - 0.95).abs() < 0.005, "{closures}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_figure_asked_in_different_ways_has_one_value() {
    let region = TestRegion::new(&["NG", "GH"]);
    let _gateway = region.start_gateway();
    let input = tempfile::tempdir().expect("input");
    let mut nodes = Vec::new();
    for (state, seed) in [("NG", 31), ("GH", 32)] {
        nodes.push(region.start_node(state).await);
        let dir = input.path().join(state);
        std::fs::create_dir_all(&dir).expect("dir");
        let files = Synthetic::new(state, seed)
            .write_csv_files(&dir, 0, 1500)
            .expect("files");
        let (ok, _, err) = region.node_command(state, &["import", path(&files.returns)]);
        assert!(ok, "{err}");
        region.push_policy(state, &policy(""));
        region.wait_published(state, Duration::from_secs(30)).await;
    }
    let q = |args: &[&str]| region.query("coordinator", args).expect("answer");
    let cell = |answer: &Value, label: &str| -> Value {
        answer["cells"]
            .as_array()
            .expect("cells")
            .iter()
            .find(|c| c["values"][0] == label)
            .cloned()
            .unwrap_or_else(|| panic!("{label} in {answer}"))
    };
    let figure = |v: &Value| {
        (
            v["count"].clone(),
            v["error"].clone(),
            v["suppressed"].clone(),
        )
    };

    // Nigeria's returns in the first quarter of 2021: a range, a quarter, a year's quarters,
    // one origin among others, a list of origins less the other.
    let range = q(&[
        "returns",
        "--where",
        "origin=NG",
        "--from",
        "2021-01",
        "--to",
        "2021-03",
    ]);
    let quarter = q(&[
        "returns",
        "--where",
        "origin=NG",
        "--by",
        "period",
        "--unit",
        "quarter",
    ]);
    let by_origin = q(&[
        "returns", "--by", "origin", "--from", "2021-01", "--to", "2021-03",
    ]);
    let listed = q(&[
        "returns",
        "--where",
        "origin=GH,NG",
        "--by",
        "origin",
        "--from",
        "2021-01",
        "--to",
        "2021-03",
    ]);
    let want = figure(&range["total"]);
    assert!(want.0.is_u64(), "released: {range}");
    assert_eq!(figure(&cell(&quarter, "2021-Q1")), want, "{quarter}");
    assert_eq!(figure(&cell(&by_origin, "NG")), want, "{by_origin}");
    assert_eq!(figure(&cell(&listed, "NG")), want, "{listed}");
    // The year is the sum of its quarters' figures, to the unit: the same cells.
    let year = q(&[
        "returns",
        "--where",
        "origin=NG",
        "--by",
        "period",
        "--unit",
        "year",
    ]);
    let quarters: u64 = ["2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4"]
        .iter()
        .map(|p| cell(&quarter, p)["count"].as_u64().expect("released"))
        .sum();
    let whole = cell(&year, "2021")["count"].as_u64().expect("released");
    // Each is rounded from the same sum of integers: equal.
    assert_eq!(whole, quarters, "{year}");

    // Women of Nigeria in 2021: by sex, or filtered on sex, or by sex and origin.
    let by_sex = q(&[
        "returns",
        "--where",
        "origin=NG",
        "--by",
        "sex",
        "--from",
        "2021-01",
        "--to",
        "2021-12",
    ]);
    let women = q(&[
        "returns",
        "--where",
        "origin=NG",
        "--where",
        "sex=F",
        "--from",
        "2021-01",
        "--to",
        "2021-12",
    ]);
    let both = q(&[
        "returns",
        "--by",
        "origin,sex",
        "--from",
        "2021-01",
        "--to",
        "2021-12",
    ]);
    let f = figure(&cell(&by_sex, "F"));
    assert_eq!(figure(&women["total"]), f);
    let ng_f = both["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .find(|c| c["values"][0] == "NG" && c["values"][1] == "F")
        .map(figure);
    assert_eq!(ng_f, Some(f));

    // A breakdown measured by quarter cannot be asked by month, and says how to ask it.
    let err = region
        .query("coordinator", &["returns", "--by", "period,sex"])
        .expect_err("by month and sex");
    assert!(
        err.contains("measured by quarter") && err.contains("--unit quarter"),
        "{err}"
    );
    let err = region
        .query(
            "coordinator",
            &["returns", "--by", "sex", "--from", "2021-02"],
        )
        .expect_err("from February");
    assert!(err.contains("first month of a quarter"), "{err}");
    let err = region
        .query("coordinator", &["returns", "--by", "sex,host_country"])
        .expect_err("no such table");
    assert!(
        err.contains("cannot be broken down by") && err.contains("sex and age_band"),
        "{err}"
    );
}
