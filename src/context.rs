//! The process's one [`core::Context`]: the memory of parsed stores, AWS files and keys that
//! every call of this addon shares, as a process's resolves should (the core keeps none itself,
//! docs/ARCHITECTURE.md, "Test seams").

use access_roles_core as core;
use std::sync::LazyLock;

/// The context of this process: its environment, the system clock, one memory.
static PROCESS: LazyLock<core::Context> = LazyLock::new(|| core::Context::new(core::Env::real()));

/// The process's context with `overrides` over the process environment (`baseEnvironment`),
/// sharing the process's memory.
pub(crate) fn with_overrides(overrides: impl IntoIterator<Item = (String, Option<String>)>) -> core::Context {
    PROCESS.with_env(core::Env::real().with_overrides(overrides))
}

/// The process's context as it is: its environment and memory.
pub(crate) fn process() -> core::Context {
    PROCESS.clone()
}
