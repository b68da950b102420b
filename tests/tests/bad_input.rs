//! Bad input on the publishing stream: each gets a clear gRPC status, nothing panics, nothing of
//! a refused batch is stored, and the gateway goes on serving.

mod common;

use std::time::Duration;

use common::{TestRegion, exchange};
use midwa_proto::pb;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Code;

fn a_return(id: u8, mode: i32) -> pb::Event {
    pb::Event {
        id: vec![id; 16],
        origin: "NG".into(),
        subject: vec![id; 32],
        body: Some(pb::event::Body::Return(pb::Return {
            month: "2024-05".into(),
            sex: pb::Sex::Female as i32,
            age_band: pb::AgeBand::AgeBand2534 as i32,
            host_country: "LY".into(),
            transit_countries: vec![],
            mode,
            return_type: pb::ReturnType::Avrr as i32,
            arrival_point: String::new(),
            destination_region: String::new(),
            vulnerabilities: vec![],
            receipt: vec![id; 16],
        })),
    }
}

/// Opens a publishing stream as the node of NG, sends `batches`, and returns every answer after
/// the resume message: acknowledgements, then the status that ended the stream, if any.
async fn publish(
    region: &TestRegion,
    batches: Vec<pb::PublishRequest>,
) -> (Vec<pb::BatchAck>, Option<tonic::Status>) {
    let (cert, key) = region.node_tls("NG");
    let mut client = exchange(region, Some((&cert, &key)))
        .await
        .expect("connect")
        .max_encoding_message_size(64 << 20);
    let (tx, rx) = mpsc::channel(batches.len().max(1));
    let expected = batches.len();
    for b in batches {
        tx.send(b).await.expect("queue");
    }
    let mut stream = match client.publish(ReceiverStream::new(rx)).await {
        Ok(response) => response.into_inner(),
        Err(status) => return (vec![], Some(status)),
    };
    let mut acks = Vec::new();
    loop {
        match stream.message().await {
            Ok(Some(pb::PublishResponse {
                kind: Some(pb::publish_response::Kind::Ack(ack)),
            })) => {
                acks.push(ack);
                if acks.len() == expected {
                    return (acks, None);
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => return (acks, None),
            Err(status) => return (acks, Some(status)),
        }
    }
}

async fn held(region: &TestRegion) -> pb::HoldingsResponse {
    let (cert, key) = region.node_tls("NG");
    exchange(region, Some((&cert, &key)))
        .await
        .expect("connect")
        .holdings(pb::HoldingsRequest {})
        .await
        .expect("holdings")
        .into_inner()
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_batches_get_clear_statuses_and_leave_nothing_half_stored() {
    let region = TestRegion::new(&["NG"]);
    let gateway = region.start_gateway();
    let air = pb::Mode::Air as i32;

    // Unknown enumeration value, after valid events in the same batch.
    let batch = pb::PublishRequest {
        first_seq: 1,
        events: vec![a_return(1, air), a_return(2, air), a_return(3, 42)],
    };
    let (acks, status) = publish(&region, vec![batch]).await;
    let status = status.expect("refused");
    assert!(acks.is_empty());
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status
            .message()
            .contains("events[2].return.mode: unknown value 42"),
        "{status:?}"
    );
    assert_eq!(
        held(&region).await.highest_seq,
        0,
        "part of a refused batch was stored"
    );

    // A required field missing.
    let mut missing = a_return(4, air);
    if let Some(pb::event::Body::Return(r)) = &mut missing.body {
        r.host_country.clear();
    }
    let (_, status) = publish(
        &region,
        vec![pb::PublishRequest {
            first_seq: 1,
            events: vec![missing],
        }],
    )
    .await;
    let status = status.expect("refused");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status
            .message()
            .contains("events[0].return.host_country: required but missing"),
        "{status:?}"
    );

    // A message over the size limit (4 MiB by default).
    let huge: Vec<pb::Event> = (0..120_000u32)
        .map(|i| a_return((i % 250) as u8, air))
        .collect();
    let (_, status) = publish(
        &region,
        vec![pb::PublishRequest {
            first_seq: 1,
            events: huge,
        }],
    )
    .await;
    let status = status.expect("refused");
    assert_eq!(status.code(), Code::OutOfRange, "{status:?}");
    assert!(status.message().contains("too large"), "{status:?}");
    assert_eq!(held(&region).await.highest_seq, 0);

    // A sequence gap.
    let (_, status) = publish(
        &region,
        vec![pb::PublishRequest {
            first_seq: 5,
            events: vec![a_return(5, air)],
        }],
    )
    .await;
    let status = status.expect("refused");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(
        status.message().contains("must start at 1, not 5"),
        "{status:?}"
    );
    // Every refusal is in the gateway's log with its reason.
    gateway.wait_for_log("must start at 1, not 5", Duration::from_secs(5));

    // An empty batch.
    let (_, status) = publish(
        &region,
        vec![pb::PublishRequest {
            first_seq: 1,
            events: vec![],
        }],
    )
    .await;
    assert_eq!(status.expect("refused").code(), Code::InvalidArgument);
    let log = gateway.wait_for_log("batch refused", Duration::from_secs(5));
    assert!(
        log.lines().filter(|l| l.contains("batch refused")).count() >= 4,
        "each refused batch logged: {log}"
    );

    // The same id again: same content is a duplicate, other content a conflict kept out.
    let batches = vec![
        pb::PublishRequest {
            first_seq: 1,
            events: vec![a_return(1, air), a_return(2, air)],
        },
        pb::PublishRequest {
            first_seq: 3,
            events: vec![a_return(1, air), a_return(2, pb::Mode::Land as i32)],
        },
    ];
    let (acks, status) = publish(&region, batches).await;
    assert!(status.is_none(), "{status:?}");
    assert_eq!((acks[0].stored, acks[0].duplicates), (2, 0));
    assert_eq!(
        (acks[1].stored, acks[1].duplicates, acks[1].rejected.len()),
        (0, 1, 1)
    );
    let rejection = &acks[1].rejected[0];
    assert_eq!(
        (rejection.event_id.as_slice(), rejection.code),
        (&[2u8; 16][..], Code::AlreadyExists as i32)
    );
    assert!(
        rejection.message.contains("different content"),
        "{rejection:?}"
    );

    let holdings = held(&region).await;
    assert_eq!((holdings.highest_seq, holdings.returns), (4, 2));
    assert!(!gateway.log().contains("panicked"), "{}", gateway.log());
}

/// A message in the place of `AggregateRequest` whose field 1 has the wrong wire type.
#[derive(Clone, PartialEq, prost::Message)]
struct NotAnAggregateRequest {
    #[prost(fixed64, tag = "1")]
    metric: u64,
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_that_cannot_be_decoded_is_the_callers_fault() {
    let region = TestRegion::new(&["NG"]);
    let _gateway = region.start_gateway();
    let (cert, key) = region.node_tls("NG");
    let tls = common::client_tls(&region.ca_pem(), Some((&cert, &key)));
    let channel = common::channel(region.region.gateway_addr, tls)
        .await
        .expect("connect");
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("ready");
    let status = grpc
        .unary(
            tonic::Request::new(NotAnAggregateRequest { metric: 7 }),
            tonic::codegen::http::uri::PathAndQuery::from_static("/midwa.v1.Statistics/Aggregate"),
            tonic_prost::ProstCodec::<NotAnAggregateRequest, pb::AggregateResponse>::default(),
        )
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(status.message().contains("cannot be decoded"), "{status:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_policy_is_refused_and_changes_nothing() {
    let region = TestRegion::new(&["NG"]);
    let _gateway = region.start_gateway();
    let (cert, key) = region.node_tls("NG");
    let tls = common::client_tls(&region.ca_pem(), Some((&cert, &key)));
    let channel = common::channel(region.region.gateway_addr, tls)
        .await
        .expect("connect");
    let mut consent = pb::consent_client::ConsentClient::new(channel);
    let status = consent
        .push_policy(pb::Policy {
            grants: vec![pb::Grant {
                recipient: "coordinators".into(),
                data: "aggregates:everything".into(),
                purpose: "monitoring".into(),
                ..Default::default()
            }],
            privacy_budget: 0.0,
        })
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(
        status.message().contains("aggregates:everything")
            && status
                .message()
                .contains("the policy in force is unchanged"),
        "{status:?}"
    );
    let current = consent
        .get_policy(pb::GetPolicyRequest {})
        .await
        .expect("policy")
        .into_inner();
    assert_eq!(current.version, 0, "nothing pushed");
}
