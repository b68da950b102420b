//! Reintegration opportunities, across real processes over mutual TLS: a state publishes,
//! updates and withdraws its own; others list them as its policy allows.

mod common;

use common::{TestRegion, path};

const OPPORTUNITIES: &str = r#"
[[opportunity]]
id = "GH-2026-014"
kind = "training"
sector = "agriculture"
region = "GH-AA"
capacity = 40
starts = "2026-09-01"
ends = "2027-02-28"
title = "Irrigated vegetable growing"
contact_office = "GIS Reintegration Desk, Accra"
contact = "reintegration@example.gov.gh"

[[opportunity]]
id = "GH-2026-015"
kind = "employment"
sector = "ict"
starts = "2026-10-01"
title = "Mobile phone repair technicians"
contact_office = "Youth Employment Agency"
contact = "+233 30 000 0000"
"#;

const POLICY: &str = r#"
[[grant]]
recipient = "coordinators"
data = "opportunities"
purpose = "Regional information system on reintegration opportunities"

[[grant]]
recipient = "state:SN"
data = "opportunities"
purpose = "Referral of Ghanaian returnees living in Senegal"
"#;

/// The opportunities `client` sees (`midwa opportunities`), as JSON.
fn listed(region: &TestRegion, client: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["opportunities", "--format", "json"];
    all.extend_from_slice(args);
    let (ok, out, err) = region.midwa(client, &all);
    assert!(ok, "midwa opportunities failed: {err}");
    serde_json::from_str(&out).expect("JSON answer")
}

fn ids(answer: &serde_json::Value) -> Vec<String> {
    answer["opportunities"]
        .as_array()
        .expect("opportunities")
        .iter()
        .map(|o| {
            format!(
                "{}:{}",
                o["id"].as_str().unwrap_or(""),
                o["status"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn opportunities_are_published_updated_withdrawn_and_listed_as_policies_allow() {
    let region = TestRegion::new(&["GH", "SN"]);
    let _gateway = region.start_gateway();
    let file = region.root().join("opportunities.toml");
    std::fs::write(&file, OPPORTUNITIES).expect("write");

    // A file with one bad entry publishes nothing.
    let bad = region.root().join("bad.toml");
    std::fs::write(&bad, OPPORTUNITIES.replace("\"ict\"", "\"mining\"")).expect("write");
    let (ok, _, err) = region.node_command("GH", &["opportunity", "publish", path(&bad)]);
    assert!(!ok && err.contains("opportunity[1].sector"), "{err}");

    let (ok, out, err) = region.node_command("GH", &["opportunity", "publish", path(&file)]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("GH-2026-014: published, version 1"), "{out}");

    // Default deny: before Ghana grants anything, only Ghana sees its own.
    let coordinator = listed(&region, "coordinator", &[]);
    assert!(ids(&coordinator).is_empty(), "{coordinator}");
    assert!(
        coordinator["states"]
            .to_string()
            .contains("has not pushed a consent policy")
    );
    let (ok, own, _) = region.node_command("GH", &["opportunity", "list"]);
    assert!(ok && own.contains("Irrigated vegetable growing"), "{own}");

    region.push_policy("GH", POLICY);
    assert_eq!(
        ids(&listed(&region, "coordinator", &[])),
        ["GH-2026-014:open", "GH-2026-015:open"]
    );
    assert_eq!(
        ids(&listed(&region, "node-SN", &[])).len(),
        2,
        "Senegal is granted"
    );
    let consulate = listed(&region, "consulate-SN", &[]);
    assert!(
        ids(&consulate).is_empty(),
        "Senegal's consulates are not granted"
    );
    assert!(
        consulate["states"]
            .to_string()
            .contains("grants no opportunities to consulates:SN"),
        "{consulate}"
    );

    // Filters.
    assert_eq!(
        ids(&listed(&region, "coordinator", &["--sector", "ict"])),
        ["GH-2026-015:open"]
    );
    assert_eq!(
        ids(&listed(&region, "coordinator", &["--region", "GH-AA"])).len(),
        2,
        "a nationwide opportunity is in every region of its state"
    );
    assert_eq!(
        ids(&listed(
            &region,
            "coordinator",
            &["--open-on", "2026-09-15"]
        )),
        ["GH-2026-014:open"]
    );
    let (ok, _, err) = region.midwa("coordinator", &["opportunities", "--kind", "grant"]);
    assert!(!ok && err.contains("kinds"), "{err}");

    // An update is a new version; a withdrawal hides it, and its history stays.
    std::fs::write(
        &file,
        OPPORTUNITIES.replace("capacity = 40", "capacity = 60"),
    )
    .expect("write");
    let (ok, out, err) = region.node_command("GH", &["opportunity", "publish", path(&file)]);
    assert!(ok, "{err}");
    assert!(
        out.contains("GH-2026-014: published, version 2")
            && out.contains("GH-2026-015: published, version 1"),
        "{out}"
    );
    let (ok, out, err) = region.node_command("GH", &["opportunity", "withdraw", "GH-2026-015"]);
    assert!(ok && out.contains("withdrawn"), "{out}{err}");
    let (ok, _, err) = region.node_command("GH", &["opportunity", "withdraw", "GH-9"]);
    assert!(!ok && err.contains("no opportunity"), "{err}");
    let now = listed(&region, "coordinator", &[]);
    assert_eq!(ids(&now), ["GH-2026-014:open"]);
    assert_eq!(now["opportunities"][0]["capacity"], "60");
    assert_eq!(now["opportunities"][0]["version"], 2);
    assert_eq!(
        ids(&listed(&region, "coordinator", &["--withdrawn"])),
        ["GH-2026-014:open", "GH-2026-015:withdrawn"]
    );

    // Senegal may not publish for Ghana: its node publishes as Senegal, and a region outside
    // Senegal is refused.
    let (ok, _, err) = region.node_command("SN", &["opportunity", "publish", path(&file)]);
    assert!(!ok && err.contains("not a region of SN"), "{err}");

    // Revoking the coordinators' grant stops the release at once; the access log shows it.
    region.push_policy(
        "GH",
        &POLICY.replace(
            "recipient = \"coordinators\"",
            "recipient = \"consulates:GH\"",
        ),
    );
    assert!(ids(&listed(&region, "coordinator", &[])).is_empty());
    let (ok, log, err) = region.node_command("GH", &["access-log"]);
    assert!(ok, "{err}");
    assert!(log.contains("opportunities"), "{log}");
}
