//! `ProducerIdsRecord` (15): a block of producer ids handed to a broker.

use super::{skip_tagged_fields, RecordBody};
use crate::wire::{WireError, WireReader, WireWriter};

/// The next producer id after a block was allocated (api key 15, version 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerIdsRecord {
    /// The broker that requested the block.
    pub broker_id: i32,
    /// Its epoch (default -1).
    pub broker_epoch: i64,
    /// The first producer id of the next block.
    pub next_producer_id: i64,
}

impl Default for ProducerIdsRecord {
    fn default() -> Self {
        Self {
            broker_id: 0,
            broker_epoch: -1,
            next_producer_id: 0,
        }
    }
}

impl RecordBody for ProducerIdsRecord {
    const API_KEY: i16 = 15;
    const VERSION_MIN: i16 = 0;
    const VERSION_MAX: i16 = 0;
    fn version(&self) -> i16 {
        0
    }
    fn encode_body(&self, w: &mut WireWriter) {
        w.put_i32(self.broker_id);
        w.put_i64(self.broker_epoch);
        w.put_i64(self.next_producer_id);
        w.put_tagged_fields(&[]);
    }
    fn decode_body(r: &mut WireReader<'_>, _version: i16) -> Result<Self, WireError> {
        let broker_id = r.i32()?;
        let broker_epoch = r.i64()?;
        let next_producer_id = r.i64()?;
        skip_tagged_fields(r)?;
        Ok(Self {
            broker_id,
            broker_epoch,
            next_producer_id,
        })
    }
}
