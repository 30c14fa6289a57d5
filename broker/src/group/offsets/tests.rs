use kafka_protocol::messages::offset_commit_request::OffsetCommitRequestPartition;
use kafka_protocol::messages::TopicName;
use kafka_protocol::protocol::StrBytes;
use proptest::prelude::*;
use strata_controller::MetadataImage;
use uuid::Uuid;

use super::*;
use crate::group::config::GroupCoordinatorConfig;
use crate::group::timer::Timers;
use crate::replica_manager::testing::add_topic;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

struct Harness {
    store: OffsetStore,
    timers: Timers,
    config: GroupCoordinatorConfig,
    image: MetadataImage,
    now_ms: i64,
    records: Vec<GroupRecord>,
}

impl Harness {
    fn new() -> Self {
        Self {
            store: OffsetStore::default(),
            timers: Timers::default(),
            config: GroupCoordinatorConfig::default(),
            image: MetadataImage::empty("test"),
            now_ms: 1_000,
            records: Vec::new(),
        }
    }

    fn commit(
        &mut self,
        group: &str,
        topics: &[OffsetCommitRequestTopic],
    ) -> Vec<OffsetCommitResponseTopic> {
        self.commit_with_retention(group, topics, -1).0
    }

    /// A commit with OffsetCommit v2–v4's `retention_time_ms`: the response and the records.
    fn commit_with_retention(
        &mut self,
        group: &str,
        topics: &[OffsetCommitRequestTopic],
        retention_time_ms: i64,
    ) -> (Vec<OffsetCommitResponseTopic>, Vec<GroupRecord>) {
        let mut ctx = OpContext {
            now_ms: self.now_ms,
            config: &self.config,
            image: &self.image,
            timers: &mut self.timers,
            client_id: "c",
            client_host: "",
            api_version: 9,
        };
        let result = self
            .store
            .commit(&mut ctx, group, topics, retention_time_ms);
        self.records.extend(result.records.iter().cloned());
        (result.response, result.records)
    }

    fn delete(&mut self, group: &str, partitions: &[(String, i32)]) -> Vec<GroupRecord> {
        let mut ctx = OpContext {
            now_ms: self.now_ms,
            config: &self.config,
            image: &self.image,
            timers: &mut self.timers,
            client_id: "c",
            client_host: "",
            api_version: 0,
        };
        let records = self.store.delete(&mut ctx, group, partitions);
        self.records.extend(records.clone());
        records
    }

    fn expire(&mut self, empty: &dyn Fn(&str) -> bool) -> Vec<GroupRecord> {
        let mut ctx = OpContext {
            now_ms: self.now_ms,
            config: &self.config,
            image: &self.image,
            timers: &mut self.timers,
            client_id: "",
            client_host: "",
            api_version: 0,
        };
        let records = self.store.expire(&mut ctx, empty);
        self.records.extend(records.clone());
        records
    }

    fn expire_with_base(&mut self, base_of: &dyn Fn(&str) -> ExpiryBase) -> Vec<GroupRecord> {
        let mut ctx = OpContext {
            now_ms: self.now_ms,
            config: &self.config,
            image: &self.image,
            timers: &mut self.timers,
            client_id: "",
            client_host: "",
            api_version: 0,
        };
        let records = self.store.expire_with_base(&mut ctx, base_of);
        self.records.extend(records.clone());
        records
    }

    fn replayed(&self) -> OffsetStore {
        let mut store = OffsetStore::default();
        for record in &self.records {
            assert!(store.replay(record));
        }
        store
    }
}

fn topic(name: &str, partitions: &[(i32, i64)]) -> OffsetCommitRequestTopic {
    OffsetCommitRequestTopic::default()
        .with_name(TopicName(StrBytes::from_string(name.to_owned())))
        .with_partitions(
            partitions
                .iter()
                .map(|(p, o)| {
                    OffsetCommitRequestPartition::default()
                        .with_partition_index(*p)
                        .with_committed_offset(*o)
                        .with_committed_leader_epoch(3)
                        .with_committed_metadata(Some(StrBytes::from_static_str("meta")))
                })
                .collect(),
        )
}

fn offsets_of(store: &OffsetStore, group: &str, name: &str, partitions: &[i32]) -> Vec<i64> {
    let wanted = [(name.to_owned(), partitions.to_vec())];
    store.fetch(group, Some(&wanted), false)[0]
        .1
        .iter()
        .map(|c| c.offset)
        .collect()
}

#[test]
fn committed_offsets_are_fetched_with_leader_epoch_and_metadata() {
    let mut h = Harness::new();
    let response = h.commit("g", &[topic("t", &[(0, 10), (1, 20)])]);
    assert!(response[0].partitions.iter().all(|p| p.error_code == 0));
    let fetched = h.store.fetch("g", None, true);
    assert_eq!(fetched.len(), 1);
    let (name, partitions) = &fetched[0];
    assert_eq!(name, "t");
    assert_eq!(
        partitions[0],
        CommittedOffset {
            partition: 0,
            offset: 10,
            leader_epoch: 3,
            metadata: "meta".into(),
            error_code: 0
        }
    );
    assert_eq!(partitions[1].offset, 20);
}

