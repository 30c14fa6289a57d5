//! The raft transport between controller voters.
//!
//! Strata runs a single voter today (combined mode: `node.id` is the only voter), so no RPC ever
//! leaves the node. [`VoterTransport`] is the seam for the 3-voter TCP transport: it hands
//! openraft one connection per peer. [`UnreachableTransport`] is the only implementation now;
//! its connections fail every RPC with an `Unreachable` error naming the peer.

use openraft::error::{InstallSnapshotError, RPCError, RaftError, Unreachable};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use openraft::BasicNode;

use super::{NodeId, TypeConfig};

/// Opens connections to other voters. Implement this for a real transport.
pub trait VoterTransport: Send + Sync + 'static {
    /// One peer connection; it may connect lazily.
    type Connection: RaftNetwork<TypeConfig>;
    /// A client for `target` at `node.addr` (must not block on connecting).
    fn connect(&self, target: NodeId, node: &BasicNode) -> Self::Connection;
}

/// The raft network factory: delegates every connection to a [`VoterTransport`].
#[derive(Debug, Clone)]
pub struct MetadataNetwork<T> {
    transport: T,
}

impl<T: VoterTransport> MetadataNetwork<T> {
    /// A factory over `transport`.
    pub fn new(transport: T) -> Self {
        MetadataNetwork { transport }
    }
}

impl<T: VoterTransport> RaftNetworkFactory<TypeConfig> for MetadataNetwork<T> {
    type Network = T::Connection;

    async fn new_client(&mut self, target: NodeId, node: &BasicNode) -> Self::Network {
        self.transport.connect(target, node)
    }
}

/// The transport of a single-voter quorum: every peer is unreachable.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnreachableTransport;

impl VoterTransport for UnreachableTransport {
    type Connection = UnreachableVoter;

    fn connect(&self, target: NodeId, node: &BasicNode) -> UnreachableVoter {
        UnreachableVoter {
            target,
            addr: node.addr.clone(),
        }
    }
}

/// Why an RPC to another voter failed.
#[derive(Debug, thiserror::Error)]
#[error("controller voter {target} at {addr:?} is unreachable: this node runs a single-voter quorum without a voter transport")]
pub struct VoterUnreachable {
    target: NodeId,
    addr: String,
}

/// A connection that fails every RPC with [`VoterUnreachable`].
#[derive(Debug, Clone)]
pub struct UnreachableVoter {
    target: NodeId,
    addr: String,
}

impl UnreachableVoter {
    fn error<E: std::error::Error>(&self) -> RPCError<NodeId, BasicNode, E> {
        RPCError::Unreachable(Unreachable::new(&VoterUnreachable {
            target: self.target,
            addr: self.addr.clone(),
        }))
    }
}

impl RaftNetwork<TypeConfig> for UnreachableVoter {
    async fn append_entries(
        &mut self,
        _rpc: AppendEntriesRequest<TypeConfig>,
        _option: RPCOption,
    ) -> Result<AppendEntriesResponse<NodeId>, RPCError<NodeId, BasicNode, RaftError<NodeId>>> {
        Err(self.error())
    }

    async fn install_snapshot(
        &mut self,
        _rpc: InstallSnapshotRequest<TypeConfig>,
        _option: RPCOption,
    ) -> Result<
        InstallSnapshotResponse<NodeId>,
        RPCError<NodeId, BasicNode, RaftError<NodeId, InstallSnapshotError>>,
    > {
        Err(self.error())
    }

    async fn vote(
        &mut self,
        _rpc: VoteRequest<NodeId>,
        _option: RPCOption,
    ) -> Result<VoteResponse<NodeId>, RPCError<NodeId, BasicNode, RaftError<NodeId>>> {
        Err(self.error())
    }
}
