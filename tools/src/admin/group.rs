//! `strata group list|describe|reset-offsets|delete`, as `kafka-consumer-groups.sh` does:
//! ListGroups on every broker; FindCoordinator then ConsumerGroupDescribe / DescribeGroups,
//! OffsetFetch and ListOffsets for lag; OffsetCommit for resets; DeleteGroups.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Result};
use clap::{ArgGroup, Args, Subcommand};
use serde_json::json;

use super::datetime::parse_timestamp_ms;
use super::output::{print_json, ConnectArgs, Table};
use crate::client::error_code::{GROUP_ID_NOT_FOUND, UNKNOWN_TOPIC_OR_PARTITION};
use crate::client::groups::{
    commit_offsets, delete_group, describe_group, fetch_committed, list_groups, GroupDescription,
};
use crate::client::offsets::{list_offsets, list_offsets_strict, TopicPartition, EARLIEST, LATEST};
use crate::client::{BrokerError, Client, Topology};

/// `strata group ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum GroupCommand {
    /// List groups with their type and state.
    List(ListArgs),
    /// Show a group's state, members, assignment, committed offsets, log end offsets and lag.
    Describe(DescribeArgs),
    /// Move a group's committed offsets (dry run unless --execute).
    ResetOffsets(ResetArgs),
    /// Delete groups (they must have no active members).
    Delete(DeleteArgs),
}

/// `strata group list`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    /// Only groups in these states (e.g. Stable, Empty); repeatable.
    #[arg(long)]
    state: Vec<String>,
    /// Only groups of these types (classic, consumer); repeatable.
    #[arg(long = "type")]
    group_type: Vec<String>,
}

/// `strata group describe`.
#[derive(Debug, Args)]
pub(crate) struct DescribeArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    /// The group id.
    group: String,
}

/// `strata group reset-offsets`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).args(["to_earliest", "to_latest", "to_offset", "to_datetime", "shift_by", "to_current"])))]
#[command(group(ArgGroup::new("scope").required(true).args(["topic", "all_topics"])))]
pub(crate) struct ResetArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    /// The group id.
    group: String,
    /// A topic, or `topic:0,1,2` for some partitions; repeatable.
    #[arg(long)]
    topic: Vec<String>,
    /// Every topic the group has committed offsets for.
    #[arg(long)]
    all_topics: bool,
    /// To the earliest offset.
    #[arg(long)]
    to_earliest: bool,
    /// To the latest offset (the log end).
    #[arg(long)]
    to_latest: bool,
    /// To this offset (clamped to the partition's earliest..latest, as Kafka does).
    #[arg(long)]
    to_offset: Option<i64>,
    /// To the first offset at or after this time (yyyy-MM-ddTHH:mm:SS[.sss][zone] or epoch ms).
    #[arg(long)]
    to_datetime: Option<String>,
    /// Move each committed offset by N (negative: back), clamped.
    #[arg(long, allow_hyphen_values = true)]
    shift_by: Option<i64>,
    /// To the current committed offset (no change; useful to commit for new partitions).
    #[arg(long)]
    to_current: bool,
    /// Apply the plan. Without it, the plan is printed and nothing changes.
    #[arg(long)]
    execute: bool,
}

/// `strata group delete`.
#[derive(Debug, Args)]
pub(crate) struct DeleteArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    /// Group ids.
    #[arg(required = true)]
    groups: Vec<String>,
}

/// Runs a group subcommand.
pub(crate) async fn run(command: GroupCommand) -> Result<()> {
    match command {
        GroupCommand::List(args) => list(args).await,
        GroupCommand::Describe(args) => describe(args).await,
        GroupCommand::ResetOffsets(args) => reset(args).await,
        GroupCommand::Delete(args) => delete(args).await,
    }
}

