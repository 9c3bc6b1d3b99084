//! The AWS config profiles a profile store implies.

use super::is_profile_name;
use crate::error::Error;
use crate::plan::PlanOptions;
use crate::profiles::{self, Discovery, ProfileStore, Rule};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One AWS config profile the store implies: `credential-process` for one app and stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProfile {
    /// The AWS config profile name: the prefix and `APP-STAGE` for a stage mapping, the prefix
    /// and `APP` for an app's default.
    pub name: String,
    /// The app to resolve.
    pub app: String,
    /// The stage to resolve. For an app's default it is a stage the app does not map (`default`,
    /// unless the app maps that name), so that the lookup ends at the app's default profile.
    pub stage: String,
    /// The deployment profile it resolves to.
    pub profile: String,
    /// The store key that chose it, e.g. `apps.payments.stages.dev`.
    pub rule: String,
    /// The deployment profile's `region`, when it names one.
    pub region: Option<String>,
}

/// A profile the store implies but that cannot be written, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The name it would have had.
    pub name: String,
    /// The store key it comes from.
    pub rule: String,
    /// Why it is left out.
    pub reason: String,
}

/// The AWS config profiles of one profile store.
#[derive(Clone, Debug, Default)]
pub struct Listing {
    /// The profile store that was read.
    pub config_path: PathBuf,
    /// The profiles, app by app in name order, each app's default before its stages.
    pub profiles: Vec<ConfigProfile>,
    /// Profiles left out: names the AWS SDKs do not accept, or a name taken twice.
    pub skipped: Vec<Skipped>,
}

/// Finds the store as [`crate::resolve`] would (only `config_path` and `cwd` of `options`
/// matter) and lists the AWS config profiles it implies, each name starting with `prefix`:
///
/// 1. one named `APP` for each `apps.APP.defaultProfile`;
/// 2. one named `APP-STAGE` for each `apps.APP.stages.STAGE`, and for each of `stages` that the
///    app does not map, answered as a resolve would answer it (the app's default, else the
///    store's): so that `APP-${stage}` names a profile for every stage a service deploys.
///
/// The store's top-level `defaultProfile` makes no profile of its own: it belongs to no app.
pub fn list(options: &PlanOptions, prefix: &str, stages: &[String]) -> Result<Listing, Error> {
    if !prefix.is_empty() && !is_profile_name(prefix) {
        return Err(Error::InvalidArgument {
            name: "prefix",
            message: format!("`{prefix}` may hold only letters, digits and _-/.%@:+, as AWS profile names do"),
        });
    }
    for stage in stages {
        crate::profiles::name_problem(stage)
            .map_or(Ok(()), |message| Err(Error::InvalidArgument { name: "stages", message }))?;
    }
    let path = Discovery::new(options.config_path.clone(), options.cwd.clone(), options.context.env()).find()?;
    let store = profiles::load(&options.context, &path)?;
    Ok(listing_of(&store, prefix, stages))
}

