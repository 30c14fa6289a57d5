//! Snapshot files: `<endOffset:020>-<epoch:010>.checkpoint` in `__cluster_metadata-0/`.
//!
//! Content, as Kafka's `RecordsSnapshotWriter` lays it out (batch offsets from 0): a control
//! batch with SnapshotHeader, KRaftVersion and the voters (KRaftVoters), then data batches with
//! the metadata records that recreate the whole image, then a control batch with SnapshotFooter.
//! `endOffset` is exclusive: the snapshot holds every record below it. Files are written as
//! `.checkpoint.part`, fsynced, then renamed, so a crash never leaves a partial `.checkpoint`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use openraft::{BasicNode, Membership};
use strata_protocol::control::{KRaftVersionRecord, SnapshotFooterRecord, SnapshotHeaderRecord};
use strata_protocol::record_batch::batches;

use super::codec::{
    control_batch, data_batch, decode_control_batch, decode_data_batch, membership_to_voters,
    voters_to_membership, CodecError, ControlRecord,
};
use super::NodeId;
use crate::records::MetadataRecord;

/// Suffix of a complete snapshot file.
pub const CHECKPOINT_SUFFIX: &str = ".checkpoint";
const PART_SUFFIX: &str = ".checkpoint.part";
/// Metadata records per data batch of a snapshot.
const SNAPSHOT_BATCH_RECORDS_MAX: usize = 100;

/// `<endOffset:020>-<epoch:010>.checkpoint`.
pub fn checkpoint_file_name(end_offset: i64, epoch: i32) -> String {
    format!("{end_offset:020}-{epoch:010}{CHECKPOINT_SUFFIX}")
}

/// The (end offset, epoch) of a checkpoint file name.
pub fn parse_checkpoint_file_name(name: &str) -> Option<(i64, i32)> {
    let stem = name.strip_suffix(CHECKPOINT_SUFFIX)?;
    let (offset, epoch) = stem.split_once('-')?;
    if offset.len() != 20 || epoch.len() != 10 {
        return None;
    }
    Some((offset.parse().ok()?, epoch.parse().ok()?))
}

/// What a snapshot file holds.
#[derive(Debug)]
pub(crate) struct CheckpointContents {
    pub(crate) records: Vec<MetadataRecord>,
    pub(crate) membership: Option<Membership<NodeId, BasicNode>>,
}

/// Encodes a snapshot: header batch, record batches, footer batch.
pub(crate) fn encode_checkpoint(
    epoch: i32,
    records: &[MetadataRecord],
    membership: &Membership<NodeId, BasicNode>,
    timestamp_ms: i64,
) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    let mut header = vec![
        ControlRecord::SnapshotHeader(SnapshotHeaderRecord {
            version: 0,
            last_contained_log_timestamp: timestamp_ms,
        }),
        ControlRecord::KRaftVersion(KRaftVersionRecord {
            version: 0,
            kraft_version: crate::KRAFT_VERSION_LEVEL,
        }),
    ];
    header.extend(membership_to_voters(membership));
    let mut offset = 0i64;
    let batch = control_batch(offset, epoch, timestamp_ms, &header)?;
    offset += header.len() as i64;
    out.extend_from_slice(&batch);
    for chunk in records.chunks(SNAPSHOT_BATCH_RECORDS_MAX) {
        out.extend_from_slice(&data_batch(offset, epoch, timestamp_ms, chunk)?);
        offset += chunk.len() as i64;
    }
    out.extend_from_slice(&control_batch(
        offset,
        epoch,
        timestamp_ms,
        &[ControlRecord::SnapshotFooter(SnapshotFooterRecord {
            version: 0,
        })],
    )?);
    Ok(out)
}

/// Decodes a snapshot; requires the header first and the footer last.
pub(crate) fn decode_checkpoint(bytes: &[u8]) -> Result<CheckpointContents, CodecError> {
    let mut records = Vec::new();
    let mut membership = None;
    let mut saw_header = false;
    let mut saw_footer = false;
    for item in batches(bytes) {
        let view = item?;
        view.verify_crc()?;
        if saw_footer {
            return Err(CodecError::Control {
                reason: "batch after SnapshotFooter".to_string(),
            });
        }
        if view.is_control() {
            let control = decode_control_batch(&view)?;
            match control.first() {
                Some(ControlRecord::SnapshotHeader(_)) if !saw_header => {
                    saw_header = true;
                    let voters: Vec<ControlRecord> = control
                        .into_iter()
                        .filter(|c| matches!(c, ControlRecord::KRaftVoters(_)))
                        .collect();
                    if !voters.is_empty() {
                        membership = Some(voters_to_membership(&voters)?);
                    }
                }
                Some(ControlRecord::SnapshotFooter(_)) if saw_header => saw_footer = true,
                other => {
                    return Err(CodecError::Control {
                        reason: format!("unexpected control record {other:?} in snapshot"),
                    })
                }
            }
        } else {
            if !saw_header {
                return Err(CodecError::Control {
                    reason: "snapshot does not start with SnapshotHeader".to_string(),
                });
            }
            records.extend(decode_data_batch(&view)?);
        }
    }
    if !saw_footer {
        return Err(CodecError::Control {
            reason: "snapshot has no SnapshotFooter".to_string(),
        });
    }
    Ok(CheckpointContents {
        records,
        membership,
    })
}

/// Writes a snapshot file atomically and deletes older ones. Returns its path.
pub(crate) fn write_checkpoint(
    dir: &Path,
    end_offset: i64,
    epoch: i32,
    bytes: &[u8],
) -> std::io::Result<PathBuf> {
    let name = checkpoint_file_name(end_offset, epoch);
    let part = dir.join(format!("{end_offset:020}-{epoch:010}{PART_SUFFIX}"));
    let mut file = fs::File::create(&part)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    let path = dir.join(&name);
    fs::rename(&part, &path)?;
    fs::File::open(dir)?.sync_all()?;
    for (other_end, other_epoch, other) in list_checkpoints(dir)? {
        if (other_end, other_epoch) < (end_offset, epoch) {
            fs::remove_file(other)?;
        }
    }
    Ok(path)
}

/// Every complete checkpoint in `dir`: (end offset, epoch, path), oldest first. Leftover
/// `.checkpoint.part` files are removed.
pub(crate) fn list_checkpoints(dir: &Path) -> std::io::Result<Vec<(i64, i32, PathBuf)>> {
    let mut out = Vec::new();
    for item in fs::read_dir(dir)? {
        let item = item?;
        let name = item.file_name().to_string_lossy().into_owned();
        if name.ends_with(PART_SUFFIX) {
            fs::remove_file(item.path())?;
        } else if let Some((end, epoch)) = parse_checkpoint_file_name(&name) {
            out.push((end, epoch, item.path()));
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoint_names_are_zero_padded_offset_and_epoch() {
        assert_eq!(
            checkpoint_file_name(100, 1),
            "00000000000000000100-0000000001.checkpoint"
        );
        assert_eq!(
            parse_checkpoint_file_name("00000000000000000100-0000000001.checkpoint"),
            Some((100, 1))
        );
        assert_eq!(parse_checkpoint_file_name("100-1.checkpoint"), None);
    }
}
