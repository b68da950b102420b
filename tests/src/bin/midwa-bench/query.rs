//! Aggregate queries on a gateway holding many events: what measuring each family of tables
//! costs the first time it is asked, the latency of each answer to a coordinator over mTLS
//! (consent and disclosure control included), how far the noisy figures are from the truth,
//! and the gateway's memory; then restarts of that gateway (`restart.rs`).
//!
//! The events are realistic: synthetic agency records anonymised by the node's own code
//! (returns, and for some people assistance, a survey, a closure), published over the node's
//! stream with each state's node certificate. Their intake is not what is measured here.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use midwa_deploy::region::{Region, free_loopback_addr};
use midwa_proto::pb;

use crate::load::{Position, Truth, load};
use crate::support::*;

/// Options of the query benchmark.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Events stored at the gateway before querying, spread over three states.
    #[arg(long, default_value_t = 10_000_000)]
    pub events: u64,
    /// Times each kind of query is asked.
    #[arg(long, default_value_t = 40)]
    pub repeat: usize,
    /// Events published after the checkpoint, before the gateway is killed and restarted.
    #[arg(long, default_value_t = 1_000_000)]
    pub tail: u64,
    /// Keep the region's files here (must not exist) instead of a temporary directory.
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

const STATES: [&str; 3] = ["NG", "GH", "SN"];

