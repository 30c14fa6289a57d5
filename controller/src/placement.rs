//! Replica placement for new partitions: round-robin over the live brokers, in id order, so
//! leadership spreads evenly. (Kafka's `StripedReplicaPlacer` additionally stripes racks; racks
//! are not considered yet.)

use crate::error::ControllerError;
use crate::image::MetadataImage;

/// Replica lists for partitions `first_partition..first_partition + count`, each of
/// `replication_factor` distinct live brokers, the first being the preferred leader.
pub(crate) fn place_replicas(
    image: &MetadataImage,
    first_partition: i32,
    count: i32,
    replication_factor: i16,
) -> Result<Vec<Vec<i32>>, ControllerError> {
    let brokers: Vec<i32> = image.live_brokers().map(|b| b.id).collect();
    let rf = usize::try_from(replication_factor).unwrap_or(0);
    if rf == 0 || rf > brokers.len() {
        return Err(ControllerError::InvalidReplicationFactor {
            requested: i32::from(replication_factor),
            reason: format!(
                "Unable to replicate the partition {replication_factor} time(s): The target replication factor of \
                 {replication_factor} cannot be reached because only {} broker(s) are registered.",
                brokers.len()
            ),
        });
    }
    let placements = (first_partition..first_partition.saturating_add(count))
        .map(|partition| {
            let start = usize::try_from(partition).unwrap_or(0) % brokers.len();
            (0..rf)
                .map(|i| brokers[(start + i) % brokers.len()])
                .collect()
        })
        .collect();
    Ok(placements)
}
