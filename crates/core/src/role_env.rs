//! The role's environment (the session environment): what a process running on an access role's
//! keys carries, and how a resolve inside it behaves.
//!
//! The plugin exports the role's keys into its own process (so other plugins' SDK clients and
//! hooks' child processes run on the role), and `exec` into the command it runs. The variables
//! are the ones every AWS SDK and the aws CLI read, plus a marker of ours that names the session
//! (role, assumed-role ARN, region and expiry) and binds it to the keys beside it and to the
//! request that made them, by digests: no secret. A resolve that finds the marker:
//! - ignores it when it does not agree with what is beside it: keys that are not the ones it was made with
//!   (the user exported their own), an expiry later than the request could give, an
//!   assumed-role ARN that is not a session of its role. The resolve then runs as it would
//!   without a marker, and says why in [`SessionLookup::ignored`];
//! - ignores it too when the resolve names a base profile that did not make the session (the
//!   marker was made with another one, or with the default chain): a named profile is the only
//!   base identity the user chose (see [`crate::base_identity`]), so the resolve assumes the role
//!   from it as without a marker, whatever role or request the session is for;
//! - for the same role and request, answers the environment's keys without calling STS;
//! - for the same role and another request (session policy, duration, tags, …), fails with
//!   [`Error::SessionRequestMismatch`] naming what differs: a session cannot narrow itself;
//! - for another role, fails with [`Error::SessionRoleMismatch`]: the keys in the environment
//!   would otherwise become the base identity of the other role, which nobody asked for;
//! - for expired keys, fails with [`Error::SessionExpired`]: there is no base identity left to
//!   refresh them with.
//!
//! The last three fail only where the session's keys would be the base identity of a fresh
//! resolve. A resolve that names the base profile that made the session reads none of them: it
//! ignores the session, saying why, and assumes the role from that profile.
//!
//! A session whose keys a local credentials endpoint serves (`exec --server`, see
//! [`served_session_environment`]) carries the endpoint's variables instead of keys, and a marker
//! bound to them (the URI and token, by digest) instead of to keys. A resolve inside it follows
//! the same rules, and asks the endpoint for the same role's keys instead of reading them from
//! the environment: never another identity, and an endpoint that does not answer is
//! [`Error::SessionEndpoint`], not a fall-back.

use crate::context::Context;
use crate::credentials::Credentials;
use crate::credentials::{AccessRoleCredentials, Secret};
use crate::env::Env;
use crate::error::Error;
use crate::plan::AssumeRoleRequest;
use aws_sdk_sts::primitives::{DateTime, DateTimeFormat};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime};

/// The marker variable: JSON naming the session, without secrets.
pub(crate) const SESSION_VAR: &str = "SERVERLESS_ACCESS_ROLES_SESSION";

const ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
const SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
const SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
const EXPIRATION: &str = "AWS_CREDENTIAL_EXPIRATION";

/// The container credentials endpoint's variables, as the AWS SDKs and the aws CLI read them.
pub(crate) const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
pub(crate) const AUTHORIZATION_TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";

/// Variables the AWS SDKs read before a container endpoint's full URI and token: the key
/// variables, web identity, and the endpoint variables that win over them (a relative URI, a
/// token file). Beside a served session's marker, the command would run as them.
const BEFORE_ENDPOINT: &[&str] = &[
    ACCESS_KEY_ID,
    SECRET_ACCESS_KEY,
    SESSION_TOKEN,
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// Variables a served session removes besides [`REMOVED`]: [`BEFORE_ENDPOINT`], the keys' expiry
/// and the rest of web identity.
const REMOVED_FOR_SERVED: &[&str] = &[EXPIRATION, "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME"];

/// Variables a session removes: `AWS_PROFILE` wins over key variables in SDK v3 for JavaScript,
/// `AWS_DEFAULT_PROFILE` is read by older tools, and botocore reads the legacy
/// `AWS_SECURITY_TOKEN` before `AWS_SESSION_TOKEN`.
const REMOVED: &[&str] = &["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"];

/// How much later than now plus the request's lifetime a marker's expiry may be (clocks apart)
/// before it cannot be true.
const EXPIRY_SLACK: Duration = Duration::from_secs(300);

/// Hex digits kept of each digest: enough to tell values apart, too few to matter otherwise.
const DIGEST_HEX: usize = 16;

/// What the marker holds.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Marker {
    role_arn: String,
    assumed_role_arn: String,
    region: String,
    /// ISO 8601, as in `AWS_CREDENTIAL_EXPIRATION`; absent in a served session, whose keys the
    /// endpoint renews.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expiration: Option<String>,
    /// Digest of the access key id and session token the marker was made with; absent in a
    /// served session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keys: Option<String>,
    /// Digest of the endpoint's URI and token, in a served session only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    endpoint: Option<String>,
    /// The request's digests (see [`request_digest`]).
    request: BTreeMap<String, String>,
}

