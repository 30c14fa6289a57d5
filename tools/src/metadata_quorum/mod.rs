//! `strata metadata-quorum`: Kafka's `kafka-metadata-quorum.sh describe --status|--replication`
//! over DescribeQuorum (API 55) and DescribeCluster (API 60), printing what Kafka prints.

pub(crate) mod connection;

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use kafka_protocol::messages::describe_quorum_request::{PartitionData, TopicData};
use kafka_protocol::messages::describe_quorum_response::{self, ReplicaState};
use kafka_protocol::messages::{
    ApiKey, DescribeClusterRequest, DescribeQuorumRequest, RequestKind, ResponseKind, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use strata_storage::uuid_to_kafka_string;

use connection::{Connection, ConnectionError};

/// The metadata topic DescribeQuorum asks about.
const METADATA_TOPIC: &str = "__cluster_metadata";
/// DescribeQuorum version asked for (v2 carries directory ids and endpoints).
const DESCRIBE_QUORUM_VERSION: i16 = 2;
/// DescribeCluster version asked for.
const DESCRIBE_CLUSTER_VERSION: i16 = 1;

/// Options of `strata metadata-quorum`.
#[derive(Debug, Args)]
#[command(about = "Describe the KRaft metadata quorum, as kafka-metadata-quorum.sh does")]
pub(crate) struct MetadataQuorumArgs {
    /// A node's client listener.
    #[arg(long = "bootstrap-server", value_name = "HOST:PORT")]
    bootstrap_server: String,
    #[command(subcommand)]
    command: QuorumCommand,
}

#[derive(Debug, Subcommand)]
enum QuorumCommand {
    /// Describe the metadata quorum info.
    Describe(DescribeArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["status", "replication"])))]
struct DescribeArgs {
    /// A short summary of the quorum status and the other information about the quorum.
    #[arg(long)]
    status: bool,
    /// Detailed information about the status of replication.
    #[arg(long)]
    replication: bool,
    /// Print relative times ("N ms ago") instead of epoch milliseconds (with --replication).
    #[arg(long = "human-readable", requires = "replication")]
    human_readable: bool,
}

/// Why describing the quorum failed.
#[derive(Debug, thiserror::Error)]
enum QuorumError {
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    #[error("the node answered {api:?} with error {name} (code {code}){message}")]
    Kafka {
        api: ApiKey,
        name: String,
        code: i16,
        message: String,
    },
    #[error("the {METADATA_TOPIC} partition is missing from the DescribeQuorum response")]
    NoPartition,
    #[error("the leader {leader_id} is not among the voters of the DescribeQuorum response")]
    LeaderNotVoter { leader_id: i32 },
    #[error("unexpected {api:?} response: {kind}")]
    Unexpected { api: ApiKey, kind: String },
}

fn kafka_error(api: ApiKey, code: i16, message: Option<&StrBytes>) -> QuorumError {
    let name = ResponseError::try_from_code(code)
        .map(|e| format!("{e:?}"))
        .unwrap_or_else(|| "UNKNOWN".to_string());
    let message = message
        .map(|m| format!(": {}", m.as_str()))
        .unwrap_or_default();
    QuorumError::Kafka {
        api,
        name,
        code,
        message,
    }
}

/// What DescribeQuorum answered about the metadata partition.
struct QuorumInfo {
    leader_id: i32,
    leader_epoch: i32,
    high_watermark: i64,
    voters: Vec<ReplicaState>,
    observers: Vec<ReplicaState>,
    /// node id → endpoints as `NAME://host:port`.
    endpoints: std::collections::BTreeMap<i32, Vec<String>>,
}

