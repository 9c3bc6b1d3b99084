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

pub mod aws_profiles;
pub mod cache;
pub mod credentials;
pub mod env;
pub mod error;
pub mod profiles;
pub mod session_env;
pub mod session_name;
pub mod sts;
pub mod text;

mod plan;
mod resolve;

pub use credentials::{AccessRoleCredentials, Secret, Source};
pub use env::Env;
pub use error::Error;
pub use plan::{plan, AssumeRoleRequest, Plan, PlanOptions};
pub use resolve::{resolve, ResolveOptions, Resolver};
pub use session_env::{session_environment, SessionEnvironment};
