"""Consumer groups on Strata from two independent clients: kafka-python 3.0.12 (classic protocol,
its own coordinator code) and confluent-kafka 2.16.1 (librdkafka; classic and KIP-848 consumer).

Each scenario: members join a group on a multi-partition topic, commit synchronously after every
poll, membership changes mid-stream, and every record is consumed exactly once; committed offsets
end at the log end."""
import threading
import time

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import CommitFailedError, RebalanceInProgressError
from kafka.structs import OffsetAndMetadata
from kafka.structs import TopicPartition as KpTopicPartition

PARTITIONS = 6
RECORDS = 1200
DEADLINE_S = 120

# What Kafka answers a commit that races a rebalance: the member's generation or epoch moved on,
# or the group is between generations. The commit is not applied; its records are read again,
# by this member or by the partition's next owner, from the last committed offset.
COMMIT_REFUSED_MID_REBALANCE = {
    KafkaError.ILLEGAL_GENERATION,
    KafkaError.REBALANCE_IN_PROGRESS,
    KafkaError.UNKNOWN_MEMBER_ID,
    KafkaError.STALE_MEMBER_EPOCH,
    KafkaError.FENCED_MEMBER_EPOCH,
}


def create_topic(strata, topic, partitions=PARTITIONS):
    admin = AdminClient({"bootstrap.servers": strata.bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])[topic].result(timeout=30)


def produce(strata, topic, start, count):
    producer = Producer({"bootstrap.servers": strata.bootstrap, "linger.ms": 5})
    for i in range(start, start + count):
        producer.produce(topic, key=f"k-{i}", value=f"v-{i}")
        producer.poll(0)
    assert producer.flush(60) == 0


def committed_total(strata, topic, group, partitions=PARTITIONS):
    consumer = Consumer({"bootstrap.servers": strata.bootstrap, "group.id": group})
    try:
        committed = consumer.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=30)
        return {tp.partition: tp.offset for tp in committed}
    finally:
        consumer.close()


class ConfluentMember:
    """One confluent-kafka consumer on its own thread, committing synchronously after each message
    batch. A record counts as consumed only once the commit covering it succeeded; a commit
    refused mid-rebalance re-reads its partitions from the batch start (when still assigned)."""

    def __init__(self, strata, topic, group, protocol, seen, lock):
        conf = {"bootstrap.servers": strata.bootstrap, "group.id": group, "enable.auto.commit": False,
                "auto.offset.reset": "earliest", "group.protocol": protocol}
        if protocol == "classic":
            conf.update({"partition.assignment.strategy": "cooperative-sticky",
                         "session.timeout.ms": 10000, "heartbeat.interval.ms": 500})
        self.consumer = Consumer(conf)
        self.assigned = set()
        self.consumer.subscribe([topic], on_assign=self._on_assign, on_revoke=self._on_revoke,
                                on_lost=self._on_revoke)
        self.seen, self.lock = seen, lock
        self.stop = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _on_assign(self, consumer, partitions):
        self.assigned |= {p.partition for p in partitions}

    def _on_revoke(self, consumer, partitions):
        self.assigned -= {p.partition for p in partitions}

    def _run(self):
        try:
            while not self.stop.is_set():
                msgs = self.consumer.consume(num_messages=100, timeout=0.2)
                good = [m for m in msgs if m.error() is None]
                for m in msgs:
                    if m.error() is not None and not m.error().retriable():
                        raise KafkaException(m.error())
                if not good:
                    continue
                refused = self._commit(good)
                for partition in refused:
                    first = min(m.offset() for m in good if m.partition() == partition)
                    try:
                        self.consumer.seek(TopicPartition(good[0].topic(), partition, first))
                    except KafkaException:
                        pass  # no longer ours: its next owner reads it from the committed offset
                with self.lock:
                    for m in good:
                        if m.partition() not in refused:
                            self.seen[m.value().decode()] = self.seen.get(m.value().decode(), 0) + 1
        except Exception as e:  # reported by the test thread
            self.error = e

    def _commit(self, batch):
        """Commits synchronously; returns the partitions whose commit was refused mid-rebalance."""
        try:
            result = self.consumer.commit(asynchronous=False) or []
        except KafkaException as e:
            if e.args[0].code() not in COMMIT_REFUSED_MID_REBALANCE:
                raise
            return {m.partition() for m in batch}
        refused = set()
        for tp in result:
            if tp.error is not None:
                if tp.error.code() not in COMMIT_REFUSED_MID_REBALANCE:
                    raise KafkaException(tp.error)
                refused.add(tp.partition)
        return refused

    def shutdown(self):
        """Stops the member without judging it (cleanup after a failed test)."""
        self.stop.set()
        self.thread.join(60)
        self.consumer.close()

    def close(self):
        self.stop.set()
        self.thread.join(60)
        self.consumer.close()
        assert self.error is None, self.error


def wait_until(what, condition, members):
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        for m in members:
            assert m.error is None, m.error
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.1)