fn describe_quorum(connection: &mut Connection) -> Result<QuorumInfo, QuorumError> {
    let request = DescribeQuorumRequest::default().with_topics(vec![TopicData::default()
        .with_topic_name(TopicName(StrBytes::from_static_str(METADATA_TOPIC)))
        .with_partitions(vec![PartitionData::default().with_partition_index(0)])]);
    let api = ApiKey::DescribeQuorum;
    let response = match connection.send(
        api,
        DESCRIBE_QUORUM_VERSION,
        RequestKind::DescribeQuorum(request),
    )? {
        ResponseKind::DescribeQuorum(r) => r,
        other => {
            return Err(QuorumError::Unexpected {
                api,
                kind: format!("{other:?}"),
            })
        }
    };
    if response.error_code != 0 {
        return Err(kafka_error(
            api,
            response.error_code,
            response.error_message.as_ref(),
        ));
    }
    let partition = response
        .topics
        .iter()
        .filter(|t| t.topic_name.0.as_str() == METADATA_TOPIC)
        .flat_map(|t| t.partitions.iter())
        .find(|p| p.partition_index == 0)
        .ok_or(QuorumError::NoPartition)?;
    if partition.error_code != 0 {
        return Err(kafka_error(
            api,
            partition.error_code,
            partition.error_message.as_ref(),
        ));
    }
    let endpoints = response
        .nodes
        .iter()
        .map(|n: &describe_quorum_response::Node| {
            (
                n.node_id.0,
                n.listeners
                    .iter()
                    .map(|l| {
                        let host = l.host.as_str();
                        let host = if host.contains(':') {
                            format!("[{host}]")
                        } else {
                            host.to_string()
                        };
                        format!("{}://{host}:{}", l.name.as_str(), l.port)
                    })
                    .collect(),
            )
        })
        .collect();
    Ok(QuorumInfo {
        leader_id: partition.leader_id.0,
        leader_epoch: partition.leader_epoch,
        high_watermark: partition.high_watermark,
        voters: partition.current_voters.clone(),
        observers: partition.observers.clone(),
        endpoints,
    })
}

fn cluster_id(connection: &mut Connection) -> Result<String, QuorumError> {
    let api = ApiKey::DescribeCluster;
    match connection.send(
        api,
        DESCRIBE_CLUSTER_VERSION,
        RequestKind::DescribeCluster(DescribeClusterRequest::default()),
    )? {
        ResponseKind::DescribeCluster(r) if r.error_code == 0 => Ok(r.cluster_id.to_string()),
        ResponseKind::DescribeCluster(r) => {
            Err(kafka_error(api, r.error_code, r.error_message.as_ref()))
        }
        other => Err(QuorumError::Unexpected {
            api,
            kind: format!("{other:?}"),
        }),
    }
}

/// Kafka's `Node.toString` in `printReplicaState`.
fn replica_json(info: &QuorumInfo, replica: &ReplicaState) -> String {
    let id = replica.replica_id.0;
    let directory = if replica.replica_directory_id.is_nil() {
        "null".to_string()
    } else {
        format!("\"{}\"", uuid_to_kafka_string(replica.replica_directory_id))
    };
    let mut out = format!("{{\"id\": {id}, \"directoryId\": {directory}");
    if let Some(endpoints) = info.endpoints.get(&id).filter(|e| !e.is_empty()) {
        let quoted: Vec<String> = endpoints.iter().map(|e| format!("\"{e}\"")).collect();
        out.push_str(&format!(", \"endpoints\": [{}]", quoted.join(", ")));
    }
    out.push('}');
    out
}

fn replicas_json(info: &QuorumInfo, replicas: &[ReplicaState]) -> String {
    let items: Vec<String> = replicas.iter().map(|r| replica_json(info, r)).collect();
    format!("[{}]", items.join(", "))
}

fn leader_of(info: &QuorumInfo) -> Result<&ReplicaState, QuorumError> {
    info.voters
        .iter()
        .find(|v| v.replica_id.0 == info.leader_id)
        .ok_or(QuorumError::LeaderNotVoter {
            leader_id: info.leader_id,
        })
}