/// The listing of a parsed store.
fn listing_of(store: &ProfileStore, prefix: &str, extra_stages: &[String]) -> Listing {
    let mut listing = Listing { config_path: store.path.clone(), ..Listing::default() };
    for (app, entry) in &store.apps {
        let default = entry.default_profile.as_ref().map(|profile| {
            (format!("{prefix}{app}"), unmapped_stage(&entry.stages), Ok((profile.as_str(), Rule::AppDefault)))
        });
        // The mapped stages and the extra ones, in name order, each as a resolve would answer it.
        let mut stages: Vec<&String> = entry.stages.keys().chain(extra_stages).collect();
        stages.sort();
        stages.dedup();
        let stages = stages.into_iter().map(|stage| {
            let chosen = store.select(app, stage).map(|selection| (selection.name, selection.rule)).map_err(drop);
            (format!("{prefix}{app}-{stage}"), stage.clone(), chosen)
        });
        for (name, stage, chosen) in default.into_iter().chain(stages) {
            let (profile, chosen_by): (&str, Rule) = match chosen {
                Ok(chosen) => chosen,
                Err(_) => {
                    let rule = format!("--stages {stage}");
                    let reason = format!(
                        "app `{app}` has no profile for stage `{stage}` (no mapping and no defaultProfile); map it or give the app a defaultProfile"
                    );
                    listing.skipped.push(Skipped { name, rule, reason });
                    continue;
                }
            };
            let rule = chosen_by.key(app, &stage);
            let taken = listing.profiles.iter().find(|p| p.name == name);
            let problem = if !is_profile_name(&name) {
                Some(format!(
                    "`{name}` is not an AWS profile name: letters, digits and _-/.%@:+ only; rename the app or stage"
                ))
            } else {
                taken.map(|first| format!("`{name}` is already the profile of {}", first.rule))
            };
            if let Some(reason) = problem {
                listing.skipped.push(Skipped { name, rule, reason });
                continue;
            }
            let region = store.profiles.get(profile).and_then(|p| p.region.as_ref()).map(|r| r.as_str().to_owned());
            let (app, profile) = (app.clone(), profile.to_owned());
            listing.profiles.push(ConfigProfile { name, app, stage, profile, rule, region });
        }
    }
    listing
}

