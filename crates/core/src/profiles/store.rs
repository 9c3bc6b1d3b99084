//! The profile store document: its shape, parsing and cross-reference checks.

use super::fields::{DurationSeconds, ExternalId, Region, RoleArn, SessionNameTemplate};
use crate::error::Error;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A parsed and validated profile store (`access-roles.yml` or `.json`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProfileStore {
    /// Informational organisation name.
    pub org: Option<String>,
    /// Profile used when neither the stage nor the app names one.
    pub default_profile: Option<Spanned<String>>,
    /// Deployment profiles by name.
    pub profiles: BTreeMap<String, Profile>,
    /// Per-app choice of profiles.
    #[serde(default)]
    pub apps: BTreeMap<String, AppProfiles>,
    /// Where the store was read from.
    #[serde(skip)]
    pub path: PathBuf,
}

/// A deployment profile: which access role to assume, and how.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Profile {
    /// The access role.
    pub role_arn: RoleArn,
    /// `sts:ExternalId` to present, when the role's trust policy demands one.
    pub external_id: Option<ExternalId>,
    /// Lifetime of the keys; when unset, one hour.
    pub duration_seconds: Option<DurationSeconds>,
    /// STS region; when unset, the service's region.
    pub region: Option<Region>,
    /// Session name template; when unset, `{user}-{app}-{stage}`.
    pub session_name: Option<SessionNameTemplate>,
    /// AWS config profile of the base identity; when unset, the caller's or the default chain.
    pub source_profile: Option<String>,
}

/// Which profiles an app uses.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AppProfiles {
    /// Profile for stages not listed in `stages`.
    pub default_profile: Option<Spanned<String>>,
    /// Profile by stage name.
    #[serde(default)]
    pub stages: BTreeMap<String, Spanned<String>>,
}

impl ProfileStore {
    /// Parses a store from its text. YAML and JSON are both read by the YAML parser, so
    /// both report errors with line and column.
    pub fn parse(path: &Path, text: &str) -> Result<ProfileStore, Error> {
        let invalid = |line: Option<u64>, column: Option<u64>, message: String| Error::InvalidConfig {
            path: path.to_owned(),
            line,
            column,
            message,
        };
        if text.trim().is_empty() {
            return Err(invalid(None, None, "the file is empty; expected a mapping with `profiles`".to_owned()));
        }
        let options = serde_saphyr::options! { strict_booleans: true };
        let mut store: ProfileStore = serde_saphyr::from_str_with_options(text, options).map_err(|err| {
            let location = err.location();
            invalid(
                location.map(|l| l.line()),
                location.map(|l| l.column()),
                with_hint(&message_of(&err)),
            )
        })?;
        store.path = path.to_owned();
        store.check_references()?;
        Ok(store)
    }

    /// Every profile name used by `defaultProfile` and `apps` must be defined under `profiles`.
    fn check_references(&self) -> Result<(), Error> {
        let app_refs = self.apps.values().flat_map(|app| app.default_profile.iter().chain(app.stages.values()));
        for reference in self.default_profile.iter().chain(app_refs) {
            if !self.profiles.contains_key(&reference.value) {
                let defined: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
                let mut message = format!("profile `{}` is not defined under `profiles`", reference.value);
                match closest(&reference.value, &defined) {
                    Some(near) => message.push_str(&format!(" (did you mean `{near}`?)")),
                    None if defined.is_empty() => message.push_str("; no profiles are defined"),
                    None => message.push_str(&format!("; defined: {}", defined.join(", "))),
                }
                return Err(Error::InvalidConfig {
                    path: self.path.clone(),
                    line: Some(reference.referenced.line()),
                    column: Some(reference.referenced.column()),
                    message,
                });
            }
        }
        Ok(())
    }
}

/// The parser's message without its location and source snippet, which we print ourselves.
fn message_of(err: &serde_saphyr::Error) -> String {
    let rendered = err.without_snippet().to_string();
    let first = rendered.lines().next().unwrap_or_default();
    // The renderer appends " at line L, column C"; the location is reported separately.
    match first.rfind(" at line ") {
        Some(at) => first[..at].to_owned(),
        None => first.to_owned(),
    }
}

