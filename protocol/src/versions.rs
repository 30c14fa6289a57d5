//! The request versions this build can decode, per API key.
//!
//! The broker advertises in ApiVersions only what it can decode, so this table is taken from the
//! generated message types of `kafka-protocol` (each request's `Message::VERSIONS`), never written
//! by hand. The broker intersects it with the versions its handlers implement.

use kafka_protocol::messages::*;
use kafka_protocol::protocol::{Message, VersionRange};

/// The inclusive version range `kafka-protocol` 0.18 decodes for requests of `api_key`.
pub fn decodable(api_key: ApiKey) -> VersionRange {
    match api_key {
        ApiKey::Produce => <ProduceRequest as Message>::VERSIONS,
        ApiKey::Fetch => <FetchRequest as Message>::VERSIONS,
        ApiKey::ListOffsets => <ListOffsetsRequest as Message>::VERSIONS,
        ApiKey::Metadata => <MetadataRequest as Message>::VERSIONS,
        ApiKey::OffsetCommit => <OffsetCommitRequest as Message>::VERSIONS,
        ApiKey::OffsetFetch => <OffsetFetchRequest as Message>::VERSIONS,
        ApiKey::FindCoordinator => <FindCoordinatorRequest as Message>::VERSIONS,
        ApiKey::JoinGroup => <JoinGroupRequest as Message>::VERSIONS,
        ApiKey::Heartbeat => <HeartbeatRequest as Message>::VERSIONS,
        ApiKey::LeaveGroup => <LeaveGroupRequest as Message>::VERSIONS,
        ApiKey::SyncGroup => <SyncGroupRequest as Message>::VERSIONS,
        ApiKey::DescribeGroups => <DescribeGroupsRequest as Message>::VERSIONS,
        ApiKey::ListGroups => <ListGroupsRequest as Message>::VERSIONS,
        ApiKey::SaslHandshake => <SaslHandshakeRequest as Message>::VERSIONS,
        ApiKey::ApiVersions => <ApiVersionsRequest as Message>::VERSIONS,
        ApiKey::CreateTopics => <CreateTopicsRequest as Message>::VERSIONS,
        ApiKey::DeleteTopics => <DeleteTopicsRequest as Message>::VERSIONS,
        ApiKey::DeleteRecords => <DeleteRecordsRequest as Message>::VERSIONS,
        ApiKey::InitProducerId => <InitProducerIdRequest as Message>::VERSIONS,
        ApiKey::OffsetForLeaderEpoch => <OffsetForLeaderEpochRequest as Message>::VERSIONS,
        ApiKey::AddPartitionsToTxn => <AddPartitionsToTxnRequest as Message>::VERSIONS,
        ApiKey::AddOffsetsToTxn => <AddOffsetsToTxnRequest as Message>::VERSIONS,
        ApiKey::EndTxn => <EndTxnRequest as Message>::VERSIONS,
        ApiKey::WriteTxnMarkers => <WriteTxnMarkersRequest as Message>::VERSIONS,
        ApiKey::TxnOffsetCommit => <TxnOffsetCommitRequest as Message>::VERSIONS,
        ApiKey::DescribeAcls => <DescribeAclsRequest as Message>::VERSIONS,
        ApiKey::CreateAcls => <CreateAclsRequest as Message>::VERSIONS,
        ApiKey::DeleteAcls => <DeleteAclsRequest as Message>::VERSIONS,
        ApiKey::DescribeConfigs => <DescribeConfigsRequest as Message>::VERSIONS,
        ApiKey::AlterConfigs => <AlterConfigsRequest as Message>::VERSIONS,
        ApiKey::AlterReplicaLogDirs => <AlterReplicaLogDirsRequest as Message>::VERSIONS,
        ApiKey::DescribeLogDirs => <DescribeLogDirsRequest as Message>::VERSIONS,
        ApiKey::SaslAuthenticate => <SaslAuthenticateRequest as Message>::VERSIONS,
        ApiKey::CreatePartitions => <CreatePartitionsRequest as Message>::VERSIONS,
        ApiKey::CreateDelegationToken => <CreateDelegationTokenRequest as Message>::VERSIONS,
        ApiKey::RenewDelegationToken => <RenewDelegationTokenRequest as Message>::VERSIONS,
        ApiKey::ExpireDelegationToken => <ExpireDelegationTokenRequest as Message>::VERSIONS,
        ApiKey::DescribeDelegationToken => <DescribeDelegationTokenRequest as Message>::VERSIONS,
        ApiKey::DeleteGroups => <DeleteGroupsRequest as Message>::VERSIONS,
        ApiKey::ElectLeaders => <ElectLeadersRequest as Message>::VERSIONS,
        ApiKey::IncrementalAlterConfigs => <IncrementalAlterConfigsRequest as Message>::VERSIONS,
        ApiKey::AlterPartitionReassignments => {
            <AlterPartitionReassignmentsRequest as Message>::VERSIONS
        }
        ApiKey::ListPartitionReassignments => {
            <ListPartitionReassignmentsRequest as Message>::VERSIONS
        }
        ApiKey::OffsetDelete => <OffsetDeleteRequest as Message>::VERSIONS,
        ApiKey::DescribeClientQuotas => <DescribeClientQuotasRequest as Message>::VERSIONS,
        ApiKey::AlterClientQuotas => <AlterClientQuotasRequest as Message>::VERSIONS,
        ApiKey::DescribeUserScramCredentials => {
            <DescribeUserScramCredentialsRequest as Message>::VERSIONS
        }
        ApiKey::AlterUserScramCredentials => {
            <AlterUserScramCredentialsRequest as Message>::VERSIONS
        }
        ApiKey::Vote => <VoteRequest as Message>::VERSIONS,
        ApiKey::BeginQuorumEpoch => <BeginQuorumEpochRequest as Message>::VERSIONS,
        ApiKey::EndQuorumEpoch => <EndQuorumEpochRequest as Message>::VERSIONS,
        ApiKey::DescribeQuorum => <DescribeQuorumRequest as Message>::VERSIONS,
        ApiKey::AlterPartition => <AlterPartitionRequest as Message>::VERSIONS,
        ApiKey::UpdateFeatures => <UpdateFeaturesRequest as Message>::VERSIONS,
        ApiKey::Envelope => <EnvelopeRequest as Message>::VERSIONS,
        ApiKey::FetchSnapshot => <FetchSnapshotRequest as Message>::VERSIONS,
        ApiKey::DescribeCluster => <DescribeClusterRequest as Message>::VERSIONS,
        ApiKey::DescribeProducers => <DescribeProducersRequest as Message>::VERSIONS,
        ApiKey::BrokerRegistration => <BrokerRegistrationRequest as Message>::VERSIONS,
        ApiKey::BrokerHeartbeat => <BrokerHeartbeatRequest as Message>::VERSIONS,
        ApiKey::UnregisterBroker => <UnregisterBrokerRequest as Message>::VERSIONS,
        ApiKey::DescribeTransactions => <DescribeTransactionsRequest as Message>::VERSIONS,
        ApiKey::ListTransactions => <ListTransactionsRequest as Message>::VERSIONS,
        ApiKey::AllocateProducerIds => <AllocateProducerIdsRequest as Message>::VERSIONS,
        ApiKey::ConsumerGroupHeartbeat => <ConsumerGroupHeartbeatRequest as Message>::VERSIONS,
        ApiKey::ConsumerGroupDescribe => <ConsumerGroupDescribeRequest as Message>::VERSIONS,
        ApiKey::ControllerRegistration => <ControllerRegistrationRequest as Message>::VERSIONS,
        ApiKey::GetTelemetrySubscriptions => {
            <GetTelemetrySubscriptionsRequest as Message>::VERSIONS
        }
        ApiKey::PushTelemetry => <PushTelemetryRequest as Message>::VERSIONS,
        ApiKey::AssignReplicasToDirs => <AssignReplicasToDirsRequest as Message>::VERSIONS,
        ApiKey::ListConfigResources => <ListConfigResourcesRequest as Message>::VERSIONS,
        ApiKey::DescribeTopicPartitions => <DescribeTopicPartitionsRequest as Message>::VERSIONS,
        ApiKey::ShareGroupHeartbeat => <ShareGroupHeartbeatRequest as Message>::VERSIONS,
        ApiKey::ShareGroupDescribe => <ShareGroupDescribeRequest as Message>::VERSIONS,
        ApiKey::ShareFetch => <ShareFetchRequest as Message>::VERSIONS,
        ApiKey::ShareAcknowledge => <ShareAcknowledgeRequest as Message>::VERSIONS,
        ApiKey::AddRaftVoter => <AddRaftVoterRequest as Message>::VERSIONS,
        ApiKey::RemoveRaftVoter => <RemoveRaftVoterRequest as Message>::VERSIONS,
        ApiKey::UpdateRaftVoter => <UpdateRaftVoterRequest as Message>::VERSIONS,
        ApiKey::InitializeShareGroupState => {
            <InitializeShareGroupStateRequest as Message>::VERSIONS
        }
        ApiKey::ReadShareGroupState => <ReadShareGroupStateRequest as Message>::VERSIONS,
        ApiKey::WriteShareGroupState => <WriteShareGroupStateRequest as Message>::VERSIONS,
        ApiKey::DeleteShareGroupState => <DeleteShareGroupStateRequest as Message>::VERSIONS,
        ApiKey::ReadShareGroupStateSummary => {
            <ReadShareGroupStateSummaryRequest as Message>::VERSIONS
        }
        ApiKey::DescribeShareGroupOffsets => {
            <DescribeShareGroupOffsetsRequest as Message>::VERSIONS
        }
        ApiKey::AlterShareGroupOffsets => <AlterShareGroupOffsetsRequest as Message>::VERSIONS,
        ApiKey::DeleteShareGroupOffsets => <DeleteShareGroupOffsetsRequest as Message>::VERSIONS,
    }
}

/// True when `version` of `api_key` is inside [`decodable`]`(api_key)`.
pub fn is_decodable(api_key: ApiKey, version: i16) -> bool {
    let range = decodable(api_key);
    range.min <= version && version <= range.max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn produce_decodable_range_matches_kafka_protocol() {
        assert_eq!(decodable(ApiKey::Produce), VersionRange { min: 3, max: 13 });
    }

    #[test]
    fn api_versions_v0_is_decodable_and_v5_is_not() {
        assert!(is_decodable(ApiKey::ApiVersions, 0));
        assert!(!is_decodable(ApiKey::ApiVersions, 5));
    }
}
