//! `plan`: from an app and stage to the AssumeRole calls to make, without calling AWS.
//!
//! Planning reads the profile store and the environment, and nothing here talks to STS: the
//! [`AssumeRoleRequest`]s it makes are what [`crate::sts`] sends and [`crate::cache`] keys on.

use crate::context::Context;
use crate::error::Error;
use crate::naming::{self, SessionContext};
use crate::profiles::{self, Discovery, DurationSeconds, NameTemplate, Profile, ProfileStore, Region};
use crate::region::{self, RegionRule};
use std::path::PathBuf;

/// What planning reads besides the app and stage; every field is optional.
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    /// The profile store to use; when unset, discovery (see [`crate::profiles::Discovery::find`]).
    pub config_path: Option<PathBuf>,
    /// Where discovery starts; when unset, the current directory.
    pub cwd: Option<PathBuf>,
    /// STS region when the profile names none; when unset, see [`crate::region`]'s order
    /// (region variables, the base identity's AWS config profile, us-east-1; never instance
    /// metadata).
    pub region: Option<String>,
    /// AWS config profile of the base identity; wins over the profile's `sourceProfile`.
    pub base_profile: Option<String>,
    /// The Serverless service name, for the `{service}` placeholder.
    pub service: Option<String>,
    /// The world the core reads: the environment (discovery, the local user, the cache, the STS
    /// endpoint), the clock and the memory of parsed stores, AWS files and keys. When unset, the
    /// process's environment with a memory of its own: a caller that resolves more than once
    /// keeps one context (see [`Context`]).
    pub context: Context,
}

/// Everything one AssumeRole call needs.
#[derive(Clone, Debug)]
pub struct AssumeRoleRequest {
    /// The access role.
    pub role_arn: String,
    /// The role session name, already sanitised.
    pub session_name: String,
    /// `sts:ExternalId`, when the role demands one.
    pub external_id: Option<String>,
    /// Lifetime of the credentials in seconds.
    pub duration_seconds: u32,
    /// STS region, decided while planning (see [`crate::region`]).
    pub region: String,
    /// AWS config profile of the base identity; when unset, the default chain.
    pub base_profile: Option<String>,
    /// MFA device whose code is presented; when set, a code is required (see
    /// [`crate::sts::CallSettings::mfa_code`]).
    pub mfa_serial: Option<String>,
    /// `sts:SourceIdentity`, already sanitised.
    pub source_identity: Option<String>,
    /// Session tags, as key and value.
    pub tags: Vec<(String, String)>,
    /// Keys of `tags` that pass on to roles assumed with the resulting credentials.
    pub transitive_tag_keys: Vec<String>,
    /// Inline session policy as JSON.
    pub policy: Option<String>,
    /// The call whose credentials make this one (role chaining); when unset, the base identity's.
    pub via: Option<Box<AssumeRoleRequest>>,
}

impl AssumeRoleRequest {
    /// The calls before this one in its chain, in the order they are made (the first hop
    /// first); empty for a profile without `via`.
    pub fn hops(&self) -> Vec<&AssumeRoleRequest> {
        let mut hops = Vec::new();
        let mut hop = self.via.as_deref();
        while let Some(first) = hop {
            hops.insert(0, first);
            hop = first.via.as_deref();
        }
        hops
    }

    /// The call made first: the first of [`AssumeRoleRequest::hops`], else this one. Its base
    /// identity is the chain's.
    pub fn first_hop(&self) -> &AssumeRoleRequest {
        self.hops().first().copied().unwrap_or(self)
    }

    /// The MFA device whose code this call, or a call before it in the chain, presents. The
    /// store allows one device per chain (see [`crate::profiles::ProfileStore::parse`]).
    pub fn mfa_serial(&self) -> Option<&str> {
        self.hops().into_iter().chain([self]).find_map(|r| r.mfa_serial.as_deref())
    }
}

