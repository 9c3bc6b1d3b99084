//! The profiles' block in the AWS config file.
//!
//! The profiles of one store are written as one block between two marker comments that name the
//! store. A later run for the same store replaces that block and nothing else: every other byte
//! of the file stays as it was, and a run with nothing new leaves the file untouched.

use crate::env::Env;
use crate::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

/// First line of a block; the store's path follows.
const BEGIN: &str = "# >>> serverless-access-roles profiles from ";
/// Last line of a block; the store's path follows.
const END: &str = "# <<< serverless-access-roles profiles from ";

/// One profile section to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The profile name, `NAME` in `[profile NAME]`.
    pub name: String,
    /// The `credential_process` command line.
    pub credential_process: String,
    /// The `region` setting, if any.
    pub region: Option<String>,
}

/// What [`write`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteOutcome {
    /// The AWS config file.
    pub path: PathBuf,
    /// Whether the file changed; false when it already held exactly these profiles.
    pub changed: bool,
    /// Profiles not written because the file defines them itself, outside the block.
    pub kept: Vec<String>,
}

/// The AWS config file: `explicit` if given, else `AWS_CONFIG_FILE` (a leading `~/` is the home
/// directory, as the AWS SDKs read it), else `~/.aws/config`; variables as `env` has them.
pub fn config_file(explicit: Option<PathBuf>, env: &Env) -> PathBuf {
    match explicit {
        Some(path) => expand_home(path, env),
        None => shared_file(env, "AWS_CONFIG_FILE", "config"),
    }
}

/// An AWS shared file as the AWS SDKs find it: the path in `variable` (a leading `~/` is the home
/// directory), else `~/.aws/<default>`.
pub(crate) fn shared_file(env: &Env, variable: &str, default: &str) -> PathBuf {
    match env.var_os(variable) {
        Some(path) => expand_home(PathBuf::from(path), env),
        None => env.home_dir().unwrap_or_default().join(".aws").join(default),
    }
}

/// `path` with a leading `~` replaced by the home directory `env` names.
fn expand_home(path: PathBuf, env: &Env) -> PathBuf {
    match path.strip_prefix("~") {
        Ok(rest) => env.home_dir().unwrap_or_default().join(rest),
        Err(_) => path,
    }
}

/// The block for the profiles of `store`, as [`write`] puts it into the file.
pub fn render(store: &Path, sections: &[Section]) -> Result<String, Error> {
    let store = marker_path(store)?;
    let mut text = format!(
        "{BEGIN}{store}\n# Written by `serverless-access-roles profiles --write`, which replaces this block: edit the store instead.\n"
    );
    for (index, section) in sections.iter().enumerate() {
        let values = [section.name.as_str(), &section.credential_process].into_iter().chain(section.region.as_deref());
        if let Some(bad) = values.into_iter().find(|v| v.contains(['\n', '\r'])) {
            return Err(Error::InvalidArgument { name: "AWS config profile", message: format!("{bad:?} spans lines") });
        }
        if index > 0 {
            text.push('\n');
        }
        text.push_str(&format!("[profile {}]\ncredential_process = {}\n", section.name, section.credential_process));
        if let Some(region) = &section.region {
            text.push_str(&format!("region = {region}\n"));
        }
    }
    text.push_str(&format!("{END}{store}\n"));
    Ok(text)
}

/// Merges the profiles of `store` into the AWS config file at `path` (see [`config_file`]).
///
/// 1. The block this function wrote for `store` before is replaced where it stands; without one,
///    the block is added at the end. Every other line and comment stays byte for byte.
/// 2. A profile the file defines outside the block is the user's own: it is kept, not written,
///    and named in [`WriteOutcome::kept`].
/// 3. The new text goes to a temporary file beside the config that is then renamed over it, so a
///    reader sees the old file or the new one. It keeps the file's mode (a new file gets 0600, in
///    a directory made 0700); a symlinked config is written through to its target.
/// 4. When the text would not change, the file is not written at all.
pub fn write(path: &Path, store: &Path, sections: &[Section]) -> Result<WriteOutcome, Error> {
    let failed = |message: String| Error::AwsConfigFile { path: path.to_owned(), message };
    let target = match std::fs::canonicalize(path) {
        Ok(real) => real,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => path.to_owned(),
        Err(err) => return Err(failed(format!("cannot read it: {err}"))),
    };
    let old = match std::fs::read(&target) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| failed("it is not UTF-8 text".to_owned()))?,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(failed(format!("cannot read it: {err}"))),
    };
    let (new, kept) = merge(&old, store, sections).map_err(failed)?;
    let changed = new != old;
    if changed {
        replace(&target, &new).map_err(|err| failed(format!("cannot write it: {err}")))?;
    }
    Ok(WriteOutcome { path: path.to_owned(), changed, kept })
}

