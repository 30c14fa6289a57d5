import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Three KafkaConsumers in one group on a 6-partition topic, once with the classic protocol
 * (cooperative-sticky) and once with the KIP-848 consumer protocol. Two members start, a third
 * joins, the first leaves, and records keep arriving throughout. Every consumer commits
 * synchronously after each poll and counts a record as consumed only once that commit succeeded
 * (a commit refused during a rebalance re-reads its batch). Checks:
 *  - no partition is owned by two members at once (rebalance listeners), in particular at every commit;
 *  - every record is consumed exactly once across the rebalances;
 *  - at the end the two remaining members own all 6 partitions between them;
 *  - the committed offsets equal the log end offsets.
 */
public class GroupTest {
    static final int PARTITIONS = 6;
    static final int RECORDS_PER_PHASE = 3000;
    static final Duration DEADLINE = Duration.ofSeconds(120);

    static void check(boolean ok, String message) {
        if (!ok) throw new AssertionError(message);
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        try {
            run(bootstrap, "classic");
            run(bootstrap, "consumer");
            System.out.println("GroupTest: OK");
        } catch (Throwable t) {
            System.err.println("GroupTest: FAILED: " + t);
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /** One member: polls, records what it consumed, commits synchronously after each poll. */
    static final class Member implements Runnable, ConsumerRebalanceListener {
        final String name;
        final KafkaConsumer<String, String> consumer;
        final Map<TopicPartition, String> owners;
        final Map<String, AtomicInteger> seen;
        final List<String> violations;
        final AtomicBoolean stop = new AtomicBoolean();
        final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
        volatile Throwable failure;
        Thread thread;

        Member(String name, Properties props, String topic, Map<TopicPartition, String> owners,
               Map<String, AtomicInteger> seen, List<String> violations) {
            this.name = name;
            this.owners = owners;
            this.seen = seen;
            this.violations = violations;
            Properties p = new Properties();
            p.putAll(props);
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
            this.consumer = new KafkaConsumer<>(p);
            this.consumer.subscribe(List.of(topic), this);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                String previous = owners.putIfAbsent(tp, name);
                if (previous != null && !previous.equals(name)) {
                    violations.add(tp + " assigned to " + name + " while " + previous + " still owns it");
                }
                owned.add(tp);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            release(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            release(partitions);
        }

        void release(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                owners.remove(tp, name);
                owned.remove(tp);
            }
        }

        @Override
        public void run() {
            try {
                while (!stop.get()) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
                    Map<TopicPartition, Long> first = new HashMap<>();
                    for (ConsumerRecord<String, String> r : records) {
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        first.putIfAbsent(tp, r.offset());
                        commit.put(tp, new OffsetAndMetadata(r.offset() + 1));
                    }
                    if (!commit.isEmpty()) {
                        for (TopicPartition tp : commit.keySet()) {
                            String owner = owners.get(tp);
                            if (!name.equals(owner)) {
                                violations.add(name + " commits " + tp + " owned by " + owner);
                            }
                        }
                        try {
                            consumer.commitSync(commit);
                        } catch (org.apache.kafka.clients.consumer.CommitFailedException e) {
                            // A commit refused during a rebalance (e.g. STALE_MEMBER_EPOCH, which
                            // Kafka 4 answers too): the batch is not consumed. Re-read what is
                            // still ours; moved partitions restart from the last commit elsewhere.
                            for (Map.Entry<TopicPartition, Long> f : first.entrySet()) {
                                if (consumer.assignment().contains(f.getKey())) {
                                    consumer.seek(f.getKey(), f.getValue());
                                }
                            }
                            continue;
                        }
                        // Counted only once its commit is durable: exactly once across rebalances.
                        for (ConsumerRecord<String, String> r : records) {
                            seen.computeIfAbsent(r.value(), k -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                consumer.close(Duration.ofSeconds(30));
                release(new ArrayList<>(owned));
            }
        }

        void start() {
            thread = new Thread(this, name);
            thread.start();
        }

        void stopAndJoin() throws Exception {
            // No wakeup(): it could interrupt a commitSync whose commit the broker applied, and
            // the batch would then be neither counted here nor re-read by the next owner.
            stop.set(true);
            thread.join(60_000);
            check(!thread.isAlive(), name + " did not stop");
            if (failure != null && !(failure instanceof org.apache.kafka.common.errors.WakeupException)) {
                throw new AssertionError(name + " failed", failure);
            }
        }
    }

    static void produce(KafkaProducer<String, String> producer, String topic, int from, int count) throws Exception {
        for (int i = from; i < from + count; i++) {
            producer.send(new ProducerRecord<>(topic, "k-" + i, "v-" + i));
        }
        producer.flush();
    }

    static void waitUntil(String what, java.util.function.BooleanSupplier condition, List<String> violations,
                          List<Member> members) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            check(violations.isEmpty(), "ownership violated: " + violations);
            for (Member m : members) {
                if (m.failure != null) throw new AssertionError(m.name + " failed", m.failure);
            }
            check(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(100);
        }
    }

    static void run(String bootstrap, String protocol) throws Exception {
        String topic = "java-group-" + protocol + "-" + System.nanoTime();
        String group = "g-" + topic;
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(adminProps)) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();

            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");

            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            cp.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
            if (protocol.equals("classic")) {
                cp.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                       "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
                cp.put("session.timeout.ms", "10000");
                cp.put("heartbeat.interval.ms", "500");
            }

            Map<TopicPartition, String> owners = new ConcurrentHashMap<>();
            Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
            List<String> violations = new CopyOnWriteArrayList<>();
            List<Member> members = new CopyOnWriteArrayList<>();

            try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
                produce(producer, topic, 0, RECORDS_PER_PHASE);

                Member a = new Member(protocol + "-a", cp, topic, owners, seen, violations);
                Member b = new Member(protocol + "-b", cp, topic, owners, seen, violations);
                members.add(a);
                members.add(b);
                a.start();
                b.start();
                waitUntil("two members own all partitions", () -> owners.size() == PARTITIONS
                          && !a.owned.isEmpty() && !b.owned.isEmpty(), violations, members);

                Member c = new Member(protocol + "-c", cp, topic, owners, seen, violations);
                members.add(c);
                c.start();
                waitUntil("the third member gets partitions", () -> !c.owned.isEmpty()
                          && owners.size() == PARTITIONS, violations, members);
                produce(producer, topic, RECORDS_PER_PHASE, RECORDS_PER_PHASE / 2);

                a.stopAndJoin();
                members.remove(a);
                produce(producer, topic, RECORDS_PER_PHASE + RECORDS_PER_PHASE / 2, RECORDS_PER_PHASE / 2);
                waitUntil("the remaining members own all partitions and consumed everything",
                          () -> b.owned.size() + c.owned.size() == PARTITIONS
                                && seen.size() == 2 * RECORDS_PER_PHASE, violations, members);
                // Let a few more polls and commits happen, then stop.
                Thread.sleep(1000);
                b.stopAndJoin();
                c.stopAndJoin();
            }
            check(violations.isEmpty(), "ownership violated: " + violations);

            for (int i = 0; i < 2 * RECORDS_PER_PHASE; i++) {
                AtomicInteger n = seen.get("v-" + i);
                check(n != null, protocol + ": record v-" + i + " was never consumed");
                check(n.get() == 1, protocol + ": record v-" + i + " was consumed " + n.get() + " times");
            }

            // Committed offsets equal the log end offsets.
            Set<TopicPartition> tps = new HashSet<>();
            for (int p = 0; p < PARTITIONS; p++) tps.add(new TopicPartition(topic, p));
            Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            for (TopicPartition tp : tps) latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest());
            var ends = admin.listOffsets(latest).all().get();
            long total = 0;
            for (TopicPartition tp : tps) {
                OffsetAndMetadata c = committed.get(tp);
                check(c != null, protocol + ": no committed offset for " + tp);
                check(c.offset() == ends.get(tp).offset(),
                      protocol + ": committed " + c.offset() + " != end " + ends.get(tp).offset() + " for " + tp);
                total += c.offset();
            }
            check(total == 2 * RECORDS_PER_PHASE, protocol + ": committed total " + total);

            ConsumerGroupDescription description =
                admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            check(description.members().isEmpty(), protocol + ": members left after close: " + description.members());
            System.out.println("GroupTest " + protocol + ": " + (2 * RECORDS_PER_PHASE)
                               + " records consumed exactly once across 3 rebalances; group state "
                               + description.groupState());
        }
    }
}