#[test]
fn partitions_without_a_commit_fetch_as_minus_one() {
    let mut h = Harness::new();
    let _ = h.commit("g", &[topic("t", &[(0, 10)])]);
    assert_eq!(offsets_of(&h.store, "g", "t", &[0, 1]), vec![10, -1]);
    assert_eq!(offsets_of(&h.store, "other", "t", &[0]), vec![-1]);
    assert!(h.store.fetch("other", None, false).is_empty());
}

#[test]
fn commit_records_carry_the_commit_timestamp_and_leader_epoch() {
    let mut h = Harness::new();
    h.now_ms = 42_000;
    let _ = h.commit("g", &[topic("t", &[(0, 10)])]);
    let Some(GroupRecordValue::OffsetCommit(value)) = &h.records[0].value else {
        panic!("offset")
    };
    assert_eq!(
        (
            value.commit_timestamp,
            value.leader_epoch,
            value.expire_timestamp
        ),
        (42_000, 3, -1)
    );
}

#[test]
fn metadata_longer_than_the_limit_is_offset_metadata_too_large_and_not_committed() {
    let mut h = Harness::new();
    h.config.offset_metadata_max_bytes = 3;
    let response = h.commit("g", &[topic("t", &[(0, 10)])]);
    assert_eq!(
        response[0].partitions[0].error_code,
        ResponseError::OffsetMetadataTooLarge.code()
    );
    assert!(h.records.is_empty());
    assert!(!h.store.has_offsets("g"));
}

#[test]
fn topics_named_by_id_are_resolved_through_the_image() {
    let mut h = Harness::new();
    let id = add_topic(&mut h.image, "orders", 2);
    let by_id = |topic_id: Uuid| topic("", &[(1, 5)]).with_topic_id(topic_id);
    let response = h.commit("g", &[by_id(id), by_id(Uuid::new_v4())]);
    assert_eq!(response[0].partitions[0].error_code, 0);
    assert_eq!(response[0].topic_id, id);
    assert_eq!(
        response[1].partitions[0].error_code,
        ResponseError::UnknownTopicId.code()
    );
    assert_eq!(offsets_of(&h.store, "g", "orders", &[1]), vec![5]);
}

#[test]
fn offset_delete_writes_tombstones_only_for_committed_partitions() {
    let mut h = Harness::new();
    let _ = h.commit("g", &[topic("t", &[(0, 10), (1, 20)])]);
    let records = h.delete("g", &[("t".into(), 0), ("t".into(), 7)]);
    assert_eq!(records.len(), 1);
    assert!(records[0].value.is_none());
    assert_eq!(offsets_of(&h.store, "g", "t", &[0, 1]), vec![-1, 20]);
    assert_eq!(h.replayed(), h.store);
}

#[test]
fn deleting_a_group_tombstones_all_its_offsets() {
    let mut h = Harness::new();
    let _ = h.commit(
        "g",
        &[topic("t", &[(0, 10), (1, 20)]), topic("u", &[(0, 1)])],
    );
    let _ = h.commit("h", &[topic("t", &[(0, 10)])]);
    let records = h.store.delete_group("g");
    assert_eq!(records.len(), 3);
    h.records.extend(records);
    assert!(!h.store.has_offsets("g"));
    assert_eq!(h.store.groups().collect::<Vec<_>>(), vec!["h"]);
    assert_eq!(h.replayed(), h.store);
}

#[test]
fn offsets_of_empty_groups_expire_after_the_retention_from_their_commit() {
    let mut h = Harness::new();
    h.config.offsets_retention_ms = 7 * DAY_MS;
    let _ = h.commit("empty", &[topic("t", &[(0, 10)])]);
    let _ = h.commit("busy", &[topic("t", &[(0, 10)])]);
    h.now_ms += 3 * DAY_MS;
    let _ = h.commit("empty", &[topic("t", &[(1, 10)])]);
    let empty = |g: &str| g == "empty";

    h.now_ms += 4 * DAY_MS - 1;
    assert!(h.expire(&empty).is_empty());
    h.now_ms += 1;
    let expired = h.expire(&empty);
    assert_eq!(expired.len(), 1, "only the partition committed 7 days ago");
    assert_eq!(offsets_of(&h.store, "empty", "t", &[0, 1]), vec![-1, 10]);
    assert_eq!(
        offsets_of(&h.store, "busy", "t", &[0]),
        vec![10],
        "groups with members keep offsets"
    );
    h.now_ms += 3 * DAY_MS;
    assert_eq!(h.expire(&empty).len(), 1);
    assert!(!h.store.has_offsets("empty"));
    assert_eq!(h.replayed(), h.store);
}

