//! `strata cluster describe`: cluster id, controller and brokers (DescribeCluster, or Metadata
//! on brokers without it).

use anyhow::Result;
use clap::{Args, Subcommand};
use kafka_protocol::messages::DescribeClusterRequest;
use serde_json::json;

use super::output::{print_json, ConnectArgs, Table};
use crate::client::error::check;

/// `strata cluster ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ClusterCommand {
    /// Show the cluster id, the controller and the brokers.
    Describe(DescribeArgs),
}

/// `strata cluster describe`.
#[derive(Debug, Args)]
pub(crate) struct DescribeArgs {
    #[command(flatten)]
    conn: ConnectArgs,
    /// Include fenced brokers (DescribeCluster v1+).
    #[arg(long)]
    include_fenced: bool,
}

/// One broker row.
struct BrokerRow {
    id: i32,
    host: String,
    port: i32,
    rack: Option<String>,
    fenced: bool,
}

/// Runs a cluster subcommand.
pub(crate) async fn run(command: ClusterCommand) -> Result<()> {
    match command {
        ClusterCommand::Describe(args) => describe(args).await,
    }
}

async fn describe(args: DescribeArgs) -> Result<()> {
    let mut client = args.conn.connect().await?;
    let (cluster_id, controller, brokers) =
        if client.any().version_for::<DescribeClusterRequest>().is_ok() {
            let response = client
                .any()
                .call(|version| {
                    let mut request = DescribeClusterRequest::default();
                    request.endpoint_type = 1;
                    request.include_fenced_brokers = args.include_fenced && version >= 2;
                    request
                })
                .await?;
            check(
                response.error_code,
                || "describing the cluster".to_owned(),
                response.error_message.as_ref(),
            )?;
            let brokers = response
                .brokers
                .iter()
                .map(|b| BrokerRow {
                    id: b.broker_id.0,
                    host: b.host.to_string(),
                    port: b.port,
                    rack: b.rack.as_ref().map(|r| r.to_string()),
                    fenced: b.is_fenced,
                })
                .collect::<Vec<_>>();
            (
                response.cluster_id.to_string(),
                response.controller_id.0,
                brokers,
            )
        } else {
            let topology = client.metadata(Some(&[])).await?;
            let brokers = topology
                .brokers
                .values()
                .map(|b| BrokerRow {
                    id: b.node_id,
                    host: b.host.clone(),
                    port: b.port,
                    rack: b.rack.clone(),
                    fenced: false,
                })
                .collect();
            (
                topology.cluster_id.unwrap_or_default(),
                topology.controller_id,
                brokers,
            )
        };
    if args.conn.json() {
        print_json(&json!({
            "cluster_id": cluster_id,
            "controller_id": controller,
            "brokers": brokers.iter().map(|b| json!({
                "id": b.id, "host": b.host, "port": b.port, "rack": b.rack, "fenced": b.fenced,
            })).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    println!("Cluster ID: {cluster_id}");
    println!("Controller: {controller}");
    let mut table = Table::new(&["ID", "HOST", "PORT", "RACK", "FENCED"]);
    for b in &brokers {
        table.row(vec![
            b.id.to_string(),
            b.host.clone(),
            b.port.to_string(),
            b.rack.clone().unwrap_or_else(|| "-".to_owned()),
            b.fenced.to_string(),
        ]);
    }
    table.print();
    Ok(())
}
