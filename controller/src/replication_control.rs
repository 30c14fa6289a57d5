//! Topic and partition operations as pure functions: `(image, request) -> (records, results)`
//! (Kafka's `ReplicationControlManager`). Nothing changes until the records are replayed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use uuid::Uuid;

use crate::config::ControllerConfig;
use crate::error::ControllerError;
use crate::image::MetadataImage;
use crate::operations::{CreatePartitionsSpec, CreateTopicSpec, CreatedTopic, TopicRef};
use crate::placement::place_replicas;
use crate::records::{
    config_resource_type, ConfigRecord, MetadataRecord, PartitionRecord, TopicRecord,
};
use crate::topic_config::validate_topic_configs;
use crate::topic_name::{has_collision_chars, unify_collision_chars, validate_topic_name};

/// Most partitions one topic may have (Strata's bound; keeps one create request's record count
/// and the image size in check).
pub const PARTITIONS_PER_TOPIC_MAX: i32 = 100_000;

/// Records plus one result per request entry, in request order.
pub(crate) type Outcome<T> = (Vec<MetadataRecord>, Vec<Result<T, ControllerError>>);

/// Validates each topic against the image (and the topics before it in the same request) and
/// produces TopicRecord, PartitionRecords and ConfigRecords for the valid ones.
pub(crate) fn create_topics(
    image: &MetadataImage,
    config: &ControllerConfig,
    topics: &[CreateTopicSpec],
) -> Outcome<CreatedTopic> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for t in topics {
        *counts.entry(t.name.as_str()).or_default() += 1;
    }
    let mut records = Vec::new();
    let mut results = Vec::with_capacity(topics.len());
    // Unified names of topics accepted earlier in this request, so two colliding names in one
    // request are caught like a collision with an existing topic.
    let mut accepted_unified: BTreeMap<String, String> = BTreeMap::new();
    for spec in topics {
        if counts.get(spec.name.as_str()).copied().unwrap_or(0) > 1 {
            results.push(Err(ControllerError::InvalidRequest {
                reason: format!("Duplicate topic name: {}", spec.name),
            }));
            continue;
        }
        match create_topic(image, config, spec, &accepted_unified) {
            Ok((mut topic_records, created)) => {
                accepted_unified.insert(unify_collision_chars(&spec.name), spec.name.clone());
                records.append(&mut topic_records);
                results.push(Ok(created));
            }
            Err(e) => results.push(Err(e)),
        }
    }
    (records, results)
}

fn create_topic(
    image: &MetadataImage,
    config: &ControllerConfig,
    spec: &CreateTopicSpec,
    accepted_unified: &BTreeMap<String, String>,
) -> Result<(Vec<MetadataRecord>, CreatedTopic), ControllerError> {
    validate_topic_name(&spec.name)?;
    if image.topics.by_name.contains_key(&spec.name) {
        return Err(ControllerError::TopicAlreadyExists {
            name: spec.name.clone(),
        });
    }
    let placements = if spec.assignments.is_empty() {
        let count = if spec.num_partitions == -1 {
            config.num_partitions
        } else {
            spec.num_partitions
        };
        if count <= 0 {
            return Err(ControllerError::InvalidPartitions {
                requested: count,
                reason: "Number of partitions was set to an invalid non-positive value."
                    .to_string(),
            });
        }
        if count > PARTITIONS_PER_TOPIC_MAX {
            return Err(ControllerError::InvalidPartitions {
                requested: count,
                reason: format!("Number of partitions {count} exceeds the maximum of {PARTITIONS_PER_TOPIC_MAX}."),
            });
        }
        let rf = if spec.replication_factor == -1 {
            config.default_replication_factor
        } else {
            spec.replication_factor
        };
        if rf <= 0 {
            return Err(ControllerError::InvalidReplicationFactor {
                requested: i32::from(rf),
                reason: "Replication factor must be larger than 0, or -1 to use the default value."
                    .to_string(),
            });
        }
        place_replicas(image, 0, count, rf)?
    } else {
        if spec.num_partitions != -1 || spec.replication_factor != -1 {
            return Err(ControllerError::InvalidRequest {
                reason: "A manual partition assignment was specified, but numPartitions or replicationFactor was not \
                         set to -1."
                    .to_string(),
            });
        }
        manual_placements(image, &spec.assignments)?
    };
    validate_topic_configs(&spec.configs, config, None)?;
    if has_collision_chars(&spec.name) {
        let unified = unify_collision_chars(&spec.name);
        let existing = image
            .topics
            .by_name
            .keys()
            .find(|other| unify_collision_chars(other) == unified)
            .or_else(|| accepted_unified.get(&unified));
        if let Some(other) = existing {
            return Err(ControllerError::InvalidTopic {
                name: spec.name.clone(),
                reason: format!(
                    "Topic '{}' collides with existing topic: {other}",
                    spec.name
                ),
            });
        }
    }
    let topic_id = fresh_topic_id(image);
    let mut records = vec![MetadataRecord::Topic(TopicRecord {
        name: spec.name.clone(),
        topic_id,
    })];
    for (partition, replicas) in placements.iter().enumerate() {
        records.push(new_partition_record(
            topic_id,
            partition_index(partition),
            replicas,
        ));
    }
    for (key, value) in &spec.configs {
        records.push(MetadataRecord::Config(ConfigRecord {
            resource_type: config_resource_type::TOPIC,
            resource_name: spec.name.clone(),
            name: key.clone(),
            value: Some(value.clone()),
        }));
    }
    let replication_factor = placements
        .first()
        .map_or(0, |r| i16::try_from(r.len()).unwrap_or(i16::MAX));
    let created = CreatedTopic {
        name: spec.name.clone(),
        topic_id,
        num_partitions: partition_index(placements.len()),
        replication_factor,
        configs: spec.configs.clone(),
    };
    Ok((records, created))
}

