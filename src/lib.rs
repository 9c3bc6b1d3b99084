//! The Node.js face of serverless-access-roles: `#[napi]` functions that convert types and
//! errors and leave the work to `access_roles_core`.

mod describe;
mod error;
mod resolve;
mod store;
