//! The profile store document: its shape, parsing and cross-reference checks.

use super::assume_fields::{MfaSerial, SessionPolicy, SessionTags};
use super::checked::unique_keys;
use super::fields::{DurationSeconds, ExternalId, NameTemplate, Region, RoleArn};
use super::locate::{locate, Step};
use super::shape;
use super::summary::Format;
use crate::error::Error;
use crate::suggest::suggest;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The most AssumeRole calls one resolve makes: a profile and the profiles it is assumed `via`.
const MAX_CHAIN_CALLS: usize = 10;

/// A parsed and validated profile store (`access-roles.yml` or `.json`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProfileStore {
    /// Informational organisation name.
    pub org: Option<String>,
    /// Profile used when neither the stage nor the app names one.
    pub default_profile: Option<String>,
    /// Deployment profiles by name.
    #[serde(deserialize_with = "unique_keys")]
    pub profiles: BTreeMap<String, Profile>,
    /// Per-app choice of profiles.
    #[serde(default, deserialize_with = "unique_keys")]
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
    pub session_name: Option<NameTemplate>,
    /// AWS config profile of the base identity; when unset, the caller's or the default chain.
    pub source_profile: Option<String>,
    /// MFA device whose code AssumeRole presents; when set, a code is asked for.
    pub mfa_serial: Option<MfaSerial>,
    /// `sts:SourceIdentity` template, e.g. `{user}`; when unset, none is set.
    pub source_identity: Option<NameTemplate>,
    /// Session tags.
    #[serde(default)]
    pub session_tags: SessionTags,
    /// Keys of `sessionTags` that pass on to roles assumed with these keys.
    #[serde(default)]
    pub transitive_tag_keys: Vec<String>,
    /// Inline session policy narrowing what the keys may do.
    pub policy: Option<SessionPolicy>,
    /// Another profile whose keys assume this role (role chaining); when unset, the base identity.
    pub via: Option<String>,
}

/// Which profiles an app uses.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AppProfiles {
    /// Profile for stages not listed in `stages`.
    pub default_profile: Option<String>,
    /// Profile by stage name.
    #[serde(default, deserialize_with = "unique_keys")]
    pub stages: BTreeMap<String, String>,
}

impl ProfileStore {
    /// Parses a store from its text, in the format its path's extension says (see
    /// [`Format::of`]).
    pub fn parse(path: &Path, text: &str) -> Result<ProfileStore, Error> {
        ProfileStore::parse_as(path, text, Format::of(path))
    }

    /// Parses a store from its text in `format`: JSON must be strict JSON, then (JSON being
    /// YAML) both are read as YAML. Either way errors carry line and column; a YAML store nested
    /// too deep, or with too many nodes (aliases counting as what they repeat), is refused before
    /// it is parsed (see [`super::shape`]). `path` is where the text is said to come from.
    pub fn parse_as(path: &Path, text: &str, format: Format) -> Result<ProfileStore, Error> {
        let mut store: ProfileStore = read_document(path, text, format)?;
        store.path = path.to_owned();
        store.check_references(text)?;
        Ok(store)
    }

