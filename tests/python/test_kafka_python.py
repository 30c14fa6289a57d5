"""kafka-python 3.0.12 (an independent, pure-Python wire implementation) against Strata."""
import time

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

RECORDS = 500
# An hour ago: recent enough that the default 7-day retention keeps the records.
BASE_TS = (int(time.time()) - 3600) * 1000


def admin(strata):
    return KafkaAdminClient(bootstrap_servers=strata.bootstrap, request_timeout_ms=30000)


def create(strata, name, partitions=1, configs=None):
    client = admin(strata)
    try:
        client.create_topics({name: {"num_partitions": partitions, "replication_factor": 1,
                                     "configs": configs or {}}},
                             wait_for_metadata=True)
    finally:
        client.close()


def read_all(strata, topic, partition, expected):
    consumer = KafkaConsumer(bootstrap_servers=strata.bootstrap, group_id=None,
                             enable_auto_commit=False, consumer_timeout_ms=1000)
    try:
        tp = TopicPartition(topic, partition)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        out = []
        deadline = time.monotonic() + 60
        while len(out) < expected:
            assert time.monotonic() < deadline, f"read {len(out)} of {expected}"
            for records in consumer.poll(timeout_ms=500).values():
                out.extend(records)
        return out
    finally:
        consumer.close()


@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_each_codec_round_trips_every_record_in_order(strata, topic_name, codec):
    create(strata, topic_name)
    producer = KafkaProducer(bootstrap_servers=strata.bootstrap, compression_type=codec,
                             acks=1, linger_ms=5)
    futures = [producer.send(topic_name, key=f"k{i}".encode(), value=(f"{codec}-{i}-" + "z" * (i % 50)).encode(),
                             partition=0)
               for i in range(RECORDS)]
    producer.flush()
    offsets = [f.get(timeout=30).offset for f in futures]
    producer.close()
    assert offsets == list(range(RECORDS))

    records = read_all(strata, topic_name, 0, RECORDS)
    assert [r.offset for r in records] == list(range(RECORDS))
    assert [r.key for r in records] == [f"k{i}".encode() for i in range(RECORDS)]
    assert [r.value for r in records] == [(f"{codec}-{i}-" + "z" * (i % 50)).encode() for i in range(RECORDS)]


def test_offsets_for_times_finds_first_record_at_or_after_timestamp(strata, topic_name):
    create(strata, topic_name)
    producer = KafkaProducer(bootstrap_servers=strata.bootstrap, acks="all")
    for i in range(40):
        producer.send(topic_name, value=f"v{i}".encode(), partition=0, timestamp_ms=BASE_TS + i * 100)
    producer.flush()
    producer.close()

    consumer = KafkaConsumer(bootstrap_servers=strata.bootstrap, group_id=None, enable_auto_commit=False)
    try:
        tp = TopicPartition(topic_name, 0)
        found = consumer.offsets_for_times({tp: BASE_TS + 1_000})
        assert found[tp].offset == 10
        assert found[tp].timestamp == BASE_TS + 1_000
        found = consumer.offsets_for_times({tp: BASE_TS + 1_050})
        assert found[tp].offset == 11
        found = consumer.offsets_for_times({tp: BASE_TS + 10_000})
        assert found[tp] is None
        assert consumer.end_offsets([tp])[tp] == 40
        assert consumer.beginning_offsets([tp])[tp] == 0
    finally:
        consumer.close()


def test_idempotent_producer_writes_each_record_once(strata, topic_name):
    create(strata, topic_name)
    producer = KafkaProducer(bootstrap_servers=strata.bootstrap, enable_idempotence=True, acks="all")
    for i in range(RECORDS):
        producer.send(topic_name, value=str(i).encode(), partition=0)
    producer.flush()
    producer.close()
    records = read_all(strata, topic_name, 0, RECORDS)
    assert [r.value for r in records] == [str(i).encode() for i in range(RECORDS)]


def test_admin_creates_describes_and_deletes_topics(strata, topic_name):
    client = admin(strata)
    try:
        client.create_topics({topic_name: {"num_partitions": 3, "replication_factor": 1,
                                           "configs": {"cleanup.policy": "delete"}}},
                             wait_for_metadata=True)
        assert topic_name in client.list_topics()
        described = client.describe_topics([topic_name])
        assert len(described) == 1
        topic = described[0]
        assert topic["error_code"] == 0
        assert topic.get("name", topic.get("topic")) == topic_name
        assert sorted(p["partition_index"] for p in topic["partitions"]) == [0, 1, 2]
        assert all(p["leader_id"] >= 0 for p in topic["partitions"])

        client.delete_topics([topic_name])
        deadline = time.monotonic() + 30
        while topic_name in client.list_topics():
            assert time.monotonic() < deadline, "deleted topic still listed"
            time.sleep(0.2)
    finally:
        client.close()
