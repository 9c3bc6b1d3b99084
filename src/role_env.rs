//! `sessionEnvironment(credentials)`: the environment of a process on an access role's keys
//! (`crates/core/src/role_env.rs`).

use crate::resolve::AccessRoleCredentials;
use access_roles_core as core;
use napi_derive::napi;
use std::collections::HashMap;

/// The environment variables that put a process on an access role's keys.
#[napi(object)]
pub struct SessionEnvironment {
    /// Variables to set: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
    /// `AWS_CREDENTIAL_EXPIRATION` and the session marker.
    pub set: HashMap<String, String>,
    /// Variables to remove: the AWS profile variables, which would win over the keys.
    pub unset: Vec<String>,
}

/// The environment of a session on `credentials` (as `resolveCredentials` returned them): what
/// the plugin exports into its process and `exec` gives its command. Region variables are left
/// as they are. A resolve inside that environment answers the same role from it without STS,
/// and refuses another role.
#[napi(catch_unwind)]
pub fn session_environment(credentials: AccessRoleCredentials) -> napi::Result<SessionEnvironment> {
    let source = match credentials.source.as_str() {
        "sts" => core::Source::Sts,
        "session" => core::Source::Session,
        _ => core::Source::Cache,
    };
    let session = core::session_environment(&core::AccessRoleCredentials {
        access_key_id: credentials.access_key_id,
        secret_access_key: core::Secret::new(credentials.secret_access_key),
        session_token: core::Secret::new(credentials.session_token),
        expiration: credentials.expiration.into(),
        refresh_at: credentials.refresh_at.into(),
        profile: credentials.profile,
        rule: credentials.rule,
        near_stage: credentials.near_stage,
        base_profile: credentials.base_profile,
        request_digest: credentials.request_digest,
        session_ignored: None,
        role_arn: credentials.role_arn,
        assumed_role_arn: credentials.assumed_role_arn,
        region: credentials.region,
        source,
        disk_cache_off: None,
    });
    Ok(SessionEnvironment {
        set: session.set.into_iter().map(|(name, value)| (name.to_owned(), value.expose().to_owned())).collect(),
        unset: session.unset.into_iter().map(str::to_owned).collect(),
    })
}