    /// Every profile name used by `defaultProfile`, `apps` and `via` must be defined under
    /// `profiles`; chains must end; transitive tag keys must be tags.
    fn check_references(&self, text: &str) -> Result<(), Error> {
        self.check_names(text)?;
        let store_ref = self.default_profile.iter().map(|name| (name, vec![Step::Key("defaultProfile")]));
        let app_refs = self.apps.iter().flat_map(|(app, entry)| {
            let default = entry
                .default_profile
                .iter()
                .map(move |name| (name, vec![Step::Key("apps"), Step::Key(app), Step::Key("defaultProfile")]));
            let stages = entry.stages.iter().map(move |(stage, name)| {
                (name, vec![Step::Key("apps"), Step::Key(app), Step::Key("stages"), Step::Key(stage)])
            });
            default.chain(stages)
        });
        let via_refs = self.profiles.iter().filter_map(|(name, p)| p.via.as_ref().map(|via| (via, via_path(name))));
        for (reference, at) in store_ref.chain(app_refs).chain(via_refs) {
            if !self.profiles.contains_key(reference) {
                let defined: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
                let mut message = format!("profile `{reference}` is not defined under `profiles`");
                match suggest(reference, &defined) {
                    Some(near) => message.push_str(&format!(" (did you mean `{near}`?)")),
                    None if defined.is_empty() => message.push_str("; no profiles are defined"),
                    None => message.push_str(&format!("; defined: {}", defined.join(", "))),
                }
                return Err(self.invalid_at(text, &at, message));
            }
        }
        for (name, profile) in &self.profiles {
            self.check_chain(text, name, profile)?;
            let stray = profile.transitive_tag_keys.iter().enumerate().find(|(_, k)| !profile.session_tags.contains(k));
            if let Some((index, key)) = stray {
                let message = format!("transitive tag key `{key}` is not one of this profile's sessionTags");
                let at = [Step::Key("profiles"), Step::Key(name), Step::Key("transitiveTagKeys"), Step::Index(index)];
                return Err(self.invalid_at(text, &at, message));
            }
        }
        Ok(())
    }

    /// Profile, app and stage names follow the one rule for names (see [`super::names`]).
    fn check_names(&self, text: &str) -> Result<(), Error> {
        let profiles = self.profiles.keys().map(|name| ("profile", name, vec![Step::Key("profiles"), Step::Key(name)]));
        let apps = self.apps.iter().flat_map(|(app, entry)| {
            let stages = entry.stages.keys().map(move |stage| {
                ("stage", stage, vec![Step::Key("apps"), Step::Key(app), Step::Key("stages"), Step::Key(stage)])
            });
            std::iter::once(("app", app, vec![Step::Key("apps"), Step::Key(app)])).chain(stages)
        });
        for (what, name, at) in profiles.chain(apps) {
            if let Some(problem) = super::names::problem(name) {
                let message = format!("{what} name `{}` {problem}", crate::text::shorten(name));
                return Err(self.invalid_at(text, &at, message));
            }
        }
        Ok(())
    }

    /// A chain of `via` must not loop, and chained sessions last at most one hour (STS's cap).
    fn check_chain(&self, text: &str, name: &str, profile: &Profile) -> Result<(), Error> {
        let Some(via) = &profile.via else { return Ok(()) };
        let duration = profile.duration_seconds.map_or(3600, |d| d.get());
        if duration > 3600 {
            let message = format!(
                "profile `{name}` is assumed via `{via}`, and STS caps chained sessions at one hour; \
                 durationSeconds {duration} would be refused: set it to 3600 or less"
            );
            return Err(self.invalid_at(text, &via_path(name), message));
        }
        let mut seen = vec![name];
        let mut next = Some(via);
        while let Some(hop) = next {
            if seen.contains(&hop.as_str()) {
                seen.push(hop);
                return Err(self.invalid_at(
                    text,
                    &via_path(name),
                    format!("profiles chain in a loop: {}", seen.join(" -> ")),
                ));
            }
            seen.push(hop);
            if seen.len() > MAX_CHAIN_CALLS {
                let message = format!(
                    "profile `{name}` is assumed through a chain of more than {MAX_CHAIN_CALLS} roles ({} -> …); \
                     at most {MAX_CHAIN_CALLS} AssumeRole calls make one set of keys: shorten the chain of `via`",
                    seen[..3].join(" -> ")
                );
                return Err(self.invalid_at(text, &via_path(name), message));
            }
            next = self.profiles.get(hop).and_then(|p| p.via.as_ref());
        }
        self.check_chain_devices(text, name, profile)
    }