impl Marker {
    /// The marker of a session on `credentials`, bound to `binding`: its keys or its endpoint.
    fn of(credentials: &AccessRoleCredentials, binding: Binding) -> String {
        let (expiration, keys, endpoint) = match binding {
            Binding::Keys => (
                Some(iso8601(credentials.expiration)),
                Some(keys_digest(&credentials.access_key_id, credentials.session_token.expose())),
                None,
            ),
            Binding::Endpoint(served) => (None, None, Some(endpoint_digest(&served.uri, served.token.expose()))),
        };
        let marker = Marker {
            role_arn: credentials.role_arn.clone(),
            assumed_role_arn: credentials.assumed_role_arn.clone(),
            region: credentials.region.clone(),
            expiration,
            keys,
            endpoint,
            request: serde_json::from_str(&credentials.request_digest).unwrap_or_default(),
        };
        serde_json::to_string(&marker).unwrap_or_default()
    }
}

/// What a marker is bound to.
enum Binding<'a> {
    /// The key variables beside it.
    Keys,
    /// The endpoint variables beside it.
    Endpoint(&'a ServedEndpoint),
}

/// A local credentials endpoint that serves an access role's keys (`exec --server`): the URI and
/// the token the AWS SDKs send as `Authorization`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServedEndpoint {
    /// `http://127.0.0.1:PORT/…`.
    pub uri: String,
    /// The token requests must carry.
    pub token: Secret,
}

/// The variables that put a process on an access role's keys.
///
/// Region variables are not touched: the command keeps working in the region it chose.
pub struct SessionEnvironment {
    /// Variables to set, with their values (secrets among them).
    pub set: Vec<(&'static str, Secret)>,
    /// Variables to remove.
    pub unset: Vec<&'static str>,
}

impl fmt::Debug for SessionEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set: Vec<_> = self.set.iter().map(|(name, _)| *name).collect();
        f.debug_struct("SessionEnvironment").field("set", &set).field("unset", &self.unset).finish()
    }
}

/// The session environment of `credentials`: the key variables as the AWS SDKs read them,
/// `AWS_CREDENTIAL_EXPIRATION` in ISO 8601, the session marker, and the profile variables gone.
pub fn session_environment(credentials: &AccessRoleCredentials) -> SessionEnvironment {
    let expiration = iso8601(credentials.expiration);
    let marker = Marker::of(credentials, Binding::Keys);
    SessionEnvironment {
        set: vec![
            (ACCESS_KEY_ID, Secret::new(credentials.access_key_id.clone())),
            (SECRET_ACCESS_KEY, credentials.secret_access_key.clone()),
            (SESSION_TOKEN, credentials.session_token.clone()),
            (EXPIRATION, Secret::new(expiration)),
            (SESSION_VAR, Secret::new(marker)),
        ],
        unset: REMOVED.to_vec(),
    }
}

/// The session environment of a role whose keys `endpoint` serves, first resolved as
/// `credentials`: the endpoint's URI and token as the AWS SDKs read them, the session marker
/// bound to them, and every variable the SDKs would read before the endpoint removed (keys, web
/// identity, profiles, a relative URI or token file).
///
/// `context`'s environment is the one the command will get: when its AWS config's `default` profile has
/// credentials of its own, the SDKs would take them before the endpoint, and the command would
/// run as them: [`Error::EndpointShadowed`].
pub fn served_session_environment(
    credentials: &AccessRoleCredentials,
    endpoint: &ServedEndpoint,
    context: &Context,
) -> Result<SessionEnvironment, Error> {
    if let Some((profile, setting)) = crate::aws_profiles::shadowing_profile(context) {
        return Err(Error::EndpointShadowed { profile, setting });
    }
    let marker = Marker::of(credentials, Binding::Endpoint(endpoint));
    Ok(SessionEnvironment {
        set: vec![
            (FULL_URI, Secret::new(endpoint.uri.clone())),
            (AUTHORIZATION_TOKEN, endpoint.token.clone()),
            (SESSION_VAR, Secret::new(marker)),
        ],
        unset: BEFORE_ENDPOINT.iter().chain(REMOVED_FOR_SERVED).chain(REMOVED).copied().collect(),
    })
}

/// The fields of an AssumeRole request that decide what its keys may do, and the base profile
/// that calls it, each as a short digest, as JSON: what a session marker is bound to. Not the
/// session name (cosmetic) nor the region (keys from any regional STS endpoint are the same keys).
pub(crate) fn request_digest(request: &AssumeRoleRequest) -> String {
    serde_json::to_string(&request_fields(request)).unwrap_or_default()
}

/// The marker's name of the base profile's digest, apart from the fields a session must match.
const BASE_PROFILE: &str = "baseProfile";

fn request_fields(request: &AssumeRoleRequest) -> BTreeMap<String, String> {
    let hops: Vec<_> = request.hops().iter().map(|hop| (hop.role_arn.clone(), own_fields(hop))).collect();
    let mut fields = own_fields(request);
    fields.insert("via".to_owned(), digest(serde_json::json!(hops).to_string().as_bytes()));
    fields.insert(BASE_PROFILE.to_owned(), base_profile_digest(request.first_hop().base_profile.as_deref()));
    fields
}

/// The digest of the base profile named for a request (the first hop's), or of none: the default
/// chain.
fn base_profile_digest(profile: Option<&str>) -> String {
    digest(serde_json::json!(profile).to_string().as_bytes())
}

