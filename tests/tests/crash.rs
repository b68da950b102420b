//! Crash safety: the node and the gateway are killed with SIGKILL at random moments while the
//! agency submits and the node publishes, again and again (and the gateway is sometimes stopped
//! cleanly); the gateway checkpoints its ledger every second, so kills land before, during and
//! after checkpoints. After every cycle both databases open and the gateway's holds no event
//! twice; at the end, every event the node acknowledged to the agency is stored at the gateway
//! exactly once. It prints how long each restarted gateway took to serve again.
//!
//! `MIDWA_CRASH_CYCLES` sets the number of cycles (default 20); `MIDWA_CRASH_SEED` replays a run.

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{TestRegion, gateway_events, returns};
use midwa_proto::pb;

/// An event the node acknowledged to the agency: its id and its sequence on the node.
type Acknowledged = (Vec<u8>, u64);

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_acknowledged_is_lost_and_nothing_is_stored_twice_across_random_kills() {
    let cycles: u64 = std::env::var("MIDWA_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let seed: u64 = std::env::var("MIDWA_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(7)
                | 1
        });
    println!("crash test: {cycles} cycles, MIDWA_CRASH_SEED={seed}");
    let mut rng = Rng(seed);

    let region = TestRegion::new(&["ML"]);
    // Checkpoints every second: kills land before, during and after them.
    region.set_checkpoint_every(1);
    let acknowledged: Arc<Mutex<Vec<Acknowledged>>> = Arc::default();
    let mut next_person = 0u64;
    let mut gateway = region.start_gateway();
    // How long each restarted gateway took to serve again.
    let mut ready: Vec<Duration> = Vec::new();
    let mut node = region.start_node("ML").await;

    for cycle in 0..cycles {
        // The agency keeps submitting small batches until the node goes away.
        let socket = region.node_socket("ML");
        let acked = acknowledged.clone();
        let first = next_person;
        next_person += 1_000_000;
        let agency = tokio::spawn(async move {
            let Ok(mut client) = midwa_node::api::client::connect(&socket).await else {
                return;
            };
            let mut person = first;
            loop {
                let records = returns("ML", person, 1 + person % 40);
                person += records.len() as u64;
                match client
                    .submit(pb::SubmitRequest {
                        records,
                        attest: false,
                    })
                    .await
                {
                    Ok(response) => acked.lock().expect("lock").extend(
                        response
                            .into_inner()
                            .results
                            .into_iter()
                            .filter(|r| r.outcome == pb::SubmitOutcome::Recorded as i32)
                            .map(|r| (r.event_id, r.seq)),
                    ),
                    Err(_) => return,
                }
            }
        });

        tokio::time::sleep(Duration::from_millis(20 + rng.below(300))).await;
        // 0: the node is killed; 1: the gateway; 2: both; 3: the gateway stops cleanly (it
        // writes its ledger checkpoint, which later kills must not make wrong).
        let victim = rng.below(4);
        if victim == 0 || victim == 2 {
            node.kill();
        }
        match victim {
            1 | 2 => gateway.kill(),
            3 => assert!(
                gateway.terminate(),
                "cycle {cycle}: the gateway did not stop cleanly"
            ),
            _ => {}
        }
        if victim == 1 || victim == 3 {
            // The node lives on: stop the agency's submissions for this cycle.
            agency.abort();
        }
        let _ = agency.await;

        // Both databases open after every kill, and the gateway's holds no event twice.
        if victim != 0 {
            let ids: Vec<Vec<u8>> = gateway_events(&region.gateway_data())
                .into_iter()
                .map(|(_, e)| e.id)
                .collect();
            let unique: HashSet<&Vec<u8>> = ids.iter().collect();
            assert_eq!(
                unique.len(),
                ids.len(),
                "cycle {cycle}: an event is stored twice (seed {seed})"
            );
            let started = Instant::now();
            gateway = region.start_gateway();
            gateway.wait_for_log("gateway serving", Duration::from_secs(60));
            ready.push(started.elapsed());
        }
        if victim == 0 || victim == 2 {
            let dir = region.region.node("ML").expect("node").dir.join("data");
            drop(
                midwa_node::outbox::Outbox::open(&dir, 4 << 20, 500)
                    .unwrap_or_else(|e| panic!("cycle {cycle}: node database: {e}")),
            );
            node = region.start_node("ML").await;
        }
    }

    let status = region.wait_published("ML", Duration::from_secs(120)).await;
    assert!(
        node.terminate(),
        "the node did not stop cleanly:\n{}",
        node.log()
    );
    assert!(
        gateway.terminate(),
        "the gateway did not stop cleanly:\n{}",
        gateway.log()
    );

    let stored: Vec<Vec<u8>> = gateway_events(&region.gateway_data())
        .into_iter()
        .map(|(_, e)| e.id)
        .collect();
    let unique: HashSet<&Vec<u8>> = stored.iter().collect();
    assert_eq!(
        unique.len(),
        stored.len(),
        "an event is stored twice (seed {seed})"
    );
    let acknowledged = acknowledged.lock().expect("lock");
    let mut lost: Vec<u64> = acknowledged
        .iter()
        .filter(|(id, _)| !unique.contains(id))
        .map(|(_, seq)| *seq)
        .collect();
    lost.sort_unstable();
    if !lost.is_empty() {
        let kept = region.keep();
        panic!(
            "{} acknowledged events lost (seed {seed}), sequences {:?} .. {:?}; region kept in {}",
            lost.len(),
            lost.first(),
            lost.last(),
            kept.display()
        );
    }
    assert_eq!(
        stored.len() as u64,
        status.recorded_seq,
        "the gateway holds other than what the node recorded"
    );
    println!(
        "{} events acknowledged to the agency, {} stored once each",
        acknowledged.len(),
        stored.len()
    );
    ready.sort();
    if let (Some(median), Some(slowest)) = (ready.get(ready.len() / 2), ready.last()) {
        println!(
            "the gateway served again {median:?} after a restart (median of {}), {slowest:?} at most",
            ready.len()
        );
    }
}