    /// One MFA device per chain: STS takes a code only from a device of the user who makes the
    /// call, and in a chain that is the base identity, for the first hop (later hops are called
    /// by role sessions, which have no device). A code is asked for once per resolve, so two
    /// devices could never both be answered; the store says so instead of STS failing later.
    fn check_chain_devices(&self, text: &str, name: &str, profile: &Profile) -> Result<(), Error> {
        let Some(device) = &profile.mfa_serial else { return Ok(()) };
        let mut next = profile.via.as_ref();
        while let Some(hop) = next {
            let Some(hop_profile) = self.profiles.get(hop) else { break };
            if let Some(other) = hop_profile.mfa_serial.as_ref().filter(|other| *other != device) {
                let message = format!(
                    "profile `{name}` names MFA device `{}`, and `{hop}`, which it is assumed via, names `{}`; \
                     a chain can present one device's code: keep `mfaSerial` on one profile of the chain \
                     (the first hop, which the base identity assumes)",
                    device.as_str(),
                    other.as_str()
                );
                let at = [Step::Key("profiles"), Step::Key(name), Step::Key("mfaSerial")];
                return Err(self.invalid_at(text, &at, message));
            }
            next = hop_profile.via.as_ref();
        }
        Ok(())
    }

    /// An error at the node `at` of the store's text.
    fn invalid_at(&self, text: &str, at: &[Step<'_>], message: String) -> Error {
        let location = locate(text, at);
        Error::InvalidConfig {
            path: self.path.clone(),
            line: location.map(|(line, _)| line),
            column: location.map(|(_, column)| column),
            field: Some(field_of(at)),
            message,
        }
    }
}

/// A store's text read as `T` in `format`, with every check that comes before the store's own
/// rules: not empty, strict JSON for JSON, not too deep or large; errors located in the text.
pub(super) fn read_document<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    format: Format,
) -> Result<T, Error> {
    // The parsers quote the file (an unknown key, a bad scalar): foreign text, escaped.
    let invalid = |line: Option<u64>, column: Option<u64>, message: String| {
        let (field, message) = split_field(message);
        Error::InvalidConfig { path: path.to_owned(), line, column, field, message: crate::text::foreign(&message) }
    };
    // A byte-order mark is no part of the text.
    let text = crate::text::split_bom(text).1;
    if text.len() as u64 > super::MAX_STORE_BYTES {
        let reason = format!("it is {} bytes; a profile store may be at most 1 MiB", text.len());
        return Err(Error::UnreadableConfig { path: path.to_owned(), reason });
    }
    let json = format == Format::Json;
    let only_comments =
        text.lines().all(|line| line.trim().is_empty() || (!json && line.trim_start().starts_with('#')));
    if only_comments {
        return Err(invalid(None, None, "the file is empty; expected a mapping with `profiles`".to_owned()));
    }
    if json {
        // Strict JSON first (no trailing commas, comments or single quotes), as a plain value;
        // then the same text, which is YAML too, goes the YAML way below, so the store's
        // fields are checked by one parser in the binary, not two (the size budget).
        serde_json::from_str::<serde_json::Value>(text).map_err(|err| {
            let known = |n: usize| u64::try_from(n).ok().filter(|n| *n > 0);
            invalid(known(err.line()), known(err.column()), message_of(&err.to_string()))
        })?;
    }
    shape::check(text).map_err(|r| invalid(Some(r.line), Some(r.column), r.message))?;
    serde_norway::from_str(text).map_err(|err| {
        let location = err.location();
        let mut message = with_hint(&message_of(&err.to_string()));
        // The parser stops at the tab without saying so.
        let at = location
            .as_ref()
            .and_then(|l| text.lines().nth(l.line().checked_sub(1)?)?.chars().nth(l.column().checked_sub(1)?));
        if at == Some('\t') {
            message.push_str(" (a tab: YAML indents with spaces)");
        }
        invalid(location.as_ref().map(|l| l.line() as u64), location.as_ref().map(|l| l.column() as u64), message)
    })
}

/// Where profile `name`'s `via` is written.
fn via_path(name: &str) -> Vec<Step<'_>> {
    vec![Step::Key("profiles"), Step::Key(name), Step::Key("via")]
}

