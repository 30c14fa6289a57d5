//! [`QuorumStatus`]: the metadata quorum as Kafka's DescribeQuorum (API 55) reports it, in Kafka
//! offsets of `__cluster_metadata`, taken from openraft's metrics and the metadata log.

use std::collections::BTreeMap;

/// One replica of the metadata partition as DescribeQuorum describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaStatus {
    /// Node id.
    pub replica_id: i32,
    /// Kafka offset after the last entry the leader knows this replica has (-1 unknown).
    pub log_end_offset: i64,
    /// When the replica last fetched (epoch ms; -1 unknown). openraft pushes rather than
    /// serving fetches, so only the local replica's value is known (now).
    pub last_fetch_timestamp_ms: i64,
    /// When the replica was last caught up with the leader (epoch ms; -1 unknown).
    pub last_caught_up_timestamp_ms: i64,
}

/// The quorum of the metadata partition, seen from this node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumStatus {
    /// Current leader (-1 when none is known).
    pub leader_id: i32,
    /// Current raft term, which is Kafka's leader epoch.
    pub leader_epoch: i32,
    /// Offset after the last committed and applied record (Kafka's high watermark).
    pub high_watermark: i64,
    /// Voters, sorted by id.
    pub voters: Vec<ReplicaStatus>,
    /// Non-voting replicas (none: brokers read the image in-process, they do not fetch).
    pub observers: Vec<ReplicaStatus>,
    /// Voter id → controller endpoint (host, port), where known.
    pub endpoints: BTreeMap<i32, (String, u16)>,
}
