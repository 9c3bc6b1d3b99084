//! `Context`: the world a resolve reads. Its environment, its clock, and what the process
//! remembers between resolves: the stores it parsed, the AWS config files it read, and the keys
//! it assumed (with the per-key turn that makes one STS call of many callers).
//!
//! The core keeps no state of its own: a front-end holds one context for its process (the napi
//! layer does, `src/context.rs`) and hands it in with each call, and a test builds a world of its
//! own, sharing nothing with the tests beside it (docs/ARCHITECTURE.md, "Test seams"). Files are
//! read where the environment points (`HOME`, `AWS_CONFIG_FILE`, the store and cache options):
//! tests use real temporary directories, as the project's tests use real parts.

use crate::aws_profiles::AwsFilesMemo;
use crate::cache::KeyMemory;
use crate::env::Env;
use crate::profiles::StoreMemo;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The environment, the clock and the memory one resolve reads. Cloning shares the memory.
#[derive(Clone, Default)]
pub struct Context {
    env: Env,
    clock: Clock,
    memory: Arc<Memory>,
}

/// What a process remembers between resolves; each part is checked against its source before
/// use (a file's stamp, the keys' expiry), so it only ever saves work.
#[derive(Default)]
pub(crate) struct Memory {
    /// Profile stores parsed, by path (`profiles::load`).
    pub(crate) stores: StoreMemo,
    /// The AWS config and credentials files last read (`aws_profiles::load`).
    pub(crate) aws_files: AwsFilesMemo,
    /// Assumed keys by cache key, each behind its caller's turn (`cache::fetch`).
    pub(crate) keys: KeyMemory,
}

impl Context {
    /// A world of `env`, the system clock and an empty memory: a process's, or a test's own.
    pub fn new(env: Env) -> Context {
        Context { env, clock: Clock::System, memory: Arc::default() }
    }

    /// This context with `env` in place of its environment, sharing its clock and memory: what
    /// a call with its own variables (`baseEnvironment`, a named base profile's narrowed chain)
    /// reads.
    pub fn with_env(&self, env: Env) -> Context {
        Context { env, clock: self.clock, memory: self.memory.clone() }
    }

    /// This context with `clock` in place of its clock, sharing its environment and memory.
    pub fn with_clock(&self, clock: Clock) -> Context {
        Context { env: self.env.clone(), clock, memory: self.memory.clone() }
    }

    /// The environment.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// The time now, as this context's clock tells it.
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    pub(crate) fn memory(&self) -> &Memory {
        &self.memory
    }
}

impl From<Env> for Context {
    fn from(env: Env) -> Context {
        Context::new(env)
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context").field("env", &self.env).field("clock", &self.clock).finish_non_exhaustive()
    }
}

/// What time it is for a context: the system's, or the system's moved by a fixed amount, so a
/// test can look at keys as they will be later without waiting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// The system clock, this much later.
    Ahead(Duration),
}

impl Clock {
    /// The time now by this clock.
    pub fn now(self) -> SystemTime {
        match self {
            Clock::System => SystemTime::now(),
            Clock::Ahead(by) => SystemTime::now() + by,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_with_another_environment_shares_the_memory_and_a_new_one_does_not() {
        let first = Context::new(Env::from_slice(&[("A", "1")]));
        let second = first.with_env(Env::from_slice(&[("A", "2")]));
        assert_eq!(second.env().var("A").as_deref(), Some("2"));
        assert!(std::ptr::eq(first.memory(), second.memory()));
        assert!(!std::ptr::eq(first.memory(), Context::new(Env::from_slice(&[])).memory()));
        assert!(std::ptr::eq(first.memory(), first.with_clock(Clock::Ahead(Duration::ZERO)).memory()));
    }

    #[test]
    fn a_clock_ahead_tells_a_later_time() {
        let later = Clock::Ahead(Duration::from_secs(3600)).now();
        let now = Clock::System.now();
        assert!(later > now + Duration::from_secs(3500), "{later:?} {now:?}");
        assert!(Clock::System.now() >= now);
        let ahead = Context::new(Env::from_slice(&[])).with_clock(Clock::Ahead(Duration::from_secs(60)));
        assert!(ahead.now() > SystemTime::now() + Duration::from_secs(50));
    }

    #[test]
    fn debug_shows_the_environment_by_names_and_the_clock() {
        let env =
            Env::from_slice(&[]).with_overrides([("AWS_SECRET_ACCESS_KEY".to_owned(), Some("very-secret".to_owned()))]);
        let text = format!("{:?}", Context::new(env).with_clock(Clock::Ahead(Duration::from_secs(5))));
        assert!(
            text.starts_with("Context") && text.contains("AWS_SECRET_ACCESS_KEY") && text.contains("Ahead"),
            "{text}"
        );
        assert!(!text.contains("very-secret"), "{text}");
    }
}