/// A node's path as the parser writes it: `profiles.ci.transitiveTagKeys[1]`.
fn field_of(at: &[Step<'_>]) -> String {
    let mut field = String::new();
    for step in at {
        match step {
            Step::Key(key) if field.is_empty() => field.push_str(key),
            Step::Key(key) => field.push_str(&format!(".{key}")),
            Step::Index(index) => field.push_str(&format!("[{index}]")),
        }
    }
    field
}

/// The parser's message parted into the field it names first (`profiles.ci.roleArn: …`) and the
/// reason. A path is one word of key characters; a message that starts otherwise names no field.
fn split_field(message: String) -> (Option<String>, String) {
    let is_path = |p: &str| {
        !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || "._-[]".contains(c)) && !p.starts_with(['.', '['])
    };
    match message.split_once(": ") {
        Some((path, reason)) if is_path(path) => (Some(path.to_owned()), reason.to_owned()),
        _ => (None, message),
    }
}

/// The parser's message without its location, which is reported separately.
fn message_of(rendered: &str) -> String {
    // Both parsers append " at line L column C" to messages that have a location.
    match rendered.rfind(" at line ") {
        Some(at) => rendered[..at].to_owned(),
        None => rendered.to_owned(),
    }
}

/// Adds a "did you mean" to serde's unknown-field message when a known key is close.
fn with_hint(message: &str) -> String {
    // The parser puts the key path first, e.g. "profiles.a: unknown field `roelArn`, …".
    let Some((_, rest)) = message.split_once("unknown field `") else {
        return message.to_owned();
    };
    let Some(end) = rest.find('`') else {
        return message.to_owned();
    };
    let unknown = &rest[..end];
    // The parser lists the expected keys after "expected"; only those are candidates.
    let expected = message.split_once("expected").map_or("", |(_, list)| list);
    let candidates: Vec<&str> = expected
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|k| !k.is_empty() && *k != "one" && *k != "of")
        .collect();
    match suggest(unknown, &candidates) {
        Some(near) => format!("{message} (did you mean `{near}`?)"),
        None => message.to_owned(),
    }
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
        assert_eq!(store.apps["payments"].stages["prod"], "production");
    }

    #[test]
    fn json_stores_parse_like_yaml_ones() {
        let json = "{\n\t\"profiles\": {\"p\": {\"roleArn\": \"arn:aws:iam::111111111111:role/r\", \"durationSeconds\": 900}},\n\t\"defaultProfile\": \"p\"\n}\n";
        let store = ProfileStore::parse(Path::new("access-roles.json"), json).unwrap();
        assert_eq!(store.profiles["p"].duration_seconds.unwrap().get(), 900);
    }

    #[test]
    fn a_byte_order_mark_is_no_part_of_a_yaml_or_json_store() {
        let arn = "arn:aws:iam::111111111111:role/r";
        for (name, text) in [
            ("access-roles.yml", format!("\u{feff}profiles:\n  p:\n    roleArn: {arn}\n")),
            ("access-roles.yml", format!("\u{feff}org: acme\nprofiles:\n  p:\n    roleArn: {arn}\n")),
            ("access-roles.json", format!("\u{feff}{{\"profiles\": {{\"p\": {{\"roleArn\": \"{arn}\"}}}}}}")),
        ] {
            let store = ProfileStore::parse(Path::new(name), &text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(store.profiles["p"].role_arn.as_str(), arn);
        }
    }

    #[test]
    fn reserved_profile_app_and_stage_names_are_refused_where_they_are_written() {
        let arn = "arn:aws:iam::111111111111:role/r";
        for (text, at, what) in [
            (
                format!("profiles:\n  __proto__:\n    roleArn: {arn}\n"),
                "access-roles.yml:3:5:",
                "profile name `__proto__`",
            ),
            (
                format!("profiles:\n  p:\n    roleArn: {arn}\napps:\n  constructor:\n    defaultProfile: p\n"),
                "access-roles.yml:6:5:",
                "app name `constructor`",
            ),
            (
                format!("profiles:\n  p:\n    roleArn: {arn}\napps:\n  a:\n    stages:\n      prototype: p\n"),
                "access-roles.yml:7:18:",
                "stage name `prototype`",
            ),
        ] {
            let err = error_of(&text);
            assert!(err.starts_with(at) && err.contains(&format!("{what} is reserved")), "{err}");
        }
    }

    #[test]
    fn text_of_the_file_quoted_in_a_parser_message_is_escaped_and_capped() {
        // YAML's own escapes: ESC and BEL reach the parser's message as themselves.
        let key = format!("\\e]0;owned\\a{}", "k".repeat(1000));
        let err =
            error_of(&format!("profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/r\n    \"{key}\": x\n"));
        assert!(err.contains("unknown field `\\u{1b}]0;owned\\u{7}kkk"), "{err}");
        assert!(!err.chars().any(char::is_control) && err.chars().count() < 1100, "{err}");
    }

    #[test]
    fn unknown_keys_are_reported_at_their_line_with_a_suggestion() {
        let err = error_of("profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/r\n    roelArn: x\n");
        assert!(err.starts_with("access-roles.yml:4:"), "{err}");
        assert!(err.contains("unknown field `roelArn`"), "{err}");
        assert!(err.contains("did you mean `roleArn`?"), "{err}");
        let err = error_of("defaultProfle: a\nprofiles: {}\n");
        assert!(err.contains("did you mean `defaultProfile`?"), "{err}");
        // The words of the parser's "expected one of" are no keys.
        let err = error_of("on: a\nprofiles: {}\n");
        assert!(err.contains("unknown field `on`, expected one of") && !err.contains("did you mean"), "{err}");
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
    fn an_undefined_reference_without_a_close_match_lists_the_defined_profiles_or_says_there_are_none() {
        let none = error_of("defaultProfile: sandbox\nprofiles: {}\n");
        assert!(none.ends_with("profile `sandbox` is not defined under `profiles`; no profiles are defined"), "{none}");
        let arn = "arn:aws:iam::111111111111:role/r";
        let far =
            error_of(&format!("defaultProfile: zzzzzz\nprofiles:\n  b: {{roleArn: {arn}}}\n  a: {{roleArn: {arn}}}\n"));
        assert!(far.ends_with("profile `zzzzzz` is not defined under `profiles`; defined: a, b"), "{far}");
    }

    #[test]
    fn a_store_without_profiles_or_empty_is_rejected() {
        assert!(error_of("").contains("empty"));
        assert!(error_of("# nothing yet\n\n").contains("empty"));
        assert!(error_of("org: acme\n").contains("missing field `profiles`"));
        assert!(error_of("- a\n- b\n").contains("access-roles.yml:1:"));
        assert!(error_of("profiles:\n\tp: {}\n").contains("a tab: YAML indents with spaces"));
    }

    #[test]
    fn a_json_store_is_strict_json_with_line_and_column() {
        let json = |text: &str| ProfileStore::parse(Path::new("/srv/access-roles.json"), text);
        let good = r#"{"defaultProfile": "p", "profiles": {"p": {"roleArn": "arn:aws:iam::111111111111:role/r"}}}"#;
        assert_eq!(json(good).unwrap().profiles["p"].role_arn.as_str(), "arn:aws:iam::111111111111:role/r");
        for (text, at) in [
            ("{\"profiles\": {},\n }", "/srv/access-roles.json:2:2: trailing comma"),
            ("{\"profiles\": {} // none\n}", "/srv/access-roles.json:1:17: expected"),
            ("{'profiles': {}}", "/srv/access-roles.json:1:2: key must be a string"),
            ("profiles: {}", "/srv/access-roles.json:1:1: expected value"),
        ] {
            let err = json(text).unwrap_err();
            assert_eq!(err.code(), "E_INVALID_CONFIG");
            assert!(err.to_string().starts_with(at), "{err}");
        }
        let typo = json(r#"{"profiles": {"p": {"rolArn": "x"}}}"#).unwrap_err().to_string();
        assert!(typo.contains("unknown field `rolArn`") && typo.contains("did you mean `roleArn`"), "{typo}");
    }

    #[test]
    fn a_yaml_store_nested_too_deep_is_refused_at_the_node() {
        let deep = format!("profiles:\n  p:\n    policy: {}\n", "[".repeat(200_000));
        let err = error_of(&deep);
        assert!(err.starts_with("access-roles.yml:3:"), "{err}");
        assert!(err.contains("nested deeper than 64 levels"), "{err}");
    }

    #[test]
    fn a_store_may_be_1_mib_and_no_more_a_byte_order_mark_aside() {
        let head = "profiles:\n  p:\n    roleArn: arn:aws:iam::111111111111:role/r\n#";
        let padded = |bytes: u64| format!("\u{feff}{head}{}\n", "x".repeat(bytes as usize - head.len() - 1));
        assert!(parse(&padded(super::super::MAX_STORE_BYTES)).is_ok());
        let err = parse(&padded(super::super::MAX_STORE_BYTES + 1)).unwrap_err();
        assert_eq!(err.code(), "E_UNREADABLE_CONFIG");
        assert!(err.to_string().contains("it is 1048577 bytes; a profile store may be at most 1 MiB"), "{err}");
    }

    #[test]
    fn a_parser_message_that_names_no_field_is_kept_whole() {
        for (name, text) in [("access-roles.yml", "- a\n"), ("access-roles.json", "[1]")] {
            let Error::InvalidConfig { field, message, .. } = ProfileStore::parse(Path::new(name), text).unwrap_err()
            else {
                panic!("{name}: not E_INVALID_CONFIG")
            };
            assert_eq!(field, None, "{name}: {message}");
            assert!(message.starts_with("invalid type: sequence, expected struct ProfileStore"), "{name}: {message}");
        }
    }

    #[test]
    fn a_json_error_at_the_start_of_a_line_has_a_line_and_no_column() {
        let err = ProfileStore::parse(Path::new("s.json"), "{\"profiles\": {}\n").unwrap_err();
        assert_eq!(err.to_string(), "s.json:2: EOF while parsing an object");
    }

    #[test]
    fn a_value_of_the_wrong_type_says_what_was_expected() {
        let arn = "arn:aws:iam::111111111111:role/r";
        for (text, expected) in [
            ("profiles: [1, 2]\n".to_owned(), "profiles: invalid type: sequence, expected a mapping"),
            ("profiles:\n  a:\n    roleArn: [x]\n".to_owned(), "invalid type: sequence, expected an IAM role ARN"),
            (
                format!("profiles:\n  a:\n    roleArn: {arn}\n    durationSeconds: [1]\n"),
                "durationSeconds: durationSeconds must be a whole number",
            ),
            (
                format!("profiles:\n  a:\n    roleArn: {arn}\n    sessionTags: [a]\n"),
                "invalid type: sequence, expected a map",
            ),
        ] {
            let err = error_of(&text);
            assert!(err.contains(expected), "{err}");
        }
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
    fn session_identity_fields_parse() {
        let text = "profiles:\n  base:\n    roleArn: arn:aws:iam::111111111111:role/hub\n    mfaSerial: arn:aws:iam::111111111111:mfa/ana\n  deploy:\n    roleArn: arn:aws:iam::222222222222:role/deploy\n    via: base\n    sourceIdentity: \"{user}\"\n    sessionTags: {team: payments, env: prod}\n    transitiveTagKeys: [team]\n    policy: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Action: \"cloudformation:*\", Resource: \"*\"}]}\n";
        let store = parse(text).unwrap();
        let deploy = &store.profiles["deploy"];
        assert_eq!(deploy.via.as_deref(), Some("base"));
        assert_eq!(deploy.session_tags.iter().count(), 2);
        assert!(deploy.policy.as_ref().unwrap().as_json().contains("\"cloudformation:*\""));
        assert_eq!(store.profiles["base"].mfa_serial.as_ref().unwrap().as_str(), "arn:aws:iam::111111111111:mfa/ana");
    }

    #[test]
    fn chains_must_end_and_stay_within_an_hour() {
        let looped = "profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/a\n    via: b\n  b:\n    roleArn: arn:aws:iam::111111111111:role/b\n    via: a\n";
        let err = error_of(looped);
        assert!(err.contains("chain in a loop: a -> b -> a"), "{err}");
        assert!(err.starts_with("access-roles.yml:4:"), "{err}");
        let own = error_of("profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/a\n    via: a\n");
        assert!(own.contains("loop: a -> a"), "{own}");
        let long = "profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/a\n  b:\n    roleArn: arn:aws:iam::111111111111:role/b\n    via: a\n    durationSeconds: 7200\n";
        let err = error_of(long);
        assert!(err.contains("caps chained sessions at one hour"), "{err}");
        let missing = error_of("profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/a\n    via: nope\n");
        assert!(missing.contains("profile `nope` is not defined"), "{missing}");
    }

    /// A store of `n` profiles, `p0` assumed via `p1`, … via `p{n-1}`.
    fn chain_of(n: usize) -> String {
        let mut text = "profiles:\n".to_owned();
        for i in 0..n {
            text.push_str(&format!("  p{i}:\n    roleArn: arn:aws:iam::111111111111:role/r{i}\n"));
            if i + 1 < n {
                text.push_str(&format!("    via: p{}\n", i + 1));
            }
        }
        text
    }

    #[test]
    fn a_chain_of_more_than_ten_calls_is_refused_where_it_starts() {
        assert!(parse(&chain_of(MAX_CHAIN_CALLS)).is_ok());
        let err = error_of(&chain_of(MAX_CHAIN_CALLS + 1));
        assert!(err.starts_with("access-roles.yml:4:10: profiles.p0.via: profile `p0` is assumed through a chain of more than 10 roles (p0 -> p1 -> p2 -> …)"), "{err}");
        let long = error_of(&chain_of(500));
        assert!(long.contains("more than 10 roles"), "{long}");
    }

    #[test]
    fn a_chain_whose_hops_name_different_mfa_devices_is_refused_where_the_second_one_is() {
        let text = "profiles:\n  hub:\n    roleArn: arn:aws:iam::111111111111:role/hub\n    mfaSerial: arn:aws:iam::111111111111:mfa/ana\n  deploy:\n    roleArn: arn:aws:iam::222222222222:role/deploy\n    via: hub\n    mfaSerial: arn:aws:iam::222222222222:mfa/bo\n";
        let err = error_of(text);
        assert!(err.starts_with("access-roles.yml:8:16:"), "{err}");
        assert!(err.contains("`deploy` names MFA device `arn:aws:iam::222222222222:mfa/bo`"), "{err}");
        assert!(err.contains("`hub`, which it is assumed via, names `arn:aws:iam::111111111111:mfa/ana`"), "{err}");
        let same = text.replace("222222222222:mfa/bo", "111111111111:mfa/ana");
        assert!(parse(&same).is_ok(), "one device on two hops is one code");
        let one = text.replace("    mfaSerial: arn:aws:iam::222222222222:mfa/bo\n", "");
        assert!(parse(&one).is_ok());
    }

    #[test]
    fn transitive_tag_keys_must_be_session_tags() {
        let text = "profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/a\n    sessionTags: {team: x}\n    transitiveTagKeys: [team, env]\n";
        let err = error_of(text);
        assert!(err.contains("transitive tag key `env`"), "{err}");
        assert!(err.starts_with("access-roles.yml:5:"), "{err}");
    }

    #[test]
    fn duplicate_keys_are_an_error() {
        let err = error_of("profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/r\n  a:\n    roleArn: arn:aws:iam::111111111111:role/s\n");
        assert!(err.to_lowercase().contains("duplicate"), "{err}");
        let stages = "profiles:\n  a:\n    roleArn: arn:aws:iam::111111111111:role/r\napps:\n  x:\n    stages:\n      dev: a\n      dev: a\n";
        let err = error_of(stages);
        assert!(err.contains("apps.x.stages: duplicate key `dev`"), "{err}");
    }
}
