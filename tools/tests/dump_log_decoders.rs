//! The internal-topic decoders of `strata dump-log` on records assembled byte by byte from
//! Kafka's schemas: `--offsets-decoder`, `--transaction-log-decoder`,
//! `--cluster-metadata-decoder`, `--remote-log-metadata-decoder`, each with Kafka's output and
//! Kafka's per-record error lines.

#[path = "dump_log_support.rs"]
mod support;

use std::path::PathBuf;

use support::{dump_file, hand_batch, stderr, stdout_lines};

const T0: i64 = 1_700_000_000_000;

/// A classic (non-flexible) string: int16 length + bytes.
fn str16(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as i16).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// A compact (flexible) string: unsigned varint length + 1, then bytes (all lengths < 127 here).
fn compact(out: &mut Vec<u8>, s: &str) {
    out.push(s.len() as u8 + 1);
    out.extend_from_slice(s.as_bytes());
}

/// A record's key and value.
type KeyValue<'a> = (Option<&'a [u8]>, Option<&'a [u8]>);

/// One uncompressed batch of `(key, value)` records in a new segment; returns its path.
fn segment(dir: &tempfile::TempDir, records: &[KeyValue<'_>]) -> PathBuf {
    let rows: Vec<support::HandRecord<'_>> = records
        .iter()
        .enumerate()
        .map(|(n, (k, v))| (n as i32, 0i64, *k, *v, &[][..]))
        .collect();
    let mut bytes = Vec::new();
    hand_batch(&mut bytes, 0, 0, 0, T0, (-1, -1, -1), &rows);
    let path = dir.path().join("00000000000000000000.log");
    std::fs::write(&path, bytes).expect("write");
    path
}

/// The text after `headerKeys: []` of each record line.
fn record_tails(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l.starts_with("| "))
        .map(|l| {
            l.split_once("headerKeys: [] ")
                .map_or(String::new(), |(_, t)| t.to_string())
        })
        .collect()
}

