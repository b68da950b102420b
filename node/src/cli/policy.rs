//! The state's consent policy file (TOML; see `deploy/policy.toml`), checked here before it is
//! pushed, and pushed to and read from the gateway over the node's own mTLS identity.

use std::fmt::Write as _;
use std::path::Path;

use midwa_i18n::text;
use midwa_proto::pb;
use midwa_proto::policy::Policy;
use serde::Deserialize;

use crate::config::Config;

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    grant: Vec<GrantEntry>,
    #[serde(default)]
    privacy_budget: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantEntry {
    recipient: String,
    data: String,
    #[serde(default)]
    dimensions: Vec<String>,
    purpose: String,
    #[serde(default)]
    expires: Option<String>,
    #[serde(default)]
    threshold: Option<u32>,
}

/// Reads and checks a policy file. Errors say which grant (counting `[[grant]]` tables from 1)
/// and which field.
pub fn load(path: &Path) -> Result<pb::Policy, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        text!(
            "tls-cannot-read",
            path = path.display().to_string(),
            why = midwa_certs::config::io_reason(&e)
        )
        .to_string()
    })?;
    parse(&text)
        .map_err(|e| text!("tls-invalid", path = path.display().to_string(), why = e).to_string())
}

/// Parses and checks policy text; what is wrong names the grant and the field in the user's
/// language (the reason itself is the policy checker's, in English).
pub fn parse(text: &str) -> Result<pb::Policy, String> {
    let file: File =
        toml::from_str(text).map_err(|e| midwa_certs::config::toml_reason(text, &e).to_string())?;
    let wire = pb::Policy {
        grants: file
            .grant
            .into_iter()
            .map(|g| pb::Grant {
                recipient: g.recipient,
                data: g.data,
                dimensions: g.dimensions,
                purpose: g.purpose,
                expires: g.expires.unwrap_or_default(),
                threshold: g.threshold.unwrap_or(0),
            })
            .collect(),
        privacy_budget: file.privacy_budget.unwrap_or(0.0),
    };
    Policy::try_from(&wire).map_err(|e| match e.grant {
        Some(i) => text!(
            "policy-file-grant",
            number = i + 1,
            field = e.field.to_string(),
            why = e.why.clone()
        )
        .to_string(),
        None => text!(
            "config-field",
            field = e.field.to_string(),
            why = e.why.clone()
        )
        .to_string(),
    })?;
    Ok(wire)
}

/// Pushes the policy; returns the version the gateway gave it.
pub async fn push(config: &Config, policy: pb::Policy) -> Result<pb::PolicyVersion, String> {
    let mut client = client(config).await?;
    client
        .push_policy(policy)
        .await
        .map(|r| r.into_inner())
        .map_err(|s| format!("the gateway refused the policy: {}", s.message()))
}

/// The policy in force at the gateway.
pub async fn show(config: &Config) -> Result<pb::PolicyVersion, String> {
    let mut client = client(config).await?;
    client
        .get_policy(pb::GetPolicyRequest {})
        .await
        .map(|r| r.into_inner())
        .map_err(|s| format!("the gateway refused: {}", s.message()))
}

async fn client(
    config: &Config,
) -> Result<pb::consent_client::ConsentClient<tonic::transport::Channel>, String> {
    let tls = crate::publish::gateway::node_tls(config).map_err(|e| e.to_string())?;
    let channel = crate::publish::gateway::connect(config, tls).await?;
    Ok(pb::consent_client::ConsentClient::new(channel))
}

/// The policy as a person reads it, in the user's language.
pub fn describe(v: &pb::PolicyVersion) -> String {
    let mut out = String::new();
    if v.version == 0 {
        let _ = writeln!(out, "{}", text!("policy-none", state = &v.state));
        return out;
    }
    let grants = v
        .policy
        .as_ref()
        .map(|p| p.grants.as_slice())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{}",
        text!(
            "policy-in-force",
            state = &v.state,
            version = v.version,
            since = &v.received_at,
            grants = grants.len()
        )
    );
    let budget = v.policy.as_ref().map_or(0.0, |p| p.privacy_budget);
    if let Some(p) = &v.privacy {
        let _ = writeln!(
            out,
            "{}",
            text!(
                "policy-budget",
                budget = format!("{:.3}", p.rho_budget),
                whose = if budget > 0.0 {
                    text!("policy-budget-own")
                } else {
                    text!("policy-budget-region")
                },
                spent = format!("{:.3}", p.rho_spent),
                left = format!("{:.3}", (p.rho_budget - p.rho_spent).max(0.0)),
                epsilon = format!("{:.2}", p.epsilon),
                delta = format!("{:e}", p.delta)
            )
        );
    }
    for (i, g) in grants.iter().enumerate() {
        let _ = writeln!(out, "\n[[grant]] {}", i + 1);
        let mut lines = vec![
            (text!("policy-label-recipient"), g.recipient.clone()),
            (text!("policy-label-data"), g.data.clone()),
            (
                text!("policy-label-dimensions"),
                if g.dimensions.is_empty() {
                    text!("policy-totals-only").to_string()
                } else {
                    g.dimensions.join(", ")
                },
            ),
            (text!("policy-label-purpose"), g.purpose.clone()),
            (
                text!("policy-label-expires"),
                if g.expires.is_empty() {
                    text!("policy-never").to_string()
                } else {
                    g.expires.clone()
                },
            ),
        ];
        if g.threshold > 0 {
            lines.push((text!("policy-label-threshold"), g.threshold.to_string()));
        }
        out.push_str(&midwa_commands::text::labelled(&lines, "  ", true));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_in_deploy_is_valid() {
        let policy =
            parse(include_str!("../../../deploy/policy.toml")).expect("deploy/policy.toml");
        assert!(!policy.grants.is_empty());
    }

    #[test]
    fn mistakes_name_the_grant_and_field() {
        let err = parse(
            "[[grant]]\nrecipient = \"coordinators\"\ndata = \"aggregates:returns\"\npurpose = \"x\"\n\n[[grant]]\nrecipient = \"coordinators\"\ndata = \"aggregates:returns\"\ndimensions = [\"name\"]\npurpose = \"x\"\n",
        )
        .expect_err("unknown dimension");
        assert!(
            err.contains("number 2") && err.contains("dimensions"),
            "{err}"
        );
        let err = parse("[[grant]]\nrecipient = \"coordinators\"\n").expect_err("no data");
        assert!(err.contains("data"), "{err}");
        let err = parse("[[grants]]\n").expect_err("typo");
        assert!(err.contains("grants"), "{err}");
    }
}
