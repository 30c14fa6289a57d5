//! One module per subcommand.

pub(crate) mod malloc_tuning;
pub(crate) mod serve;
