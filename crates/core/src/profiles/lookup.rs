//! Choosing the deployment profile for an app and stage.

use super::store::{Profile, ProfileStore};
use crate::error::Error;
use crate::suggest::suggest;

/// The store rule that chose a profile, for `access-role show` and log lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// `apps.<app>.stages.<stage>` names it.
    Stage,
    /// `apps.<app>.defaultProfile` names it.
    AppDefault,
    /// The store's top-level `defaultProfile` names it.
    StoreDefault,
}

impl Rule {
    /// The store key that made the choice, e.g. `apps.payments.stages.prod`.
    pub fn key(self, app: &str, stage: &str) -> String {
        match self {
            Rule::Stage => super::mapping_path(app, Some(stage)).join("."),
            Rule::AppDefault => super::mapping_path(app, None).join("."),
            Rule::StoreDefault => "defaultProfile".to_owned(),
        }
    }
}

/// A profile chosen for an app and stage.
#[derive(Clone, Debug)]
pub struct Selection<'a> {
    /// The profile's name in the store.
    pub name: &'a str,
    /// The profile.
    pub profile: &'a Profile,
    /// The rule that chose it.
    pub rule: Rule,
    /// When a default chose it: the app's mapped stage that the stage asked for is a near miss
    /// of (`prd` for `prod`), a likely typo.
    pub near_stage: Option<&'a str>,
}

impl ProfileStore {
    /// The profile for `app` and `stage`.
    ///
    /// Resolution order:
    /// 1. `apps[app].stages[stage]`
    /// 2. `apps[app].defaultProfile`
    /// 3. `defaultProfile`
    ///
    /// References were checked when the store was parsed, so a name found here is defined.
    pub fn select(&self, app: &str, stage: &str) -> Result<Selection<'_>, Error> {
        let app_entry = self.apps.get(app);
        let by_stage = app_entry.and_then(|a| a.stages.get(stage)).map(|n| (n, Rule::Stage));
        let by_app = app_entry.and_then(|a| a.default_profile.as_ref()).map(|n| (n, Rule::AppDefault));
        let by_store = self.default_profile.as_ref().map(|n| (n, Rule::StoreDefault));
        let no_profile = || {
            let apps: Vec<&str> = self.apps.keys().map(String::as_str).collect();
            let near_app = app_entry.is_none().then(|| suggest(app, &apps)).flatten().map(str::to_owned);
            Error::NoProfile { path: self.path.clone(), app: app.to_owned(), stage: stage.to_owned(), near_app }
        };
        let (name, rule) = by_stage.or(by_app).or(by_store).ok_or_else(no_profile)?;
        let (name, profile) = self.profiles.get_key_value(name).ok_or_else(no_profile)?;
        let stages: Vec<&str> = app_entry.map(|a| a.stages.keys().map(String::as_str).collect()).unwrap_or_default();
        let near_stage = (rule != Rule::Stage).then(|| suggest(stage, &stages)).flatten();
        Ok(Selection { name, profile, rule, near_stage })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const STORE: &str = include_str!("../../test-data/design-example.yml");

    fn store(text: &str) -> ProfileStore {
        ProfileStore::parse(Path::new("access-roles.yml"), text).unwrap()
    }

    #[test]
    fn stage_mapping_wins_over_app_and_store_defaults() {
        let s = store(STORE);
        let chosen = s.select("payments", "prod").unwrap();
        assert_eq!((chosen.name, chosen.rule), ("production", Rule::Stage));
        assert_eq!(chosen.rule.key("payments", "prod"), "apps.payments.stages.prod");
        assert_eq!(chosen.profile.role_arn.as_str(), "arn:aws:iam::222222222222:role/serverless-deploy");
    }

    #[test]
    fn app_default_applies_to_unlisted_stages() {
        let s = store(STORE);
        let chosen = s.select("payments", "dev").unwrap();
        assert_eq!((chosen.name, chosen.rule), ("sandbox", Rule::AppDefault));
        assert_eq!(chosen.rule.key("payments", "dev"), "apps.payments.defaultProfile");
    }

    #[test]
    fn a_stage_that_a_default_answers_names_the_mapped_stage_it_is_a_near_miss_of() {
        let s = store(STORE);
        let typo = s.select("payments", "prd").unwrap();
        assert_eq!((typo.name, typo.rule, typo.near_stage), ("sandbox", Rule::AppDefault, Some("prod")));
        assert_eq!(s.select("payments", "dev").unwrap().near_stage, None, "not close to any mapped stage");
        assert_eq!(s.select("payments", "prod").unwrap().near_stage, None, "mapped itself");
    }

    #[test]
    fn store_default_applies_to_unknown_apps() {
        let s = store(STORE);
        let chosen = s.select("billing", "prod").unwrap();
        assert_eq!((chosen.name, chosen.rule), ("sandbox", Rule::StoreDefault));
        assert_eq!(chosen.rule.key("billing", "prod"), "defaultProfile");
    }

    #[test]
    fn an_unknown_app_suggests_the_closest_one_in_the_store() {
        let s = store(
            "profiles:\n  p:\n    roleArn: arn:aws:iam::111111111111:role/r\napps:\n  payments:\n    stages:\n      prod: p\n",
        );
        let text = s.select("paymnets", "prod").unwrap_err().to_string();
        assert!(text.contains("(did you mean app `payments`?"), "{text}");
        let text = s.select("payments", "dev").unwrap_err().to_string();
        assert!(!text.contains("did you mean"), "a known app with an unmapped stage: {text}");
        assert!(!s.select("zzzzzz", "prod").unwrap_err().to_string().contains("did you mean"));
    }

    #[test]
    fn no_matching_rule_is_e_no_profile_naming_app_stage_and_file() {
        let s = store(
            "profiles:\n  p:\n    roleArn: arn:aws:iam::111111111111:role/r\napps:\n  a:\n    stages:\n      prod: p\n",
        );
        let err = s.select("a", "dev").unwrap_err();
        assert_eq!(err.code(), "E_NO_PROFILE");
        let text = err.to_string();
        assert!(text.contains("app `a` stage `dev`") && text.contains("access-roles.yml"), "{text}");
    }
}
