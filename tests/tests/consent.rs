//! Consent, end to end: three states with different policies, and every kind of requester
//! asking for aggregates through the real `midwa` command over mTLS. Exactly what the grants
//! allow is released; a revoked grant stops at once; an expired one releases nothing.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{TestRegion, returns};
use midwa_proto::pb;
use serde_json::Value;

/// Records `n` synthetic returns at the node of `state`; returns the count by sex.
async fn record(region: &TestRegion, state: &str, n: u64) -> BTreeMap<String, u64> {
    let records = returns(state, 0, n);
    let mut by_sex = BTreeMap::new();
    for r in &records {
        if let Some(pb::record::Kind::Return(r)) = &r.kind {
            *by_sex.entry(r.sex.clone()).or_insert(0) += 1;
        }
    }
    let mut client = midwa_node::api::client::connect(&region.node_socket(state))
        .await
        .expect("local API");
    client
        .submit(pb::SubmitRequest {
            records,
            attest: false,
        })
        .await
        .expect("submit");
    by_sex
}

/// Origins included and left out (with reasons) of an answer.
fn origins(answer: &Value) -> (Vec<String>, BTreeMap<String, String>) {
    let mut included = Vec::new();
    let mut left_out = BTreeMap::new();
    for o in answer["origins"].as_array().expect("origins") {
        let state = o["state"].as_str().expect("state").to_owned();
        if o["included"].as_bool() == Some(true) {
            included.push(state);
        } else {
            left_out.insert(state, o["reason"].as_str().unwrap_or("").to_owned());
        }
    }
    (included, left_out)
}