/// The digests of one call's own fields, without the calls before it.
fn own_fields(request: &AssumeRoleRequest) -> BTreeMap<String, String> {
    let fields = [
        ("externalId", serde_json::json!(request.external_id)),
        ("durationSeconds", serde_json::json!(request.duration_seconds)),
        ("policy", serde_json::json!(request.policy)),
        ("sessionTags", serde_json::json!(request.tags)),
        ("transitiveTagKeys", serde_json::json!(request.transitive_tag_keys)),
        ("sourceIdentity", serde_json::json!(request.source_identity)),
        ("mfaSerial", serde_json::json!(request.mfa_serial)),
    ];
    fields.into_iter().map(|(name, value)| (name.to_owned(), digest(value.to_string().as_bytes()))).collect()
}

fn keys_digest(access_key_id: &str, session_token: &str) -> String {
    digest(format!("{access_key_id}\n{session_token}").as_bytes())
}

fn endpoint_digest(uri: &str, token: &str) -> String {
    digest(format!("{uri}\n{token}").as_bytes())
}

fn digest(bytes: &[u8]) -> String {
    let mut text = hex::encode(Sha256::digest(bytes));
    text.truncate(DIGEST_HEX);
    text
}

/// A served session the environment carries: its endpoint, and what its marker says of the keys.
#[derive(Clone, Debug)]
pub(crate) struct ServedSession {
    pub(crate) endpoint: ServedEndpoint,
    pub(crate) assumed_role_arn: String,
    pub(crate) region: String,
}

/// What a resolve finds of a session in its environment.
#[derive(Debug, Default)]
pub(crate) struct SessionLookup {
    /// The session's keys, when the environment carries a session of this role and request.
    pub(crate) keys: Option<Credentials>,
    /// The endpoint that serves the keys, when the environment carries a served session of
    /// this role and request (see [`served_session_environment`]).
    pub(crate) served: Option<ServedSession>,
    /// Why a marker in the environment was not believed, when it was not.
    pub(crate) ignored: Option<String>,
    /// The marker's request digests, when the session answers (`keys` or `served`): what a
    /// session made on its keys is bound to. Its base profile may be one this resolve did not
    /// name, as a resolve that names none takes the session whoever made it.
    pub(crate) request_digest: Option<String>,
}

/// The session `env` carries for `request`: its keys when it carries one of this role and
/// request (and of the base profile the request names, if it names one), nothing when it carries
/// none, an ignored marker with the reason, or an error for a session of another role or request,
/// or an expired one (see the module's rules).
pub(crate) fn session_keys(env: &Env, request: &AssumeRoleRequest, now: SystemTime) -> Result<SessionLookup, Error> {
    let Some(text) = env.var(SESSION_VAR) else { return Ok(SessionLookup::default()) };
    let ignored =
        |why: &str| Ok(SessionLookup { ignored: Some(format!("{SESSION_VAR} ignored: {why}")), ..Default::default() });
    let Ok(marker) = serde_json::from_str::<Marker>(&text) else {
        return ignored("it is not a marker this version writes");
    };
    let binding = match (&marker.keys, &marker.endpoint) {
        (Some(keys), None) => keys_binding(env, keys),
        (None, Some(endpoint)) => endpoint_binding(env, endpoint),
        _ => Err("it is not a marker this version writes"),
    };
    let bound = match binding {
        Ok(bound) => bound,
        Err(why) => return ignored(why),
    };
    if !crate::sts::is_session_of(&marker.assumed_role_arn, &marker.role_arn) {
        return ignored("its assumed-role ARN is not a session of its role");
    }
    let expiration = match (&bound, &marker.expiration) {
        (Bound::Endpoint(_), None) => None,
        (Bound::Keys { .. }, Some(text)) => Some(
            DateTime::from_str(text, DateTimeFormat::DateTime)
                .ok()
                .and_then(|t| SystemTime::try_from(t).ok())
                .unwrap_or(SystemTime::UNIX_EPOCH),
        ),
        _ => return ignored("it is not a marker this version writes"),
    };
    let longest = Duration::from_secs(43_200) + EXPIRY_SLACK;
    if expiration.is_some_and(|expiration| expiration > now + longest) {
        return ignored("its expiry is later than any session could last");
    }
    // A named base profile is the only base identity: a session it did not make is not its.
    let named = request.first_hop().base_profile.as_deref();
    if let Some(named) = named {
        if marker.request.get(BASE_PROFILE) != Some(&base_profile_digest(Some(named))) {
            let named = crate::text::escape_control(named);
            return ignored(&format!("the session was made by another base identity than AWS profile \"{named}\""));
        }
    }
    // A session that cannot answer is an error only where its keys would be the base identity
    // of a fresh resolve; a named profile, which reads none of them, assumes the role itself.
    let refused = |err: Error, why: String| match named {
        Some(named) => {
            ignored(&format!("{why}; AWS profile \"{}\" assumes the role itself", crate::text::escape_control(named)))
        }
        None => Err(err),
    };
    if marker.role_arn != request.role_arn {
        let why = format!("it is a session of {}, not of this role", crate::text::foreign(&marker.role_arn));
        let err = Error::SessionRoleMismatch { session_role: marker.role_arn, role_arn: request.role_arn.clone() };
        return refused(err, why);
    }
    let wanted = request_fields(request);
    let differing: Vec<String> = wanted
        .iter()
        // The base profile was decided above: none named takes the session whoever made it.
        .filter(|(name, value)| *name != BASE_PROFILE && marker.request.get(*name) != Some(value))
        .map(|(name, _)| name.clone())
        .collect();
    if !differing.is_empty() {
        let why = format!("it was made for another request of this role ({} differ)", differing.join(", "));
        return refused(Error::SessionRequestMismatch { role_arn: marker.role_arn, fields: differing }, why);
    }
    let request_digest = serde_json::to_string(&marker.request).ok();
    let (access_key_id, secret, token) = match bound {
        Bound::Endpoint(endpoint) => {
            let served = ServedSession { endpoint, assumed_role_arn: marker.assumed_role_arn, region: marker.region };
            return Ok(SessionLookup { served: Some(served), request_digest, ..Default::default() });
        }
        Bound::Keys { access_key_id, secret, token } => (access_key_id, secret, token),
    };
    let expiration = expiration.unwrap_or(SystemTime::UNIX_EPOCH);
    if expiration > now + Duration::from_secs(u64::from(request.duration_seconds)) + EXPIRY_SLACK {
        return ignored("its expiry is later than the request's durationSeconds could give");
    }
    if expiration <= now {
        let expired = marker.expiration.unwrap_or_default();
        let why = format!("its keys expired at {}", crate::text::foreign(&expired));
        return refused(Error::SessionExpired { role_arn: marker.role_arn, expiration: expired }, why);
    }
    let keys = Credentials {
        access_key_id,
        secret_access_key: Secret::new(secret),
        session_token: Secret::new(token),
        expiration,
        assumed_role_arn: marker.assumed_role_arn,
        region: marker.region,
    };
    Ok(SessionLookup { keys: Some(keys), request_digest, ..Default::default() })
}

