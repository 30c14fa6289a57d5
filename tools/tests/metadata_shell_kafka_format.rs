//! `strata metadata-shell` over metadata files assembled byte by byte from Kafka's documented
//! formats (record batch v2, ApiMessageAndVersion frames, the metadata record JSON schemas), with
//! no Strata encoder involved, so the shell is checked against Kafka's format rather than
//! against Strata's own writer. Every node of the tree is compared with the text Kafka's
//! `*Node` / `toString()` code prints.

use std::path::Path;
use std::process::{Command, Output};

fn strata() -> Command {
    Command::new(env!("CARGO_BIN_EXE_strata"))
}

// ---------------------------------------------------------------- Kafka primitives, by hand

/// CRC-32C (Castagnoli), bit by bit: the checksum record batch v2 uses.
fn crc32c(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn uvarint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn varint(out: &mut Vec<u8>, v: i64) {
    uvarint(out, ((v << 1) ^ (v >> 63)) as u64);
}

/// A flexible-version message body under construction.
#[derive(Default)]
struct Body(Vec<u8>);

impl Body {
    fn i8(mut self, v: i8) -> Self {
        self.0.push(v as u8);
        self
    }
    fn i16(mut self, v: i16) -> Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn u16(mut self, v: u16) -> Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn i32(mut self, v: i32) -> Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn i64(mut self, v: i64) -> Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn f64(self, v: f64) -> Self {
        self.i64(v.to_bits() as i64)
    }
    fn bool(self, v: bool) -> Self {
        self.i8(i8::from(v))
    }
    fn uuid(mut self, v: u128) -> Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    /// COMPACT_STRING / COMPACT_NULLABLE_STRING.
    fn string(mut self, v: Option<&str>) -> Self {
        match v {
            None => uvarint(&mut self.0, 0),
            Some(s) => {
                uvarint(&mut self.0, s.len() as u64 + 1);
                self.0.extend_from_slice(s.as_bytes());
            }
        }
        self
    }
    fn str(self, v: &str) -> Self {
        self.string(Some(v))
    }
    fn bytes(mut self, v: &[u8]) -> Self {
        uvarint(&mut self.0, v.len() as u64 + 1);
        self.0.extend_from_slice(v);
        self
    }
    /// COMPACT_ARRAY length.
    fn array_len(mut self, n: usize) -> Self {
        uvarint(&mut self.0, n as u64 + 1);
        self
    }
    fn i32_array(self, values: &[i32]) -> Self {
        let mut b = self.array_len(values.len());
        for v in values {
            b = b.i32(*v);
        }
        b
    }
    /// An empty tagged-field section.
    fn no_tags(mut self) -> Self {
        uvarint(&mut self.0, 0);
        self
    }
    /// A tagged-field section with the given (tag, bytes) fields.
    fn tags(mut self, fields: &[(u64, Vec<u8>)]) -> Self {
        uvarint(&mut self.0, fields.len() as u64);
        for (tag, bytes) in fields {
            uvarint(&mut self.0, *tag);
            uvarint(&mut self.0, bytes.len() as u64);
            self.0.extend_from_slice(bytes);
        }
        self
    }
}

/// ApiMessageAndVersion: frame version 1, api key, version, body.
fn metadata_record(api_key: u64, version: u64, body: Body) -> Vec<u8> {
    let mut out = Vec::new();
    uvarint(&mut out, 1);
    uvarint(&mut out, api_key);
    uvarint(&mut out, version);
    out.extend_from_slice(&body.0);
    out
}

/// One record of a v2 batch.
fn record(offset_delta: i64, key: Option<&[u8]>, value: &[u8]) -> Vec<u8> {
    let mut body = vec![0u8]; // attributes
    varint(&mut body, 0); // timestamp delta
    varint(&mut body, offset_delta);
    match key {
        None => varint(&mut body, -1),
        Some(k) => {
            varint(&mut body, k.len() as i64);
            body.extend_from_slice(k);
        }
    }
    varint(&mut body, value.len() as i64);
    body.extend_from_slice(value);
    varint(&mut body, 0); // headers
    let mut out = Vec::new();
    varint(&mut out, body.len() as i64);
    out.extend_from_slice(&body);
    out
}

/// Record batch v2 with `values` (control records carry `keys`).
fn batch(
    base_offset: i64,
    epoch: i32,
    timestamp: i64,
    control: bool,
    records: &[(Option<Vec<u8>>, Vec<u8>)],
) -> Vec<u8> {
    let mut tail = Vec::new(); // attributes .. end: the CRC-covered part
    let attributes: i16 = if control { 0x20 } else { 0 };
    tail.extend_from_slice(&attributes.to_be_bytes());
    tail.extend_from_slice(&(records.len() as i32 - 1).to_be_bytes()); // last offset delta
    tail.extend_from_slice(&timestamp.to_be_bytes()); // base timestamp
    tail.extend_from_slice(&timestamp.to_be_bytes()); // max timestamp
    tail.extend_from_slice(&(-1i64).to_be_bytes()); // producer id
    tail.extend_from_slice(&(-1i16).to_be_bytes()); // producer epoch
    tail.extend_from_slice(&(-1i32).to_be_bytes()); // base sequence
    tail.extend_from_slice(&(records.len() as i32).to_be_bytes());
    for (i, (key, value)) in records.iter().enumerate() {
        tail.extend_from_slice(&record(i as i64, key.as_deref(), value));
    }
    let mut out = Vec::new();
    out.extend_from_slice(&base_offset.to_be_bytes());
    let length = 4 + 1 + 4 + tail.len();
    out.extend_from_slice(&(length as i32).to_be_bytes());
    out.extend_from_slice(&epoch.to_be_bytes());
    out.push(2); // magic
    out.extend_from_slice(&crc32c(&tail).to_be_bytes());
    out.extend_from_slice(&tail);
    out
}

fn data_batch(base_offset: i64, epoch: i32, timestamp: i64, values: Vec<Vec<u8>>) -> Vec<u8> {
    let records: Vec<_> = values.into_iter().map(|v| (None, v)).collect();
    batch(base_offset, epoch, timestamp, false, &records)
}

fn control_key(kind: i16) -> Vec<u8> {
    let mut key = 0i16.to_be_bytes().to_vec();
    key.extend_from_slice(&kind.to_be_bytes());
    key
}

// ---------------------------------------------------------------- the fixture

const T0: i64 = 1_700_000_000_250;
const BROKER_INCARNATION: u128 = 0x1111_1111_1111_1111_1111_1111_1111_1111;
const FOO_ID: u128 = 0x2222_2222_2222_2222_2222_2222_2222_2222;
const BAR_ID: u128 = 0x3333_3333_3333_3333_3333_3333_3333_3333;
const BAZ_ID: u128 = 0x4444_4444_4444_4444_4444_4444_4444_4444;
const ACL_ID: u128 = 0x5555_5555_5555_5555_5555_5555_5555_5555;
const CONTROLLER_INCARNATION: u128 = 0x6666_6666_6666_6666_6666_6666_6666_6666;
const DIR_ID: u128 = 0x7777_7777_7777_7777_7777_7777_7777_7777;

fn feature_level(name: &str, level: i16) -> Vec<u8> {
    metadata_record(12, 0, Body::default().str(name).i16(level).no_tags())
}

fn topic(name: &str, id: u128) -> Vec<u8> {
    metadata_record(2, 0, Body::default().str(name).uuid(id).no_tags())
}

fn partition(id: i32, topic: u128, tags: &[(u64, Vec<u8>)]) -> Vec<u8> {
    metadata_record(
        3,
        0,
        Body::default()
            .i32(id)
            .uuid(topic)
            .i32_array(&[1])
            .i32_array(&[1])
            .i32_array(&[])
            .i32_array(&[])
            .i32(1)
            .i32(0)
            .i32(0)
            .tags(tags),
    )
}

fn config(resource_type: i8, resource: &str, key: &str, value: &str) -> Vec<u8> {
    metadata_record(
        4,
        0,
        Body::default()
            .i8(resource_type)
            .str(resource)
            .str(key)
            .str(value)
            .no_tags(),
    )
}

/// The records of the fixture, batch by batch: (base offset, values).
fn metadata_batches() -> Vec<(i64, Vec<Vec<u8>>)> {
    let register_broker = metadata_record(
        0,
        3,
        Body::default()
            .i32(1)
            .bool(false) // IsMigratingZkBroker (v2+)
            .uuid(BROKER_INCARNATION)
            .i64(10)
            .array_len(2)
            .str("SSL")
            .str("localhost")
            .u16(9093)
            .i16(1)
            .no_tags()
            .str("PLAINTEXT")
            .str("localhost")
            .u16(9092)
            .i16(0)
            .no_tags()
            .array_len(1)
            .str("metadata.version")
            .i16(1)
            .i16(19)
            .no_tags()
            .string(Some("rack-a"))
            .bool(true) // Fenced
            .bool(false) // InControlledShutdown (v1+)
            .tags(&[(0, {
                // LogDirs (tag 0, v3+): one directory.
                let mut b = Body::default().array_len(1).uuid(DIR_ID);
                b.0.shrink_to_fit();
                b.0
            })]),
    );
    let register_controller = metadata_record(
        27,
        0,
        Body::default()
            .i32(3000)
            .uuid(CONTROLLER_INCARNATION)
            .bool(false)
            .array_len(1)
            .str("CONTROLLER")
            .str("localhost")
            .u16(9095)
            .i16(0)
            .no_tags()
            .array_len(1)
            .str("kraft.version")
            .i16(0)
            .i16(1)
            .no_tags()
            .no_tags(),
    );
    let unfence = metadata_record(
        17,
        0,
        Body::default().i32(1).i64(10).tags(&[(0, vec![0xff])]),
    );
    let acl = metadata_record(
        18,
        0,
        Body::default()
            .uuid(ACL_ID)
            .i8(2) // TOPIC
            .str("foo")
            .i8(3) // LITERAL
            .str("User:alice")
            .str("*")
            .i8(3) // READ
            .i8(3) // ALLOW
            .no_tags(),
    );
    let scram = metadata_record(
        11,
        0,
        Body::default()
            .str("alice")
            .i8(1) // SCRAM-SHA-256
            .bytes(&[0x01, 0xab])
            .bytes(&[0xcd])
            .bytes(&[0xef, 0x00])
            .i32(4096)
            .no_tags(),
    );
    let quota = metadata_record(
        14,
        0,
        Body::default()
            .array_len(2)
            .str("user")
            .string(Some("alice"))
            .no_tags()
            .str("client-id")
            .string(Some("app(1)"))
            .no_tags()
            .str("producer_byte_rate")
            .f64(1024.0)
            .bool(false)
            .no_tags(),
    );
    let token = metadata_record(
        10,
        0,
        Body::default()
            .str("User:alice")
            .str("User:bob")
            .array_len(2)
            .str("User:carol")
            .str("User:dave")
            .i64(100)
            .i64(300)
            .i64(200)
            .str("token-1")
            .no_tags(),
    );
    let producer_ids = metadata_record(15, 0, Body::default().i32(1).i64(10).i64(2000).no_tags());
    let begin = metadata_record(
        23,
        0,
        Body::default().tags(&[(0, Body::default().str("txn").0)]),
    );
    let end = metadata_record(24, 0, Body::default().no_tags());
    let abort = metadata_record(25, 0, Body::default().no_tags());
    // foo-0 moves to leader 1 again with a new ISR: leader epoch and partition epoch bump.
    let change = metadata_record(
        5,
        0,
        Body::default().i32(0).uuid(FOO_ID).tags(&[
            (0, Body::default().i32_array(&[1]).0),
            (1, 1i32.to_be_bytes().to_vec()),
        ]),
    );
    // foo-1 (v2): ELR [1], an empty last-known ELR, and its replica's directory assigned.
    let assign = metadata_record(
        5,
        2,
        Body::default().i32(1).uuid(FOO_ID).tags(&[
            (6, Body::default().i32_array(&[1]).0),
            (7, Body::default().i32_array(&[]).0),
            (8, Body::default().array_len(1).uuid(DIR_ID).0),
        ]),
    );
    vec![
        (
            0,
            vec![
                feature_level("metadata.version", 19),
                feature_level("group.version", 1),
            ],
        ),
        (2, vec![register_broker, register_controller, unfence]),
        (
            5,
            vec![
                topic("foo", FOO_ID),
                partition(0, FOO_ID, &[]),
                partition(1, FOO_ID, &[(0, vec![1])]), // LeaderRecoveryState = RECOVERING
                config(2, "foo", "cleanup.policy", "compact"),
                config(4, "", "log.retention.ms", "1000"),
                config(16, "metrics-1", "interval.ms", "500"),
            ],
        ),
        (11, vec![producer_ids, acl, scram, quota, token]),
        // offset 16: a control batch (LeaderChange), see `log_bytes`.
        (
            17,
            vec![
                begin.clone(),
                topic("bar", BAR_ID),
                partition(0, BAR_ID, &[]),
                end,
            ],
        ),
        (21, vec![begin, topic("baz", BAZ_ID), abort]),
        (24, vec![change]),
        (25, vec![assign]),
    ]
}

const EPOCH: i32 = 5;

fn leader_change_batch(base_offset: i64) -> Vec<u8> {
    // LeaderChangeMessage v0: version, leaderId, voters[{voterId}], grantingVoters[{voterId}].
    let value = Body::default()
        .i16(0)
        .i32(3000)
        .array_len(1)
        .i32(3000)
        .no_tags()
        .array_len(1)
        .i32(3000)
        .no_tags()
        .no_tags();
    batch(
        base_offset,
        EPOCH,
        T0,
        true,
        &[(Some(control_key(2)), value.0)],
    )
}

/// A metadata log segment: every batch, with the LeaderChange control batch at offset 16.
fn log_bytes() -> Vec<u8> {
    let mut out = Vec::new();
    for (base, values) in metadata_batches() {
        if base == 17 {
            out.extend_from_slice(&leader_change_batch(16));
        }
        // Later batches carry later timestamps: provenance shows the last one.
        out.extend_from_slice(&data_batch(base, EPOCH, T0 + base * 1000, values));
    }
    out
}

/// A snapshot: SnapshotHeader control batch, the data batches, SnapshotFooter control batch.
fn checkpoint_bytes() -> Vec<u8> {
    let header = Body::default().i16(0).i64(T0 + 25_000).no_tags();
    let footer = Body::default().i16(0).no_tags();
    let mut out = batch(0, EPOCH, T0, true, &[(Some(control_key(3)), header.0)]);
    out.extend_from_slice(&log_bytes()[..]);
    let end = 26;
    out.extend_from_slice(&batch(
        end,
        EPOCH,
        T0,
        true,
        &[(Some(control_key(4)), footer.0)],
    ));
    out
}

fn run_shell(file: &Path, command: &[&str]) -> Output {
    strata()
        .args(["metadata-shell", "--snapshot"])
        .arg(file)
        .args(command)
        .output()
        .expect("runs")
}

fn stdout_of(file: &Path, command: &[&str]) -> String {
    let output = run_shell(file, command);
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

fn fixture_log() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let partition = dir.path().join("__cluster_metadata-0");
    std::fs::create_dir(&partition).expect("mkdir");
    let path = partition.join("00000000000000000000.log");
    std::fs::write(&path, log_bytes()).expect("write log");
    (dir, path)
}

/// What `tree /image` prints for the fixture, node by node, as Kafka prints it.
const EXPECTED_IMAGE_TREE: &str = "\
acls:
  VVVVVVVVVVVVVVVVVVVVVQ:
    StandardAcl(resourceType=TOPIC, resourceName=foo, patternType=LITERAL, principal=User:alice, host=*, operation=READ, permissionType=ALLOW)
clientQuotas:
  clientId(app\\(1\\))_user(alice):
    producer_byte_rate:
      1024.0
cluster:
  brokers:
    1:
      BrokerRegistration(id=1, epoch=10, incarnationId=EREREREREREREREREREREQ, listeners=[Endpoint(listenerName='PLAINTEXT', securityProtocol=PLAINTEXT, host='localhost', port=9092), Endpoint(listenerName='SSL', securityProtocol=SSL, host='localhost', port=9093)], supportedFeatures={metadata.version: 1-19}, rack=Optional[rack-a], fenced=false, inControlledShutdown=false, isMigratingZkBroker=false, directories=[d3d3d3d3d3d3d3d3d3d3dw])
  controllers:
    3000:
      ControllerRegistration(id=3000, incarnationId=ZmZmZmZmZmZmZmZmZmZmZg, zkMigrationReady=false, listeners=[Endpoint(listenerName='CONTROLLER', securityProtocol=PLAINTEXT, host='localhost', port=9095)], supportedFeatures={kraft.version: 0-1})
configs:
  BROKER:
    log.retention.ms:
      1000
  CLIENT_METRICS:metrics-1:
    interval.ms:
      500
  TOPIC:foo:
    cleanup.policy:
      compact
delegationToken:
  token-1:
    DelegationTokenDatatokenId=token-1(owner=User:alice(tokenRequester=User:bob(renewers=User:carol User:dave, issueTimestamp=100, maxTimestamp=300), expiryTimestamp=200
features:
  finalized_group.version:
    1
  metadataVersion:
    3.7-IV4
  zkMigrationState:
    NONE
producerIds:
  nextProducerId:
    2000
provenance:
  offset 25, epoch 5, time 2023-11-14T22:13:45.25Z[UTC]
scram:
  SCRAM-SHA-256:
    alice:
      ScramCredentialData(salt=01ab, storedKey=cd, serverKey=ef00, iterations=4096)
  SCRAM-SHA-512:
topics:
  byId:
    IiIiIiIiIiIiIiIiIiIiIg:
      0:
        PartitionRegistration(replicas=[1], directories=[AAAAAAAAAAAAAAAAAAAAAA], isr=[1], removingReplicas=[], addingReplicas=[], elr=[], lastKnownElr=[], leader=1, leaderRecoveryState=RECOVERED, leaderEpoch=1, partitionEpoch=1)
      1:
        PartitionRegistration(replicas=[1], directories=[d3d3d3d3d3d3d3d3d3d3dw], isr=[1], removingReplicas=[], addingReplicas=[], elr=[1], lastKnownElr=[], leader=1, leaderRecoveryState=RECOVERING, leaderEpoch=0, partitionEpoch=1)
      id:
        IiIiIiIiIiIiIiIiIiIiIg
      name:
        foo
    MzMzMzMzMzMzMzMzMzMzMw:
      0:
        PartitionRegistration(replicas=[1], directories=[AAAAAAAAAAAAAAAAAAAAAA], isr=[1], removingReplicas=[], addingReplicas=[], elr=[], lastKnownElr=[], leader=1, leaderRecoveryState=RECOVERED, leaderEpoch=0, partitionEpoch=0)
      id:
        MzMzMzMzMzMzMzMzMzMzMw
      name:
        bar
  byName:
    bar:
      0:
        PartitionRegistration(replicas=[1], directories=[AAAAAAAAAAAAAAAAAAAAAA], isr=[1], removingReplicas=[], addingReplicas=[], elr=[], lastKnownElr=[], leader=1, leaderRecoveryState=RECOVERED, leaderEpoch=0, partitionEpoch=0)
      id:
        MzMzMzMzMzMzMzMzMzMzMw
      name:
        bar
    foo:
      0:
        PartitionRegistration(replicas=[1], directories=[AAAAAAAAAAAAAAAAAAAAAA], isr=[1], removingReplicas=[], addingReplicas=[], elr=[], lastKnownElr=[], leader=1, leaderRecoveryState=RECOVERED, leaderEpoch=1, partitionEpoch=1)
      1:
        PartitionRegistration(replicas=[1], directories=[d3d3d3d3d3d3d3d3d3d3dw], isr=[1], removingReplicas=[], addingReplicas=[], elr=[1], lastKnownElr=[], leader=1, leaderRecoveryState=RECOVERING, leaderEpoch=0, partitionEpoch=1)
      id:
        IiIiIiIiIiIiIiIiIiIiIg
      name:
        foo
";

#[test]
fn every_node_of_a_kafka_format_log_prints_as_kafka_prints_it() {
    let (_dir, log) = fixture_log();
    assert_eq!(stdout_of(&log, &["tree", "/image"]), EXPECTED_IMAGE_TREE);
}

#[test]
fn a_kafka_format_checkpoint_loads_the_same_image() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir
        .path()
        .join("00000000000000000025-0000000005.checkpoint");
    std::fs::write(&path, checkpoint_bytes()).expect("write checkpoint");
    assert_eq!(stdout_of(&path, &["tree", "/image"]), EXPECTED_IMAGE_TREE);
}

#[test]
fn directory_mode_reads_the_newest_checkpoint_then_the_log_after_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let partition = dir.path().join("__cluster_metadata-0");
    std::fs::create_dir(&partition).expect("mkdir");
    // The snapshot covers offsets below 17; the log holds everything, and only what follows
    // the snapshot may be replayed (replaying foo's TopicRecord again would be an error).
    let mut snapshot = batch(
        0,
        EPOCH,
        T0,
        true,
        &[(
            Some(control_key(3)),
            Body::default().i16(0).i64(T0).no_tags().0,
        )],
    );
    for (base, values) in metadata_batches()
        .into_iter()
        .filter(|(base, _)| *base < 17)
    {
        snapshot.extend_from_slice(&data_batch(base, EPOCH, T0, values));
    }
    snapshot.extend_from_slice(&batch(
        16,
        EPOCH,
        T0,
        true,
        &[(Some(control_key(4)), Body::default().i16(0).no_tags().0)],
    ));
    std::fs::write(
        partition.join("00000000000000000017-0000000005.checkpoint"),
        snapshot,
    )
    .expect("write");
    // An older snapshot that must be ignored.
    std::fs::write(
        partition.join("00000000000000000002-0000000005.checkpoint"),
        b"not a snapshot",
    )
    .expect("write");
    std::fs::write(partition.join("00000000000000000000.log"), log_bytes()).expect("write");
    let output = strata()
        .args(["metadata-shell", "--directory"])
        .arg(dir.path())
        .args(["tree", "/image"])
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), EXPECTED_IMAGE_TREE);
}

