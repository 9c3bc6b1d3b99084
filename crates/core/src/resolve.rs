//! `resolve`: from an app and stage to assumed-role keys.

use crate::cache::{self, CacheSettings};
use crate::credentials::AccessRoleCredentials;
use crate::error::Error;
use crate::profiles::{self, Discovery, DurationSeconds, Region, SessionNameTemplate};
use crate::session_name::{self, SessionContext};
use crate::sts::{self, AssumeRoleRequest};
use std::path::PathBuf;
use std::time::Duration;

/// How to resolve; every field is optional.
#[derive(Clone, Debug, Default)]
pub struct ResolveOptions {
    /// The profile store to use; when unset, discovery (see [`Discovery::find`]).
    pub config_path: Option<PathBuf>,
    /// Where discovery starts; when unset, the current directory.
    pub cwd: Option<PathBuf>,
    /// STS region when the profile names none; when unset, the AWS config's, else us-east-1.
    pub region: Option<String>,
    /// AWS config profile of the base identity; wins over the profile's `sourceProfile`.
    pub base_profile: Option<String>,
    /// The Serverless service name, for the `{service}` session-name placeholder.
    pub service: Option<String>,
    /// Reuse keys from the memory and disk cache; when unset, true.
    pub cache: Option<bool>,
    /// Call STS even when cached keys are fresh, and cache the new ones.
    pub force_refresh: bool,
    /// Reuse cached keys only while more than this many seconds are left; when unset, 900.
    pub refresh_margin_seconds: Option<u32>,
    /// Disk cache directory; when unset, see [`CacheSettings::default_dir`].
    pub cache_dir: Option<PathBuf>,
}

impl ResolveOptions {
    fn cache_settings(&self) -> CacheSettings {
        CacheSettings {
            enabled: self.cache.unwrap_or(true),
            force_refresh: self.force_refresh,
            refresh_margin: self.refresh_margin_seconds.map(|s| Duration::from_secs(s.into())),
            dir: self.cache_dir.clone().or_else(CacheSettings::default_dir),
        }
    }
}

/// What resolving an app and stage would do, worked out without calling AWS.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The profile store that was read.
    pub config_path: PathBuf,
    /// The profile chosen.
    pub profile: String,
    /// The store key that chose it, e.g. `apps.payments.stages.prod`.
    pub rule: String,
    /// The AssumeRole call to make.
    pub request: AssumeRoleRequest,
}

/// Finds the store, picks the profile and prepares the AssumeRole call, without calling AWS.
///
/// 1. Finds and parses the profile store.
/// 2. Picks the profile: stage mapping, then the app's default, then the store's default.
/// 3. Renders the session name and settles region and base identity (`base_profile`, else the
///    profile's `sourceProfile`, else aws-config's default chain).
pub fn plan(app: &str, stage: &str, options: &ResolveOptions) -> Result<Plan, Error> {
    check_name("app", app)?;
    check_name("stage", stage)?;
    let region = options
        .region
        .clone()
        .filter(|r| !r.is_empty())
        .map(|r| Region::try_from(r).map_err(|message| Error::InvalidArgument { name: "region", message }))
        .transpose()?;

    let path = Discovery::from_env(options.config_path.clone(), options.cwd.clone()).find()?;
    let store = profiles::load(&path)?;
    let selection = store.select(app, stage)?;
    let profile = selection.profile;

    let user = session_name::local_user();
    let template = profile.session_name.clone().unwrap_or_else(SessionNameTemplate::default_template);
    let session_name = session_name::render(
        &template,
        &SessionContext { user: user.as_deref(), app, stage, profile: selection.name, service: options.service.as_deref() },
    );
    let request = AssumeRoleRequest {
        role_arn: profile.role_arn.to_string(),
        session_name,
        external_id: profile.external_id.as_ref().map(|e| e.as_str().to_owned()),
        duration_seconds: profile.duration_seconds.unwrap_or(DurationSeconds::DEFAULT).get(),
        region: profile.region.as_ref().or(region.as_ref()).map(|r| r.as_str().to_owned()),
        base_profile: options.base_profile.clone().filter(|p| !p.is_empty()).or_else(|| profile.source_profile.clone()),
    };
    Ok(Plan { config_path: path, profile: selection.name.to_owned(), rule: selection.reason.key(app, stage), request })
}