#[cfg(test)]
impl AssumeRoleRequest {
    /// A plain request for `role_arn`: one hour, session name `test-session`, nothing else set.
    /// The starting point of tests.
    pub(crate) fn plain(role_arn: &str) -> AssumeRoleRequest {
        AssumeRoleRequest {
            role_arn: role_arn.to_owned(),
            session_name: "test-session".to_owned(),
            external_id: None,
            duration_seconds: 3600,
            region: "us-east-1".to_owned(),
            base_profile: None,
            mfa_serial: None,
            source_identity: None,
            tags: Vec::new(),
            transitive_tag_keys: Vec::new(),
            policy: None,
            via: None,
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
    /// Which setting gave the STS region.
    pub region_rule: RegionRule,
    /// When a default chose the profile: the app's mapped stage the stage asked for is a near
    /// miss of (`prd` for `prod`), for a did-you-mean warning.
    pub near_stage: Option<String>,
    /// The AssumeRole call to make (with the calls before it in `via`, for chained profiles).
    pub request: AssumeRoleRequest,
}

/// Finds the store, picks the profile and prepares the AssumeRole call, without calling AWS.
///
/// 1. Finds and parses the profile store.
/// 2. Picks the profile: stage mapping, then the app's default, then the store's default.
/// 3. Renders the session name and source identity, and settles region and base identity
///    (`base_profile`, else the profile's `sourceProfile`, else aws-config's default chain). A
///    profile with `via` is assumed with the keys of that profile, prepared the same way.
pub fn plan(app: &str, stage: &str, options: &PlanOptions) -> Result<Plan, Error> {
    let region = checked_region(app, stage, options)?;
    let path = Discovery::new(options.config_path.clone(), options.cwd.clone(), options.context.env()).find()?;
    let store = profiles::load(&options.context, &path)?;
    plan_checked(&store, app, stage, region.as_ref(), options)
}

/// [`plan`] with a store already parsed (from a text that is not on disk yet, see
/// [`crate::profiles::ProfileStore::parse_as`]): steps 2 and 3; `options.config_path` and
/// `options.cwd` are not read.
pub fn plan_in(store: &ProfileStore, app: &str, stage: &str, options: &PlanOptions) -> Result<Plan, Error> {
    let region = checked_region(app, stage, options)?;
    plan_checked(store, app, stage, region.as_ref(), options)
}

/// The app and stage checked, and the region option parsed.
fn checked_region(app: &str, stage: &str, options: &PlanOptions) -> Result<Option<Region>, Error> {
    check_names(app, stage)?;
    options
        .region
        .clone()
        .filter(|r| !r.is_empty())
        .map(|r| Region::try_from(r).map_err(|message| Error::InvalidArgument { name: "region", message }))
        .transpose()
}

/// Steps 2 and 3 of [`plan`].
fn plan_checked(
    store: &ProfileStore,
    app: &str,
    stage: &str,
    region: Option<&Region>,
    options: &PlanOptions,
) -> Result<Plan, Error> {
    let selection = store.select(app, stage)?;
    let user = naming::local_user(options.context.env());
    let context = SessionContext {
        user: user.as_deref(),
        app,
        stage,
        profile: selection.name,
        service: options.service.as_deref(),
    };
    let (request, region_rule) = request_for(store, selection.name, selection.profile, &context, region, options)?;
    let rule = selection.rule.key(app, stage);
    let near_stage = selection.near_stage.map(str::to_owned);
    Ok(Plan {
        config_path: store.path.clone(),
        profile: selection.name.to_owned(),
        rule,
        region_rule,
        near_stage,
        request,
    })
}

/// The AssumeRole call for `profile`, and for the profiles it is chained through, with the
/// rule that gave its region.
///
/// The store was checked for loops and undefined names when it was parsed.
fn request_for(
    store: &ProfileStore,
    name: &str,
    profile: &Profile,
    context: &SessionContext<'_>,
    region: Option<&Region>,
    options: &PlanOptions,
) -> Result<(AssumeRoleRequest, RegionRule), Error> {
    let context = SessionContext { profile: name, ..context.clone() };
    let template = profile.session_name.clone().unwrap_or_else(NameTemplate::default_template);
    let via = match profile.via.as_ref().and_then(|via| store.profiles.get_key_value(via)) {
        Some((via_name, via_profile)) => {
            Some(Box::new(request_for(store, via_name, via_profile, &context, region, options)?.0))
        }
        None => None,
    };
    let base_profile =
        options.base_profile.clone().filter(|p| !p.is_empty()).or_else(|| profile.source_profile.clone());
    // The base identity is the first hop's.
    let first_base = via.as_deref().map_or(base_profile.as_deref(), |via| via.first_hop().base_profile.as_deref());
    let (region, region_rule) = region::decide(profile.region.as_ref(), region, first_base, &options.context)?;
    let request = AssumeRoleRequest {
        role_arn: profile.role_arn.to_string(),
        session_name: naming::render(&template, &context),
        external_id: profile.external_id.as_ref().map(|e| e.as_str().to_owned()),
        duration_seconds: profile.duration_seconds.unwrap_or(DurationSeconds::DEFAULT).get(),
        region,
        base_profile,
        mfa_serial: profile.mfa_serial.as_ref().map(|m| m.as_str().to_owned()),
        source_identity: profile.source_identity.as_ref().map(|t| naming::render(t, &context)),
        tags: profile.session_tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        transitive_tag_keys: profile.transitive_tag_keys.clone(),
        policy: profile.policy.as_ref().map(|p| p.as_json().to_owned()),
        via,
    };
    Ok((request, region_rule))
}

/// App and stage names, by the one rule for names (see [`crate::profiles::name_problem`]).
/// The app and stage checked as [`plan`] checks them, before anything is read: for a caller that
/// has a store text to check for them (`checkStore`).
pub fn check_names(app: &str, stage: &str) -> Result<(), Error> {
    check_name("app", app)?;
    check_name("stage", stage)
}

fn check_name(name: &'static str, value: &str) -> Result<(), Error> {
    crate::profiles::name_problem(value).map_or(Ok(()), |message| Err(Error::InvalidArgument { name, message }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;

    fn in_dir(text: &str) -> (tempfile::TempDir, PlanOptions) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("access-roles.yml"), text).unwrap();
        let context = Env::from_slice(&[("USER", "ana")]).into();
        let options = PlanOptions { cwd: Some(dir.path().to_owned()), context, ..Default::default() };
        (dir, options)
    }

    #[test]
    fn empty_long_and_control_character_names_are_invalid_arguments() {
        for (app, stage) in [("", "dev"), ("app", "  "), ("a\0b", "dev"), (&*"x".repeat(129), "dev")] {
            let err = plan(app, stage, &PlanOptions::default()).unwrap_err();
            assert_eq!(err.code(), "E_INVALID_ARGUMENT", "{err}");
        }
    }

    #[test]
    fn a_malformed_region_option_is_an_invalid_argument() {
        let options = PlanOptions { region: Some("mars".to_owned()), ..Default::default() };
        let err = plan("app", "dev", &options).unwrap_err();
        assert_eq!((err.code(), err.to_string().contains("mars")), ("E_INVALID_ARGUMENT", true));
    }

    #[test]
    fn a_plan_names_the_store_the_rule_and_the_call_to_make() {
        let (dir, options) = in_dir(include_str!("../test-data/design-example.yml"));
        let options =
            PlanOptions { region: Some("eu-west-1".to_owned()), base_profile: Some("ci".to_owned()), ..options };
        let plan = plan("payments", "prod", &options).unwrap();
        assert_eq!(plan.config_path, dir.path().join("access-roles.yml"));
        assert_eq!((plan.profile.as_str(), plan.rule.as_str()), ("production", "apps.payments.stages.prod"));
        assert_eq!(plan.request.role_arn, "arn:aws:iam::222222222222:role/serverless-deploy");
        assert_eq!((plan.request.duration_seconds, plan.request.region.as_str()), (3600, "eu-west-1"));
        assert_eq!(plan.region_rule, RegionRule::Option);
        assert_eq!(plan.request.base_profile.as_deref(), Some("ci"));
        assert_eq!(plan.request.session_name, "ana-payments-prod");

        let context = Env::from_slice(&[]).into();
        let options = PlanOptions { cwd: Some(dir.path().to_owned()), context, ..Default::default() };
        let sandbox = super::plan("payments", "dev", &options).unwrap();
        assert_eq!(sandbox.request.external_id.as_deref(), Some("acme-7f3a"));
        assert_eq!(sandbox.request.region, "us-east-1", "the profile's region wins");
        assert_eq!(sandbox.region_rule, RegionRule::Profile);
        assert_eq!(
            sandbox.request.base_profile.as_deref(),
            Some("acme-sso"),
            "sourceProfile applies when no base profile is given"
        );
    }

    #[test]
    fn a_store_not_on_disk_plans_as_the_same_store_read_from_disk() {
        let text = include_str!("../test-data/design-example.yml");
        let (dir, options) = in_dir(text);
        let path = dir.path().join("access-roles.yml");
        let store = ProfileStore::parse(&path, text).unwrap();
        let elsewhere = PlanOptions { cwd: Some(PathBuf::from("/nonexistent")), ..options.clone() };
        let (from_text, from_disk) =
            (plan_in(&store, "payments", "prod", &elsewhere).unwrap(), plan("payments", "prod", &options).unwrap());
        assert_eq!(from_text.config_path, from_disk.config_path);
        assert_eq!((from_text.profile, from_text.rule), (from_disk.profile, from_disk.rule));
        assert_eq!(from_text.request.session_name, from_disk.request.session_name);
        assert_eq!(plan_in(&store, "", "prod", &elsewhere).unwrap_err().code(), "E_INVALID_ARGUMENT");
    }

    #[test]
    fn a_chained_profile_plans_the_first_hop_inside_the_second() {
        let (_dir, options) = in_dir(
            "defaultProfile: deploy\nprofiles:\n  hub:\n    roleArn: arn:aws:iam::111111111111:role/hub\n    mfaSerial: arn:aws:iam::111111111111:mfa/ana\n    sourceProfile: sso\n  deploy:\n    roleArn: arn:aws:iam::222222222222:role/deploy\n    via: hub\n    sourceIdentity: \"{user}@{stage}\"\n    sessionTags: {team: payments}\n    transitiveTagKeys: [team]\n",
        );
        let plan = plan("app", "prod", &options).unwrap();
        let hub = plan.request.via.as_deref().unwrap();
        assert_eq!(hub.role_arn, "arn:aws:iam::111111111111:role/hub");
        assert_eq!(hub.mfa_serial.as_deref(), Some("arn:aws:iam::111111111111:mfa/ana"));
        assert_eq!(hub.base_profile.as_deref(), Some("sso"));
        assert!(hub.via.is_none());
        assert_eq!(
            plan.request.hops().iter().map(|r| r.role_arn.as_str()).collect::<Vec<_>>(),
            [hub.role_arn.as_str()]
        );
        assert_eq!(plan.request.mfa_serial(), Some("arn:aws:iam::111111111111:mfa/ana"), "a hop's device counts");
        assert!(plan.request.source_identity.as_deref().unwrap().ends_with("@prod"));
        assert_eq!(plan.request.tags, vec![("team".to_owned(), "payments".to_owned())]);
        assert_eq!(plan.request.transitive_tag_keys, vec!["team".to_owned()]);
    }

    #[test]
    fn each_hop_names_its_session_after_its_own_profile() {
        let (_dir, options) = in_dir(
            "defaultProfile: deploy\nprofiles:\n  hub:\n    roleArn: arn:aws:iam::111111111111:role/hub\n    sessionName: \"{profile}-{stage}\"\n  deploy:\n    roleArn: arn:aws:iam::222222222222:role/deploy\n    via: hub\n    sessionName: \"{profile}-{stage}\"\n",
        );
        let plan = plan("app", "prod", &options).unwrap();
        assert_eq!(plan.request.session_name, "deploy-prod");
        assert_eq!(plan.request.via.as_deref().unwrap().session_name, "hub-prod");
    }
}
