//! The keys a served session's endpoint answers (`exec --server`, see
//! [`crate::session_env::served_session_environment`]), asked with aws-config's own container
//! credentials provider: the format, the token header and the loopback rule are the SDKs'.

use crate::credentials::{Credentials, Secret};
use crate::env::Env;
use crate::error::Error;
use crate::session_env::{ServedEndpoint, AUTHORIZATION_TOKEN, FULL_URI};
use aws_config::BehaviorVersion;
use aws_sdk_sts::config::ProvideCredentials;
use std::time::{Duration, SystemTime};

/// The keys `endpoint` serves for the session of `role_arn`, whose assumed-role ARN and region
/// the marker named; [`Error::SessionEndpoint`] when it does not answer them in `timeout`.
pub(crate) async fn served_credentials(
    endpoint: &ServedEndpoint,
    role_arn: &str,
    assumed_role_arn: &str,
    region: &str,
    timeout: Duration,
) -> Result<Credentials, Error> {
    let failed = |reason: String| Error::SessionEndpoint { role_arn: role_arn.to_owned(), reason };
    // An environment of the endpoint alone: no keys, profiles, web identity or instance metadata
    // the chain could take instead (no home directory, so no AWS files either).
    let env = Env::from_slice(&[
        (FULL_URI, endpoint.uri.as_str()),
        (AUTHORIZATION_TOKEN, endpoint.token.expose()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(super::https_client())
        .region(aws_sdk_sts::config::Region::new(region.to_owned()));
    if let Some(env) = env.for_aws_sdk() {
        loader = loader.env(env);
    }
    let config = loader.load().await;
    let provider = config.credentials_provider().ok_or_else(|| failed("no credential provider".to_owned()))?;
    let keys = tokio::time::timeout(timeout, provider.provide_credentials())
        .await
        .map_err(|_| failed(format!("no answer within {} s", timeout.as_secs())))?
        .map_err(|err| failed(super::one_line(&err)))?;
    let expiration = keys.expiry().unwrap_or(SystemTime::UNIX_EPOCH);
    if expiration <= SystemTime::now() {
        return Err(failed("it answered keys that have expired".to_owned()));
    }
    crate::credentials::printable(Credentials {
        access_key_id: keys.access_key_id().to_owned(),
        secret_access_key: Secret::new(keys.secret_access_key()),
        session_token: Secret::new(keys.session_token().unwrap_or_default()),
        expiration,
        assumed_role_arn: assumed_role_arn.to_owned(),
        region: region.to_owned(),
    })
    .map_err(|_| failed("it answered keys that are not printable ASCII (not shown)".to_owned()))
}
