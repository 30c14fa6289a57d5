//! What every coordinator operation may read besides its own state.

use strata_controller::MetadataImage;

use super::config::GroupCoordinatorConfig;
use super::timer::Timers;

/// Inputs of one coordinator operation. State machines stay pure: time comes from `now_ms`,
/// topics from `image`, and timeouts are scheduled in `timers` (the runtime fires them by calling
/// the state machine's `on_timer`).
pub(crate) struct OpContext<'a> {
    /// Wall-clock milliseconds at which the operation runs.
    pub(crate) now_ms: i64,
    /// Coordinator settings.
    pub(crate) config: &'a GroupCoordinatorConfig,
    /// The metadata image the operation sees (topic names, ids, partition counts).
    pub(crate) image: &'a MetadataImage,
    /// The shard's timers.
    pub(crate) timers: &'a mut Timers,
    /// `client.id` of the requesting connection ("" for timer-driven operations).
    pub(crate) client_id: &'a str,
    /// Host of the requesting client, as Kafka prints it (`/127.0.0.1`), "" for timers.
    pub(crate) client_host: &'a str,
    /// Version of the request being handled (0 for timer-driven operations).
    pub(crate) api_version: i16,
}