@pytest.mark.parametrize("protocol", ["classic", "consumer"])
def test_confluent_group_consumes_every_record_once_across_join_and_leave(strata, topic_name, protocol):
    create_topic(strata, topic_name)
    group = f"g-{topic_name}"
    produce(strata, topic_name, 0, RECORDS)
    seen, lock = {}, threading.Lock()
    members = []
    try:
        a = ConfluentMember(strata, topic_name, group, protocol, seen, lock)
        b = ConfluentMember(strata, topic_name, group, protocol, seen, lock)
        members += [a, b]
        wait_until("both members own partitions", lambda: a.assigned and b.assigned, members)
        c = ConfluentMember(strata, topic_name, group, protocol, seen, lock)
        members.append(c)
        wait_until("the third member owns partitions", lambda: bool(c.assigned), members)
        produce(strata, topic_name, RECORDS, RECORDS // 2)
        members.remove(a)
        a.close()
        produce(strata, topic_name, RECORDS + RECORDS // 2, RECORDS // 2)
        wait_until("everything is consumed", lambda: len(seen) == 2 * RECORDS, members)
        wait_until("the two members own all partitions",
                   lambda: len(b.assigned | c.assigned) == PARTITIONS and not (b.assigned & c.assigned), members)
        time.sleep(1)
        members.clear()
        b.close()
        c.close()
    finally:
        for m in members:  # only after a failure: stop them so they outlive no test
            m.shutdown()
    duplicates = {v: n for v, n in seen.items() if n != 1}
    assert duplicates == {}
    assert sum(committed_total(strata, topic_name, group).values()) == 2 * RECORDS


def test_kafka_python_classic_group_splits_partitions_and_commits(strata, topic_name):
    create_topic(strata, topic_name)
    group = f"g-{topic_name}"
    producer = KafkaProducer(bootstrap_servers=strata.bootstrap)
    for i in range(RECORDS):
        producer.send(topic_name, key=f"k-{i}".encode(), value=f"v-{i}".encode())
    producer.flush(60)
    producer.close()

    seen, lock, stop, errors = {}, threading.Lock(), threading.Event(), []

    def run(consumer):
        # One thread per member, as applications run them: poll, commit synchronously, then count
        # what the commit covered. A commit refused mid-rebalance (as Kafka refuses it) is read
        # again from the batch start, by this member or by the partition's next owner.
        try:
            while not stop.is_set():
                batches = consumer.poll(timeout_ms=200)
                offsets = {tp: OffsetAndMetadata(records[-1].offset + 1, "", -1)
                           for tp, records in batches.items() if records}
                if not offsets:
                    continue
                try:
                    consumer.commit(offsets)
                except (CommitFailedError, RebalanceInProgressError):
                    for tp, records in batches.items():
                        if records and tp in consumer.assignment():
                            consumer.seek(tp, records[0].offset)
                    continue
                with lock:
                    for records in batches.values():
                        for r in records:
                            seen[r.value.decode()] = seen.get(r.value.decode(), 0) + 1
        except Exception as e:  # reported by the test thread
            errors.append(e)

    members = [KafkaConsumer(topic_name, bootstrap_servers=strata.bootstrap, group_id=group,
                             enable_auto_commit=False, auto_offset_reset="earliest",
                             session_timeout_ms=10000, heartbeat_interval_ms=500) for _ in range(2)]
    threads = [threading.Thread(target=run, args=(m,), daemon=True) for m in members]
    for t in threads:
        t.start()
    deadline = time.monotonic() + DEADLINE_S
    while len(seen) < RECORDS or not all(m.assignment() for m in members):
        assert not errors, errors
        assert time.monotonic() < deadline, f"consumed {len(seen)} of {RECORDS}"
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join(30)
    owned = [{tp.partition for tp in m.assignment()} for m in members]
    assert owned[0].isdisjoint(owned[1])
    assert owned[0] | owned[1] == set(range(PARTITIONS))
    assert all(n == 1 for n in seen.values())
    committed = {p: members[0].committed(KpTopicPartition(topic_name, p)) for p in range(PARTITIONS)}
    assert sum(o or 0 for o in committed.values()) == RECORDS
    for m in members:
        m.close()


def test_committed_offsets_survive_kill_9_and_restart(topic_name):
    from conftest import StrataNode  # a node of our own: this test restarts it
    node = StrataNode()
    try:
        create_topic(node, topic_name, partitions=2)
        group = f"g-{topic_name}"
        consumer = Consumer({"bootstrap.servers": node.bootstrap, "group.id": group})
        consumer.commit(offsets=[TopicPartition(topic_name, 0, 17), TopicPartition(topic_name, 1, 42)],
                        asynchronous=False)
        consumer.close()
        assert committed_total(node, topic_name, group, partitions=2) == {0: 17, 1: 42}
        node.kill_and_restart()
        assert committed_total(node, topic_name, group, partitions=2) == {0: 17, 1: 42}
    finally:
        node.stop()
