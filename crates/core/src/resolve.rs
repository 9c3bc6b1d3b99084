//! `resolve`: from an app and stage to assumed-role credentials, through the session the
//! environment carries and the cache.

use crate::aws_profiles::own_selected_profile;
use crate::base_identity::BaseIdentity;
use crate::cache::{self, CacheSettings};
use crate::context::Context;
use crate::credentials::{AccessRoleCredentials, Credentials, Secret, Source};
use crate::error::Error;
use crate::plan::{plan, Plan, PlanOptions};
use crate::role_env::{request_digest, session_keys, SessionLookup};
use crate::sts::{self, CallSettings};
use std::path::PathBuf;
use std::time::Duration;

/// How to resolve: what to plan, and the settings of the call; every field is optional.
#[derive(Clone, Debug, Default)]
pub struct ResolveOptions {
    /// What planning reads: the store, where discovery starts, region, base identity, and the
    /// environment. That environment is also what the base identity, the cache key and the
    /// session check read: a session's refresh passes the variables as they were before the
    /// session was exported, so the base identity stays the one it started from.
    pub plan: PlanOptions,
    /// Reuse credentials from the memory and disk cache; when unset, true.
    pub cache: Option<bool>,
    /// Call STS even when cached credentials are fresh, and cache the new ones.
    pub force_refresh: bool,
    /// Reuse cached credentials only while more than this many seconds are left; when unset,
    /// 900. Never more than half their lifetime. It sets
    /// [`AccessRoleCredentials::refresh_at`] too.
    pub refresh_margin_seconds: Option<u32>,
    /// Disk cache directory; when unset, see [`cache::CacheDir::chosen`].
    pub cache_dir: Option<PathBuf>,
    /// The current code of the profile's MFA device. The core reads no variable for it: the
    /// caller asks the person, or reads its own setting, once.
    pub mfa_code: Option<Secret>,
    /// Longest time one STS call may take, retries included; when unset, 20 seconds.
    pub timeout_seconds: Option<u32>,
}

/// One resolve with its plan made: answers at once from the session the environment carries or
/// from this process's memory, or fetches.
///
/// The store is planned once per resolve, whichever way the answer comes.
#[derive(Debug)]
pub struct Resolver {
    plan: Plan,
    /// The context as the caller gave it (the cache and STS get the base identity's, see
    /// [`BaseIdentity`]).
    context: Context,
    /// The session the environment carries for this role and request, if any.
    session: SessionLookup,
    /// The base identity's AWS profile, when one is named.
    base_profile: Option<String>,
    /// The profile `AWS_PROFILE` selects when the default chain takes the key variables instead.
    aws_profile_shadowed: Option<String>,
    cache: CacheSettings,
    call: CallSettings,
}

impl Resolver {
    /// Plans `app` and `stage` (see [`plan`]) and looks at the session the environment carries
    /// (see [`crate::role_env`]); store, argument and session errors surface here, before any
    /// call to AWS.
    pub fn new(app: &str, stage: &str, options: &ResolveOptions) -> Result<Resolver, Error> {
        let context = &options.plan.context;
        let env = context.env();
        let plan = plan(app, stage, &options.plan)?;
        let session = session_keys(env, &plan.request, context.now())?;
        // A named base profile is the only source of the base identity; a profile that runs
        // this package's bin is not its own base identity.
        let BaseIdentity { profile: base_profile, context: base } = BaseIdentity::of(&plan.request, context)?;
        crate::key_vars::check(base.env())?;
        let aws_profile_shadowed =
            if base_profile.is_none() { crate::aws_profiles::shadowed_by_key_variables(base.env()) } else { None };
        let cache = CacheSettings {
            enabled: options.cache.unwrap_or(true),
            force_refresh: options.force_refresh,
            refresh_margin: options.refresh_margin_seconds.map(|s| Duration::from_secs(s.into())),
            dir: cache::CacheDir::chosen(options.cache_dir.as_deref(), env),
            context: base.clone(),
            label: cache::Label {
                profile: Some(plan.profile.clone()),
                role_arn: Some(plan.request.role_arn.clone()),
                app: Some(app.to_owned()),
                stage: Some(stage.to_owned()),
            },
        };
        let call = CallSettings {
            mfa_code: options.mfa_code.clone(),
            timeout: Duration::from_secs(options.timeout_seconds.unwrap_or(20).clamp(1, 300).into()),
            context: base,
        };
        Ok(Resolver { plan, context: context.clone(), session, base_profile, aws_profile_shadowed, cache, call })
    }

