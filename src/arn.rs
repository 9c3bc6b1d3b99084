//! `iamPrincipal(arn)`: an ARN read by the core's one ARN parser, for the JS that checks or
//! shows principals (`--principal`, the caller a template trusts, the account of a session).

use access_roles_core::arn::{Arn, Principal};
use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;

/// An IAM or STS principal, as a trust policy can name it.
#[napi(object)]
pub struct IamPrincipal {
    /// `root`, `user`, `role` or `assumed-role` (a role's session).
    #[napi(ts_type = "'root' | 'user' | 'role' | 'assumed-role'")]
    pub kind: String,
    /// The partition (`aws`, `aws-cn`, …).
    pub partition: String,
    /// The 12-digit account.
    pub account: String,
    /// The user's or role's name (for a session, its role's), without the path.
    pub name: Option<String>,
    /// The ARN a trust policy names for it: a session's role (`arn:P:iam::ACCOUNT:role/NAME`,
    /// without the path STS does not give), else the ARN itself.
    pub trusted_arn: String,
}

/// `arn` as an IAM principal (an account's root, a user, a role, or a role's session) in a
/// partition the profile store accepts, or `null` for anything else.
#[napi(catch_unwind, ts_args_type = "arn: string")]
pub fn iam_principal(env: &Env, arn: Unknown<'_>) -> napi::Result<Option<IamPrincipal>> {
    let arn = crate::args::text(env, "arn", arn)?;
    Ok(principal(&arn))
}

/// `arn` as an [`IamPrincipal`], when it is one.
fn principal(arn: &str) -> Option<IamPrincipal> {
    let parsed = Arn::parse(arn)?;
    let (kind, name) = match parsed.principal()? {
        Principal::Root => ("root", None),
        Principal::User(name) => ("user", Some(name)),
        Principal::Role(name) => ("role", Some(name)),
        Principal::AssumedRole(name) => ("assumed-role", Some(name)),
    };
    Some(IamPrincipal {
        kind: kind.to_owned(),
        partition: parsed.partition.to_owned(),
        account: parsed.account.to_owned(),
        name: name.map(str::to_owned),
        trusted_arn: access_roles_core::arn::trusted_principal(arn)?,
    })
}