#[test]
fn offsets_decoder_prints_kafkas_key_and_value_json() {
    // OffsetCommitKey (record type 1): group, topic, partition.
    let mut key = 1i16.to_be_bytes().to_vec();
    str16(&mut key, "grp");
    str16(&mut key, "topic");
    key.extend_from_slice(&0i32.to_be_bytes());
    // OffsetCommitValue v3: offset, leaderEpoch, metadata, commitTimestamp.
    let mut value = 3i16.to_be_bytes().to_vec();
    value.extend_from_slice(&42i64.to_be_bytes());
    value.extend_from_slice(&(-1i32).to_be_bytes());
    str16(&mut value, "");
    value.extend_from_slice(&T0.to_be_bytes());
    let unknown = [0u8, 99, 1, 2];
    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment(
        &dir,
        &[
            (Some(&key), Some(&value)),
            (Some(&key), None),
            (Some(&unknown), Some(&[0, 0])),
        ],
    );
    let output = dump_file(&path, &["--offsets-decoder"]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let key_json = r#"{"type":"1","data":{"group":"grp","topic":"topic","partition":0}}"#;
    assert_eq!(
        record_tails(&stdout_lines(&output)),
        vec![
            format!(
                r#"key: {key_json} payload: {{"version":"3","data":{{"offset":42,"leaderEpoch":-1,"metadata":"","commitTimestamp":{T0}}}}}"#
            ),
            format!("key: {key_json} payload: <DELETE>"),
            "key: Unknown record type 99 at offset 2, skipping.".to_string(),
        ]
    );

    // A record without key is fatal in Kafka's parser too.
    let path = segment(&dir, &[(None, Some(&value))]);
    let output = dump_file(&path, &["--offsets-decoder"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains(
        "Failed to decode message at offset 0 using offset topic decoder (message had a missing key)"
    ));
}

#[test]
fn transaction_log_decoder_prints_kafkas_formatter_text() {
    let mut key = 0i16.to_be_bytes().to_vec();
    str16(&mut key, "txn-1");
    // TransactionLogValue v0: producerId, producerEpoch, timeout, status (1 = Ongoing),
    // partitions [{topic, [ids]}], lastUpdate, start.
    let mut value = 0i16.to_be_bytes().to_vec();
    value.extend_from_slice(&7i64.to_be_bytes());
    value.extend_from_slice(&1i16.to_be_bytes());
    value.extend_from_slice(&60_000i32.to_be_bytes());
    value.push(1);
    value.extend_from_slice(&1i32.to_be_bytes());
    str16(&mut value, "t");
    value.extend_from_slice(&2i32.to_be_bytes());
    value.extend_from_slice(&0i32.to_be_bytes());
    value.extend_from_slice(&1i32.to_be_bytes());
    value.extend_from_slice(&(T0 + 5).to_be_bytes());
    value.extend_from_slice(&T0.to_be_bytes());
    let future_key = [0u8, 5, 0, 0];
    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment(
        &dir,
        &[
            (Some(&key), Some(&value)),
            (Some(&key), None),
            (Some(&future_key), None),
        ],
    );
    let output = dump_file(&path, &["--transaction-log-decoder"]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    assert_eq!(
        record_tails(&stdout_lines(&output)),
        vec![
            format!(
                "key: transaction_metadata::transactionalId=txn-1 payload: producerId:7,producerEpoch:1,state=Ongoing,\
                 partitions=[t-0,t-1],txnLastUpdateTimestamp={},txnTimeoutMs=60000",
                T0 + 5
            ),
            "key: transaction_metadata::transactionalId=txn-1 payload: <DELETE>".to_string(),
            "key: unknown::version=5".to_string(),
        ]
    );
}

#[test]
fn cluster_metadata_decoder_prints_kafkas_record_json_and_error_lines() {
    // TopicRecord: frame version 1, api key 2, version 0, compact name, uuid, no tagged fields.
    let mut topic = vec![1u8, 2, 0];
    compact(&mut topic, "foo");
    topic.extend_from_slice(&[0xab; 16]);
    topic.push(0);
    // ConfigRecord (4) v0: resource type int8, resource name, name, nullable value (null = 0).
    let mut config = vec![1u8, 4, 0, 2];
    compact(&mut config, "foo");
    compact(&mut config, "retention.ms");
    config.push(0);
    config.push(0);
    let frame_zero = [0u8, 2, 0];
    let mut trailing = topic.clone();
    trailing.push(9);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment(
        &dir,
        &[
            (None, Some(&topic)),
            (None, Some(&config)),
            (None, Some(&frame_zero)),
            (None, Some(&trailing)),
        ],
    );
    let output = dump_file(&path, &["--cluster-metadata-decoder"]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let tails = record_tails(&stdout_lines(&output));
    assert_eq!(
        tails[0],
        r#"payload: {"type":"TOPIC_RECORD","version":0,"data":{"name":"foo","topicId":"q6urq6urq6urq6urq6urqw"}}"#
    );
    assert_eq!(
        tails[1],
        r#"payload: {"type":"CONFIG_RECORD","version":0,"data":{"resourceType":2,"resourceName":"foo","name":"retention.ms","value":null}}"#
    );
    assert_eq!(
        tails[2],
        "payload: Error at 2, skipping. Could not deserialize metadata record with frame version 0. Note that \
         upgrades from the preview release of KRaft in 2.8 to newer versions are not supported."
    );
    assert!(
        tails[3].starts_with("payload: Error at 3, skipping. "),
        "{}",
        tails[3]
    );

    // --json embeds the decoded record as JSON, not as a string.
    let output = dump_file(&path, &["--cluster-metadata-decoder", "--json"]);
    let first_record = stdout_lines(&output)
        .into_iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(&l).expect("json line"))
        .find(|v| v["type"] == "record")
        .expect("a record line");
    assert_eq!(first_record["payload"]["type"], "TOPIC_RECORD");
    assert_eq!(first_record["payload"]["data"]["name"], "foo");
}

#[test]
fn remote_log_metadata_decoder_prints_the_records_kafka_string() {
    use strata_protocol::remote_log_metadata::RemoteLogMetadataRecord;
    // RemotePartitionDeleteMetadataRecord (api key 2) v0, flexible: TopicIdPartition {name,
    // id, partition, tags}, brokerId, eventTimestampMs, state, tags.
    let mut value = vec![1u8, 2, 0];
    compact(&mut value, "t");
    value.extend_from_slice(&[0x01; 16]);
    value.extend_from_slice(&3i32.to_be_bytes());
    value.push(0);
    value.extend_from_slice(&1i32.to_be_bytes());
    value.extend_from_slice(&T0.to_be_bytes());
    value.push(0);
    value.push(0);
    let shown = RemoteLogMetadataRecord::decode(&value)
        .expect("Kafka's layout decodes")
        .kafka_display();
    assert!(
        shown.starts_with("RemotePartitionDeleteMetadata{"),
        "{shown}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment(&dir, &[(None, Some(&value)), (None, Some(&[7, 7, 7]))]);
    let output = dump_file(&path, &["--remote-log-metadata-decoder"]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    let tails = record_tails(&stdout_lines(&output));
    assert_eq!(tails[0], format!("payload: {shown}"));
    assert!(
        tails[1].starts_with("payload: Error at offset 1, skipping. "),
        "{}",
        tails[1]
    );
}

#[test]
fn offsets_decoder_expands_consumer_protocol_subscriptions_like_kafka() {
    // GroupMetadataKey (record type 2): group.
    let mut key = 2i16.to_be_bytes().to_vec();
    str16(&mut key, "g");
    // ConsumerProtocolSubscription v0: topics ["t"], userData null.
    let mut subscription = 0i16.to_be_bytes().to_vec();
    subscription.extend_from_slice(&1i32.to_be_bytes());
    str16(&mut subscription, "t");
    subscription.extend_from_slice(&(-1i32).to_be_bytes());
    // ConsumerProtocolAssignment v0: [{topic "t", partitions [0]}], userData null.
    let mut assignment = 0i16.to_be_bytes().to_vec();
    assignment.extend_from_slice(&1i32.to_be_bytes());
    str16(&mut assignment, "t");
    assignment.extend_from_slice(&1i32.to_be_bytes());
    assignment.extend_from_slice(&0i32.to_be_bytes());
    assignment.extend_from_slice(&(-1i32).to_be_bytes());
    // GroupMetadataValue v3 (classic encoding).
    let mut value = 3i16.to_be_bytes().to_vec();
    str16(&mut value, "consumer");
    value.extend_from_slice(&1i32.to_be_bytes());
    str16(&mut value, "range");
    str16(&mut value, "m1");
    value.extend_from_slice(&T0.to_be_bytes());
    value.extend_from_slice(&1i32.to_be_bytes());
    str16(&mut value, "m1");
    value.extend_from_slice(&(-1i16).to_be_bytes()); // groupInstanceId null
    str16(&mut value, "c");
    str16(&mut value, "/h");
    value.extend_from_slice(&300i32.to_be_bytes());
    value.extend_from_slice(&45i32.to_be_bytes());
    value.extend_from_slice(&(subscription.len() as i32).to_be_bytes());
    value.extend_from_slice(&subscription);
    value.extend_from_slice(&(assignment.len() as i32).to_be_bytes());
    value.extend_from_slice(&assignment);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = segment(&dir, &[(Some(&key), Some(&value))]);
    let output = dump_file(&path, &["--offsets-decoder"]);
    assert!(output.status.success(), "stderr: {}", stderr(&output));
    assert_eq!(
        record_tails(&stdout_lines(&output)),
        vec![format!(
            r#"key: {{"type":"2","data":{{"group":"g"}}}} payload: {{"version":"3","data":{{"protocolType":"consumer","generation":1,"protocol":"range","leader":"m1","currentStateTimestamp":{T0},"members":[{{"memberId":"m1","groupInstanceId":null,"clientId":"c","clientHost":"/h","rebalanceTimeout":300,"sessionTimeout":45,"subscription":{{"topics":["t"],"userData":null}},"assignment":{{"assignedPartitions":[{{"topic":"t","partitions":[0]}}],"userData":null}}}}]}}}}"#
        )]
    );
}
