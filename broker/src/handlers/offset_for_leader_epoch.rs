//! OffsetForLeaderEpoch (23), v2–v4: the end offset of a leader epoch, for log truncation
//! detection by consumers (KIP-320) and followers.
//!
//! Kafka's semantics (`ReplicaManager.lastOffsetForLeaderEpoch`,
//! `Partition.lastOffsetForLeaderEpoch`): only the leader answers; `current_leader_epoch` is
//! checked (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH); the answer is the largest epoch ≤ the
//! requested one with the start offset of the next epoch (or the log end for the latest epoch);
//! when the leader-epoch cache knows nothing, `leader_epoch` and `end_offset` are -1
//! (UNDEFINED) with no error.

use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::offset_for_leader_epoch_response::{
    EpochEndOffset, OffsetForLeaderTopicResult,
};
use kafka_protocol::messages::{
    ApiKey, OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse, ResponseKind,
};
use strata_controller::MetadataImage;

use crate::context::BrokerContext;
use crate::handlers::decode_request;
use crate::replica_manager::ReplicaManager;
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::OffsetForLeaderEpoch,
    min_version: 2,
    max_version: 4,
    handle,
};

/// Epoch and offset meaning "unknown" in the answer.
const UNDEFINED: i64 = -1;

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let query: OffsetForLeaderEpochRequest = decode_request(&request, body)?;
        let image = context.image();
        let response = handle_offset_for_leader_epoch(&context.replica_manager, &image, query);
        Ok(Some(ResponseKind::OffsetForLeaderEpoch(response)))
    })
}

/// Answers every partition of an OffsetForLeaderEpoch request.
pub(crate) fn handle_offset_for_leader_epoch(
    replica_manager: &ReplicaManager,
    image: &MetadataImage,
    request: OffsetForLeaderEpochRequest,
) -> OffsetForLeaderEpochResponse {
    let mut response = OffsetForLeaderEpochResponse::default();
    for topic in request.topics {
        let mut result = OffsetForLeaderTopicResult::default();
        for asked in &topic.partitions {
            let mut answer = EpochEndOffset::default();
            answer.partition = asked.partition;
            answer.leader_epoch = UNDEFINED as i32;
            answer.end_offset = UNDEFINED;
            let lookup = replica_manager
                .partition_or_error(image, &topic.topic, asked.partition)
                .and_then(|partition| {
                    partition.check_leader(asked.current_leader_epoch)?;
                    Ok(partition.log().end_offset_for_epoch(asked.leader_epoch))
                });
            match lookup {
                Ok(Some((epoch, end_offset))) => {
                    answer.leader_epoch = epoch;
                    answer.end_offset = end_offset;
                }
                Ok(None) => {}
                Err(error) => answer.error_code = error.code(),
            }
            result.partitions.push(answer);
        }
        result.topic = topic.topic;
        response.topics.push(result);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;
    use kafka_protocol::messages::offset_for_leader_epoch_request::{
        OffsetForLeaderPartition, OffsetForLeaderTopic,
    };
    use kafka_protocol::messages::TopicName;
    use kafka_protocol::protocol::StrBytes;
    use kafka_protocol::ResponseError;
    use strata_protocol::compression::Compression;
    use strata_protocol::record_batch::RecordBatchBuilder;

    use crate::replica_manager::testing::Fixture;

    fn batch(records: usize) -> BytesMut {
        let mut builder = RecordBatchBuilder::new(0, Compression::None);
        for i in 0..records {
            builder.append(i as i64, None, Some(b"v"), &[]);
        }
        builder.build().expect("builds")
    }

    fn query(fixture: &Fixture, current_leader_epoch: i32, leader_epoch: i32) -> EpochEndOffset {
        let request = OffsetForLeaderEpochRequest::default().with_topics(vec![
            OffsetForLeaderTopic::default()
                .with_topic(TopicName(StrBytes::from_static_str("t")))
                .with_partitions(vec![OffsetForLeaderPartition::default()
                    .with_partition(0)
                    .with_current_leader_epoch(current_leader_epoch)
                    .with_leader_epoch(leader_epoch)]),
        ]);
        handle_offset_for_leader_epoch(&fixture.replica_manager, &fixture.image, request).topics[0]
            .partitions[0]
            .clone()
    }

    /// Epoch 0 covers offsets 0–2, epoch 2 starts at offset 3; log end 5.
    fn fixture() -> Fixture {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        let partition = fixture.replica_manager.get("t", 0).expect("hosted");
        partition.append_as_leader(batch(3), 1).expect("appends");
        let mut state = partition.leader_state();
        state.leader_epoch = 2;
        partition.update_leadership(state);
        partition.append_as_leader(batch(2), 1).expect("appends");
        fixture
    }

    #[test]
    fn epoch_end_offset_is_the_start_of_the_next_epoch() {
        let fixture = fixture();
        let answer = query(&fixture, 2, 0);
        assert_eq!(
            (answer.error_code, answer.leader_epoch, answer.end_offset),
            (0, 0, 3)
        );
        // Epoch 1 never had a leader here: the largest epoch below it answers.
        let answer = query(&fixture, 2, 1);
        assert_eq!((answer.leader_epoch, answer.end_offset), (0, 3));
        let latest = query(&fixture, -1, 2);
        assert_eq!((latest.leader_epoch, latest.end_offset), (2, 5));
    }

    #[test]
    fn stale_current_leader_epoch_is_fenced() {
        let fixture = fixture();
        assert_eq!(
            query(&fixture, 1, 0).error_code,
            ResponseError::FencedLeaderEpoch.code()
        );
        assert_eq!(
            query(&fixture, 3, 0).error_code,
            ResponseError::UnknownLeaderEpoch.code()
        );
    }
}
