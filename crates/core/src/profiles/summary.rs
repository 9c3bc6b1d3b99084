//! What a store holds, read leniently for editing (`access-role link`): its format, profiles,
//! apps and mappings, from text that must parse but need not keep every rule yet (a link may be
//! what makes it whole). The strict reading is [`super::ProfileStore::parse_as`].

use super::store::read_document;
use crate::error::Error;
use serde_norway::{Mapping as YamlMapping, Value};
use std::path::Path;

/// How a store's text is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// YAML (`access-roles.yml`).
    Yaml,
    /// Strict JSON (`access-roles.json`).
    Json,
}

impl Format {
    /// JSON when the path ends in `.json`, in any case (`roles.JSON`), else YAML.
    pub fn of(path: &Path) -> Format {
        match path.extension() {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Yaml,
        }
    }

    /// `yaml` or `json`, as JS names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
        }
    }
}

/// One deployment profile as the store's text has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileEntry {
    /// The profile's name.
    pub name: String,
    /// Its `roleArn`, when it is a string.
    pub role_arn: Option<String>,
    /// Its `externalId`, when it is a string.
    pub external_id: Option<String>,
}

/// One rule that maps an app, or one stage of it, to a profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// Where it is written: `["apps", APP, "stages", STAGE]` or `["apps", APP, "defaultProfile"]`.
    pub path: Vec<String>,
    /// The app.
    pub app: String,
    /// The stage, for a stage's mapping.
    pub stage: Option<String>,
    /// The profile it names.
    pub profile: String,
}

/// What a store holds, in the order its text has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreSummary {
    /// How its text is written.
    pub format: Format,
    /// Its profiles.
    pub profiles: Vec<ProfileEntry>,
    /// The apps it maps.
    pub apps: Vec<String>,
    /// Its app and stage mappings.
    pub mappings: Vec<Mapping>,
}

/// Where a store maps `app` (or its `stage`) to a profile, key by key from the top: the one
/// definition of a mapping's place, for [`super::Rule::key`] and for editors.
pub fn mapping_path(app: &str, stage: Option<&str>) -> Vec<String> {
    let keys = match stage {
        Some(stage) => vec!["apps", app, "stages", stage],
        None => vec!["apps", app, "defaultProfile"],
    };
    keys.into_iter().map(str::to_owned).collect()
}

/// Reads a store's text leniently: it must parse as `format` (with the same limits and located
/// errors as the strict reading); entries of another shape than the store's are skipped. An
/// empty text is an empty store (a new one).
pub fn summarize(path: &Path, text: &str, format: Format) -> Result<StoreSummary, Error> {
    let empty = StoreSummary { format, profiles: Vec::new(), apps: Vec::new(), mappings: Vec::new() };
    if text.trim().is_empty() {
        return Ok(empty);
    }
    let document: Value = read_document(path, text, format)?;
    let Some(top) = document.as_mapping() else { return Ok(empty) };
    let profiles = entries(top, "profiles")
        .map(|(name, profile)| ProfileEntry {
            name: name.to_owned(),
            role_arn: text_at(profile, "roleArn"),
            external_id: text_at(profile, "externalId"),
        })
        .collect();
    let mut apps = Vec::new();
    let mut mappings = Vec::new();
    for (app, entry) in entries(top, "apps") {
        apps.push(app.to_owned());
        let Some(entry) = entry.as_mapping() else { continue };
        if let Some(profile) = text_at(&Value::Mapping(entry.clone()), "defaultProfile") {
            mappings.push(Mapping { path: mapping_path(app, None), app: app.to_owned(), stage: None, profile });
        }
        for (stage, profile) in entries(entry, "stages") {
            if let Some(profile) = profile.as_str() {
                let path = mapping_path(app, Some(stage));
                let stage = Some(stage.to_owned());
                mappings.push(Mapping { path, app: app.to_owned(), stage, profile: profile.to_owned() });
            }
        }
    }
    Ok(StoreSummary { format, profiles, apps, mappings })
}

/// The entries with string keys of the mapping under `key`, in order.
fn entries<'a>(mapping: &'a YamlMapping, key: &str) -> impl Iterator<Item = (&'a str, &'a Value)> {
    mapping.get(key).and_then(Value::as_mapping).into_iter().flatten().filter_map(|(k, v)| Some((k.as_str()?, v)))
}

/// The string under `key` of a mapping value.
fn text_at(value: &Value, key: &str) -> Option<String> {
    value.as_mapping()?.get(key)?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_told_by_the_extension_in_any_case() {
        assert_eq!(Format::of(Path::new("/s/roles.JSON")), Format::Json);
        assert_eq!(Format::of(Path::new("roles.json")), Format::Json);
        assert_eq!(Format::of(Path::new("roles.yml")), Format::Yaml);
        assert_eq!(Format::of(Path::new("json")), Format::Yaml);
        assert_eq!((Format::Yaml.as_str(), Format::Json.as_str()), ("yaml", "json"));
    }

    #[test]
    fn a_summary_lists_profiles_apps_and_mappings_in_the_text_order() {
        let text = "profiles:\n  zed:\n    roleArn: arn:aws:iam::111111111111:role/z\n    externalId: x\n  alpha:\n    roleArn: [not, a, string]\napps:\n  pay:\n    defaultProfile: zed\n    stages:\n      prod: alpha\n      qa: 3\n  other: nothing\n";
        let summary = summarize(Path::new("s.yml"), text, Format::Yaml).unwrap();
        assert_eq!(summary.profiles.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["zed", "alpha"]);
        assert_eq!(summary.profiles[0].role_arn.as_deref(), Some("arn:aws:iam::111111111111:role/z"));
        assert_eq!(summary.profiles[0].external_id.as_deref(), Some("x"));
        assert_eq!(summary.profiles[1].role_arn, None);
        assert_eq!(summary.apps, ["pay", "other"]);
        assert_eq!(
            summary.mappings,
            vec![
                Mapping { path: mapping_path("pay", None), app: "pay".into(), stage: None, profile: "zed".into() },
                Mapping {
                    path: mapping_path("pay", Some("prod")),
                    app: "pay".into(),
                    stage: Some("prod".into()),
                    profile: "alpha".into()
                },
            ]
        );
    }

    #[test]
    fn a_summary_needs_a_parsable_text_not_a_whole_store() {
        let dangling = "apps:\n  pay:\n    defaultProfile: not-yet\n";
        assert_eq!(summarize(Path::new("s.yml"), dangling, Format::Yaml).unwrap().mappings.len(), 1);
        assert_eq!(summarize(Path::new("s.yml"), "  \n", Format::Yaml).unwrap().profiles, vec![]);
        let err = summarize(Path::new("s.yml"), "profiles: [\n", Format::Yaml).unwrap_err();
        assert_eq!(err.code(), "E_INVALID_CONFIG");
        let err = summarize(Path::new("s.JSON"), "profiles: {}\n", Format::Json).unwrap_err();
        assert!(err.to_string().starts_with("s.JSON:1:1:"), "{err}");
    }

    #[test]
    fn a_mapping_path_is_the_stage_or_the_app_default() {
        assert_eq!(mapping_path("a", Some("qa")), ["apps", "a", "stages", "qa"]);
        assert_eq!(mapping_path("a", None), ["apps", "a", "defaultProfile"]);
    }
}