async fn list(args: ListArgs) -> Result<()> {
    let mut client = args.conn.connect().await?;
    let groups = list_groups(&mut client, &args.state, &args.group_type).await?;
    if args.conn.json() {
        print_json(&json!(groups
            .iter()
            .map(|g| json!({
                "group": g.group_id, "type": g.group_type, "state": g.state,
                "protocol_type": g.protocol_type, "coordinator": g.coordinator,
            }))
            .collect::<Vec<_>>()));
        return Ok(());
    }
    let mut table = Table::new(&["GROUP", "TYPE", "STATE", "PROTOCOL-TYPE"]);
    for g in &groups {
        table.row(vec![
            g.group_id.clone(),
            or_dash(&g.group_type),
            or_dash(&g.state),
            or_dash(&g.protocol_type),
        ]);
    }
    table.print();
    Ok(())
}

fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        text.to_owned()
    }
}

/// A described group, or GROUP_ID_NOT_FOUND when the coordinator reports it `Dead`
/// (Kafka's "does not exist").
async fn existing_group(client: &mut Client, group: &str) -> Result<GroupDescription> {
    let description = describe_group(client, group).await?;
    if description.state == "Dead" {
        return Err(BrokerError::new(
            GROUP_ID_NOT_FOUND,
            format!("group '{group}'"),
            Some(format!("consumer group '{group}' does not exist")),
        )
        .into());
    }
    Ok(description)
}

/// One row of the offsets table.
struct OffsetRow {
    topic: String,
    partition: i32,
    committed: Option<i64>,
    log_end: Option<i64>,
    member: Option<usize>,
}

