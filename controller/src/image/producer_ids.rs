//! Producer id blocks (Kafka's `ProducerIdsImage`).

use crate::image::ImageError;
use crate::records::ProducerIdsRecord;

/// Replays a ProducerIdsRecord: the next block starts at its `next_producer_id`, which only grows.
pub(crate) fn replay_producer_ids(
    next_producer_id: &mut i64,
    record: &ProducerIdsRecord,
) -> Result<(), ImageError> {
    if record.next_producer_id < *next_producer_id {
        return Err(ImageError::ProducerIdsWentBackwards {
            current: *next_producer_id,
            record: record.next_producer_id,
        });
    }
    *next_producer_id = record.next_producer_id;
    Ok(())
}
