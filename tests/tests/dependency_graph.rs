//! The crate graph ARCHITECTURE.md promises, checked from `cargo metadata`: protocol imports
//! none of our crates and no tokio (not even transitively), storage imports only protocol,
//! controller never imports broker, and nothing imports tools or tests.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

const OURS: [&str; 6] = [
    "strata-protocol",
    "strata-storage",
    "strata-controller",
    "strata-broker",
    "strata-tools",
    "strata-tests",
];

/// Package name → names of its normal and build dependencies (dev-dependencies are test-only
/// and may reach further), with package ids resolved to names.
struct Graph {
    direct: BTreeMap<String, BTreeSet<String>>,
}

impl Graph {
    fn from_metadata(metadata: &Value) -> Result<Self> {
        let names: BTreeMap<&str, &str> = metadata["packages"]
            .as_array()
            .ok_or_else(|| anyhow!("metadata has no packages"))?
            .iter()
            .filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?)))
            .collect();
        let mut direct = BTreeMap::new();
        let nodes = metadata["resolve"]["nodes"]
            .as_array()
            .ok_or_else(|| anyhow!("metadata has no resolve graph"))?;
        for node in nodes {
            let id = node["id"]
                .as_str()
                .ok_or_else(|| anyhow!("node without id"))?;
            let name = names
                .get(id)
                .ok_or_else(|| anyhow!("unknown package id {id}"))?;
            let mut deps = BTreeSet::new();
            for dep in node["deps"].as_array().into_iter().flatten() {
                let non_dev = dep["dep_kinds"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|k| k["kind"].as_str() != Some("dev"));
                if !non_dev {
                    continue;
                }
                let dep_id = dep["pkg"]
                    .as_str()
                    .ok_or_else(|| anyhow!("dep without pkg"))?;
                let dep_name = names
                    .get(dep_id)
                    .ok_or_else(|| anyhow!("unknown dep id {dep_id}"))?;
                deps.insert((*dep_name).to_owned());
            }
            direct
                .entry((*name).to_owned())
                .or_insert_with(BTreeSet::new)
                .extend(deps);
        }
        Ok(Self { direct })
    }

    fn direct_ours(&self, package: &str) -> BTreeSet<String> {
        self.direct
            .get(package)
            .into_iter()
            .flatten()
            .filter(|d| OURS.contains(&d.as_str()))
            .cloned()
            .collect()
    }

    fn transitive(&self, package: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![package.to_owned()];
        while let Some(next) = stack.pop() {
            for dep in self.direct.get(&next).into_iter().flatten() {
                if seen.insert(dep.clone()) {
                    stack.push(dep.clone());
                }
            }
        }
        seen
    }

    /// Every rule the architecture states that this graph breaks, as sentences.
    fn violations(&self) -> Vec<String> {
        let mut out = Vec::new();
        let protocol_ours = self.direct_ours("strata-protocol");
        if !protocol_ours.is_empty() {
            out.push(format!("strata-protocol imports {protocol_ours:?}"));
        }
        let protocol_all = self.transitive("strata-protocol");
        for forbidden in ["tokio", "mio"] {
            if protocol_all.contains(forbidden) {
                out.push(format!("strata-protocol depends on {forbidden} (sans-I/O)"));
            }
        }
        let storage_ours = self.direct_ours("strata-storage");
        if storage_ours.iter().any(|d| d != "strata-protocol") {
            out.push(format!(
                "strata-storage imports {storage_ours:?}; only strata-protocol is allowed"
            ));
        }
        if self
            .transitive("strata-controller")
            .contains("strata-broker")
        {
            out.push("strata-controller imports strata-broker".to_owned());
        }
        for (package, deps) in &self.direct {
            for top in ["strata-tools", "strata-tests"] {
                if deps.contains(top) {
                    out.push(format!("{package} imports {top}"));
                }
            }
        }
        for package in OURS {
            if !self.direct.contains_key(package) {
                out.push(format!("{package} is missing from the workspace"));
            }
        }
        out
    }
}

/// The host's target triple, as `rustc -vV` reports it.
fn host_triple() -> Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .context("running rustc -vV")?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: ").map(str::to_owned))
        .ok_or_else(|| anyhow!("rustc -vV printed no host line"))
}

fn workspace_metadata() -> Result<Value> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            // Only the host's dependencies: the others (e.g. macOS-only crates under
            // object_store) are never downloaded on this machine, and our graph is the same.
            "--filter-platform",
            &host_triple()?,
            "--manifest-path",
            manifest,
        ])
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    serde_json::from_slice(&output.stdout).context("parsing cargo metadata")
}

#[test]
fn workspace_crate_graph_follows_the_architecture() -> Result<()> {
    let graph = Graph::from_metadata(&workspace_metadata()?)?;
    let violations = graph.violations();
    assert!(
        violations.is_empty(),
        "dependency rules broken:\n{}",
        violations.join("\n")
    );
    Ok(())
}

/// A miniature `cargo metadata` with the given (package, normal deps) edges.
fn synthetic(edges: &[(&str, &[&str])]) -> Value {
    let mut all: BTreeSet<&str> = OURS.iter().copied().collect();
    for (p, deps) in edges {
        all.insert(p);
        all.extend(deps.iter().copied());
    }
    let packages: Vec<Value> = all
        .iter()
        .map(|n| serde_json::json!({ "id": format!("id-{n}"), "name": n }))
        .collect();
    let nodes: Vec<Value> = all
        .iter()
        .map(|n| {
            let deps: Vec<Value> = edges
                .iter()
                .filter(|(p, _)| p == n)
                .flat_map(|(_, d)| d.iter())
                .map(|d| serde_json::json!({ "pkg": format!("id-{d}"), "dep_kinds": [{ "kind": null }] }))
                .collect();
            serde_json::json!({ "id": format!("id-{n}"), "deps": deps })
        })
        .collect();
    serde_json::json!({ "packages": packages, "resolve": { "nodes": nodes } })
}

#[test]
fn protocol_pulling_tokio_through_a_dependency_is_a_violation() -> Result<()> {
    let metadata = synthetic(&[("strata-protocol", &["helper"]), ("helper", &["tokio"])]);
    let violations = Graph::from_metadata(&metadata)?.violations();
    assert_eq!(
        violations,
        vec!["strata-protocol depends on tokio (sans-I/O)".to_owned()]
    );
    Ok(())
}

#[test]
fn controller_importing_broker_and_broker_importing_tools_are_violations() -> Result<()> {
    let metadata = synthetic(&[
        ("strata-controller", &["strata-broker"]),
        ("strata-broker", &["strata-tools"]),
    ]);
    let violations = Graph::from_metadata(&metadata)?.violations();
    assert!(violations.contains(&"strata-controller imports strata-broker".to_owned()));
    assert!(violations.contains(&"strata-broker imports strata-tools".to_owned()));
    Ok(())
}

#[test]
fn storage_importing_controller_is_a_violation_but_protocol_is_fine() -> Result<()> {
    let fine = synthetic(&[("strata-storage", &["strata-protocol"])]);
    assert!(Graph::from_metadata(&fine)?.violations().is_empty());
    let bad = synthetic(&[("strata-storage", &["strata-protocol", "strata-controller"])]);
    assert_eq!(Graph::from_metadata(&bad)?.violations().len(), 1);
    Ok(())
}