const POLICY: &str = r#"
[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
dimensions = ["period", "host_country", "mode", "return_type", "sex", "age_band", "vulnerability", "destination_region"]
purpose = "benchmark"

[[grant]]
recipient = "coordinators"
data = "aggregates:assistance"
dimensions = ["period", "sex", "age_band", "assistance_category", "assistance_type"]
purpose = "benchmark"

[[grant]]
recipient = "coordinators"
data = "aggregates:assessments"
dimensions = ["period", "sex", "age_band", "host_country"]
purpose = "benchmark"

[[grant]]
recipient = "coordinators"
data = "aggregates:closures"
dimensions = ["period", "outcome", "sex"]
purpose = "benchmark"
"#;

/// The queries asked, as `midwa query` arguments would give them.
fn queries() -> Vec<(&'static str, pb::AggregateRequest)> {
    let q =
        |metric: &str, by: &[&str], unit: &str, filters: &[(&str, &[&str])]| pb::AggregateRequest {
            metric: metric.into(),
            group_by: by.iter().map(|s| s.to_string()).collect(),
            period_unit: unit.into(),
            filters: filters
                .iter()
                .map(|(d, v)| pb::Filter {
                    dimension: d.to_string(),
                    values: v.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
            from_month: String::new(),
            to_month: String::new(),
        };
    vec![
        ("returns, total", q("returns", &[], "", &[])),
        (
            "returns by month and origin",
            q("returns", &["period", "origin"], "month", &[]),
        ),
        (
            "returns by quarter, origin, sex, age band",
            q(
                "returns",
                &["period", "origin", "sex", "age_band"],
                "quarter",
                &[],
            ),
        ),
        (
            "returns by host and quarter, two origins",
            q(
                "returns",
                &["host_country", "period"],
                "quarter",
                &[("origin", &["NG", "GH"])],
            ),
        ),
        (
            "returns by vulnerability and year",
            q("returns", &["vulnerability", "period"], "year", &[]),
        ),
        (
            "returns by flag, origin and quarter",
            q(
                "returns",
                &["vulnerability_flag", "origin", "period"],
                "quarter",
                &[],
            ),
        ),
        (
            "assisted persons by category and sex",
            q("assisted_persons", &["assistance_category", "sex"], "", &[]),
        ),
        (
            "assisted persons by quarter and sex",
            q("assisted_persons", &["period", "sex"], "quarter", &[]),
        ),
        (
            "coverage by category and origin",
            q("coverage", &["assistance_category", "origin"], "", &[]),
        ),
        (
            "assessments by year and age band",
            q("assessments", &["period", "age_band"], "year", &[]),
        ),
        (
            "mean scores by sex and year",
            q("mean_scores", &["sex", "period"], "year", &[]),
        ),
        (
            "closures by outcome and year",
            q("closures", &["outcome", "period"], "year", &[]),
        ),
    ]
}

/// Runs the query benchmark.
pub async fn run(args: &Args) -> Result<()> {
    let (gateway_exe, node_exe) = executables()?;
    let temp = tempfile_dir(args.keep.as_deref())?;
    let region = Region::create(&temp, free_loopback_addr()?, &STATES)?;
    // The region's test settings answer within 300 ms; the first answer here waits until 10M
    // events are counted in, so it gets the deployed default instead. One coordinator asks
    // every query here, far beyond the per-identity limits a deployment sets.
    let config = std::fs::read_to_string(&region.gateway_config)?;
    std::fs::write(
        &region.gateway_config,
        config.replace(
            "request_timeout_ms = 300",
            "request_timeout_ms = 30000\nqueries_burst = 100000\nqueries_per_minute = 1000000",
        ),
    )?;
    println!(
        "midwa-bench query: {} events from {} states stored at the gateway, then {} queries of each of {} kinds as a coordinator over mTLS",
        args.events,
        STATES.len(),
        args.repeat,
        queries().len()
    );
    let gateway = spawn(
        &gateway_exe,
        &["--config", region.gateway_config.to_str().context("path")?],
        &temp.join("gateway.log"),
    )?;
    wait_listening(region.gateway_addr, &temp.join("gateway.log")).await?;
    let started = Instant::now();
    let per_state = args.events / STATES.len() as u64;
    let mut loaders = Vec::new();
    for (i, state) in STATES.iter().enumerate() {
        let files = region.node(state).context("node")?.clone();
        let key = temp.join(format!("{state}.key"));
        let addr = region.gateway_addr;
        loaders.push(tokio::spawn(async move {
            load(
                state,
                i as u64,
                Position::START,
                per_state,
                &files.dir.join("tls"),
                &key,
                addr,
            )
            .await
        }));
    }
    let mut stored = 0;
    let mut truth = Truth::default();
    let mut next = Vec::new();
    for loader in loaders {
        let loaded = loader.await??;
        stored += loaded.stored;
        truth.merge(loaded.truth);
        next.push(loaded.next);
    }
    println!(
        "loaded: {stored} events in {:.1} s (anonymised here, published over each node's stream)",
        started.elapsed().as_secs_f64()
    );
    for state in STATES {
        let node = region.node(state).context("node")?;
        let policy = temp.join(format!("policy-{state}.toml"));
        std::fs::write(&policy, POLICY)?;
        let out = std::process::Command::new(&node_exe)
            .arg("--config")
            .arg(&node.config)
            .args(["policy", "push"])
            .arg(&policy)
            .output()?;
        if !out.status.success() {
            bail!("policy push: {}", String::from_utf8_lossy(&out.stderr));
        }
    }

    let config =
        midwa_client::config::Config::load(region.client("coordinator").context("coordinator")?)?;
    let channel = config.connect().await.map_err(anyhow::Error::msg)?;
    let mut client = pb::statistics_client::StatisticsClient::new(channel);
    // The first answer waits until every acknowledged event is counted in: asked of no origin,
    // it measures nothing.
    let t = Instant::now();
    let mut nothing = queries()[0].1.clone();
    nothing.filters.push(pb::Filter {
        dimension: "origin".into(),
        values: vec!["ZZ".into()],
    });
    client.aggregate(nothing).await?;
    println!(
        "first answer after loading: {:.1} ms (it waits until every acknowledged event is counted in)",
        ms(t.elapsed())
    );
    // Each family of tables is measured the first time it is asked, for every released month
    // and quarter of the three states.
    for (family, metric) in [
        ("returns", "returns"),
        ("assistance", "assisted_persons"),
        ("assessments", "assessments"),
        ("closures", "closures"),
    ] {
        let t = Instant::now();
        let answer = client
            .aggregate(pb::AggregateRequest {
                metric: metric.into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        println!(
            "measuring {family} for {} states, {} to {}: {:.1} ms (the first question that needs it)",
            STATES.len(),
            answer.first_month,
            answer.last_month,
            ms(t.elapsed())
        );
    }
    accuracy(&mut client, &truth).await?;
    sampler_speed();
    let mut all = Vec::new();
    println!(
        "\n{:<44} {:>9} {:>9} {:>9} {:>6}",
        "query", "p50 ms", "p99 ms", "max ms", "cells"
    );
    for (name, request) in queries() {
        let mut times = Vec::with_capacity(args.repeat);
        let mut cells = 0;
        for _ in 0..args.repeat {
            let t = Instant::now();
            let answer = client.aggregate(request.clone()).await?.into_inner();
            times.push(t.elapsed());
            cells = answer.cells.len();
            if answer.origins.iter().any(|o| !o.included) {
                bail!("{name}: an origin was left out: {:?}", answer.origins);
            }
        }
        times.sort();
        println!(
            "{name:<44} {:>9.2} {:>9.2} {:>9.2} {cells:>6}",
            ms(pct(&times, 0.5)),
            ms(pct(&times, 0.99)),
            ms(*times.last().unwrap_or(&Duration::ZERO))
        );
        all.extend(times);
    }
    all.sort();
    println!(
        "\nall {} queries: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (client to gateway and back, over mTLS)",
        all.len(),
        ms(pct(&all, 0.5)),
        ms(pct(&all, 0.99)),
        ms(*all.last().unwrap_or(&Duration::ZERO))
    );
    println!(
        "gateway memory: peak {:.1} MiB, now {:.1} MiB",
        peak_mib(gateway.0.id()),
        rss_mib(gateway.0.id())
    );
    crate::restart::run(&region, &temp, gateway, &STATES, &next, args.tail).await?;
    if args.keep.is_none() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    Ok(())
}

/// How far the released figures are from the truth: monthly returns per origin, and small
/// cells (an origin's returns in a quarter from one host, or with one flag, fewer than 100).
async fn accuracy(
    client: &mut pb::statistics_client::StatisticsClient<tonic::transport::Channel>,
    truth: &Truth,
) -> Result<()> {
    let ask = |by: &[&str], unit: &str| pb::AggregateRequest {
        metric: "returns".into(),
        group_by: by.iter().map(|s| s.to_string()).collect(),
        period_unit: unit.into(),
        ..Default::default()
    };
    let monthly = client
        .aggregate(ask(&["origin", "period"], "month"))
        .await?
        .into_inner();
    let mut errors = Vec::new();
    let mut bound = 0.0f64;
    for cell in &monthly.cells {
        let key = (cell.values[0].clone(), cell.values[1].clone());
        if let (Some(&t), Some(c)) = (truth.monthly.get(&key), cell.count) {
            errors.push((c as f64 - t as f64).abs());
            bound = bound.max(cell.count_error);
        }
    }
    report(
        "monthly returns per origin",
        &mut errors,
        bound,
        truth.monthly.len(),
        0,
    );
    let mut errors = Vec::new();
    let (mut hidden, mut small) = (0, 0);
    let mut bound = 0.0f64;
    for (by, prefix) in [("host_country", "host:"), ("vulnerability_flag", "flag:")] {
        let answer = client
            .aggregate(ask(&["origin", "period", by], "quarter"))
            .await?
            .into_inner();
        let released: HashMap<(String, String, String), &pb::Cell> = answer
            .cells
            .iter()
            .map(|c| {
                (
                    (
                        c.values[0].clone(),
                        c.values[1].clone(),
                        format!("{prefix}{}", c.values[2]),
                    ),
                    c,
                )
            })
            .collect();
        for (key, t) in truth
            .small
            .iter()
            .filter(|(k, t)| k.2.starts_with(prefix) && **t < 100)
        {
            small += 1;
            match released
                .get(key)
                .and_then(|c| c.count.map(|n| (n, c.count_error)))
            {
                Some((n, e)) => {
                    errors.push((n as f64 - *t as f64).abs());
                    bound = bound.max(e);
                }
                None => hidden += 1,
            }
        }
    }
    report(
        "small cells (fewer than 100)",
        &mut errors,
        bound,
        small,
        hidden,
    );
    Ok(())
}

/// How fast the gateway's exact sampler draws noise, with the returns' variance.
fn sampler_speed() {
    use midwa_gateway::privacy::{Noise, variance_for};
    let Some(variance) = variance_for(22.0, 0.8) else {
        return;
    };
    let mut noise = Noise::system();
    let n = 1_000_000u32;
    let t = Instant::now();
    let mut sum = 0i64;
    for _ in 0..n {
        sum = sum.wrapping_add(noise.draw(variance));
    }
    let took = t.elapsed();
    println!(
        "noise: {n} exact draws (sigma {:.2}) in {:.0} ms, {:.2} million a second (mean {:.3})",
        variance.get().sqrt(),
        ms(took),
        f64::from(n) / took.as_secs_f64() / 1e6,
        sum as f64 / f64::from(n)
    );
}

fn report(what: &str, errors: &mut [f64], bound: f64, cells: usize, hidden: usize) {
    if cells == 0 {
        println!("error against the truth, {what}: none at this size");
        return;
    }
    errors.sort_by(f64::total_cmp);
    let mae = errors.iter().sum::<f64>() / errors.len().max(1) as f64;
    let p95 = errors
        .get(((errors.len() as f64 * 0.95) as usize).min(errors.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0.0);
    println!(
        "error against the truth, {what}: {} of {cells} released ({hidden} hidden), mean absolute {mae:.2}, p95 {p95:.1} (published 95 % error up to {bound:.1})",
        errors.len()
    );
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted
        .get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
