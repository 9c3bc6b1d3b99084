//! The core of serverless-access-roles, free of Node: deployment profiles, session names and
//! STS AssumeRole.

pub mod error;
pub mod profiles;

pub use error::Error;
