//! `strata topic describe --tiering`: per partition, where the log starts and ends, how much of
//! it is in remote storage and how much is on the leader's disk (ListOffsets -2, -4, -5, -1 and
//! DescribeLogDirs, all to the partition's leader).

use std::collections::BTreeMap;

use anyhow::Result;
use serde_json::json;

use super::output::{print_json, Table};
use crate::client::log_dirs::partition_sizes;
use crate::client::offsets::{list_offsets, TopicPartition, EARLIEST, LATEST};
use crate::client::{Client, Topology};

/// ListOffsets: the local log start offset (KIP-405).
const EARLIEST_LOCAL: i64 = -4;
/// ListOffsets: the highest offset copied to remote storage (-1 when none).
const LATEST_TIERED: i64 = -5;

/// The lookups, in column order: (column header, JSON field, ListOffsets timestamp).
const OFFSET_COLUMNS: [(&str, &str, i64); 4] = [
    ("LOG-START", "log_start_offset", EARLIEST),
    ("LOCAL-LOG-START", "local_log_start_offset", EARLIEST_LOCAL),
    ("HIGHEST-TIERED", "highest_tiered_offset", LATEST_TIERED),
    ("LOG-END", "log_end_offset", LATEST),
];

/// One partition's figures; `None` where the leader answered with an error (reported on stderr).
#[derive(Debug)]
struct PartitionTiering {
    topic: String,
    partition: i32,
    leader: i32,
    offsets: [Option<i64>; 4],
    local_bytes: Option<i64>,
}

/// Prints the tiering table (or JSON) for the partitions of `names`.
pub(crate) async fn describe_tiering(
    client: &mut Client,
    topology: &Topology,
    names: &[String],
    json_output: bool,
) -> Result<()> {
    let mut partitions: Vec<TopicPartition> = Vec::new();
    for name in names {
        if let Some(topic) = topology.topics.get(name) {
            partitions.extend(topic.partitions.keys().map(|p| (name.clone(), *p)));
        }
    }
    let mut rows: BTreeMap<TopicPartition, PartitionTiering> = partitions
        .iter()
        .map(|(topic, partition)| {
            let row = PartitionTiering {
                topic: topic.clone(),
                partition: *partition,
                leader: topology.leader(topic, *partition).unwrap_or(-1),
                offsets: [None; 4],
                local_bytes: None,
            };
            ((topic.clone(), *partition), row)
        })
        .collect();
    for (column, (header, _, timestamp)) in OFFSET_COLUMNS.iter().enumerate() {
        for (tp, answer) in list_offsets(client, topology, &partitions, *timestamp).await? {
            match answer {
                Ok(a) => {
                    if let Some(row) = rows.get_mut(&tp) {
                        row.offsets[column] = Some(a.offset);
                    }
                }
                Err(e) => eprintln!("{}-{}: {header}: {e}", tp.0, tp.1),
            }
        }
    }
    let mut by_leader: BTreeMap<i32, Vec<TopicPartition>> = BTreeMap::new();
    for row in rows.values().filter(|r| r.leader >= 0) {
        by_leader
            .entry(row.leader)
            .or_default()
            .push((row.topic.clone(), row.partition));
    }
    for (leader, tps) in by_leader {
        match partition_sizes(client, leader, &tps).await {
            Ok(sizes) => {
                for (tp, size) in sizes {
                    if let Some(row) = rows.get_mut(&tp) {
                        row.local_bytes = Some(size);
                    }
                }
            }
            Err(e) => eprintln!("DescribeLogDirs on node {leader}: {e}"),
        }
    }
    if json_output {
        let documents: Vec<serde_json::Value> = rows
            .values()
            .map(|r| {
                let mut object = serde_json::Map::new();
                object.insert("topic".into(), json!(r.topic));
                object.insert("partition".into(), json!(r.partition));
                object.insert("leader".into(), json!(r.leader));
                for ((_, field, _), value) in OFFSET_COLUMNS.iter().zip(r.offsets) {
                    object.insert((*field).into(), json!(value));
                }
                object.insert("local_size_bytes".into(), json!(r.local_bytes));
                serde_json::Value::Object(object)
            })
            .collect();
        print_json(&json!(documents));
        return Ok(());
    }
    let mut headers = vec!["TOPIC", "PARTITION", "LEADER"];
    headers.extend(OFFSET_COLUMNS.iter().map(|(h, _, _)| *h));
    headers.push("LOCAL-SIZE");
    let mut table = Table::new(&headers);
    let cell = |v: Option<i64>| v.map_or_else(|| "-".to_owned(), |v| v.to_string());
    for r in rows.values() {
        let mut cells = vec![
            r.topic.clone(),
            r.partition.to_string(),
            if r.leader < 0 {
                "none".to_owned()
            } else {
                r.leader.to_string()
            },
        ];
        cells.extend(r.offsets.iter().map(|v| cell(*v)));
        cells.push(cell(r.local_bytes));
        table.row(cells);
    }
    table.print();
    Ok(())
}