async fn describe(args: DescribeArgs) -> Result<()> {
    let mut client = args.conn.connect().await?;
    let group = existing_group(&mut client, &args.group).await?;
    let committed = fetch_committed(&mut client, &args.group).await?;
    let mut owners: BTreeMap<TopicPartition, usize> = BTreeMap::new();
    for (i, m) in group.members.iter().enumerate() {
        for tp in &m.assignment {
            owners.insert(tp.clone(), i);
        }
    }
    let partitions: BTreeSet<TopicPartition> =
        committed.keys().chain(owners.keys()).cloned().collect();
    let topics: Vec<String> = partitions
        .iter()
        .map(|(t, _)| t.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let log_ends = if topics.is_empty() {
        BTreeMap::new()
    } else {
        let topology = client.metadata(Some(&topics)).await?;
        let list: Vec<TopicPartition> = partitions.iter().cloned().collect();
        list_offsets(&mut client, &topology, &list, LATEST).await?
    };
    let rows: Vec<OffsetRow> = partitions
        .iter()
        .map(|tp| OffsetRow {
            topic: tp.0.clone(),
            partition: tp.1,
            committed: committed.get(tp).map(|c| c.offset),
            log_end: log_ends
                .get(tp)
                .and_then(|r| r.as_ref().ok())
                .map(|a| a.offset),
            member: owners.get(tp).copied(),
        })
        .collect();
    let lag = |r: &OffsetRow| match (r.committed, r.log_end) {
        (Some(c), Some(e)) => Some((e - c).max(0)),
        _ => None,
    };
    if args.conn.json() {
        print_json(&json!({
            "group": group.group_id,
            "state": group.state,
            "type": group.group_type,
            "protocol_type": group.protocol_type,
            "assignor": group.assignor,
            "epoch": group.epoch,
            "coordinator": group.coordinator,
            "members": group.members.iter().map(|m| json!({
                "member_id": m.member_id, "instance_id": m.instance_id, "client_id": m.client_id,
                "host": m.host,
                "assignment": m.assignment.iter().map(|(t, p)| json!({"topic": t, "partition": p})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "offsets": rows.iter().map(|r| json!({
                "topic": r.topic, "partition": r.partition, "committed_offset": r.committed,
                "log_end_offset": r.log_end, "lag": lag(r),
                "member_id": r.member.map(|i| group.members[i].member_id.clone()),
            })).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    println!(
        "Group: {}\tType: {}\tState: {}\tCoordinator: {}\tAssignor: {}\tMembers: {}",
        group.group_id,
        group.group_type,
        group.state,
        group.coordinator,
        or_dash(&group.assignor),
        group.members.len()
    );
    if group.members.is_empty() {
        println!("Consumer group '{}' has no active members.", group.group_id);
    }
    let dash = || "-".to_owned();
    let mut table = Table::new(&[
        "GROUP",
        "TOPIC",
        "PARTITION",
        "CURRENT-OFFSET",
        "LOG-END-OFFSET",
        "LAG",
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
    ]);
    for r in &rows {
        let member = r.member.map(|i| &group.members[i]);
        table.row(vec![
            group.group_id.clone(),
            r.topic.clone(),
            r.partition.to_string(),
            r.committed.map_or_else(dash, |o| o.to_string()),
            r.log_end.map_or_else(dash, |o| o.to_string()),
            lag(r).map_or_else(dash, |l| l.to_string()),
            member.map_or_else(dash, |m| m.member_id.clone()),
            member.map_or_else(dash, |m| m.host.clone()),
            member.map_or_else(dash, |m| m.client_id.clone()),
        ]);
    }
    if !table.is_empty() {
        println!();
        table.print();
    }
    if !group.members.is_empty() {
        println!();
        let mut members = Table::new(&[
            "CONSUMER-ID",
            "INSTANCE-ID",
            "HOST",
            "CLIENT-ID",
            "#PARTITIONS",
            "ASSIGNMENT",
        ]);
        for m in &group.members {
            members.row(vec![
                m.member_id.clone(),
                m.instance_id.clone().unwrap_or_else(dash),
                m.host.clone(),
                m.client_id.clone(),
                m.assignment.len().to_string(),
                assignment_text(&m.assignment),
            ]);
        }
        members.print();
    }
    Ok(())
}

/// `orders:0,1;payments:3` — an assignment compactly, topic by topic.
pub(crate) fn assignment_text(assignment: &[TopicPartition]) -> String {
    let mut by_topic: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
    for (t, p) in assignment {
        by_topic.entry(t).or_default().push(*p);
    }
    if by_topic.is_empty() {
        return "-".to_owned();
    }
    by_topic
        .iter_mut()
        .map(|(t, ps)| {
            ps.sort_unstable();
            format!(
                "{t}:{}",
                ps.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
            )
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// Parses `--topic orders` or `--topic orders:0,2`.
pub(crate) fn parse_topic_scope(text: &str) -> Result<(String, Option<Vec<i32>>)> {
    match text.split_once(':') {
        None if !text.is_empty() => Ok((text.to_owned(), None)),
        Some((topic, list)) if !topic.is_empty() => Ok((
            topic.to_owned(),
            Some(super::get_offsets::parse_partitions(list)?),
        )),
        _ => bail!("--topic takes TOPIC or TOPIC:P,P,..., not '{text}'"),
    }
}

/// The reset target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResetTarget {
    Earliest,
    Latest,
    Offset(i64),
    Datetime(i64),
    ShiftBy(i64),
    Current,
}

fn reset_target(args: &ResetArgs) -> Result<ResetTarget> {
    Ok(if args.to_earliest {
        ResetTarget::Earliest
    } else if args.to_latest {
        ResetTarget::Latest
    } else if let Some(o) = args.to_offset {
        ResetTarget::Offset(o)
    } else if let Some(t) = &args.to_datetime {
        ResetTarget::Datetime(parse_timestamp_ms(t)?)
    } else if let Some(n) = args.shift_by {
        ResetTarget::ShiftBy(n)
    } else {
        ResetTarget::Current
    })
}

/// The new offset for one partition, clamped into `earliest..=latest` as Kafka does.
pub(crate) fn plan_offset(
    target: ResetTarget,
    current: Option<i64>,
    earliest: i64,
    latest: i64,
    at_time: Option<i64>,
) -> i64 {
    let wanted = match target {
        ResetTarget::Earliest => earliest,
        ResetTarget::Latest => latest,
        ResetTarget::Offset(o) => o,
        // No record at or after the time: the log end, as Kafka's tool does.
        ResetTarget::Datetime(_) => at_time.filter(|o| *o >= 0).unwrap_or(latest),
        ResetTarget::ShiftBy(n) => current.unwrap_or(latest).saturating_add(n),
        ResetTarget::Current => current.unwrap_or(latest),
    };
    wanted.clamp(earliest, latest.max(earliest))
}

async fn reset(args: ResetArgs) -> Result<()> {
    let target = reset_target(&args)?;
    let mut client = args.conn.connect().await?;
    let group = describe_group(&mut client, &args.group).await?;
    if !group.members.is_empty() || !matches!(group.state.as_str(), "Empty" | "Dead") {
        bail!(
            "assignments can only be reset if the group '{}' is inactive, but the current state is {} with {} member(s); stop its consumers first",
            args.group,
            group.state,
            group.members.len()
        );
    }
    let committed = fetch_committed(&mut client, &args.group).await?;
    let partitions = reset_partitions(&mut client, &args, &committed).await?;
    if partitions.is_empty() {
        bail!(
            "no partitions to reset (the group has no committed offsets; name topics with --topic)"
        );
    }
    let topics: Vec<String> = partitions
        .iter()
        .map(|(t, _)| t.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let topology: Topology = client.topics_with_leaders(&topics).await?;
    let earliest = list_offsets_strict(&mut client, &topology, &partitions, EARLIEST).await?;
    let latest = list_offsets_strict(&mut client, &topology, &partitions, LATEST).await?;
    let at_time = match target {
        ResetTarget::Datetime(ts) => {
            Some(list_offsets_strict(&mut client, &topology, &partitions, ts).await?)
        }
        _ => None,
    };
    let mut plan: BTreeMap<TopicPartition, i64> = BTreeMap::new();
    for tp in &partitions {
        let offset = plan_offset(
            target,
            committed.get(tp).map(|c| c.offset),
            earliest.get(tp).map_or(0, |a| a.offset),
            latest.get(tp).map_or(0, |a| a.offset),
            at_time.as_ref().and_then(|m| m.get(tp)).map(|a| a.offset),
        );
        plan.insert(tp.clone(), offset);
    }
    if args.execute {
        commit_offsets(&mut client, &args.group, &plan).await?;
    } else {
        eprintln!("Dry run: nothing was changed. Add --execute to commit these offsets.");
    }
    if args.conn.json() {
        print_json(&json!({
            "group": args.group,
            "executed": args.execute,
            "offsets": plan.iter().map(|((t, p), o)| json!({
                "topic": t, "partition": p, "new_offset": o,
                "previous_offset": committed.get(&(t.clone(), *p)).map(|c| c.offset),
            })).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    let mut table = Table::new(&[
        "GROUP",
        "TOPIC",
        "PARTITION",
        "PREVIOUS-OFFSET",
        "NEW-OFFSET",
    ]);
    for ((t, p), o) in &plan {
        table.row(vec![
            args.group.clone(),
            t.clone(),
            p.to_string(),
            committed
                .get(&(t.clone(), *p))
                .map_or_else(|| "-".to_owned(), |c| c.offset.to_string()),
            o.to_string(),
        ]);
    }
    table.print();
    Ok(())
}

async fn reset_partitions(
    client: &mut Client,
    args: &ResetArgs,
    committed: &BTreeMap<TopicPartition, crate::client::groups::CommittedOffset>,
) -> Result<Vec<TopicPartition>> {
    if args.all_topics {
        return Ok(committed.keys().cloned().collect());
    }
    let scopes = args
        .topic
        .iter()
        .map(|t| parse_topic_scope(t))
        .collect::<Result<Vec<_>>>()?;
    let names: Vec<String> = scopes.iter().map(|(t, _)| t.clone()).collect();
    let topology = client.topics_with_leaders(&names).await?;
    let mut out = Vec::new();
    for (topic, partitions) in scopes {
        let all: Vec<i32> = topology
            .topics
            .get(&topic)
            .map(|t| t.partitions.keys().copied().collect())
            .unwrap_or_default();
        for p in partitions.unwrap_or_else(|| all.clone()) {
            if !all.contains(&p) {
                return Err(BrokerError::new(
                    UNKNOWN_TOPIC_OR_PARTITION,
                    format!("{topic}-{p}"),
                    Some("no such partition".into()),
                )
                .into());
            }
            out.push((topic.clone(), p));
        }
    }
    Ok(out)
}

async fn delete(args: DeleteArgs) -> Result<()> {
    let mut client = args.conn.connect().await?;
    let mut deleted = Vec::new();
    let mut failure = None;
    for group in &args.groups {
        match delete_group(&mut client, group).await {
            Ok(()) => deleted.push(group.clone()),
            Err(e) => {
                eprintln!("strata: {e}");
                failure.get_or_insert(e);
            }
        }
    }
    if args.conn.json() {
        print_json(&json!({ "deleted": deleted }));
    } else if !deleted.is_empty() {
        let names = deleted
            .iter()
            .map(|g| format!("'{g}'"))
            .collect::<Vec<_>>()
            .join(", ");
        println!("Deletion of requested consumer groups ({names}) was successful.");
    }
    match failure {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(subcommand)]
        command: GroupCommand,
    }

    #[test]
    fn reset_clamps_into_the_log_range() {
        assert_eq!(plan_offset(ResetTarget::Offset(100), None, 5, 50, None), 50);
        assert_eq!(plan_offset(ResetTarget::Offset(1), None, 5, 50, None), 5);
        assert_eq!(
            plan_offset(ResetTarget::ShiftBy(-10), Some(12), 5, 50, None),
            5
        );
        assert_eq!(
            plan_offset(ResetTarget::ShiftBy(3), Some(12), 5, 50, None),
            15
        );
        assert_eq!(plan_offset(ResetTarget::Earliest, Some(12), 5, 50, None), 5);
        assert_eq!(plan_offset(ResetTarget::Latest, Some(12), 5, 50, None), 50);
    }

    #[test]
    fn reset_to_a_time_after_the_last_record_goes_to_the_log_end() {
        assert_eq!(
            plan_offset(ResetTarget::Datetime(9), None, 0, 40, Some(-1)),
            40
        );
        assert_eq!(
            plan_offset(ResetTarget::Datetime(9), None, 0, 40, Some(17)),
            17
        );
    }

    #[test]
    fn reset_needs_exactly_one_target_and_a_scope() {
        assert!(Cli::try_parse_from(["g", "reset-offsets", "g1", "--all-topics"]).is_err());
        assert!(Cli::try_parse_from(["g", "reset-offsets", "g1", "--to-earliest"]).is_err());
        assert!(Cli::try_parse_from([
            "g",
            "reset-offsets",
            "g1",
            "--all-topics",
            "--to-earliest",
            "--to-latest"
        ])
        .is_err());
        let cli = Cli::try_parse_from([
            "g",
            "reset-offsets",
            "g1",
            "--topic",
            "t:0,1",
            "--shift-by",
            "-2",
            "--execute",
        ])
        .expect("parse");
        let GroupCommand::ResetOffsets(args) = cli.command else {
            panic!("reset-offsets")
        };
        assert_eq!(
            reset_target(&args).expect("target"),
            ResetTarget::ShiftBy(-2)
        );
        assert!(args.execute);
    }

    #[test]
    fn topic_scope_takes_optional_partitions() {
        assert_eq!(parse_topic_scope("t").expect("ok"), ("t".to_owned(), None));
        assert_eq!(
            parse_topic_scope("t:0,2").expect("ok"),
            ("t".to_owned(), Some(vec![0, 2]))
        );
        assert!(parse_topic_scope(":1").is_err());
    }

    #[test]
    fn assignment_text_groups_partitions_by_topic() {
        let a = vec![
            ("b".to_owned(), 2),
            ("a".to_owned(), 1),
            ("b".to_owned(), 0),
        ];
        assert_eq!(assignment_text(&a), "a:1;b:0,2");
        assert_eq!(assignment_text(&[]), "-");
    }
}