#[test]
fn ls_find_and_cat_print_kafka_lines() {
    let (_dir, log) = fixture_log();
    assert_eq!(stdout_of(&log, &["ls"]), "image\nlocal\n");
    assert_eq!(
        stdout_of(&log, &["ls", "/image"]),
        "acls\nclientQuotas\ncluster\nconfigs\ndelegationToken\nfeatures\nproducerIds\nprovenance\nscram\ntopics\n"
    );
    // A file and two directories: files first, then each directory with an intro line.
    assert_eq!(
        stdout_of(
            &log,
            &[
                "ls",
                "/image/provenance",
                "/image/topics",
                "/image/producerIds"
            ]
        ),
        "provenance\n\ntopics:\nbyId\nbyName\n\nproducerIds:\nnextProducerId\n"
    );
    assert_eq!(
        stdout_of(&log, &["ls", "/image/topics/byName/*"]),
        "bar:\n0\nid\nname\n\nfoo:\n0\n1\nid\nname\n"
    );
    assert_eq!(
        stdout_of(&log, &["find", "/image/topics/byName/foo"]),
        "/image/topics/byName/foo\n/image/topics/byName/foo/0\n/image/topics/byName/foo/1\n/image/topics/byName/foo/id\n/image/topics/byName/foo/name\n"
    );
    assert_eq!(
        stdout_of(
            &log,
            &[
                "cat",
                "/image/topics/byName/{foo,bar}/name",
                "/image/features/metadataVersion"
            ]
        ),
        "bar\nfoo\n3.7-IV4\n"
    );
    assert_eq!(
        stdout_of(&log, &["cat", "/image/cluster/brokers/1/../../controllers/3000"]),
        "ControllerRegistration(id=3000, incarnationId=ZmZmZmZmZmZmZmZmZmZmZg, zkMigrationReady=false, listeners=[Endpoint(listenerName='CONTROLLER', securityProtocol=PLAINTEXT, host='localhost', port=9095)], supportedFeatures={kraft.version: 0-1})\n"
    );
    assert_eq!(
        stdout_of(&log, &["cat", "/local/version"]),
        format!("{}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn missing_paths_print_kafka_errors_and_exit_0_like_kafka_or_1_when_strict() {
    let (_dir, log) = fixture_log();
    for (command, expected) in [
        (
            vec!["ls", "/nope"],
            "ls: /nope: no such file or directory.\n",
        ),
        (
            vec!["cat", "/image/topics"],
            "cat: /image/topics: Is a directory\n",
        ),
        (
            vec!["cat", "/nope"],
            "cat: /nope: No such file or directory.\n",
        ),
        (
            vec!["tree", "/nope"],
            "tree: /nope: No such file or directory.\n",
        ),
        (
            vec!["find", "/nope"],
            "find: /nope: no such file or directory.\n",
        ),
        (
            vec!["pwd"],
            "invalid choice: 'pwd' (choose from 'cat', 'find', 'ls', 'tree')\n",
        ),
    ] {
        let output = run_shell(&log, &command);
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            expected,
            "{command:?}"
        );
        assert_eq!(output.status.code(), Some(0), "{command:?}");
        let mut strict = vec!["--strict"];
        strict.extend_from_slice(&command);
        let output = run_shell(&log, &strict);
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            expected,
            "--strict {command:?}"
        );
        assert_eq!(output.status.code(), Some(1), "--strict {command:?}");
    }
    // A command that succeeds is 0 under --strict too.
    let output = run_shell(&log, &["--strict", "ls", "/image"]);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn help_documents_the_strict_flag() {
    let output = strata()
        .args(["metadata-shell", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("--strict"), "{help}");
    assert!(help.contains("exit status is 0"), "{help}");
}

#[test]
fn a_corrupt_crc_names_the_file_and_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = log_bytes();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    let path = dir.path().join("00000000000000000000.log");
    std::fs::write(&path, &bytes).expect("write");
    let output = run_shell(&path, &["ls", "/"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("00000000000000000000.log"), "{stderr}");
    assert!(stderr.contains("invalid record batch at byte"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_unknown_record_type_is_reported_with_its_offset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bogus = metadata_record(99, 0, Body::default().no_tags());
    let path = dir.path().join("00000000000000000000.log");
    std::fs::write(
        &path,
        data_batch(7, 1, T0, vec![feature_level("metadata.version", 19), bogus]),
    )
    .expect("write");
    let output = run_shell(&path, &["ls", "/"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("record at offset 8") && stderr.contains("type 99 is unknown"),
        "{stderr}"
    );
}