/// What the variables beside a marker hold, once they proved to be the ones it was made with.
enum Bound {
    /// The session's keys.
    Keys { access_key_id: String, secret: String, token: String },
    /// The endpoint that serves them.
    Endpoint(ServedEndpoint),
}

/// The key variables of `env`, when they are the keys a marker's `digest` was made with; else
/// why the marker is not believed.
fn keys_binding(env: &Env, digest: &str) -> Result<Bound, &'static str> {
    // `Env::var` answers no empty values.
    let (Some(access_key_id), Some(secret), Some(token)) =
        (env.var(ACCESS_KEY_ID), env.var(SECRET_ACCESS_KEY), env.var(SESSION_TOKEN))
    else {
        return Err("the session's key variables are not all set");
    };
    if access_key_id.starts_with("AKIA") {
        return Err("the key variables hold long-term keys (AKIA…), which no session has");
    }
    if keys_digest(&access_key_id, &token) != digest {
        return Err("the key variables are not the keys it was made with");
    }
    Ok(Bound::Keys { access_key_id, secret, token })
}

/// The endpoint variables of `env`, when they are the ones a served marker's `digest` was made
/// with and nothing the SDKs read first stands beside them; else why the marker is not believed.
fn endpoint_binding(env: &Env, digest: &str) -> Result<Bound, &'static str> {
    let (Some(uri), Some(token)) = (env.var(FULL_URI), env.var(AUTHORIZATION_TOKEN)) else {
        return Err("the session's endpoint variables are not both set");
    };
    if endpoint_digest(&uri, &token) != digest {
        return Err("the endpoint variables are not the ones it was made with");
    }
    // Whatever the SDKs read before the full URI and its token would be the command's identity,
    // not the endpoint's keys.
    if BEFORE_ENDPOINT.iter().any(|name| env.var_os(name).is_some()) {
        return Err("a variable the AWS SDKs read before its endpoint (keys, web identity) is set beside it");
    }
    if !is_loopback_http(&uri) {
        return Err("its endpoint is not an http://127.0.0.1 address");
    }
    Ok(Bound::Endpoint(ServedEndpoint { uri, token: Secret::new(token) }))
}

/// Whether `uri` is `http://127.0.0.1:PORT/…`, the only kind of endpoint a served session has.
fn is_loopback_http(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("http://127.0.0.1:") else { return false };
    let port = rest.split('/').next().unwrap_or_default();
    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
}

