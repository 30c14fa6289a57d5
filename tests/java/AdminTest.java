import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Java AdminClient against a node: topics, configs, partitions, records deletion, cluster,
 * offsets. Exits non-zero with a message on the first mismatch.
 */
public class AdminTest {
    /** An hour ago: recent enough that the default 7-day retention keeps it. */
    static final long BASE_TS = (System.currentTimeMillis() / 1000 - 3600) * 1000;

    static void check(boolean ok, String message) {
        if (!ok) throw new AssertionError(message);
    }

    public static void main(String[] args) {
        String bootstrap = args[0];
        String topic = "java-admin-" + System.nanoTime();
        try {
            run(bootstrap, topic);
            System.out.println("AdminTest: OK");
        } catch (Throwable t) {
            System.err.println("AdminTest: FAILED: " + t);
            t.printStackTrace();
            System.exit(1);
        }
    }

    static String configValue(Admin admin, String topic, String key) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        ConfigEntry entry = config.get(key);
        check(entry != null, "describeConfigs lacks " + key);
        return entry.value();
    }

    static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    static void run(String bootstrap, String topic) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            DescribeClusterResult cluster = admin.describeCluster();
            Collection<Node> nodes = cluster.nodes().get();
            check(nodes.size() == 1, "describeCluster nodes " + nodes);
            check(cluster.clusterId().get() != null && !cluster.clusterId().get().isEmpty(), "cluster id missing");
            check(cluster.controller().get() != null, "no controller reported");

            NewTopic newTopic = new NewTopic(topic, 2, (short) 1).configs(Map.of("retention.ms", "86400000"));
            admin.createTopics(List.of(newTopic)).all().get();
            TopicDescription description = describe(admin, topic);
            check(description.partitions().size() == 2, "describeTopics partitions " + description.partitions().size());
            description.partitions().forEach(p -> check(p.leader() != null && !p.leader().isEmpty(), "partition " + p.partition() + " has no leader"));
            check(admin.listTopics().names().get().contains(topic), "listTopics lacks the new topic");

            check("86400000".equals(configValue(admin, topic, "retention.ms")), "retention.ms after create");

            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("segment.bytes", "10485760"), AlterConfigOp.OpType.SET)))).all().get();
            check("3600000".equals(configValue(admin, topic, "retention.ms")), "retention.ms after SET");
            check("10485760".equals(configValue(admin, topic, "segment.bytes")), "segment.bytes after SET");
            admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE)))).all().get();
            check("604800000".equals(configValue(admin, topic, "retention.ms")), "retention.ms after DELETE should be the default 604800000, got " + configValue(admin, topic, "retention.ms"));

            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(4))).all().get();
            long deadline = System.currentTimeMillis() + 30_000;
            while (describe(admin, topic).partitions().size() != 4) {
                check(System.currentTimeMillis() < deadline, "createPartitions not visible");
                Thread.sleep(200);
            }

            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, BASE_TS + i, "k" + i, "v" + i)).get();
                }
                producer.send(new ProducerRecord<>(topic, 3, BASE_TS, "k", "on the new partition")).get();
            }

            TopicPartition tp0 = new TopicPartition(topic, 0);
            long low = admin.deleteRecords(Map.of(tp0, RecordsToDelete.beforeOffset(40)))
                .lowWatermarks().get(tp0).get().lowWatermark();
            check(low == 40, "deleteRecords low watermark " + low);

            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> earliest = admin.listOffsets(Map.of(tp0, OffsetSpec.earliest())).all().get();
            check(earliest.get(tp0).offset() == 40, "earliest after deleteRecords " + earliest.get(tp0).offset());
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> latest = admin.listOffsets(Map.of(tp0, OffsetSpec.latest())).all().get();
            check(latest.get(tp0).offset() == 100, "latest " + latest.get(tp0).offset());
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> maxTs = admin.listOffsets(Map.of(tp0, OffsetSpec.maxTimestamp())).all().get();
            check(maxTs.get(tp0).offset() == 99 && maxTs.get(tp0).timestamp() == BASE_TS + 99, "maxTimestamp " + maxTs.get(tp0));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> byTime = admin.listOffsets(Map.of(tp0, OffsetSpec.forTimestamp(BASE_TS + 70))).all().get();
            check(byTime.get(tp0).offset() == 70, "forTimestamp " + byTime.get(tp0).offset());
            TopicPartition tp3 = new TopicPartition(topic, 3);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> latest3 = admin.listOffsets(Map.of(tp3, OffsetSpec.latest())).all().get();
            check(latest3.get(tp3).offset() == 1, "latest on the added partition " + latest3.get(tp3).offset());

            admin.deleteTopics(List.of(topic)).all().get();
            deadline = System.currentTimeMillis() + 30_000;
            while (true) {
                Set<String> names = admin.listTopics().names().get();
                if (!names.contains(topic)) break;
                check(System.currentTimeMillis() < deadline, "deleted topic still listed");
                Thread.sleep(200);
            }
        }
    }
}