/// Adds a "did you mean" to serde's unknown-field message when a known key is close.
fn with_hint(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_owned();
    };
    let Some(end) = rest.find('`') else {
        return message.to_owned();
    };
    let unknown = &rest[..end];
    // The parser lists the expected keys after "expected"; only those are candidates.
    let expected = message.split_once("expected").map_or("", |(_, list)| list);
    let candidates: Vec<&str> =
        expected.split(|c: char| !c.is_ascii_alphanumeric()).filter(|k| !k.is_empty() && *k != "one" && *k != "of").collect();
    match closest(unknown, &candidates) {
        Some(near) => format!("{message} (did you mean `{near}`?)"),
        None => message.to_owned(),
    }
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase()), *c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ProfileStore, Error> {
        ProfileStore::parse(Path::new("access-roles.yml"), text)
    }

    fn error_of(text: &str) -> String {
        let err = parse(text).unwrap_err();
        assert_eq!(err.code(), "E_INVALID_CONFIG", "{err}");
        err.to_string()
    }

    const DESIGN_EXAMPLE: &str = include_str!("../../test-data/design-example.yml");

    #[test]
    fn the_design_example_parses_with_every_field() {
        let store = parse(DESIGN_EXAMPLE).unwrap();
        assert_eq!(store.org.as_deref(), Some("acme"));
        let sandbox = &store.profiles["sandbox"];
        assert_eq!(sandbox.role_arn.as_str(), "arn:aws:iam::111111111111:role/serverless-deploy");
        assert_eq!(sandbox.external_id.as_ref().unwrap().as_str(), "acme-7f3a");
        assert_eq!(sandbox.duration_seconds.unwrap().get(), 3600);
        assert_eq!(sandbox.region.as_ref().unwrap().as_str(), "us-east-1");
        assert_eq!(sandbox.source_profile.as_deref(), Some("acme-sso"));
        assert_eq!(store.apps["payments"].stages["prod"].value, "production");
    }

    #[test]
    fn json_stores_parse_like_yaml_ones() {
        let json = "{\n\t\"profiles\": {\"p\": {\"roleArn\": \"arn:aws:iam::111111111111:role/r\", \"durationSeconds\": 900}},\n\t\"defaultProfile\": \"p\"\n}\n";
        let store = ProfileStore::parse(Path::new("access-roles.json"), json).unwrap();
        assert_eq!(store.profiles["p"].duration_seconds.unwrap().get(), 900);
    }

    #[test]
    fn unknown_keys_are_reported_at_their_line_with_a_suggestion() {
        let err = error_of("profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/r\n    roelArn: x\n");
        assert!(err.starts_with("access-roles.yml:4:"), "{err}");
        assert!(err.contains("unknown field `roelArn`"), "{err}");
        assert!(err.contains("did you mean `roleArn`?"), "{err}");
        let err = error_of("defaultProfle: a\nprofiles: {}\n");
        assert!(err.contains("did you mean `defaultProfile`?"), "{err}");
    }

    #[test]
    fn bad_values_are_reported_at_their_own_line_and_column() {
        let err = error_of("profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/r\n    durationSeconds: 60\n");
        assert!(err.starts_with("access-roles.yml:4:"), "{err}");
        assert!(err.contains("between 900 and 43200"), "{err}");
        let err = error_of("profiles:\n  a:\n    roleArn: arn:aws:iam::1234:role/r\n");
        assert!(err.starts_with("access-roles.yml:3:"), "{err}");
        assert!(err.contains("not 12 digits"), "{err}");
    }

    #[test]
    fn references_to_undefined_profiles_name_the_line_and_a_close_match() {
        let text = "profiles:\n  production:\n    roleArn: arn:aws:iam::111111111111:role/r\napps:\n  pay:\n    stages:\n      prod: prodution\n";
        let err = error_of(text);
        assert!(err.starts_with("access-roles.yml:7:"), "{err}");
        assert!(err.contains("profile `prodution` is not defined"), "{err}");
        assert!(err.contains("did you mean `production`?"), "{err}");
    }

    #[test]
    fn a_store_without_profiles_or_empty_is_rejected() {
        assert!(error_of("").contains("empty"));
        assert!(error_of("org: acme\n").contains("missing field `profiles`"));
        assert!(error_of("- a\n- b\n").contains("access-roles.yml:1:"));
    }

    #[test]
    fn wrong_types_and_broken_yaml_are_reported_not_panicked() {
        for text in [
            "profiles: [1, 2]\n",
            "profiles:\n  a:\n    roleArn: [x]\n",
            "profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/r\n    durationSeconds: one hour\n",
            "profiles: {a: {roleArn: \"arn:aws:iam::111111111111:role/r\"}\n",
            "profiles:\n\t- tab\n",
            "profiles:\n  a: &x\n    roleArn: *y\n",
            "\0",
        ] {
            let err = error_of(text);
            assert!(err.starts_with("access-roles.yml"), "{err}");
        }
    }

    #[test]
    fn duplicate_keys_are_an_error() {
        let err = error_of("profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/r\n  a:\n    roleArn: arn:aws:iam::111111111111:role/s\n");
        assert!(err.to_lowercase().contains("duplicate"), "{err}");
    }
}