#[test]
fn offsets_of_a_group_that_just_became_empty_keep_a_full_retention_from_then() {
    let mut h = Harness::new();
    h.config.offsets_retention_ms = 7 * DAY_MS;
    let _ = h.commit("g", &[topic("t", &[(0, 10)])]);
    // The group kept running for 30 days without committing, then its last member left.
    h.now_ms += 30 * DAY_MS;
    let emptied_at = h.now_ms;
    let base = |_: &str| ExpiryBase::Since(emptied_at);
    assert!(
        h.expire_with_base(&base).is_empty(),
        "Kafka counts from when the group became Empty"
    );
    h.now_ms += 7 * DAY_MS - 1;
    assert!(h.expire_with_base(&base).is_empty());
    h.now_ms += 1;
    assert_eq!(h.expire_with_base(&base).len(), 1);
    // A group with members never loses offsets to expiry.
    let _ = h.commit("busy", &[topic("t", &[(0, 1)])]);
    h.now_ms += 100 * DAY_MS;
    assert!(h.expire_with_base(&|_| ExpiryBase::NotExpiring).is_empty());
    assert_eq!(h.replayed(), h.store);
}

#[test]
fn offsets_with_an_explicit_expire_timestamp_expire_then() {
    let mut h = Harness::new();
    let value = OffsetCommitValue {
        offset: 1,
        expire_timestamp: 5_000,
        ..OffsetCommitValue::default()
    };
    let record = GroupRecord {
        key: offset_key("g", "t", 0),
        value: Some(GroupRecordValue::OffsetCommit(value)),
    };
    assert!(h.store.replay(&record));
    h.now_ms = 4_999;
    assert!(h.expire(&|_| true).is_empty());
    h.now_ms = 5_000;
    assert_eq!(h.expire(&|_| true).len(), 1);
}

#[test]
fn a_commit_with_a_retention_time_expires_at_commit_time_plus_it() {
    let mut h = Harness::new();
    h.now_ms = 10_000;
    let (_, records) = h.commit_with_retention("g", &[topic("t", &[(0, 7)])], 60_000);
    let Some(GroupRecordValue::OffsetCommit(value)) = &records[0].value else {
        panic!("an offset record: {records:?}");
    };
    assert_eq!(value.expire_timestamp, 70_000, "now + retention_time_ms");
    let (_, records) = h.commit_with_retention("g", &[topic("t", &[(1, 7)])], -1);
    let Some(GroupRecordValue::OffsetCommit(value)) = &records[0].value else {
        panic!("an offset record: {records:?}");
    };
    assert_eq!(
        value.expire_timestamp, -1,
        "-1 keeps the broker's retention"
    );
    h.now_ms = 69_999;
    assert!(h.expire(&|_| true).is_empty());
    h.now_ms = 70_000;
    assert_eq!(
        h.expire(&|_| true).len(),
        1,
        "only the offset with its own expiry"
    );
    assert_eq!(h.replayed(), h.store);
}

#[test]
fn replay_ignores_group_metadata_records() {
    let mut store = OffsetStore::default();
    let record = GroupRecord {
        key: GroupRecordKey::GroupMetadata(strata_protocol::group_records::GroupMetadataKey {
            group: "g".into(),
        }),
        value: None,
    };
    assert!(!store.replay(&record));
}

#[derive(Debug, Clone)]
enum Op {
    Commit {
        group: u8,
        topic: u8,
        partition: u8,
        offset: i64,
    },
    Delete {
        group: u8,
        topic: u8,
        partition: u8,
    },
    DeleteGroup {
        group: u8,
    },
    Expire {
        advance_ms: i64,
        empty_mask: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3u8, 0..2u8, 0..3u8, 0..1000i64)
            .prop_map(|(group, topic, partition, offset)| Op::Commit { group, topic, partition, offset }),
        1 => (0..3u8, 0..2u8, 0..3u8).prop_map(|(group, topic, partition)| Op::Delete { group, topic, partition }),
        1 => (0..3u8).prop_map(|group| Op::DeleteGroup { group }),
        1 => (0..(3 * DAY_MS), any::<u8>()).prop_map(|(advance_ms, empty_mask)| Op::Expire { advance_ms, empty_mask }),
    ]
}

proptest! {
    #[test]
    fn replaying_every_record_written_rebuilds_the_store(ops in prop::collection::vec(op(), 1..60)) {
        let mut h = Harness::new();
        h.config.offsets_retention_ms = 2 * DAY_MS;
        let group = |g: u8| format!("group-{g}");
        let topic_name = |t: u8| format!("topic-{t}");
        for op in ops {
            match op {
                Op::Commit { group: g, topic: t, partition, offset } => {
                    let _ = h.commit(&group(g), &[topic(&topic_name(t), &[(i32::from(partition), offset)])]);
                }
                Op::Delete { group: g, topic: t, partition } => {
                    let _ = h.delete(&group(g), &[(topic_name(t), i32::from(partition))]);
                }
                Op::DeleteGroup { group: g } => {
                    let records = h.store.delete_group(&group(g));
                    h.records.extend(records);
                }
                Op::Expire { advance_ms, empty_mask } => {
                    h.now_ms += advance_ms;
                    let _ = h.expire(&|g: &str| {
                        let index: u32 = g.trim_start_matches("group-").parse().unwrap_or(0);
                        empty_mask & (1 << index) != 0
                    });
                }
            }
            prop_assert_eq!(&h.replayed(), &h.store);
        }
    }
}