/// The file's text with the block of `store` replaced or added, and the profiles kept out of it.
fn merge(old: &str, store: &Path, sections: &[Section]) -> Result<(String, Vec<String>), String> {
    let marker = marker_path(store).map_err(|err| err.to_string())?;
    let (begin, end) = (format!("{BEGIN}{marker}"), format!("{END}{marker}"));
    let lines: Vec<&str> = old.split_inclusive('\n').collect();
    let is = |line: &str, marker: &str| line.trim_end() == marker;
    let start = lines.iter().position(|l| is(l, &begin));
    let block = match start {
        Some(start) => {
            let length = lines[start..].iter().position(|l| is(l, &end)).ok_or_else(|| {
                format!(
                    "line {}: the block of {marker} has no end line `{end}`; restore it or delete the block",
                    start + 1
                )
            })?;
            start..start + length + 1
        }
        None => lines.len()..lines.len(),
    };
    if lines[block.end..].iter().any(|l| is(l, &begin)) {
        return Err(format!("it holds two blocks for {marker}; delete one"));
    }
    let outside: Vec<&str> = lines[..block.start].iter().chain(&lines[block.end..]).copied().collect();
    let own: Vec<&str> = outside.iter().filter_map(|line| section_name(line)).collect();
    let (kept, written): (Vec<&Section>, Vec<&Section>) = sections.iter().partition(|s| own.contains(&s.name.as_str()));
    let written: Vec<Section> = written.into_iter().cloned().collect();

    let before = lines[..block.start].concat();
    let after = lines[block.end..].concat();
    let mut text = before;
    if !written.is_empty() {
        if start.is_none() && !text.is_empty() {
            // A new block starts on a line of its own, after a blank line.
            if !text.ends_with('\n') {
                text.push('\n');
            }
            if !text.ends_with("\n\n") {
                text.push('\n');
            }
        }
        text.push_str(&render(store, &written).map_err(|err| err.to_string())?);
    }
    text.push_str(&after);
    Ok((text, kept.into_iter().map(|s| s.name.clone()).collect()))
}

/// The profile a section header line opens: `NAME` of `[profile NAME]`, or of `[NAME]`.
fn section_name(line: &str) -> Option<&str> {
    let inner = line.trim().strip_prefix('[')?.split_once(']')?.0.trim();
    match inner.strip_prefix("profile") {
        Some(rest) if rest.starts_with([' ', '\t']) => Some(rest.trim()),
        _ => Some(inner),
    }
}

/// The store's path as the markers show it: on one line.
fn marker_path(store: &Path) -> Result<String, Error> {
    let text = store.display().to_string();
    if text.contains(['\n', '\r']) {
        return Err(Error::InvalidArgument { name: "profile store path", message: format!("{text:?} spans lines") });
    }
    Ok(text)
}