fn partition_index(i: usize) -> i32 {
    i32::try_from(i).expect("partition counts are bounded by PARTITIONS_PER_TOPIC_MAX")
}

fn new_partition_record(topic_id: Uuid, partition_id: i32, replicas: &[i32]) -> MetadataRecord {
    MetadataRecord::Partition(PartitionRecord {
        partition_id,
        topic_id,
        replicas: replicas.to_vec(),
        isr: replicas.to_vec(),
        leader: replicas.first().copied().unwrap_or(-1),
        leader_epoch: 0,
        partition_epoch: 0,
        ..PartitionRecord::default()
    })
}

fn fresh_topic_id(image: &MetadataImage) -> Uuid {
    loop {
        let id = Uuid::new_v4();
        if !id.is_nil() && !image.topics.by_id.contains_key(&id) {
            return id;
        }
    }
}

/// Checks a manual assignment: partitions 0..n in order, each a non-empty list of distinct
/// registered brokers, all of the same length.
fn manual_placements(
    image: &MetadataImage,
    assignments: &[(i32, Vec<i32>)],
) -> Result<Vec<Vec<i32>>, ControllerError> {
    let mut sorted: Vec<&(i32, Vec<i32>)> = assignments.iter().collect();
    sorted.sort_by_key(|(p, _)| *p);
    for (expected, (partition, _)) in sorted.iter().enumerate() {
        if usize::try_from(*partition).ok() != Some(expected) {
            return Err(ControllerError::InvalidReplicaAssignment {
                reason: "partitions should be a consecutive 0-based integer sequence".to_string(),
            });
        }
    }
    if sorted.len() > usize::try_from(PARTITIONS_PER_TOPIC_MAX).unwrap_or(usize::MAX) {
        return Err(ControllerError::InvalidPartitions {
            requested: partition_index(sorted.len()),
            reason: format!(
                "Number of partitions exceeds the maximum of {PARTITIONS_PER_TOPIC_MAX}."
            ),
        });
    }
    let replicas: Vec<Vec<i32>> = sorted.into_iter().map(|(_, r)| r.clone()).collect();
    validate_replica_lists(image, &replicas)?;
    Ok(replicas)
}

fn validate_replica_lists(
    image: &MetadataImage,
    lists: &[Vec<i32>],
) -> Result<(), ControllerError> {
    let bad = |reason: String| Err(ControllerError::InvalidReplicaAssignment { reason });
    let first_len = lists.first().map_or(0, Vec::len);
    for replicas in lists {
        if replicas.is_empty() {
            return bad(
                "The manual partition assignment includes an empty replica list.".to_string(),
            );
        }
        if replicas.len() != first_len {
            return bad("All partitions must have the same number of replicas.".to_string());
        }
        let distinct: BTreeSet<i32> = replicas.iter().copied().collect();
        if distinct.len() != replicas.len() {
            return bad(format!("The manual partition assignment includes the partition replica assignment {replicas:?} which contains duplicate replicas."));
        }
        if let Some(missing) = replicas.iter().find(|b| !image.brokers.contains_key(b)) {
            return bad(format!(
                "The manual partition assignment includes broker {missing}, but no such broker is registered."
            ));
        }
    }
    Ok(())
}