/// A stage name that `stages` does not map: `default`, else `default-2`, `default-3`, ….
fn unmapped_stage(stages: &BTreeMap<String, String>) -> String {
    (1..)
        .map(|n| if n == 1 { "default".to_owned() } else { format!("default-{n}") })
        .find(|stage| !stages.contains_key(stage))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn store(text: &str) -> ProfileStore {
        ProfileStore::parse(Path::new("/srv/access-roles.yml"), text).unwrap()
    }

    fn names(listing: &Listing) -> Vec<&str> {
        listing.profiles.iter().map(|p| p.name.as_str()).collect()
    }

    #[test]
    fn each_stage_mapping_and_app_default_is_one_profile_with_the_profiles_region() {
        let listing = listing_of(&store(include_str!("../../test-data/design-example.yml")), "", &[]);
        assert_eq!(listing.config_path, Path::new("/srv/access-roles.yml"));
        assert_eq!(names(&listing), ["payments", "payments-prod"]);
        let default = &listing.profiles[0];
        assert_eq!((default.app.as_str(), default.stage.as_str()), ("payments", "default"));
        assert_eq!((default.profile.as_str(), default.rule.as_str()), ("sandbox", "apps.payments.defaultProfile"));
        assert_eq!(default.region.as_deref(), Some("us-east-1"));
        let prod = &listing.profiles[1];
        assert_eq!((prod.stage.as_str(), prod.profile.as_str()), ("prod", "production"));
        assert_eq!((prod.rule.as_str(), prod.region.as_deref()), ("apps.payments.stages.prod", None));
        assert!(listing.skipped.is_empty());
    }

    #[test]
    fn the_prefix_starts_every_name_and_must_itself_be_usable() {
        let listing = listing_of(&store(include_str!("../../test-data/design-example.yml")), "acme-", &[]);
        assert_eq!(names(&listing), ["acme-payments", "acme-payments-prod"]);
        let err = list(&PlanOptions::default(), "acme ", &[]).unwrap_err();
        assert_eq!(err.code(), "E_INVALID_ARGUMENT");
    }

    #[test]
    fn the_store_is_found_from_the_directory_and_listed_with_or_without_a_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let text = include_str!("../../test-data/design-example.yml");
        std::fs::write(dir.path().join("access-roles.yml"), text).unwrap();
        let context = crate::env::Env::from_slice(&[("USER", "ana")]).into();
        let options = PlanOptions { cwd: Some(dir.path().to_owned()), context, ..Default::default() };
        let listing = list(&options, "", &[]).unwrap();
        assert_eq!(listing.config_path, dir.path().join("access-roles.yml"));
        assert_eq!(names(&listing), ["payments", "payments-prod"]);
        let listing = list(&options, "acme-", &["dev".to_owned()]).unwrap();
        assert_eq!(names(&listing), ["acme-payments", "acme-payments-dev", "acme-payments-prod"]);
    }

    #[test]
    fn an_app_default_resolves_a_stage_the_app_does_not_map() {
        let text = "profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/a\n  b:\n    roleArn: arn:aws:iam::111111111111:role/b\napps:\n  web:\n    defaultProfile: a\n    stages:\n      default: b\n";
        let s = store(text);
        let listing = listing_of(&s, "", &[]);
        let web = &listing.profiles[0];
        assert_eq!((web.name.as_str(), web.stage.as_str()), ("web", "default-2"));
        assert_eq!(s.select(&web.app, &web.stage).unwrap().name, "a", "the lookup ends at the app's default");
        assert_eq!(names(&listing), ["web", "web-default"]);
    }

    #[test]
    fn unusable_and_taken_names_are_skipped_with_the_reason() {
        let text = "profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/a\napps:\n  pay:\n    stages:\n      ments-dev: a\n      \"my stage\": a\n  pay-ments:\n    stages:\n      dev: a\n";
        let listing = listing_of(&store(text), "", &[]);
        assert_eq!(names(&listing), ["pay-ments-dev"]);
        let reasons: Vec<(&str, &str)> = listing.skipped.iter().map(|s| (s.name.as_str(), s.reason.as_str())).collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert_eq!(reasons[0].0, "pay-my stage");
        assert!(reasons[0].1.contains("not an AWS profile name"), "{reasons:?}");
        assert_eq!(listing.skipped[1].rule, "apps.pay-ments.stages.dev");
        assert!(reasons[1].1.contains("already the profile of apps.pay.stages.ments-dev"), "{reasons:?}");
    }

    #[test]
    fn extra_stages_get_a_profile_each_answered_as_a_resolve_would_answer_them() {
        let text = "defaultProfile: a\nprofiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/a\n  b:\n    roleArn: arn:aws:iam::111111111111:role/b\n    region: eu-west-1\napps:\n  pay:\n    defaultProfile: b\n    stages:\n      prod: a\n  web:\n    stages:\n      prod: b\n";
        let stages = ["dev".to_owned(), "prod".to_owned(), "staging".to_owned()];
        let listing = listing_of(&store(text), "", &stages);
        assert_eq!(
            names(&listing),
            ["pay", "pay-dev", "pay-prod", "pay-staging", "web-dev", "web-prod", "web-staging"]
        );
        let found = |name: &str| listing.profiles.iter().find(|p| p.name == name).unwrap();
        let dev = found("pay-dev");
        assert_eq!(
            (dev.stage.as_str(), dev.profile.as_str(), dev.rule.as_str()),
            ("dev", "b", "apps.pay.defaultProfile")
        );
        assert_eq!(dev.region.as_deref(), Some("eu-west-1"));
        assert_eq!(found("pay-prod").rule, "apps.pay.stages.prod", "a mapping wins, listed once");
        assert_eq!((found("web-dev").profile.as_str(), found("web-dev").rule.as_str()), ("a", "defaultProfile"));
        let without = "profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/a\napps:\n  web:\n    stages:\n      prod: a\n";
        let listing = listing_of(&store(without), "", &stages[..1]);
        assert_eq!(names(&listing), ["web-prod"]);
        assert_eq!(listing.skipped[0].name, "web-dev");
        assert!(listing.skipped[0].reason.contains("no profile for stage `dev`"), "{:?}", listing.skipped);
        let err = list(&PlanOptions::default(), "", &["a\nb".to_owned()]).unwrap_err();
        assert_eq!(err.code(), "E_INVALID_ARGUMENT");
    }
}
