//! One module per Kafka API. Each exports `SPEC` (key, advertised versions, entry point);
//! `all()` is the single list the router and the ApiVersions response are built from.

use bytes::Bytes;
use kafka_protocol::protocol::Decodable;

use crate::errors::HandlerError;
use crate::router::{HandlerSpec, RequestContext};

pub(crate) mod alter_configs;
pub(crate) mod api_versions;
pub(crate) mod config_alteration;
pub(crate) mod create_partitions;
pub(crate) mod create_topics;
pub(crate) mod delete_topics;
pub(crate) mod describe_cluster;
pub(crate) mod describe_configs;
pub(crate) mod describe_quorum;
pub(crate) mod describe_topic_partitions;
pub(crate) mod get_telemetry_subscriptions;
pub(crate) mod incremental_alter_configs;
pub(crate) mod metadata;

// Partition and log-dir administration.
pub(crate) mod alter_partition_reassignments;
pub(crate) mod alter_replica_log_dirs;
pub(crate) mod elect_leaders;
pub(crate) mod list_config_resources;
pub(crate) mod list_partition_reassignments;

// broker-data's handlers.
pub(crate) mod delete_records;
pub(crate) mod describe_log_dirs;
pub(crate) mod describe_producers;
pub(crate) mod fetch;
pub(crate) mod init_producer_id;
pub(crate) mod list_offsets;
pub(crate) mod offset_for_leader_epoch;
pub(crate) mod produce;

// group-runtime's handlers (the group coordinator).
pub(crate) mod consumer_group_describe;
pub(crate) mod consumer_group_heartbeat;
pub(crate) mod delete_groups;
pub(crate) mod describe_groups;
pub(crate) mod find_coordinator;
pub(crate) mod heartbeat;
pub(crate) mod join_group;
pub(crate) mod leave_group;
pub(crate) mod list_groups;
pub(crate) mod offset_commit;
pub(crate) mod offset_delete;
pub(crate) mod offset_fetch;
pub(crate) mod sync_group;

/// Every registered handler. The router's table and the ApiVersions response derive from this list.
pub(crate) fn all() -> Vec<HandlerSpec> {
    vec![
        api_versions::SPEC,
        metadata::SPEC,
        create_topics::SPEC,
        delete_topics::SPEC,
        create_partitions::SPEC,
        describe_configs::SPEC,
        alter_configs::SPEC,
        incremental_alter_configs::SPEC,
        describe_cluster::SPEC,
        describe_quorum::SPEC,
        describe_topic_partitions::SPEC,
        get_telemetry_subscriptions::SPEC,
        produce::SPEC,
        fetch::SPEC,
        list_offsets::SPEC,
        delete_records::SPEC,
        offset_for_leader_epoch::SPEC,
        describe_log_dirs::SPEC,
        init_producer_id::SPEC,
        describe_producers::SPEC,
        find_coordinator::SPEC,
        join_group::SPEC,
        sync_group::SPEC,
        heartbeat::SPEC,
        leave_group::SPEC,
        offset_commit::SPEC,
        offset_fetch::SPEC,
        offset_delete::SPEC,
        describe_groups::SPEC,
        list_groups::SPEC,
        delete_groups::SPEC,
        consumer_group_heartbeat::SPEC,
        consumer_group_describe::SPEC,
        elect_leaders::SPEC,
        list_partition_reassignments::SPEC,
        alter_partition_reassignments::SPEC,
        alter_replica_log_dirs::SPEC,
        list_config_resources::SPEC,
    ]
}

/// Decodes a request body of the version the header announced; failure closes the connection.
pub(crate) fn decode_request<T: Decodable>(
    request: &RequestContext,
    mut body: Bytes,
) -> Result<T, HandlerError> {
    T::decode(&mut body, request.api_version).map_err(|error| HandlerError::Malformed {
        api_key: request.api_key,
        api_version: request.api_version,
        reason: error.to_string(),
    })
}

/// Text as a wire string (one copy).
pub(crate) fn wire_str(text: &str) -> kafka_protocol::protocol::StrBytes {
    kafka_protocol::protocol::StrBytes::from_string(text.to_owned())
}

/// A topic name for the wire.
pub(crate) fn wire_topic(name: &str) -> kafka_protocol::messages::TopicName {
    kafka_protocol::messages::TopicName(wire_str(name))
}

/// "Authorized operations were not requested" (Kafka's `Integer.MIN_VALUE` sentinel).
pub(crate) const AUTHORIZED_OPERATIONS_OMITTED: i32 = i32::MIN;

/// Every topic operation Kafka defines (READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8,
/// DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11) as a bit field: with no authorizer, Kafka reports all.
pub(crate) const TOPIC_AUTHORIZED_OPERATIONS_ALL: i32 =
    (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);

/// Every cluster operation (CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10,
/// ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12) as a bit field.
pub(crate) const CLUSTER_AUTHORIZED_OPERATIONS_ALL: i32 =
    (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

/// Kafka's internal topics (`Topic.isInternal`).
pub(crate) fn is_internal_topic(name: &str) -> bool {
    name == "__consumer_offsets" || name == "__transaction_state" || name == "__share_group_state"
}

/// The endpoint of `broker_id` on the listener named `listener`, if that broker is live and has it.
pub(crate) fn live_endpoint<'a>(
    image: &'a strata_controller::MetadataImage,
    broker_id: i32,
    listener: &str,
) -> Option<&'a strata_controller::Endpoint> {
    image
        .brokers
        .get(&broker_id)
        .filter(|b| !b.fenced)
        .and_then(|b| b.listeners.iter().find(|e| e.name == listener))
}

/// The controller id clients are shown: clients cannot reach KRaft controllers, so Kafka reports a
/// live broker (the real controller when it is also a live broker); -1 when none is live.
pub(crate) fn client_visible_controller_id(image: &strata_controller::MetadataImage) -> i32 {
    if image
        .brokers
        .get(&image.controller_id)
        .is_some_and(|b| !b.fenced)
    {
        return image.controller_id;
    }
    image.live_brokers().next().map_or(-1, |b| b.id)
}

/// `ConfigResource.Type` ids used by the config APIs.
pub(crate) mod resource_type {
    /// A topic.
    pub(crate) const TOPIC: i8 = 2;
    /// A broker (name = broker id) or the cluster-wide broker default (name = "").
    pub(crate) const BROKER: i8 = 4;
    /// A broker's loggers.
    pub(crate) const BROKER_LOGGER: i8 = 8;
}

/// Pre-checks one key of a BROKER config change; returns Kafka's (error code, message) on failure.
pub(crate) fn check_broker_config_change(
    key: &str,
    value: Option<&str>,
) -> Result<(), (i16, String)> {
    crate::config::validate_dynamic_broker_config(key, value).map_err(|error| {
        (
            kafka_protocol::ResponseError::InvalidConfig.code(),
            error.to_string(),
        )
    })
}
