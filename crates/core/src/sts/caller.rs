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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sts::stand_in;
    use std::time::Duration;

    const ROLE: &str = "arn:aws:iam::111111111111:role/r";

    async fn ask(endpoint: &str) -> Result<CallerIdentity, Error> {
        let call = CallSettings {
            mfa_code: None,
            timeout: Duration::from_secs(10),
            context: stand_in::base_env(endpoint).into(),
        };
        caller_identity(&AssumeRoleRequest::plain(ROLE), &call).await
    }

    fn who(arn: &str) -> stand_in::StandIn {
        let body = format!(
            "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>{arn}</Arn><UserId>AIDA</UserId>\
             <Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"
        );
        stand_in::serve(200, &[("content-type", "text/xml")], body)
    }

    #[tokio::test]
    async fn the_base_identity_is_who_sts_says_and_whether_it_already_is_the_role() {
        let user = "arn:aws:iam::111111111111:user/ana";
        let expected =
            CallerIdentity { arn: user.to_owned(), account: "111111111111".to_owned(), is_target_role: false };
        assert_eq!(ask(&who(user).endpoint).await.unwrap(), expected);
        let session = "arn:aws:sts::111111111111:assumed-role/r/earlier";
        assert!(ask(&who(session).endpoint).await.unwrap().is_target_role);
    }

    #[tokio::test]
    async fn a_refusal_is_e_sts_error_with_its_code_and_no_answer_is_e_sts_unreachable() {
        let refused = stand_in::serve(
            403,
            &[("content-type", "text/xml")],
            stand_in::error_answer("InvalidClientTokenId", "The security token included in the request is invalid"),
        );
        match ask(&refused.endpoint).await.unwrap_err() {
            Error::Sts { sts_code, message } => {
                assert_eq!(sts_code, "InvalidClientTokenId");
                assert!(message.contains("The security token included in the request is invalid"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let err = ask(&format!("http://127.0.0.1:{port}")).await.unwrap_err();
        assert_eq!(err.code(), "E_STS_UNREACHABLE", "{err}");
    }
}