    /// The credentials of the session the environment carries, else fresh cached ones that can
    /// be had without waiting: held in memory, or in an entry of a private cache directory, while
    /// no other caller is busy with the key. Never calls STS.
    pub fn cached(&self) -> Option<AccessRoleCredentials> {
        if self.session.served.is_some() {
            return None;
        }
        if let Some(session) = &self.session.keys {
            return Some(self.finish(session.clone(), Source::Session));
        }
        let credentials = cache::peek(&self.plan.request, &self.cache)?;
        Some(self.finish(credentials, Source::Cache))
    }

    /// The session's credentials (from the environment, or from the endpoint that serves them),
    /// else cached credentials while they are fresh (see [`cache::fetch`]), else STS AssumeRole.
    ///
    /// An MFA code is needed only when STS is called, so cached credentials spare the prompt.
    pub async fn resolve(self) -> Result<AccessRoleCredentials, Error> {
        if let Some(session) = &self.session.keys {
            return Ok(self.finish(session.clone(), Source::Session));
        }
        if let Some(served) = &self.session.served {
            let keys = sts::served_credentials(
                &served.endpoint,
                &self.plan.request.role_arn,
                &served.assumed_role_arn,
                &served.region,
                self.call.timeout,
            )
            .await?;
            return Ok(self.finish(keys, Source::Session));
        }
        // Not answered from the session or memory: STS is likely next, unless another process
        // is writing the disk entry.
        sts::read_root_certificates_ahead();
        let request = &self.plan.request;
        let fetched = cache::fetch(request, &self.cache, || sts::assume_role(request, &self.call)).await;
        let fetched = fetched.map_err(|err| match err {
            // The chain had no base identity once the profile that runs the bin was skipped: say so.
            Error::NoBaseCredentials { base_profile: None, reason, .. } => Error::NoBaseCredentials {
                base_profile: None,
                reason,
                skipped_profile: own_selected_profile(&self.context),
            },
            other => other,
        })?;
        Ok(AccessRoleCredentials {
            disk_cache_off: fetched.disk_cache_off,
            ..self.finish(fetched.credentials, fetched.source)
        })
    }

    /// Who the base identity is, asked of STS with GetCallerIdentity (see
    /// [`sts::caller_identity`]), and whether it already is the role: for `doctor`.
    pub async fn caller_identity(&self) -> Result<sts::CallerIdentity, Error> {
        sts::caller_identity(&self.plan.request, &self.call).await
    }

    fn finish(&self, credentials: Credentials, source: Source) -> AccessRoleCredentials {
        let margin = self.cache.margin(self.plan.request.duration_seconds);
        AccessRoleCredentials {
            refresh_at: credentials.expiration.checked_sub(margin).unwrap_or(credentials.expiration),
            access_key_id: credentials.access_key_id,
            secret_access_key: credentials.secret_access_key,
            session_token: credentials.session_token,
            expiration: credentials.expiration,
            profile: self.plan.profile.clone(),
            rule: self.plan.rule.clone(),
            near_stage: self.plan.near_stage.clone(),
            base_profile: self.base_profile.clone(),
            // Keys of the session are bound to what made them (see `SessionLookup::request_digest`).
            request_digest: self.session.request_digest.clone().unwrap_or_else(|| request_digest(&self.plan.request)),
            session_ignored: self.session.ignored.clone(),
            role_arn: self.plan.request.role_arn.clone(),
            assumed_role_arn: credentials.assumed_role_arn,
            region: credentials.region,
            // Keys of the session used no base identity.
            aws_profile_shadowed: self.aws_profile_shadowed.clone().filter(|_| source != Source::Session),
            source,
            disk_cache_off: None,
        }
    }
}

