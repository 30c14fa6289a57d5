//! Follows the controller's committed metadata images and makes local state match each one.

use std::sync::Arc;

use strata_controller::MetadataImage;
use tokio::sync::watch;

use crate::group::coordinator::GroupCoordinator;
use crate::replica_manager::ReplicaManager;

/// Applies every new image to the replica manager until shutdown. Images are applied in order;
/// if several arrive while one is being applied, only the newest is applied next (each image is
/// complete, so skipping intermediate ones loses nothing). After the replica manager, the group
/// coordinator starts or stops the shards of the `__consumer_offsets` partitions this node leads.
pub(crate) async fn run_metadata_publisher(
    mut images: watch::Receiver<Arc<MetadataImage>>,
    replica_manager: Arc<ReplicaManager>,
    group_coordinator: Arc<GroupCoordinator>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let image = Arc::clone(&images.borrow_and_update());
        if let Err(error) = replica_manager.apply_image(&image) {
            tracing::error!(offset = image.offset, %error, "applying metadata image failed");
        }
        if let Some(tier) = replica_manager.remote_tier() {
            tier.sync(&replica_manager, &image).await;
        }
        group_coordinator.on_image(&image);
        tokio::select! {
            changed = images.changed() => if changed.is_err() { break },
            _ = shutdown.changed() => break,
        }
    }
}
