//! GetCallerIdentity of the base identity, for `doctor`: who would call AssumeRole.

use super::{base_config, base_credentials, is_session_of, CallSettings};
use crate::error::Error;
use crate::plan::AssumeRoleRequest;
use aws_sdk_sts::config::SharedCredentialsProvider;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

/// Who the base identity is, as STS says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerIdentity {
    /// The base identity's ARN (a user, or an assumed-role session).
    pub arn: String,
    /// The account it belongs to.
    pub account: String,
    /// True when it already is a session of the role `request` would assume: assuming it
    /// again is refused by the role's trust policy unless it trusts itself.
    pub is_target_role: bool,
}

/// Asks STS who the base identity of `request` is, with the same credential chain, region and
/// endpoint AssumeRole would use. No base keys is `E_NO_BASE_CREDENTIALS`; a refusal or no
/// answer is `E_STS_ERROR` / `E_STS_UNREACHABLE` with the SDK's reason on one line.
pub(crate) async fn caller_identity(request: &AssumeRoleRequest, call: &CallSettings) -> Result<CallerIdentity, Error> {
    let config = base_config(&request.region, request.base_profile.as_deref(), call).await;
    let keys = base_credentials(&config, request.base_profile.as_deref())
        .await
        .map_err(|err| crate::aws_profiles::with_sso_login(err, &call.context))?;
    let sts_config =
        aws_sdk_sts::config::Builder::from(&config).credentials_provider(SharedCredentialsProvider::new(keys)).build();
    let output = aws_sdk_sts::Client::from_conf(sts_config).get_caller_identity().send().await.map_err(|err| {
        let reason = super::one_line(&err);
        match &err {
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
                Error::StsUnreachable { endpoint: None, reason }
            }
            _ => Error::Sts { sts_code: err.code().unwrap_or("Unknown").to_owned(), message: reason },
        }
    })?;
    let arn = output.arn.unwrap_or_default();
    Ok(CallerIdentity {
        is_target_role: is_session_of(&arn, &request.role_arn),
        account: output.account.unwrap_or_default(),
        arn,
    })
}
