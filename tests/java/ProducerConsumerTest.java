import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Idempotent KafkaProducer (acks=all) writes records with known timestamps to two partitions;
 * an assign-only KafkaConsumer reads everything back in order, seeks, and looks offsets up by
 * timestamp. Exits non-zero with a message on the first mismatch.
 */
public class ProducerConsumerTest {
    static final int RECORDS = 2000;
    /** An hour ago, whole seconds: recent enough that the default 7-day retention keeps it. */
    static final long BASE_TS = (System.currentTimeMillis() / 1000 - 3600) * 1000;

    static void check(boolean ok, String message) {
        if (!ok) throw new AssertionError(message);
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = "java-pc-" + System.nanoTime();
        try {
            run(bootstrap, topic);
            System.out.println("ProducerConsumerTest: OK");
        } catch (Throwable t) {
            System.err.println("ProducerConsumerTest: FAILED: " + t);
            t.printStackTrace();
            System.exit(1);
        }
    }

    static void run(String bootstrap, String topic) throws Exception {
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(adminProps)) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        }

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < RECORDS; i++) {
                futures.add(producer.send(new ProducerRecord<>(topic, i % 2, BASE_TS + i, "k" + i, "v" + i)));
            }
            producer.flush();
            for (int i = 0; i < RECORDS; i++) {
                RecordMetadata md = futures.get(i).get();
                check(md.partition() == i % 2, "record " + i + " landed in partition " + md.partition());
                check(md.offset() == i / 2, "record " + i + " got offset " + md.offset() + ", expected " + (i / 2));
            }
        }

        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        TopicPartition tp0 = new TopicPartition(topic, 0);
        TopicPartition tp1 = new TopicPartition(topic, 1);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.assign(List.of(tp0, tp1));
            consumer.seekToBeginning(List.of(tp0, tp1));
            Map<Integer, List<ConsumerRecord<String, String>>> got = new HashMap<>();
            got.put(0, new ArrayList<>());
            got.put(1, new ArrayList<>());
            long deadline = System.currentTimeMillis() + 60_000;
            while (got.get(0).size() + got.get(1).size() < RECORDS) {
                check(System.currentTimeMillis() < deadline, "timed out after reading " + (got.get(0).size() + got.get(1).size()));
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    got.get(r.partition()).add(r);
                }
            }
            for (int partition = 0; partition < 2; partition++) {
                List<ConsumerRecord<String, String>> records = got.get(partition);
                check(records.size() == RECORDS / 2, "partition " + partition + " has " + records.size());
                for (int j = 0; j < records.size(); j++) {
                    int i = j * 2 + partition;
                    ConsumerRecord<String, String> r = records.get(j);
                    check(r.offset() == j, "partition " + partition + " record " + j + " offset " + r.offset());
                    check(r.key().equals("k" + i) && r.value().equals("v" + i), "partition " + partition + " offset " + j + " holds " + r.key() + "=" + r.value());
                    check(r.timestamp() == BASE_TS + i, "timestamp at " + partition + "@" + j + " is " + r.timestamp());
                }
            }

            consumer.seek(tp0, 10);
            List<ConsumerRecord<String, String>> after = new ArrayList<>();
            deadline = System.currentTimeMillis() + 30_000;
            while (after.isEmpty()) {
                check(System.currentTimeMillis() < deadline, "nothing after seek");
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.partition() == 0) after.add(r);
                }
            }
            check(after.get(0).offset() == 10, "seek(10) read offset " + after.get(0).offset());

            // Partition 0 holds records i = 0, 2, 4, ...: offset k has timestamp BASE_TS + 2k.
            Map<TopicPartition, Long> query = new HashMap<>();
            query.put(tp0, BASE_TS + 40);
            query.put(tp1, BASE_TS + 42);
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
            check(found.get(tp0) != null && found.get(tp0).offset() == 20, "offsetsForTimes exact: " + found.get(tp0));
            check(found.get(tp1) != null && found.get(tp1).offset() == 21, "offsetsForTimes between: " + found.get(tp1));
            Map<TopicPartition, OffsetAndTimestamp> none = consumer.offsetsForTimes(Collections.singletonMap(tp0, BASE_TS + RECORDS * 10L));
            check(none.get(tp0) == null, "offsetsForTimes past the end should be null, got " + none.get(tp0));

            Map<TopicPartition, Long> ends = consumer.endOffsets(List.of(tp0, tp1));
            check(ends.get(tp0) == RECORDS / 2 && ends.get(tp1) == RECORDS / 2, "endOffsets " + ends);
            Map<TopicPartition, Long> begins = consumer.beginningOffsets(List.of(tp0, tp1));
            check(begins.get(tp0) == 0 && begins.get(tp1) == 0, "beginningOffsets " + begins);
        }
    }
}