/// Writes `text` to `target` through a temporary file renamed over it, keeping its mode.
fn replace(target: &Path, text: &str) -> std::io::Result<()> {
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.exists() {
        create_private_dir(dir)?;
    }
    let mode = std::fs::metadata(target).ok().map(|m| m.permissions());
    let mut temp = tempfile::Builder::new().prefix(".config.").tempfile_in(dir)?;
    match mode {
        Some(permissions) => temp.as_file().set_permissions(permissions)?,
        None => set_private(temp.as_file())?,
    }
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    super::rename::persist(temp, target)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn set_private(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn set_private(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORE: &str = "/srv/access-roles.yml";

    fn section(name: &str, region: Option<&str>) -> Section {
        Section {
            name: name.to_owned(),
            credential_process: format!("/bin/sar credential-process --app {name}"),
            region: region.map(str::to_owned),
        }
    }

    fn merged(old: &str, sections: &[Section]) -> (String, Vec<String>) {
        merge(old, Path::new(STORE), sections).unwrap()
    }

    #[test]
    fn a_block_is_added_after_the_users_text_and_replaced_in_place_later() {
        let old = "# mine\n[default]\nregion = eu-west-1"; // no final newline
        let (first, kept) = merged(old, &[section("a", Some("us-east-1"))]);
        assert!(kept.is_empty());
        assert!(first.starts_with("# mine\n[default]\nregion = eu-west-1\n\n# >>> serverless-access-roles profiles from /srv/access-roles.yml\n"), "{first}");
        assert!(
            first.contains(
                "[profile a]\ncredential_process = /bin/sar credential-process --app a\nregion = us-east-1\n# <<< "
            ),
            "{first}"
        );
        assert_eq!(merged(&first, &[section("a", Some("us-east-1"))]).0, first, "a second run changes nothing");

        let mut edited = first.clone();
        edited.push_str("\n[profile after]\nregion = x\n");
        let (second, _) = merged(&edited, &[section("b", None), section("a", None)]);
        assert!(second.starts_with("# mine\n[default]\nregion = eu-west-1\n\n# >>> "), "{second}");
        assert!(second.ends_with("[profile a]\ncredential_process = /bin/sar credential-process --app a\n# <<< serverless-access-roles profiles from /srv/access-roles.yml\n\n[profile after]\nregion = x\n"), "{second}");
        assert!(
            second.contains("[profile b]\ncredential_process = /bin/sar credential-process --app b\n\n[profile a]"),
            "{second}"
        );
    }

    #[test]
    fn the_users_own_sections_are_kept_and_other_stores_blocks_left_alone() {
        let other = render(Path::new("/other/access-roles.yml"), &[section("x", None)]).unwrap();
        let old = format!("[profile a]\r\nregion = eu-west-1\r\n\r\n{other}[ default ]\n");
        let (text, kept) = merged(&old, &[section("a", None), section("default", None), section("c", None)]);
        assert_eq!(kept, ["a", "default"]);
        assert!(text.starts_with(&old), "{text}");
        assert!(text.contains("[profile c]") && !text.contains("[profile a]\ncredential"), "{text}");
    }

    #[test]
    fn no_profiles_left_removes_the_block_and_none_to_write_adds_none() {
        let old = "[default]\nregion = x\n";
        assert_eq!(merged(old, &[]).0, old);
        let (with, _) = merged(old, &[section("a", None)]);
        assert_eq!(merged(&with, &[]).0, "[default]\nregion = x\n\n");
    }

    #[test]
    fn a_block_without_its_end_or_twice_is_refused() {
        let block = render(Path::new(STORE), &[section("a", None)]).unwrap();
        let cut = block.lines().take(3).collect::<Vec<_>>().join("\n");
        let err = merge(&format!("[default]\n{cut}\n"), Path::new(STORE), &[]).unwrap_err();
        assert!(err.starts_with("line 2: the block of /srv/access-roles.yml has no end line"), "{err}");
        let err = merge(&format!("{block}{block}"), Path::new(STORE), &[]).unwrap_err();
        assert!(err.contains("two blocks"), "{err}");
    }

    #[test]
    fn values_on_several_lines_are_refused() {
        let mut bad = section("a", None);
        bad.credential_process.push_str("\n[profile evil]");
        assert_eq!(render(Path::new(STORE), &[bad]).unwrap_err().code(), "E_INVALID_ARGUMENT");
    }

    #[cfg(unix)]
    #[test]
    fn the_write_is_atomic_keeps_the_mode_and_follows_a_symlink() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("new").join("config");
        let outcome = write(&fresh, Path::new(STORE), &[section("a", None)]).unwrap();
        assert!(outcome.changed);
        assert_eq!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(fresh.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        assert!(!write(&fresh, Path::new(STORE), &[section("a", None)]).unwrap().changed);

        let real = dir.path().join("real-config");
        std::fs::write(&real, "[default]\n").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("config");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write(&link, Path::new(STORE), &[section("a", None)]).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert!(std::fs::read_to_string(&real).unwrap().contains("[profile a]"));
        assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);
        let leftovers = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".config."));
        assert_eq!(leftovers.count(), 0, "no temporary file is left behind");
    }

    #[test]
    fn the_config_file_is_the_explicit_one_then_aws_config_file() {
        let env = Env::from_slice(&[("HOME", "/home/ana"), ("AWS_CONFIG_FILE", "~/aws/config")]);
        assert_eq!(config_file(Some(PathBuf::from("/x/config")), &env), Path::new("/x/config"));
        assert_eq!(config_file(Some(PathBuf::from("~/y")), &env), Path::new("/home/ana/y"));
        assert_eq!(config_file(None, &env), Path::new("/home/ana/aws/config"));
        let plain = Env::from_slice(&[("HOME", "/home/ana")]);
        assert_eq!(config_file(None, &plain), Path::new("/home/ana/.aws/config"));
    }

    #[test]
    fn the_credentials_file_follows_the_same_rule_home_included() {
        let env = Env::from_slice(&[("HOME", "/home/ana"), ("AWS_SHARED_CREDENTIALS_FILE", "~/aws/keys")]);
        let credentials = shared_file(&env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
        assert_eq!(credentials, Path::new("/home/ana/aws/keys"));
        let plain = Env::from_slice(&[("HOME", "/home/ana")]);
        let credentials = shared_file(&plain, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
        assert_eq!(credentials, Path::new("/home/ana/.aws/credentials"));
    }
}
