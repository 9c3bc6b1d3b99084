//! Cache keys: a hash of everything that changes which keys STS would hand out.

use crate::aws_profiles::{base_aws_profile, base_profile_sections};
use crate::context::Context;
use crate::plan::AssumeRoleRequest;
use sha2::{Digest, Sha256};

/// Environment variables that choose the base identity, the STS endpoint or the region.
///
/// Values are only ever hashed; secrets among them never reach the disk.
const ENV_INPUTS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

/// The cache key of `request` in the environment `env`: 64 hex digits.
///
/// It covers the role, external id, duration, session name, region and base profile of the
/// request; the base identity and endpoint as the environment chooses them (the key variables,
/// hashed); and the contents of the AWS config sections that decide the base identity: the
/// chosen profile, its `source_profile` chain and its `sso-session`. Adding or editing another
/// profile keeps the key; editing one of these starts afresh.
pub(crate) fn cache_key(request: &AssumeRoleRequest, context: &Context) -> String {
    let env = context.env();
    let mut hash = Sha256::new();
    let mut field = |value: &[u8]| {
        hash.update((value.len() as u64).to_le_bytes());
        hash.update(value);
    };
    field(b"v2");
    field(request_fingerprint(request).as_bytes());
    for name in ENV_INPUTS {
        field(env.var_os(name).unwrap_or_default().as_encoded_bytes());
    }
    field(base_profile_sections(context, &base_profile_name(request, env)).as_bytes());
    hex::encode(hash.finalize())
}

/// The AWS config profile the base identity comes from (see [`base_aws_profile`]).
fn base_profile_name(request: &AssumeRoleRequest, env: &crate::env::Env) -> String {
    base_aws_profile(request.first_hop().base_profile.as_deref(), env)
}

/// Whether `name` has the exact shape of a cache key (see [`cache_key`]): 64 lowercase hex
/// digits. The cache tools touch only files named for one.
pub(super) fn is_key(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Every field of the request and of the chain before it, unambiguously; not the MFA code,
/// which changes every time and does not change the keys' rights.
fn request_fingerprint(request: &AssumeRoleRequest) -> String {
    fields(request).to_string()
}

/// The fields of `request` as one JSON array, the chain before it nested as a value (nested as
/// text, each hop would escape the one before it again, doubling its size per hop).
fn fields(request: &AssumeRoleRequest) -> serde_json::Value {
    let AssumeRoleRequest {
        role_arn,
        session_name,
        external_id,
        duration_seconds,
        region,
        base_profile,
        mfa_serial,
        source_identity,
        tags,
        transitive_tag_keys,
        policy,
        via,
    } = request;
    let via = via.as_deref().map(fields);
    serde_json::json!([
        role_arn,
        session_name,
        external_id,
        duration_seconds,
        region,
        base_profile,
        mfa_serial,
        source_identity,
        tags,
        transitive_tag_keys,
        policy,
        via
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;

    fn request() -> AssumeRoleRequest {
        AssumeRoleRequest::plain("arn:aws:iam::111111111111:role/r")
    }

    fn key(request: &AssumeRoleRequest) -> String {
        cache_key(request, &Env::from_slice(&[("HOME", "/nonexistent-home")]).into())
    }

    #[test]
    fn the_key_is_stable_and_changes_with_every_request_field() {
        let base = key(&request());
        assert_eq!(base, key(&request()));
        assert_eq!(base.len(), 64);
        let variants = [
            AssumeRoleRequest { role_arn: "arn:aws:iam::111111111111:role/s".to_owned(), ..request() },
            AssumeRoleRequest { external_id: Some("x1".to_owned()), ..request() },
            AssumeRoleRequest { duration_seconds: 900, ..request() },
            AssumeRoleRequest { session_name: "other".to_owned(), ..request() },
            AssumeRoleRequest { region: "eu-west-1".to_owned(), ..request() },
            AssumeRoleRequest { base_profile: Some("ci".to_owned()), ..request() },
            AssumeRoleRequest { mfa_serial: Some("arn:aws:iam::111111111111:mfa/a".to_owned()), ..request() },
            AssumeRoleRequest { source_identity: Some("ana".to_owned()), ..request() },
            AssumeRoleRequest { tags: vec![("team".to_owned(), "a".to_owned())], ..request() },
            AssumeRoleRequest { transitive_tag_keys: vec!["team".to_owned()], ..request() },
            AssumeRoleRequest { policy: Some("{}".to_owned()), ..request() },
            AssumeRoleRequest { via: Some(Box::new(request())), ..request() },
        ];
        for variant in variants {
            assert_ne!(key(&variant), base, "{variant:?}");
        }
    }

    #[test]
    fn a_long_chain_fingerprints_in_linear_size() {
        let mut chained = request();
        for _ in 0..30 {
            chained = AssumeRoleRequest { via: Some(Box::new(chained)), ..request() };
        }
        let size = request_fingerprint(&chained).len();
        assert!(size < 31 * request_fingerprint(&request()).len(), "{size} bytes");
    }

    #[test]
    fn only_the_exact_shape_of_a_key_is_a_key() {
        assert!(is_key(&key(&request())));
        for other in
            ["yarn", "Cargo", "", &"A".repeat(64), &"a".repeat(63), &"a".repeat(65), &format!("{}.x", "a".repeat(62))]
        {
            assert!(!is_key(other), "{other}");
        }
    }

    #[test]
    fn the_key_follows_the_base_identity_of_the_environment_it_is_given() {
        let with_keys =
            |id: &str| Env::from_slice(&[]).with_overrides([("AWS_ACCESS_KEY_ID".to_owned(), Some(id.to_owned()))]);
        let base = cache_key(&request(), &with_keys("AKIABASE").into());
        assert_eq!(base, cache_key(&request(), &with_keys("AKIABASE").into()));
        assert_ne!(base, cache_key(&request(), &with_keys("ASIAROLE").into()));
    }

    #[test]
    fn the_key_changes_with_the_base_identity_endpoint_and_region_variables_only() {
        let with = |vars: &[(&str, &str)]| cache_key(&request(), &Env::from_slice(vars).into());
        let base = with(&[("HOME", "/h")]);
        assert_eq!(
            base,
            with(&[("HOME", "/h"), ("PATH", "/bin"), ("USER", "ana")]),
            "unrelated variables do not count"
        );
        for name in ["AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL", "AWS_REGION"] {
            assert_ne!(with(&[("HOME", "/h"), (name, "x")]), base, "{name}");
        }
    }

    #[test]
    fn the_key_follows_the_base_profile_contents_not_the_rest_of_the_aws_files() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let credentials = dir.path().join("credentials");
        let env = Context::new(Env::from_slice(&[
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap()),
        ]));
        std::fs::write(&config, "[default]\nregion = us-east-1\n").unwrap();
        let before = cache_key(&request(), &env);
        std::fs::write(&config, "[default]\nregion = us-east-1\n\n[profile unrelated]\nregion = eu-west-1\n").unwrap();
        assert_eq!(cache_key(&request(), &env), before, "another profile added: the same key");
        std::fs::write(&config, "[default]\nregion = us-east-1\ncredential_process = other\n").unwrap();
        assert_ne!(cache_key(&request(), &env), before, "the base profile edited: a new key");
        let ci = AssumeRoleRequest { base_profile: Some("unrelated".to_owned()), ..request() };
        let with_ci = cache_key(&ci, &env);
        std::fs::write(&config, "[default]\nregion = eu-west-2\n").unwrap();
        assert_eq!(cache_key(&ci, &env), with_ci, "the default profile is not this request's base");
    }
}
