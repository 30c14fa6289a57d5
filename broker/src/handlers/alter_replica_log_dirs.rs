//! AlterReplicaLogDirs (34), v1–v2: move a replica hosted by this broker to another of its log
//! directories.
//!
//! Kafka's semantics (`ReplicaManager.alterReplicaLogDirs`): the destination is compared as an
//! absolute path with the configured log dirs, LOG_DIR_NOT_FOUND when it is none of them; a
//! partition this broker does not host gets REPLICA_NOT_AVAILABLE; a replica already in the
//! destination is a no-op with NONE. Moving a replica between two log dirs of one broker (Kafka's
//! "future" replica) is not built yet: that answer is KAFKA_STORAGE_ERROR, logged with the reason.
//! With a single `log.dirs` entry (the default) it cannot be asked for.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::messages::alter_replica_log_dirs_response::{
    AlterReplicaLogDirPartitionResult, AlterReplicaLogDirTopicResult,
};
use kafka_protocol::messages::{
    AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse, ApiKey, ResponseKind,
};
use kafka_protocol::ResponseError;
use strata_storage::{LogManager, TopicPartition};

use crate::context::BrokerContext;
use crate::handlers::decode_request;
use crate::router::{HandlerFuture, HandlerSpec, RequestContext};

/// Registration of this handler.
pub(crate) const SPEC: HandlerSpec = HandlerSpec {
    api_key: ApiKey::AlterReplicaLogDirs,
    min_version: 1,
    max_version: 2,
    handle,
};

fn handle(context: Arc<BrokerContext>, request: RequestContext, body: Bytes) -> HandlerFuture {
    Box::pin(async move {
        let decoded: AlterReplicaLogDirsRequest = decode_request(&request, body)?;
        Ok(Some(ResponseKind::AlterReplicaLogDirs(
            alter_replica_log_dirs(context.replica_manager.log_manager(), &decoded),
        )))
    })
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The per-replica outcome of `request` on this broker's logs.
pub(crate) fn alter_replica_log_dirs(
    log_manager: &LogManager,
    request: &AlterReplicaLogDirsRequest,
) -> AlterReplicaLogDirsResponse {
    let configured: Vec<PathBuf> = log_manager.log_dirs().iter().map(|d| absolute(d)).collect();
    let mut response = AlterReplicaLogDirsResponse::default();
    for dir in &request.dirs {
        let destination = absolute(Path::new(dir.path.as_str()));
        let known_dir = configured.contains(&destination);
        for topic in &dir.topics {
            let name = topic.name.0.to_string();
            let mut result = AlterReplicaLogDirTopicResult::default();
            result.topic_name = topic.name.clone();
            for partition in &topic.partitions {
                let mut outcome = AlterReplicaLogDirPartitionResult::default();
                outcome.partition_index = *partition;
                let tp = TopicPartition::new(name.clone(), *partition);
                outcome.error_code = if !known_dir {
                    ResponseError::LogDirNotFound.code()
                } else {
                    match log_manager.get(&tp) {
                        None => ResponseError::ReplicaNotAvailable.code(),
                        Some(log)
                            if log.dir().parent().map(absolute).as_deref()
                                == Some(destination.as_path()) =>
                        {
                            0
                        }
                        Some(log) => {
                            tracing::warn!(
                                partition = %tp, from = %log.dir().display(), to = %destination.display(),
                                "AlterReplicaLogDirs: moving a replica between log dirs of one broker is not supported"
                            );
                            ResponseError::KafkaStorageError.code()
                        }
                    }
                };
                result.partitions.push(outcome);
            }
            response.results.push(result);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use kafka_protocol::messages::alter_replica_log_dirs_request::{
        AlterReplicaLogDir, AlterReplicaLogDirTopic,
    };
    use kafka_protocol::protocol::StrBytes;

    use super::*;
    use crate::handlers::wire_topic;
    use crate::replica_manager::testing::Fixture;

    fn request(dir: &Path, topic: &str, partition: i32) -> AlterReplicaLogDirsRequest {
        let mut t = AlterReplicaLogDirTopic::default();
        t.name = wire_topic(topic);
        t.partitions = vec![partition];
        let mut d = AlterReplicaLogDir::default();
        d.path = StrBytes::from_string(dir.display().to_string());
        d.topics = vec![t];
        let mut request = AlterReplicaLogDirsRequest::default();
        request.dirs = vec![d];
        request
    }

    #[test]
    fn moving_a_replica_to_its_own_dir_is_a_no_op_and_unknown_dirs_are_not_found() {
        let fixture = Fixture::new(&[("t", 1, &[])]);
        let log_manager = fixture.replica_manager.log_manager();
        let dir = log_manager.log_dirs()[0].clone();
        let code = |request| {
            alter_replica_log_dirs(log_manager, &request).results[0].partitions[0].error_code
        };
        assert_eq!(code(request(&dir, "t", 0)), 0);
        assert_eq!(
            code(request(&dir, "other", 0)),
            ResponseError::ReplicaNotAvailable.code()
        );
        assert_eq!(
            code(request(Path::new("/no/such/dir"), "t", 0)),
            ResponseError::LogDirNotFound.code()
        );
    }
}
