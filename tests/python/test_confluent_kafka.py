"""confluent-kafka 2.16.1 (librdkafka 2.16) produce/consume and admin smoke against Strata."""
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

RECORDS = 1000


def test_confluent_produce_then_assign_consume_reads_everything_in_order(strata, topic_name):
    admin = AdminClient({"bootstrap.servers": strata.bootstrap})
    futures = admin.create_topics([NewTopic(topic_name, num_partitions=2, replication_factor=1)])
    futures[topic_name].result(timeout=30)

    delivered, errors = [], []

    def on_delivery(err, msg):
        (errors if err else delivered).append((err, msg.partition(), msg.offset()))

    producer = Producer({"bootstrap.servers": strata.bootstrap, "enable.idempotence": True,
                         "compression.type": "zstd", "linger.ms": 5})
    for i in range(RECORDS):
        producer.produce(topic_name, key=str(i), value=f"value-{i}", partition=i % 2, on_delivery=on_delivery)
        producer.poll(0)
    assert producer.flush(60) == 0
    assert errors == []
    assert len(delivered) == RECORDS

    consumer = Consumer({"bootstrap.servers": strata.bootstrap, "group.id": "unused-assign-only",
                         "enable.auto.commit": False})
    try:
        consumer.assign([TopicPartition(topic_name, p, 0) for p in range(2)])
        got = {0: [], 1: []}
        deadline = time.monotonic() + 60
        while len(got[0]) + len(got[1]) < RECORDS:
            assert time.monotonic() < deadline, f"read {len(got[0]) + len(got[1])} of {RECORDS}"
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            assert msg.error() is None, msg.error()
            got[msg.partition()].append((msg.offset(), msg.key().decode(), msg.value().decode()))
        for p in range(2):
            expected = [(j, str(j * 2 + p), f"value-{j * 2 + p}") for j in range(RECORDS // 2)]
            assert got[p] == expected
        low, high = consumer.get_watermark_offsets(TopicPartition(topic_name, 0), timeout=10)
        assert (low, high) == (0, RECORDS // 2)
    finally:
        consumer.close()