/// `2026-11-30T10:00:00Z`: the form `AWS_CREDENTIAL_EXPIRATION` and credential_process use.
fn iso8601(time: SystemTime) -> String {
    DateTime::from(time).fmt(DateTimeFormat::DateTime).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Source;

    const ROLE: &str = "arn:aws:iam::111111111111:role/deploy";

    fn request() -> AssumeRoleRequest {
        AssumeRoleRequest::plain(ROLE)
    }

    fn credentials(expiration: SystemTime) -> AccessRoleCredentials {
        AccessRoleCredentials {
            access_key_id: "ASIAEXAMPLE".to_owned(),
            secret_access_key: Secret::new("secret-value"),
            session_token: Secret::new("token-value"),
            expiration,
            refresh_at: expiration,
            profile: "sandbox".to_owned(),
            rule: "defaultProfile".to_owned(),
            near_stage: None,
            base_profile: None,
            request_digest: request_digest(&request()),
            session_ignored: None,
            role_arn: ROLE.to_owned(),
            assumed_role_arn: "arn:aws:sts::111111111111:assumed-role/deploy/ana".to_owned(),
            region: "eu-west-1".to_owned(),
            source: Source::Sts,
            disk_cache_off: None,
            aws_profile_shadowed: None,
        }
    }

    /// An environment with `session` applied over the process's.
    fn env_of(session: &SessionEnvironment) -> Env {
        let set = session.set.iter().map(|(name, value)| (name.to_string(), Some(value.expose().to_owned())));
        let unset = session.unset.iter().map(|name| (name.to_string(), None));
        Env::from_slice(&[]).with_overrides(set.chain(unset))
    }

    fn session_in_an_hour(now: SystemTime) -> Env {
        env_of(&session_environment(&credentials(now + Duration::from_secs(3600))))
    }

    fn with(env: Env, name: &str, value: &str) -> Env {
        env.with_overrides([(name.to_owned(), Some(value.to_owned()))])
    }

    #[test]
    fn the_session_sets_the_sdk_variables_and_a_marker_without_secrets() {
        let expiration = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_032_800);
        let session = session_environment(&credentials(expiration));
        let value = |name: &str| session.set.iter().find(|(n, _)| *n == name).map(|(_, v)| v.expose().to_owned());
        assert_eq!(value("AWS_ACCESS_KEY_ID").as_deref(), Some("ASIAEXAMPLE"));
        assert_eq!(value("AWS_SECRET_ACCESS_KEY").as_deref(), Some("secret-value"));
        assert_eq!(value("AWS_SESSION_TOKEN").as_deref(), Some("token-value"));
        assert_eq!(value("AWS_CREDENTIAL_EXPIRATION").as_deref(), Some("2026-11-30T10:00:00Z"));
        let marker = value(SESSION_VAR).unwrap();
        assert!(marker.contains(ROLE) && marker.contains("2026-11-30T10:00:00Z"), "{marker}");
        assert!(marker.contains("\"keys\"") && marker.contains("\"policy\""), "bound to keys and request: {marker}");
        assert!(!marker.contains("secret-value") && !marker.contains("token-value") && !marker.contains("ASIAEXAMPLE"));
        assert_eq!(session.unset, ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"]);
        assert!(!session.set.iter().any(|(name, _)| name.contains("REGION")), "regions stay as they are");
        let debug = format!("{session:?}");
        assert!(!debug.contains("secret-value") && !debug.contains("token-value"), "{debug}");
        assert!(debug.contains("AWS_SESSION_TOKEN") && debug.contains("AWS_DEFAULT_PROFILE"), "names shown: {debug}");
    }

    #[test]
    fn inside_a_session_the_same_role_and_request_is_answered_from_the_environment() {
        let now = SystemTime::now();
        let found = session_keys(&session_in_an_hour(now), &request(), now).unwrap();
        assert_eq!(found.ignored, None);
        let keys = found.keys.unwrap();
        assert_eq!(keys.access_key_id, "ASIAEXAMPLE");
        assert_eq!(keys.session_token.expose(), "token-value");
        assert_eq!(keys.assumed_role_arn, "arn:aws:sts::111111111111:assumed-role/deploy/ana");
        assert_eq!(keys.region, "eu-west-1");
        let left = keys.expiration.duration_since(now).unwrap().as_secs();
        assert!((3598..=3600).contains(&left), "{left}");
        let other_region = AssumeRoleRequest { region: "ap-south-1".to_owned(), ..request() };
        assert!(
            session_keys(&session_in_an_hour(now), &other_region, now).unwrap().keys.is_some(),
            "same keys anywhere"
        );
    }

    #[test]
    fn inside_a_session_another_role_is_refused_naming_both() {
        let now = SystemTime::now();
        let other = AssumeRoleRequest::plain("arn:aws:iam::222222222222:role/other");
        let err = session_keys(&session_in_an_hour(now), &other, now).unwrap_err();
        assert_eq!(err.code(), "E_SESSION_ROLE_MISMATCH");
        let text = err.to_string();
        assert!(text.contains(ROLE) && text.contains("arn:aws:iam::222222222222:role/other"), "{text}");
    }

    #[test]
    fn inside_a_session_another_request_of_the_same_role_is_refused_naming_what_differs() {
        let now = SystemTime::now();
        let narrow = AssumeRoleRequest { policy: Some(r#"{"Statement":[]}"#.to_owned()), ..request() };
        let err = session_keys(&session_in_an_hour(now), &narrow, now).unwrap_err();
        assert_eq!(err.code(), "E_SESSION_REQUEST_MISMATCH");
        assert!(err.to_string().contains("(policy differ)"), "{err}");
        let shorter = AssumeRoleRequest { duration_seconds: 900, tags: vec![("t".into(), "v".into())], ..request() };
        let err = session_keys(&session_in_an_hour(now), &shorter, now).unwrap_err();
        assert!(err.to_string().contains("(durationSeconds, sessionTags differ)"), "{err}");
        let chained =
            AssumeRoleRequest { via: Some(Box::new(AssumeRoleRequest::plain("arn:aws:iam::1:role/hub"))), ..request() };
        assert!(session_keys(&session_in_an_hour(now), &chained, now)
            .unwrap_err()
            .to_string()
            .contains("(via differ)"));
    }

    #[test]
    fn a_named_base_profile_takes_only_a_session_it_made_and_is_the_base_identity_otherwise() {
        let now = SystemTime::now();
        let named = |profile: Option<&str>, request: AssumeRoleRequest| AssumeRoleRequest {
            base_profile: profile.map(str::to_owned),
            ..request
        };
        let session_of = |profile: Option<&str>| {
            let credentials = credentials(now + Duration::from_secs(3600));
            let request_digest = request_digest(&named(profile, request()));
            env_of(&session_environment(&AccessRoleCredentials { request_digest, ..credentials }))
        };
        let other_than_admin = "the session was made by another base identity than AWS profile \"admin\"";
        // Made by the default chain or by another profile: `admin` named is the base identity,
        // whatever role or request the session is for, and even once it has expired.
        let expired = env_of(&session_environment(&credentials(now - Duration::from_secs(1))));
        let other_role = AssumeRoleRequest::plain("arn:aws:iam::222222222222:role/other");
        let narrow = AssumeRoleRequest { policy: Some(r#"{"Statement":[]}"#.to_owned()), ..request() };
        for (env, request) in [
            (session_of(None), request()),
            (session_of(Some("base")), request()),
            (session_of(None), other_role),
            (session_of(None), narrow),
            (expired, request()),
        ] {
            let found = session_keys(&env, &named(Some("admin"), request), now).unwrap();
            assert!(found.keys.is_none() && found.served.is_none() && found.request_digest.is_none());
            assert_eq!(found.ignored.unwrap(), format!("{SESSION_VAR} ignored: {other_than_admin}"));
        }
        let found = session_keys(&served_env(now), &named(Some("admin"), request()), now).unwrap();
        assert!(found.served.is_none() && found.ignored.unwrap().ends_with(other_than_admin), "served");
        // Made by the profile named: its keys, without STS.
        let found = session_keys(&session_of(Some("admin")), &named(Some("admin"), request()), now).unwrap();
        assert_eq!((found.ignored, found.keys.map(|k| k.access_key_id)), (None, Some("ASIAEXAMPLE".to_owned())));
        // Made by it for another role or request, or expired: not an error, as it is without a
        // profile named (the session's keys would be the base identity), but ignored, saying why:
        // the profile assumes the role itself.
        let admins_expired = {
            let credentials = credentials(now - Duration::from_secs(1));
            let request_digest = request_digest(&named(Some("admin"), request()));
            env_of(&session_environment(&AccessRoleCredentials { request_digest, ..credentials }))
        };
        let other_role = AssumeRoleRequest::plain("arn:aws:iam::222222222222:role/other");
        let narrow = AssumeRoleRequest { policy: Some(r#"{"Statement":[]}"#.to_owned()), ..request() };
        for (env, request, why, code) in [
            (
                session_of(Some("admin")),
                other_role.clone(),
                format!("it is a session of {ROLE}, not of this role"),
                "E_SESSION_ROLE_MISMATCH",
            ),
            (
                session_of(Some("admin")),
                narrow.clone(),
                "it was made for another request of this role (policy differ)".to_owned(),
                "E_SESSION_REQUEST_MISMATCH",
            ),
            (admins_expired.clone(), request(), "its keys expired at ".to_owned(), "E_SESSION_EXPIRED"),
        ] {
            let found = session_keys(&env, &named(Some("admin"), request.clone()), now).unwrap();
            let ignored = found.ignored.expect("ignored");
            assert!(found.keys.is_none() && found.served.is_none(), "{ignored}");
            assert!(ignored.starts_with(&format!("{SESSION_VAR} ignored: {why}")), "{ignored}");
            assert!(ignored.ends_with("; AWS profile \"admin\" assumes the role itself"), "{ignored}");
            assert_eq!(session_keys(&env, &request, now).unwrap_err().code(), code, "none named: {why}");
        }
        // None named: the session, whoever made it; a session made on its keys stays bound to
        // the profile that made them.
        let found = session_keys(&session_of(Some("admin")), &request(), now).unwrap();
        assert!(found.keys.is_some());
        assert_eq!(found.request_digest.unwrap(), request_digest(&named(Some("admin"), request())));
        let control = session_keys(&session_of(None), &named(Some("ad\nmin"), request()), now).unwrap();
        assert!(control.ignored.unwrap().ends_with("than AWS profile \"ad\\nmin\""), "one line");
    }

    #[test]
    fn a_marker_beside_keys_it_was_not_made_with_is_ignored() {
        let now = SystemTime::now();
        let own_keys = with(session_in_an_hour(now), "AWS_ACCESS_KEY_ID", "ASIAOTHER");
        let found = session_keys(&own_keys, &request(), now).unwrap();
        assert!(found.keys.is_none());
        assert!(found.ignored.unwrap().contains("not the keys it was made with"));
        let token = with(session_in_an_hour(now), "AWS_SESSION_TOKEN", "another-token");
        assert!(session_keys(&token, &request(), now).unwrap().keys.is_none());
    }

    #[test]
    fn a_forged_marker_proves_nothing() {
        let now = SystemTime::now();
        let forged = r#"{"roleArn":"arn:aws:iam::111111111111:role/deploy","assumedRoleArn":"x","region":"us-east-1","expiration":"2099-01-01T00:00:00Z"}"#;
        let env = Env::from_slice(&[
            ("AWS_ACCESS_KEY_ID", "AKIALONGTERM"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("AWS_SESSION_TOKEN", "t"),
            (SESSION_VAR, forged),
        ]);
        let found = session_keys(&env, &request(), now).unwrap();
        assert!(found.keys.is_none() && found.ignored.is_some());
        // Even with the digests right, long-term keys, a foreign ARN or an impossible expiry.
        let right = session_in_an_hour(now);
        let marker = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut value: serde_json::Value = serde_json::from_str(&right.var(SESSION_VAR).unwrap()).unwrap();
            edit(&mut value);
            with(right.clone(), SESSION_VAR, &value.to_string())
        };
        let cases: [(&str, Env); 4] = [
            ("long-term keys", {
                let digest = keys_digest("AKIALONGTERM", "token-value");
                with(marker(&|m| m["keys"] = digest.clone().into()), "AWS_ACCESS_KEY_ID", "AKIALONGTERM")
            }),
            (
                "not a session of its role",
                marker(&|m| m["assumedRoleArn"] = "arn:aws:sts::111111111111:assumed-role/other/x".into()),
            ),
            ("later than any session", marker(&|m| m["expiration"] = "2099-01-01T00:00:00Z".into())),
            ("durationSeconds", marker(&|m| m["expiration"] = iso8601(now + Duration::from_secs(7200)).into())),
        ];
        for (why, env) in cases {
            let found = session_keys(&env, &request(), now).unwrap();
            assert!(found.keys.is_none(), "{why}");
            let ignored = found.ignored.unwrap();
            assert!(ignored.contains(why), "{why}: {ignored}");
        }
    }

    #[test]
    fn a_twelve_hour_session_is_answered_within_the_clock_slack_and_not_beyond() {
        let now = SystemTime::now();
        let twelve = AssumeRoleRequest { duration_seconds: 43_200, ..request() };
        let session_until = |seconds: u64| {
            let credentials = credentials(now + Duration::from_secs(seconds));
            env_of(&session_environment(&AccessRoleCredentials {
                request_digest: request_digest(&twelve),
                ..credentials
            }))
        };
        let found = session_keys(&session_until(43_200 + 240), &twelve, now).unwrap();
        assert_eq!((found.ignored, found.keys.is_some()), (None, true), "4 minutes of skew are allowed");
        let found = session_keys(&session_until(43_200 + 360), &twelve, now).unwrap();
        assert!(found.ignored.unwrap().contains("later than any session"), "6 minutes are not");
    }

    #[test]
    fn the_latest_expiry_allowed_is_the_requests_duration_and_five_minutes_exactly() {
        // A whole second, as the marker's ISO 8601 expiry is.
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_032_800);
        for duration in [3_600, 43_200] {
            let request = AssumeRoleRequest { duration_seconds: duration, ..request() };
            let until = |seconds: u64| {
                let credentials = credentials(now + Duration::from_secs(seconds));
                let session = session_environment(&AccessRoleCredentials {
                    request_digest: request_digest(&request),
                    ..credentials
                });
                session_keys(&env_of(&session), &request, now).unwrap()
            };
            let last = u64::from(duration) + 300;
            assert!(until(last).keys.is_some(), "{duration}: the last second allowed");
            assert!(until(last + 1).keys.is_none(), "{duration}: one second later");
        }
    }

    #[test]
    fn an_expired_session_is_an_error_not_a_refresh() {
        let now = SystemTime::now();
        let env = env_of(&session_environment(&credentials(now - Duration::from_secs(1))));
        let err = session_keys(&env, &request(), now).unwrap_err();
        assert_eq!(err.code(), "E_SESSION_EXPIRED");
        assert!(err.to_string().contains(ROLE), "{err}");
    }

    #[test]
    fn no_marker_or_no_keys_means_no_session() {
        let now = SystemTime::now();
        let bare = Env::from_slice(&[]).with_overrides([(SESSION_VAR.to_owned(), None)]);
        let found = session_keys(&bare, &request(), now).unwrap();
        assert!(found.keys.is_none() && found.ignored.is_none());
        let keys_gone = session_in_an_hour(now).with_overrides([("AWS_SESSION_TOKEN".to_owned(), None)]);
        assert!(session_keys(&keys_gone, &request(), now).unwrap().keys.is_none());
        let garbled = with(session_in_an_hour(now), SESSION_VAR, "{");
        let found = session_keys(&garbled, &request(), now).unwrap();
        assert!(found.keys.is_none() && found.ignored.is_some());
    }

    fn served() -> ServedEndpoint {
        ServedEndpoint { uri: "http://127.0.0.1:4321/".to_owned(), token: Secret::new("token-of-the-endpoint") }
    }

    /// An environment with a served session of [`credentials`] applied, no AWS files.
    fn served_env(now: SystemTime) -> Env {
        let files = Env::from_slice(&[("AWS_CONFIG_FILE", "/nonexistent/config")]);
        let session =
            served_session_environment(&credentials(now + Duration::from_secs(3600)), &served(), &files.clone().into())
                .unwrap();
        env_of(&session)
    }

    #[test]
    fn a_served_session_carries_the_endpoint_and_a_marker_bound_to_it_not_keys() {
        let files = Env::from_slice(&[("AWS_CONFIG_FILE", "/nonexistent/config")]);
        let session = served_session_environment(
            &credentials(SystemTime::now() + Duration::from_secs(60)),
            &served(),
            &files.clone().into(),
        )
        .unwrap();
        let value = |name: &str| session.set.iter().find(|(n, _)| *n == name).map(|(_, v)| v.expose().to_owned());
        assert_eq!(value(FULL_URI).as_deref(), Some("http://127.0.0.1:4321/"));
        assert_eq!(value(AUTHORIZATION_TOKEN).as_deref(), Some("token-of-the-endpoint"));
        let marker = value(SESSION_VAR).unwrap();
        assert!(
            marker.contains("\"endpoint\"") && !marker.contains("\"keys\"") && !marker.contains("\"expiration\""),
            "{marker}"
        );
        assert!(!marker.contains("token-of-the-endpoint") && !marker.contains("ASIAEXAMPLE"), "{marker}");
        for name in
            [ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, EXPIRATION, "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE"]
        {
            assert!(session.unset.contains(&name), "{name}");
        }
        assert!(!format!("{session:?}").contains("token-of-the-endpoint"));
    }

    #[test]
    fn inside_a_served_session_the_same_role_is_asked_of_the_endpoint_and_another_is_refused() {
        let now = SystemTime::now();
        let found = session_keys(&served_env(now), &request(), now).unwrap();
        assert!(found.keys.is_none() && found.ignored.is_none());
        let served_session = found.served.unwrap();
        assert_eq!(served_session.endpoint, served());
        assert_eq!(served_session.assumed_role_arn, "arn:aws:sts::111111111111:assumed-role/deploy/ana");
        assert_eq!(found.request_digest, Some(request_digest(&request())), "bound to what made it, as keys are");
        let other = AssumeRoleRequest::plain("arn:aws:iam::222222222222:role/other");
        assert_eq!(session_keys(&served_env(now), &other, now).unwrap_err().code(), "E_SESSION_ROLE_MISMATCH");
        let narrow = AssumeRoleRequest { duration_seconds: 900, ..request() };
        assert_eq!(session_keys(&served_env(now), &narrow, now).unwrap_err().code(), "E_SESSION_REQUEST_MISMATCH");
    }

    #[test]
    fn a_served_marker_beside_other_endpoint_variables_or_keys_proves_nothing() {
        let now = SystemTime::now();
        let cases = [
            (with(served_env(now), AUTHORIZATION_TOKEN, "guessed"), "not the ones it was made with"),
            (with(served_env(now), FULL_URI, "http://127.0.0.1:9/"), "not the ones it was made with"),
            (served_env(now).with_overrides([(AUTHORIZATION_TOKEN.to_owned(), None)]), "not both set"),
            (with(served_env(now), ACCESS_KEY_ID, "AKIAOWN"), "read before its endpoint"),
            (with(served_env(now), "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/t"), "read before its endpoint"),
        ];
        for (env, why) in cases {
            let found = session_keys(&env, &request(), now).unwrap();
            assert!(found.served.is_none() && found.keys.is_none(), "{why}");
            assert!(found.ignored.as_deref().unwrap_or_default().contains(why), "{why}: {:?}", found.ignored);
        }
        // A forged marker for a remote endpoint, with the right digest: still not believed.
        let remote = ServedEndpoint { uri: "http://169.254.170.2/creds".to_owned(), ..served() };
        let files = Env::from_slice(&[("AWS_CONFIG_FILE", "/nonexistent/config")]);
        let session =
            served_session_environment(&credentials(now + Duration::from_secs(60)), &remote, &files.clone().into())
                .unwrap();
        let found = session_keys(&env_of(&session), &request(), now).unwrap();
        assert!(found.ignored.unwrap().contains("not an http://127.0.0.1 address"));
        // Only a loopback address with a port of up to five digits is one.
        assert!(is_loopback_http("http://127.0.0.1:65535/creds") && is_loopback_http("http://127.0.0.1:9"));
        for uri in
            ["http://127.0.0.1:/creds", "http://127.0.0.1:123456/", "http://127.0.0.1:80a/", "http://127.0.0.10:80/"]
        {
            assert!(!is_loopback_http(uri), "{uri}");
        }
        // A key marker's fields mixed into a served one.
        let mut mixed: serde_json::Value = serde_json::from_str(&served_env(now).var(SESSION_VAR).unwrap()).unwrap();
        mixed["keys"] = "0123456789abcdef".into();
        let found = session_keys(&with(served_env(now), SESSION_VAR, &mixed.to_string()), &request(), now).unwrap();
        assert!(found.ignored.unwrap().contains("not a marker this version writes"));
    }

    #[test]
    fn a_default_profile_with_its_own_credentials_would_shadow_the_endpoint() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let credentials_file = dir.path().join("credentials");
        std::fs::write(&credentials_file, "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s\n")
            .unwrap();
        std::fs::write(&config, "[default]\nregion = eu-west-1\n").unwrap();
        let env = Env::from_slice(&[
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", credentials_file.to_str().unwrap()),
        ]);
        let err =
            served_session_environment(&credentials(SystemTime::now()), &served(), &env.clone().into()).unwrap_err();
        assert_eq!(err.code(), "E_ENDPOINT_SHADOWED");
        assert!(err.to_string().contains("(aws_access_key_id)") && !err.to_string().contains("AKIADEFAULT"), "{err}");
        std::fs::write(&credentials_file, "[named]\naws_access_key_id = AKIANAMED\naws_secret_access_key = s\n")
            .unwrap();
        assert!(
            served_session_environment(&credentials(SystemTime::now()), &served(), &env.clone().into()).is_ok(),
            "region alone"
        );
    }
}