/// Every released count is zero or at least the threshold.
fn assert_no_small_count(answer: &Value) {
    let threshold = answer["threshold"].as_u64().expect("threshold");
    for cell in answer["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .chain([&answer["total"]])
    {
        if let Some(c) = cell["count"].as_u64() {
            assert!(
                c == 0 || c >= threshold,
                "{c} released under threshold {threshold}"
            );
        }
    }
}

/// A requester, the origins it must get, and those it must not with a word of the reason.
type Expected = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

const NG_POLICY: &str = r#"
[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
dimensions = ["sex"]
purpose = "regional monitoring"

[[grant]]
recipient = "state:GH"
data = "aggregates:returns"
dimensions = ["sex"]
purpose = "bilateral reintegration planning"
"#;

const GH_POLICY: &str = r#"
[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
dimensions = ["sex"]
purpose = "regional monitoring, 2020 campaign"
expires = "2020-12-31"
"#;

#[tokio::test(flavor = "multi_thread")]
async fn each_requester_gets_exactly_what_the_grants_allow() {
    let region = TestRegion::new(&["NG", "GH", "SN"]);
    let _gateway = region.start_gateway();
    let mut expected = BTreeMap::new();
    let mut nodes = Vec::new();
    // Enough returns that a total over every month (its noise: a standard deviation of about
    // 36) is never too uncertain to release: with 150, one run in ten hid SN's.
    for (state, n) in [("NG", 500), ("GH", 400), ("SN", 400)] {
        nodes.push(region.start_node(state).await);
        expected.insert(state, record(&region, state, n).await);
        region.wait_published(state, Duration::from_secs(30)).await;
    }
    region.push_policy("NG", NG_POLICY);
    region.push_policy("GH", GH_POLICY);
    let by_sex = ["--by", "sex"];

    // requester → (origins included, origins left out with a word of the reason)
    let matrix: [Expected; 4] = [
        (
            "coordinator",
            &["NG"],
            &[("GH", "expired on 2020-12-31"), ("SN", "has not pushed")],
        ),
        ("node-GH", &["GH", "NG"], &[("SN", "has not pushed")]),
        (
            "node-SN",
            &["SN"],
            &[
                ("GH", "grants no aggregates:returns to state:SN"),
                ("NG", "grants no aggregates:returns to state:SN"),
            ],
        ),
        (
            "node-NG",
            &["NG"],
            &[
                ("GH", "grants no aggregates:returns to state:NG"),
                ("SN", "has not pushed"),
            ],
        ),
    ];
    for (requester, included, left_out) in matrix {
        let answer = region
            .query(requester, &["returns", "--by", "sex"])
            .expect(requester);
        assert_no_small_count(&answer);
        let (got_in, got_out) = origins(&answer);
        let mut want_in: Vec<String> = included.iter().map(|s| s.to_string()).collect();
        want_in.sort();
        assert_eq!(got_in, want_in, "{requester}: {answer}");
        assert_eq!(got_out.len(), left_out.len(), "{requester}: {answer}");
        for (state, why) in left_out {
            let reason = got_out
                .get(*state)
                .unwrap_or_else(|| panic!("{requester}: {state} not left out"));
            assert!(
                reason.contains(why),
                "{requester}: {state}: {reason:?} lacks {why:?}"
            );
        }
        // The released counts are those of the included origins, within the noise each
        // publishes (five standard deviations: never by chance): another origin's hundreds
        // would show.
        let mut sum: BTreeMap<String, u64> = BTreeMap::new();
        for state in included {
            for (sex, n) in &expected[state] {
                *sum.entry(sex.clone()).or_insert(0) += n;
            }
        }
        let near = |count: u64, truth: u64, error: f64, what: &str| {
            assert!(
                (count as f64 - truth as f64).abs() <= 2.55 * error,
                "{requester}: {what}: {count} released, {truth} true: {answer}"
            );
        };
        for cell in answer["cells"].as_array().expect("cells") {
            let sex = cell["values"][0].as_str().expect("sex");
            if let Some(count) = cell["count"].as_u64() {
                let error = cell["error"].as_f64().expect("error");
                near(count, sum.get(sex).copied().unwrap_or(0), error, sex);
            }
        }
        let total = answer["total"]["count"]
            .as_u64()
            .unwrap_or_else(|| panic!("{requester}: the total is released: {answer}"));
        let error = answer["total"]["error"].as_f64().expect("error");
        near(total, sum.values().sum::<u64>(), error, "total");
    }

    // An origin filter lists only the origins asked for.
    let answer = region
        .query("node-GH", &["returns", "--where", "origin=NG"])
        .expect("one origin");
    let (included, left_out) = origins(&answer);
    assert_eq!(included, vec!["NG".to_owned()], "{answer}");
    assert!(left_out.is_empty(), "{answer}");

    // A consulate only verifies; it never gets aggregates.
    let err = region
        .query("consulate-NG", &["returns"])
        .expect_err("a consulate may not query aggregates");
    assert!(err.contains("may not query aggregates"), "{err}");

    // A dimension outside the grant leaves the origin out, saying which.
    let answer = region
        .query("coordinator", &["returns", "--by", "mode"])
        .expect("by mode");
    let (included, left_out) = origins(&answer);
    assert!(included.is_empty(), "{answer}");
    assert!(left_out["NG"].contains("does not cover mode"), "{answer}");

    // Revoking a grant stops release at once.
    region.push_policy(
        "NG",
        "[[grant]]\nrecipient = \"state:GH\"\ndata = \"aggregates:returns\"\ndimensions = [\"sex\"]\npurpose = \"bilateral\"\n",
    );
    let answer = region
        .query("coordinator", &["returns", by_sex[0], by_sex[1]])
        .map(|a| origins(&a));
    let (included, left_out) = answer.expect("after revocation");
    assert!(included.is_empty(), "{left_out:?}");
    assert!(left_out["NG"].contains("version 2"), "{left_out:?}");

    // What is in force, as the state reads it.
    let (ok, out, err) = region.node_command("NG", &["policy", "show"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("policy version 2") && out.contains("state:GH"),
        "{out}"
    );
    assert!(
        out.contains("privacy budget (zCDP rho per person): 2.000 (the region's); spent by the aggregates measured so far: 0.800"),
        "{out}"
    );
    assert!(!out.contains("coordinators"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_state_cannot_grow_the_gateway_by_pushing_policies_in_a_loop() {
    let region = TestRegion::new(&["GH"]);
    let gateway = region.start_gateway();
    let file = region.root().join("policy-loop.toml");
    std::fs::write(
        &file,
        "[[grant]]\nrecipient = \"coordinators\"\ndata = \"aggregates:returns\"\npurpose = \"x\"\n",
    )
    .expect("write");
    for _ in 0..midwa_gateway::consent::MAX_PUSHES_PER_DAY {
        let (ok, _, err) = region.node_command("GH", &["policy", "push", common::path(&file)]);
        assert!(ok, "{err}");
    }
    let (ok, _, err) = region.node_command("GH", &["policy", "push", common::path(&file)]);
    assert!(!ok, "one push too many was accepted");
    assert!(
        err.contains("policy versions were pushed in the last 24 hours")
            && err.contains("the policy in force is unchanged"),
        "{err}"
    );
    gateway.wait_for_log("policy refused", Duration::from_secs(5));
}
