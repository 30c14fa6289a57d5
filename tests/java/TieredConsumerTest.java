// strata-overrides: remote.log.manager.task.interval.ms=300 log.retention.check.interval.ms=300
//
// Tiered storage with the Java client (kafka-clients 4.3).
//
//   java TieredConsumerTest <bootstrap>                   creates a tiered topic (1 MiB segments,
//       1 s local retention) on the node's default local-directory store, produces 32 MiB, waits
//       until most of it is only in remote storage (AdminClient ListOffsets earliest-local and
//       latest-tiered), then reads every record from offset 0 and checks it.
//   java TieredConsumerTest <bootstrap> <topic> <count>   only reads and checks records 0..count
//       of <topic> partition 0 (used by tests/tests/tiered_s3.rs against an S3-backed node).
//
// Record i's value is its index (8 bytes little-endian) followed by xorshift64 bytes seeded
// from i: the same generator as tests/tests/tiered_support/mod.rs.

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class TieredConsumerTest {
    static final int VALUE_BYTES = 1024;

    static byte[] valueOf(long i) {
        ByteBuffer buf = ByteBuffer.allocate(VALUE_BYTES + 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(i);
        long x = (i * 0x9E3779B97F4A7C15L) | 1L;
        while (buf.position() < VALUE_BYTES) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            buf.putLong(x);
        }
        return Arrays.copyOf(buf.array(), VALUE_BYTES);
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        if (args.length >= 3) {
            consumeAll(bootstrap, args[1], Long.parseLong(args[2]));
            System.out.println("TieredConsumerTest: verified " + args[2] + " records of " + args[1]);
            return;
        }
        String topic = "java-tiered";
        long count = 32 * 1024;
        TopicPartition tp = new TopicPartition(topic, 0);
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(adminProps)) {
            NewTopic newTopic = new NewTopic(topic, 1, (short) 1).configs(Map.of(
                "remote.storage.enable", "true",
                "segment.bytes", "1048576",
                "local.retention.ms", "1000",
                "retention.ms", "-1"));
            admin.createTopics(List.of(newTopic)).all().get();

            Properties producerProps = new Properties();
            producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, "131072");
            try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (long i = 0; i < count; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, null, valueOf(i)));
                }
                producer.flush();
            }

            long deadline = System.currentTimeMillis() + 120_000;
            long localStart = 0, tiered = -1;
            while (System.currentTimeMillis() < deadline) {
                localStart = admin.listOffsets(Map.of(tp, OffsetSpec.earliestLocal())).partitionResult(tp).get().offset();
                tiered = admin.listOffsets(Map.of(tp, OffsetSpec.latestTiered())).partitionResult(tp).get().offset();
                check(localStart <= tiered + 1, "local start " + localStart + " beyond tiered " + tiered);
                if (localStart > count / 2) break;
                Thread.sleep(200);
            }
            check(localStart > count / 2, "most records moved to remote storage, local start " + localStart);
            long earliest = admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset();
            check(earliest == 0, "earliest is the remote log start 0, got " + earliest);
            System.out.println("TieredConsumerTest: local start " + localStart + ", tiered up to " + tiered);
        }
        consumeAll(bootstrap, topic, count);
        System.out.println("TieredConsumerTest: verified " + count + " records from offset 0");
    }

    static void consumeAll(String bootstrap, String topic, long count) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "4194304");
        TopicPartition tp = new TopicPartition(topic, 0);
        long next = 0;
        long deadline = System.currentTimeMillis() + 180_000;
        try (KafkaConsumer<byte[], byte[]> consumer =
                 new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            while (next < count) {
                check(System.currentTimeMillis() < deadline, "read " + next + " of " + count + " in time");
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    check(record.offset() == next, "expected offset " + next + ", got " + record.offset());
                    check(Arrays.equals(record.value(), valueOf(next)), "value of record " + next);
                    next++;
                }
            }
        }
    }
}