fn resolve<'a>(
    image: &'a MetadataImage,
    topic: &TopicRef,
) -> Result<&'a crate::image::TopicImage, ControllerError> {
    match topic {
        TopicRef::Name(name) => image
            .topics
            .by_name
            .get(name)
            .map(|t| t.as_ref())
            .ok_or_else(|| ControllerError::UnknownTopic { name: name.clone() }),
        TopicRef::Id(id) => image
            .topics
            .by_id
            .get(id)
            .map(|t| t.as_ref())
            .ok_or(ControllerError::UnknownTopicId { id: *id }),
    }
}

/// Produces a RemoveTopicRecord per existing topic; a topic named twice is an invalid request.
pub(crate) fn delete_topics(image: &MetadataImage, topics: &[TopicRef]) -> Outcome<(String, Uuid)> {
    let mut counts: HashMap<&TopicRef, usize> = HashMap::new();
    for t in topics {
        *counts.entry(t).or_default() += 1;
    }
    let mut removed: BTreeSet<Uuid> = BTreeSet::new();
    let mut records = Vec::new();
    let mut results = Vec::with_capacity(topics.len());
    for topic in topics {
        if counts.get(topic).copied().unwrap_or(0) > 1 {
            results.push(Err(ControllerError::InvalidRequest {
                reason: format!("Duplicate topic in request: {topic:?}"),
            }));
            continue;
        }
        let result = resolve(image, topic).and_then(|t| {
            if !removed.insert(t.id) {
                return Err(ControllerError::InvalidRequest {
                    reason: format!("Topic {} is named twice (by name and by id)", t.name),
                });
            }
            records.push(MetadataRecord::RemoveTopic(
                crate::records::RemoveTopicRecord { topic_id: t.id },
            ));
            Ok((t.name.clone(), t.id))
        });
        results.push(result);
    }
    (records, results)
}

/// Adds partitions to existing topics: the count must grow; new partitions copy the replication
/// factor of partition 0 unless an assignment is given.
pub(crate) fn create_partitions(
    image: &MetadataImage,
    specs: &[CreatePartitionsSpec],
) -> Outcome<()> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for s in specs {
        *counts.entry(s.name.as_str()).or_default() += 1;
    }
    let mut records = Vec::new();
    let mut results = Vec::with_capacity(specs.len());
    for spec in specs {
        if counts.get(spec.name.as_str()).copied().unwrap_or(0) > 1 {
            results.push(Err(ControllerError::InvalidRequest {
                reason: format!("Duplicate topic name: {}", spec.name),
            }));
            continue;
        }
        match create_partitions_for(image, spec) {
            Ok(mut r) => {
                records.append(&mut r);
                results.push(Ok(()));
            }
            Err(e) => results.push(Err(e)),
        }
    }
    (records, results)
}

fn create_partitions_for(
    image: &MetadataImage,
    spec: &CreatePartitionsSpec,
) -> Result<Vec<MetadataRecord>, ControllerError> {
    let topic = resolve(image, &TopicRef::Name(spec.name.clone()))?;
    let current = partition_index(topic.partitions.len());
    if spec.count < current {
        return Err(ControllerError::InvalidPartitions {
            requested: spec.count,
            reason: format!(
                "Topic currently has {current} partitions, which is higher than the requested {}.",
                spec.count
            ),
        });
    }
    if spec.count == current {
        return Err(ControllerError::InvalidPartitions {
            requested: spec.count,
            reason: format!("Topic already has {current} partitions."),
        });
    }
    if spec.count > PARTITIONS_PER_TOPIC_MAX {
        return Err(ControllerError::InvalidPartitions {
            requested: spec.count,
            reason: format!(
                "Number of partitions {} exceeds the maximum of {PARTITIONS_PER_TOPIC_MAX}.",
                spec.count
            ),
        });
    }
    let added = spec.count - current;
    let placements = match &spec.assignments {
        Some(lists) => {
            if lists.len() != usize::try_from(added).unwrap_or(0) {
                return Err(ControllerError::InvalidReplicaAssignment {
                    reason: format!(
                        "Attempted to add {added} additional partition(s), but only {} assignment(s) were specified.",
                        lists.len()
                    ),
                });
            }
            validate_replica_lists(image, lists)?;
            lists.clone()
        }
        None => {
            let rf = topic
                .partitions
                .values()
                .next()
                .map_or(1, |p| i16::try_from(p.replicas.len()).unwrap_or(i16::MAX));
            place_replicas(image, current, added, rf)?
        }
    };
    Ok(placements
        .iter()
        .enumerate()
        .map(|(i, replicas)| new_partition_record(topic.id, current + partition_index(i), replicas))
        .collect())
}