/// Resolves temporary keys of the access role that the profile store assigns to `app` and `stage`:
/// [`plan`], then cached keys while they are fresh (see [`cache::fetch`]), else STS AssumeRole.
pub async fn resolve(app: &str, stage: &str, options: &ResolveOptions) -> Result<AccessRoleCredentials, Error> {
    let plan = plan(app, stage, options)?;
    let (assumed, source) = cache::fetch(&plan.request, &options.cache_settings(), || sts::assume_role(&plan.request)).await?;
    Ok(AccessRoleCredentials {
        access_key_id: assumed.access_key_id,
        secret_access_key: assumed.secret_access_key,
        session_token: assumed.session_token,
        expiration: assumed.expiration,
        profile: plan.profile,
        role_arn: plan.request.role_arn,
        assumed_role_arn: assumed.assumed_role_arn,
        region: assumed.region,
        source,
    })
}

/// App and stage names: non-empty, at most 128 characters, no control characters.
fn check_name(name: &'static str, value: &str) -> Result<(), Error> {
    let message = if value.trim().is_empty() {
        "must not be empty".to_owned()
    } else if value.chars().count() > 128 {
        format!("is {} characters long; at most 128 are allowed", value.chars().count())
    } else if value.chars().any(char::is_control) {
        "contains a control character".to_owned()
    } else {
        return Ok(());
    };
    Err(Error::InvalidArgument { name, message })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
    }

    #[test]
    fn empty_long_and_control_character_names_are_invalid_arguments() {
        for (app, stage) in [("", "dev"), ("app", "  "), ("a\0b", "dev"), (&*"x".repeat(129), "dev")] {
            let err = block_on(resolve(app, stage, &ResolveOptions::default())).unwrap_err();
            assert_eq!(err.code(), "E_INVALID_ARGUMENT", "{err}");
        }
    }

    #[test]
    fn a_malformed_region_option_is_an_invalid_argument() {
        let options = ResolveOptions { region: Some("mars".to_owned()), ..Default::default() };
        let err = block_on(resolve("app", "dev", &options)).unwrap_err();
        assert_eq!((err.code(), err.to_string().contains("mars")), ("E_INVALID_ARGUMENT", true));
    }

    #[test]
    fn store_errors_surface_before_any_call_to_aws() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("access-roles.yml"), "profiles: {}\n").unwrap();
        let options = ResolveOptions { cwd: Some(dir.path().to_owned()), ..Default::default() };
        let err = block_on(resolve("app", "dev", &options)).unwrap_err();
        assert_eq!(err.code(), "E_NO_PROFILE");
    }

    #[test]
    fn a_plan_names_the_store_the_rule_and_the_call_to_make() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy("test-data/design-example.yml", dir.path().join("access-roles.yml")).unwrap();
        let options = ResolveOptions {
            cwd: Some(dir.path().to_owned()),
            region: Some("eu-west-1".to_owned()),
            base_profile: Some("ci".to_owned()),
            ..Default::default()
        };
        let plan = plan("payments", "prod", &options).unwrap();
        assert_eq!(plan.config_path, dir.path().join("access-roles.yml"));
        assert_eq!((plan.profile.as_str(), plan.rule.as_str()), ("production", "apps.payments.stages.prod"));
        assert_eq!(plan.request.role_arn, "arn:aws:iam::222222222222:role/serverless-deploy");
        assert_eq!((plan.request.duration_seconds, plan.request.region.as_deref()), (3600, Some("eu-west-1")));
        assert_eq!(plan.request.base_profile.as_deref(), Some("ci"));
        assert!(plan.request.session_name.ends_with("-payments-prod"), "{}", plan.request.session_name);

        let sandbox = super::plan("payments", "dev", &ResolveOptions { cwd: Some(dir.path().to_owned()), ..Default::default() }).unwrap();
        assert_eq!(sandbox.request.external_id.as_deref(), Some("acme-7f3a"));
        assert_eq!(sandbox.request.region.as_deref(), Some("us-east-1"), "the profile's region wins");
        assert_eq!(sandbox.request.base_profile.as_deref(), Some("acme-sso"), "sourceProfile applies when no base profile is given");
    }
}