/// Resolves temporary credentials of the access role that the profile store assigns to `app`
/// and `stage`: [`plan`], then the credentials of the session the environment carries, then
/// cached credentials while they are fresh, else STS AssumeRole.
pub async fn resolve(app: &str, stage: &str, options: &ResolveOptions) -> Result<AccessRoleCredentials, Error> {
    let resolver = Resolver::new(app, stage, options)?;
    match resolver.cached() {
        Some(credentials) => Ok(credentials),
        None => resolver.resolve().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
    }

    fn in_dir(text: &str) -> (tempfile::TempDir, ResolveOptions) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("access-roles.yml"), text).unwrap();
        let context = Env::from_slice(&[]).into();
        let plan = PlanOptions { cwd: Some(dir.path().to_owned()), context, ..Default::default() };
        (dir, ResolveOptions { plan, ..Default::default() })
    }

    #[test]
    fn store_errors_surface_before_any_call_to_aws() {
        let (_dir, options) = in_dir("profiles: {}\n");
        let err = block_on(resolve("app", "dev", &options)).unwrap_err();
        assert_eq!(err.code(), "E_NO_PROFILE");
    }

    #[test]
    fn a_profile_with_an_mfa_device_and_no_code_is_e_mfa_required_before_any_call() {
        let (_dir, options) = in_dir(
            "defaultProfile: p\nprofiles:\n  p:\n    roleArn: arn:aws:iam::111111111111:role/r\n    mfaSerial: arn:aws:iam::111111111111:mfa/ana\n",
        );
        let options = ResolveOptions { cache: Some(false), ..options };
        let err = block_on(resolve("app", "dev", &options)).unwrap_err();
        assert_eq!(err.code(), "E_MFA_REQUIRED");
        assert!(err.to_string().contains("arn:aws:iam::111111111111:mfa/ana"), "{err}");
        let bad = ResolveOptions { mfa_code: Some(Secret::new("12ab56")), ..options };
        let err = block_on(resolve("app", "dev", &bad)).unwrap_err();
        assert_eq!(err.code(), "E_INVALID_ARGUMENT");
        assert!(!err.to_string().contains("12ab56"), "{err}");
    }

    #[test]
    fn the_mfa_code_is_never_read_from_the_environment() {
        let (_dir, options) = in_dir(
            "defaultProfile: p\nprofiles:\n  p:\n    roleArn: arn:aws:iam::111111111111:role/r\n    mfaSerial: arn:aws:iam::111111111111:mfa/ana\n",
        );
        let env = Env::from_slice(&[("SERVERLESS_ACCESS_ROLES_MFA_CODE", "123456")]);
        let options =
            ResolveOptions { cache: Some(false), plan: PlanOptions { context: env.into(), ..options.plan }, ..options };
        let err = block_on(resolve("app", "dev", &options)).unwrap_err();
        assert_eq!(err.code(), "E_MFA_REQUIRED");
    }

    #[test]
    fn inside_a_session_of_the_role_the_answer_is_at_once_and_from_the_environment() {
        let (_dir, options) =
            in_dir("defaultProfile: p\nprofiles:\n  p:\n    roleArn: arn:aws:iam::111111111111:role/r\n");
        let request = Resolver::new("app", "dev", &options).unwrap().plan.request;
        let expiration = std::time::SystemTime::now() + Duration::from_secs(1800);
        let session = crate::role_env::session_environment(&AccessRoleCredentials {
            access_key_id: "ASIASESSION".to_owned(),
            secret_access_key: Secret::new("s"),
            session_token: Secret::new("t"),
            expiration,
            refresh_at: expiration,
            profile: "p".to_owned(),
            rule: "defaultProfile".to_owned(),
            near_stage: None,
            base_profile: None,
            request_digest: request_digest(&request),
            session_ignored: None,
            role_arn: request.role_arn.clone(),
            assumed_role_arn: "arn:aws:sts::111111111111:assumed-role/r/s".to_owned(),
            region: "us-east-1".to_owned(),
            source: Source::Sts,
            disk_cache_off: None,
            aws_profile_shadowed: None,
        });
        let set = session.set.iter().map(|(name, value)| (name.to_string(), Some(value.expose().to_owned())));
        // An AWS_PROFILE set again inside the session: its keys used no base identity at all.
        let env = Env::from_slice(&[("AWS_PROFILE", "admin")]).with_overrides(set);
        let options = ResolveOptions { plan: PlanOptions { context: env.into(), ..options.plan }, ..options };
        let cached = Resolver::new("app", "dev", &options).unwrap().cached().unwrap();
        assert_eq!((cached.access_key_id.as_str(), cached.source), ("ASIASESSION", Source::Session));
        assert_eq!(cached.aws_profile_shadowed, None);
        let resolved = block_on(resolve("app", "dev", &options)).unwrap();
        assert_eq!((resolved.access_key_id.as_str(), resolved.source), ("ASIASESSION", Source::Session));
    }

    /// A stand-in STS that grants role `r` for an hour, and a store naming it in a directory
    /// of its own.
    #[cfg(unix)]
    fn granting_sts_and_store() -> (crate::sts::stand_in::StandIn, tempfile::TempDir, ResolveOptions) {
        use crate::sts::stand_in;
        let answer = stand_in::assume_role_answer(
            std::time::SystemTime::now() + Duration::from_secs(3600),
            "arn:aws:sts::111111111111:assumed-role/r/s",
        );
        let sts = stand_in::serve(200, &[("content-type", "text/xml")], answer);
        let (dir, options) =
            in_dir("defaultProfile: p\nprofiles:\n  p:\n    roleArn: arn:aws:iam::111111111111:role/r\n");
        (sts, dir, options)
    }

    #[cfg(unix)]
    #[test]
    fn keys_made_with_the_key_variables_name_the_aws_profile_the_chain_did_not_read() {
        use crate::sts::stand_in;
        let (sts, _dir, options) = granting_sts_and_store();
        let env =
            stand_in::base_env(&sts.endpoint).with_overrides([("AWS_PROFILE".to_owned(), Some("admin".to_owned()))]);
        let options =
            ResolveOptions { cache: Some(false), plan: PlanOptions { context: env.into(), ..options.plan }, ..options };
        let resolved = block_on(resolve("app", "dev", &options)).unwrap();
        assert_eq!((resolved.source, resolved.aws_profile_shadowed.as_deref()), (Source::Sts, Some("admin")));
    }

    #[test]
    fn the_aws_profile_is_shadowed_only_by_both_key_variables() {
        let shadowed = |vars: &[(&str, &str)]| crate::aws_profiles::shadowed_by_key_variables(&Env::from_slice(vars));
        let keys = [("AWS_ACCESS_KEY_ID", "AKIA1"), ("AWS_SECRET_ACCESS_KEY", "s")];
        assert_eq!(shadowed(&[keys[0], keys[1], ("AWS_PROFILE", "admin")]).as_deref(), Some("admin"));
        assert_eq!(shadowed(&[keys[0], keys[1], ("AWS_DEFAULT_PROFILE", "ops")]).as_deref(), Some("ops"));
        assert_eq!(shadowed(&[keys[0], ("AWS_PROFILE", "admin")]), None, "one key variable is no keys");
        assert_eq!(shadowed(&[keys[0], ("AWS_SECRET_ACCESS_KEY", ""), ("AWS_PROFILE", "admin")]), None);
        assert_eq!(shadowed(&[keys[0], keys[1], ("AWS_PROFILE", "")]), None);
        assert_eq!(shadowed(&keys), None);
    }

    #[cfg(unix)]
    #[test]
    fn keys_from_sts_say_why_the_disk_cache_was_off_and_are_kept_in_memory() {
        use crate::sts::stand_in;
        let (sts, dir, options) = granting_sts_and_store();
        // The cache directory named is a symlink: the disk cache is off, and the answer says why.
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let options = ResolveOptions {
            cache_dir: Some(link),
            plan: PlanOptions { context: stand_in::base_env(&sts.endpoint).into(), ..options.plan },
            ..options
        };
        let resolved = block_on(resolve("app", "dev", &options)).unwrap();
        assert_eq!((resolved.access_key_id.as_str(), resolved.source), ("ASIASTANDINKEY000001", Source::Sts));
        assert_eq!(resolved.profile, "p");
        let off = resolved.disk_cache_off.unwrap_or_default();
        assert!(off.ends_with("link is a symlink; use a real directory"), "{off}");
        assert_eq!(std::fs::read_dir(&real).unwrap().count(), 0, "nothing written through the link");
        let again = block_on(resolve("app", "dev", &options)).unwrap();
        assert_eq!(
            (again.access_key_id.as_str(), again.source, sts.requests()),
            ("ASIASTANDINKEY000001", Source::Cache, 1)
        );
    }

    #[test]
    fn credentials_are_due_for_refresh_one_margin_before_they_expire() {
        let (_dir, options) = in_dir("defaultProfile: p\nprofiles:\n  p:\n    roleArn: arn:aws:iam::111111111111:role/r\n    durationSeconds: 900\n");
        let resolver = Resolver::new("app", "dev", &options).unwrap();
        let expiration = std::time::SystemTime::now() + Duration::from_secs(900);
        let credentials = Credentials {
            access_key_id: "ASIA".to_owned(),
            secret_access_key: Secret::new("s"),
            session_token: Secret::new("t"),
            expiration,
            assumed_role_arn: "arn:aws:sts::111111111111:assumed-role/r/s".to_owned(),
            region: "us-east-1".to_owned(),
        };
        let finished = resolver.finish(credentials.clone(), Source::Sts);
        assert_eq!(finished.refresh_at, expiration - Duration::from_secs(450), "half of a 15-minute session");
        let options = ResolveOptions { refresh_margin_seconds: Some(60), ..options };
        let finished = Resolver::new("app", "dev", &options).unwrap().finish(credentials, Source::Sts);
        assert_eq!(finished.refresh_at, expiration - Duration::from_secs(60));
    }
}