/// `describe --status`.
fn status_text(cluster_id: &str, info: &QuorumInfo) -> Result<String, QuorumError> {
    let leader = leader_of(info)?;
    let max_lag_follower = info
        .voters
        .iter()
        .min_by_key(|v| v.log_end_offset)
        .unwrap_or(leader);
    let max_follower_lag = leader.log_end_offset - max_lag_follower.log_end_offset;
    let max_follower_lag_time_ms = if max_lag_follower.replica_id == leader.replica_id {
        0
    } else if leader.last_caught_up_timestamp >= 0 && max_lag_follower.last_caught_up_timestamp >= 0
    {
        leader.last_caught_up_timestamp - max_lag_follower.last_caught_up_timestamp
    } else {
        -1
    };
    Ok(format!(
        "ClusterId:              {cluster_id}\n\
         LeaderId:               {}\n\
         LeaderEpoch:            {}\n\
         HighWatermark:          {}\n\
         MaxFollowerLag:         {max_follower_lag}\n\
         MaxFollowerLagTimeMs:   {max_follower_lag_time_ms}\n\
         CurrentVoters:          {}\n\
         CurrentObservers:       {}\n",
        info.leader_id,
        info.leader_epoch,
        info.high_watermark,
        replicas_json(info, &info.voters),
        replicas_json(info, &info.observers),
    ))
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn timestamp_cell(timestamp: i64, human_readable: bool) -> String {
    if timestamp < 0 {
        "-1".to_string()
    } else if human_readable {
        format!("{} ms ago", (now_ms() - timestamp).max(0))
    } else {
        timestamp.to_string()
    }
}

/// Kafka's `ToolsUtils.prettyPrintTable`: every cell padded to its column, then a tab.
fn pretty_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let mut out = String::new();
    let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&headers).chain(rows) {
        for (cell, width) in row.iter().zip(&widths) {
            out.push_str(&format!("{cell:<width$}\t"));
        }
        out.push('\n');
    }
    out
}

/// `describe --replication`.
fn replication_text(info: &QuorumInfo, human_readable: bool) -> Result<String, QuorumError> {
    let leader = leader_of(info)?;
    let row = |r: &ReplicaState, status: &str| {
        vec![
            r.replica_id.0.to_string(),
            uuid_to_kafka_string(r.replica_directory_id),
            r.log_end_offset.to_string(),
            (leader.log_end_offset - r.log_end_offset).to_string(),
            timestamp_cell(r.last_fetch_timestamp, human_readable),
            timestamp_cell(r.last_caught_up_timestamp, human_readable),
            status.to_string(),
        ]
    };
    let mut rows = vec![row(leader, "Leader")];
    rows.extend(
        info.voters
            .iter()
            .filter(|v| v.replica_id != leader.replica_id)
            .map(|v| row(v, "Follower")),
    );
    rows.extend(info.observers.iter().map(|o| row(o, "Observer")));
    Ok(pretty_table(
        &[
            "NodeId",
            "DirectoryId",
            "LogEndOffset",
            "Lag",
            "LastFetchTimestamp",
            "LastCaughtUpTimestamp",
            "Status",
        ],
        &rows,
    ))
}

fn describe(server: &str, args: &DescribeArgs) -> Result<String, QuorumError> {
    let mut connection = Connection::connect(server)?;
    if args.status {
        let cluster_id = cluster_id(&mut connection)?;
        let info = describe_quorum(&mut connection)?;
        status_text(&cluster_id, &info)
    } else {
        let info = describe_quorum(&mut connection)?;
        replication_text(&info, args.human_readable)
    }
}

/// Runs `strata metadata-quorum`.
pub(crate) fn run(args: MetadataQuorumArgs) -> ExitCode {
    let QuorumCommand::Describe(describe_args) = &args.command;
    match describe(&args.bootstrap_server, describe_args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_pad_every_cell_and_end_each_column_with_a_tab() {
        let text = pretty_table(
            &["NodeId", "Status"],
            &[vec!["1".to_string(), "Leader".to_string()]],
        );
        assert_eq!(text, "NodeId\tStatus\t\n1     \tLeader\t\n");
    }
}
