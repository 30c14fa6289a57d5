//! A hand-driven shard of classic groups for the unit and property tests.

use bytes::Bytes;
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::ResponseError;
use strata_controller::MetadataImage;
use tokio::sync::oneshot::Receiver;

use super::*;
use crate::group::config::GroupCoordinatorConfig;
use crate::group::timer::Timers;

pub(super) const GROUP: &str = "g";
pub(super) const SESSION_MS: i32 = 10_000;
pub(super) const REBALANCE_MS: i32 = 30_000;

pub(super) fn code(e: ResponseError) -> i16 {
    e.code()
}

/// A shard's worth of classic groups driven by hand: a clock, timers that fire on `advance`,
/// and every record written, with deferred responses released as if every write succeeded.
pub(super) struct Harness {
    pub(super) groups: ClassicGroups,
    pub(super) timers: Timers,
    pub(super) config: GroupCoordinatorConfig,
    pub(super) image: MetadataImage,
    pub(super) now_ms: i64,
    pub(super) records: Vec<GroupRecord>,
    pub(super) version: i16,
}

impl Harness {
    pub(super) fn new() -> Self {
        Self::with_config(GroupCoordinatorConfig::default())
    }

    pub(super) fn with_config(config: GroupCoordinatorConfig) -> Self {
        Self {
            groups: ClassicGroups::default(),
            timers: Timers::default(),
            config,
            image: MetadataImage::empty("test"),
            now_ms: 1_000,
            records: Vec::new(),
            version: 9,
        }
    }

    fn collect<R>(&mut self, result: CoordinatorResult<R>) -> R {
        self.records.extend(result.records);
        for deferred in result.deferred {
            deferred.complete(Ok(()));
        }
        result.response
    }

    pub(super) fn join(&mut self, req: &JoinGroupRequest) -> Receiver<JoinGroupResponse> {
        let (tx, rx) = oneshot::channel();
        let mut ctx = OpContext {
            now_ms: self.now_ms,
            config: &self.config,
            image: &self.image,
            timers: &mut self.timers,
            client_id: "client",
            client_host: "/127.0.0.1",
            api_version: self.version,
        };
        let result = self.groups.join(&mut ctx, req, tx);
        self.collect(result);
        rx
    }

    pub(super) fn sync(&mut self, req: &SyncGroupRequest) -> Receiver<SyncGroupResponse> {
        let (tx, rx) = oneshot::channel();
        let mut ctx = OpContext {
            now_ms: self.now_ms,
            config: &self.config,
            image: &self.image,
            timers: &mut self.timers,
            client_id: "client",
            client_host: "/127.0.0.1",
            api_version: self.version.min(5),
        };
        let result = self.groups.sync(&mut ctx, req, tx);
        self.collect(result);
        rx
    }

    pub(super) fn heartbeat(&mut self, member_id: &str, generation: i32) -> i16 {
        let req = HeartbeatRequest::default()
            .with_group_id(group_id(GROUP))
            .with_member_id(s(member_id))
            .with_generation_id(generation);
        let mut ctx = OpContext {
            now_ms: self.now_ms,
            config: &self.config,
            image: &self.image,
            timers: &mut self.timers,
            client_id: "client",
            client_host: "/127.0.0.1",
            api_version: 4,
        };
        let result = self.groups.heartbeat(&mut ctx, &req);
        self.collect(result).error_code
    }

    pub(super) fn leave(&mut self, req: &LeaveGroupRequest, version: i16) -> LeaveGroupResponse {
        let mut ctx = OpContext {
            now_ms: self.now_ms,
            config: &self.config,
            image: &self.image,
            timers: &mut self.timers,
            client_id: "client",
            client_host: "/127.0.0.1",
            api_version: version,
        };
        let result = self.groups.leave(&mut ctx, req);
        self.collect(result)
    }

    pub(super) fn delete(&mut self, group: &str) -> Result<Vec<GroupRecord>, i16> {
        let mut ctx = OpContext {
            now_ms: self.now_ms,
            config: &self.config,
            image: &self.image,
            timers: &mut self.timers,
            client_id: "client",
            client_host: "/127.0.0.1",
            api_version: 0,
        };
        let records = self.groups.delete_group(&mut ctx, group)?;
        self.records.extend(records.clone());
        Ok(records)
    }

    /// Moves the clock by `ms`, firing every timer that expires on the way, in deadline order.
    pub(super) fn advance(&mut self, ms: i64) {
        let target = self.now_ms + ms;
        while let Some(deadline) = self.timers.next_deadline() {
            if deadline > target {
                break;
            }
            self.now_ms = self.now_ms.max(deadline);
            for key in self.timers.pop_expired(self.now_ms) {
                let mut ctx = OpContext {
                    now_ms: self.now_ms,
                    config: &self.config,
                    image: &self.image,
                    timers: &mut self.timers,
                    client_id: "",
                    client_host: "",
                    api_version: 0,
                };
                let result = self.groups.on_timer(&mut ctx, &key);
                self.collect(result);
            }
        }
        self.now_ms = target;
    }

    pub(super) fn state(&self) -> &'static str {
        self.groups
            .groups
            .get(GROUP)
            .map_or("Dead", |g| g.state.name())
    }

    pub(super) fn replayed(&self) -> ClassicGroups {
        let mut replayed = ClassicGroups::default();
        for record in &self.records {
            assert!(replayed.replay(record));
        }
        replayed
    }
}

pub(super) fn s(value: &str) -> StrBytes {
    StrBytes::from_string(value.to_owned())
}

pub(super) fn group_id(value: &str) -> GroupId {
    GroupId(s(value))
}

pub(super) fn join_request(member_id: &str, protocols: &[(&str, &[u8])]) -> JoinGroupRequest {
    JoinGroupRequest::default()
        .with_group_id(group_id(GROUP))
        .with_member_id(s(member_id))
        .with_session_timeout_ms(SESSION_MS)
        .with_rebalance_timeout_ms(REBALANCE_MS)
        .with_protocol_type(s("consumer"))
        .with_protocols(
            protocols
                .iter()
                .map(|(name, metadata)| {
                    JoinGroupRequestProtocol::default()
                        .with_name(s(name))
                        .with_metadata(Bytes::copy_from_slice(metadata))
                })
                .collect(),
        )
}

pub(super) fn range_join(member_id: &str) -> JoinGroupRequest {
    join_request(member_id, &[("range", b"sub")])
}

pub(super) fn sync_request(
    member_id: &str,
    generation: i32,
    assignments: &[(&str, &[u8])],
) -> SyncGroupRequest {
    SyncGroupRequest::default()
        .with_group_id(group_id(GROUP))
        .with_member_id(s(member_id))
        .with_generation_id(generation)
        .with_assignments(
            assignments
                .iter()
                .map(|(member, assignment)| {
                    SyncGroupRequestAssignment::default()
                        .with_member_id(s(member))
                        .with_assignment(Bytes::copy_from_slice(assignment))
                })
                .collect(),
        )
}
