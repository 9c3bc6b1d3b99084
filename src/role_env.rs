//! `sessionEnvironment(credentials)` and `servedSessionEnvironment(credentials, endpoint)`: the
//! environment of a process on an access role's keys (`crates/core/src/role_env.rs`).

use crate::error::to_js;
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
    Ok(converted(core::session_environment(&to_core(credentials))))
}

/// A local credentials endpoint serving an access role's keys (`exec --server`).
#[napi(object)]
pub struct ServedEndpoint {
    /// `http://127.0.0.1:PORT/…`.
    pub uri: String,
    /// The token every request must carry as `Authorization`.
    pub token: String,
}

/// The environment of a session whose keys `endpoint` serves, first resolved as `credentials`:
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI`, `AWS_CONTAINER_AUTHORIZATION_TOKEN` and the session
/// marker set; the key variables, and whatever else the AWS SDKs read before the endpoint,
/// removed. Rejects with `E_ENDPOINT_SHADOWED` when the AWS config's `default` profile has
/// credentials of its own, which the SDKs would take instead.
#[napi(catch_unwind)]
pub fn served_session_environment(
    env: napi::Env,
    credentials: AccessRoleCredentials,
    endpoint: ServedEndpoint,
) -> napi::Result<SessionEnvironment> {
    let endpoint = core::ServedEndpoint { uri: endpoint.uri, token: core::Secret::new(endpoint.token) };
    core::served_session_environment(&to_core(credentials), &endpoint, &crate::context::process())
        .map(converted)
        .map_err(|err| to_js(&env, &err))
}

fn to_core(credentials: AccessRoleCredentials) -> core::AccessRoleCredentials {
    let source = match credentials.source.as_str() {
        "sts" => core::Source::Sts,
        "session" => core::Source::Session,
        _ => core::Source::Cache,
    };
    core::AccessRoleCredentials {
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
        aws_profile_shadowed: None,
    }
}

fn converted(session: core::SessionEnvironment) -> SessionEnvironment {
    SessionEnvironment {
        set: session.set.into_iter().map(|(name, value)| (name.to_owned(), value.expose().to_owned())).collect(),
        unset: session.unset.into_iter().map(str::to_owned).collect(),
    }
}
