//! `describeProfile(app, stage, options)`.

use crate::args;
use crate::error::to_js;
use access_roles_core as core;
use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;

/// Which deployment profile applies to an app and stage, and the AssumeRole call it means.
#[napi(object)]
pub struct ProfileDescription {
    /// The profile store that was read.
    pub config_path: String,
    /// The profile chosen.
    pub profile: String,
    /// The store key that chose it: `apps.APP.stages.STAGE`, `apps.APP.defaultProfile` or
    /// `defaultProfile`.
    pub rule: String,
    /// The access role.
    pub role_arn: String,
    /// `sts:ExternalId` sent with AssumeRole, if any.
    pub external_id: Option<String>,
    /// Lifetime of the credentials in seconds.
    pub duration_seconds: u32,
    /// STS region.
    pub region: String,
    /// Which setting gave the region: the store profile's region, the region option, a region
    /// variable, an AWS config profile, or the us-east-1 default.
    pub region_rule: String,
    /// When a default chose the profile: the app's mapped stage that the stage asked for is a
    /// near miss of.
    pub near_stage: Option<String>,
    /// The role session name that will be used.
    pub session_name: String,
    /// AWS config profile of the base identity, when one applies.
    pub base_profile: Option<String>,
    /// The MFA device whose code resolving needs, if any profile on the way names one.
    pub mfa_serial: Option<String>,
    /// Role ARNs assumed first, in order, when the profile is chained with `via`.
    pub via_role_arns: Vec<String>,
    /// The `sts:SourceIdentity` that will be set, if the profile sets one.
    pub source_identity: Option<String>,
    /// Keys of the session tags that will be sent.
    pub session_tag_keys: Vec<String>,
    /// Keys of the session tags that pass on to roles assumed with the credentials.
    pub transitive_tag_keys: Vec<String>,
    /// Characters of the inline session policy as STS gets it (packed JSON), if the profile has one.
    pub policy_size: Option<u32>,
}

/// Tells which deployment profile the profile store assigns to `app` and `stage` and why,
/// without calling AWS. Throws the same coded errors as `resolveCredentials` for store problems.
#[napi(catch_unwind, ts_args_type = "app: string, stage: string, options?: ResolveOptions | undefined | null")]
pub fn describe_profile(
    env: &Env,
    app: Unknown<'_>,
    stage: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> napi::Result<ProfileDescription> {
    let (app, stage) = (args::text(env, "app", app)?, args::text(env, "stage", stage)?);
    let options = args::options(env, options)?;
    let plan = core::plan(&app, &stage, &options.plan).map_err(|err| to_js(env, &err))?;
    Ok(description(plan))
}

/// A plan as `describeProfile` answers it.
pub(crate) fn description(plan: core::Plan) -> ProfileDescription {
    let request = &plan.request;
    ProfileDescription {
        mfa_serial: request.mfa_serial().map(str::to_owned),
        via_role_arns: request.hops().iter().map(|hop| hop.role_arn.clone()).collect(),
        source_identity: request.source_identity.clone(),
        session_tag_keys: request.tags.iter().map(|(key, _)| key.clone()).collect(),
        transitive_tag_keys: request.transitive_tag_keys.clone(),
        policy_size: request.policy.as_ref().map(|p| u32::try_from(p.chars().count()).unwrap_or(u32::MAX)),
        config_path: plan.config_path.display().to_string(),
        role_arn: request.role_arn.clone(),
        external_id: request.external_id.clone(),
        duration_seconds: request.duration_seconds,
        region: request.region.clone(),
        region_rule: plan.region_rule.to_string(),
        near_stage: plan.near_stage.clone(),
        session_name: request.session_name.clone(),
        base_profile: request.base_profile.clone(),
        profile: plan.profile,
        rule: plan.rule,
    }
}
