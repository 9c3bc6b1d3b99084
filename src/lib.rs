//! The Node.js face of serverless-access-roles: `#[napi]` functions that convert types and
//! errors and leave the work to `access_roles_core`.

#![warn(missing_docs, unreachable_pub)]

// The `#[napi]` modules are `pub`: their items are what the addon exports, registered by napi's
// constructors, which `unreachable_pub` and `dead_code` cannot see.
mod args;
pub mod arn;
pub mod aws_profiles;
pub mod cache;
pub mod caller;
mod context;
mod date;
pub mod describe;
mod error;
pub mod interrupts;
mod planned;
pub mod resolve;
pub mod role_env;
pub mod store;
