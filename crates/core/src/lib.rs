//! The core of serverless-access-roles, free of Node: deployment profiles, session names and
//! STS AssumeRole.
//!
//! ```no_run
//! # async fn run() -> Result<(), access_roles_core::Error> {
//! let credentials = access_roles_core::resolve("payments", "prod", &Default::default()).await?;
//! println!("{} until {:?}", credentials.assumed_role_arn, credentials.expiration);
//! # Ok(()) }
//! ```

#![warn(missing_docs, unreachable_pub)]

// What callers use is `pub` or re-exported below; the rest is the core's own business.
pub mod arn;
pub mod aws_profiles;
pub mod interrupts;
pub mod profiles;
pub mod text;

mod base_identity;
mod cache;
mod context;
mod credentials;
mod details;
mod env;
mod error;
#[cfg(test)]
mod fuzz;
mod key_vars;
#[cfg(test)]
mod live_bytes;
mod naming;
mod plan;
mod ready;
mod region;
mod resolve;
mod role_env;
mod sts;
mod suggest;
mod user_file;

pub use cache::{
    clear as clear_cache, list as list_cache, CacheDir, Filter as CacheFilter, Label as CacheLabel,
    Summary as CacheEntry,
};
pub use context::{Clock, Context};
pub use credentials::{AccessRoleCredentials, Secret, Source};
pub use details::{Detail, Hint};
pub use env::Env;
pub use error::Error;
pub use plan::{check_names, plan, plan_in, AssumeRoleRequest, Plan, PlanOptions};
pub use region::RegionRule;
pub use resolve::{resolve, ResolveOptions, Resolver};
pub use role_env::{served_session_environment, session_environment, ServedEndpoint, SessionEnvironment};
pub use sts::CallerIdentity;
pub use suggest::suggest;
