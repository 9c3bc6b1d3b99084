//! `Env`: the one place the core reads the process environment, replaceable in tests.
//!
//! As aws-config's `Env` does, every decision that depends on a variable (where the store is,
//! where the cache lives, which endpoint STS is called at, what the cache key covers, the local
//! user's name, the session a process runs in, the base identity's chain) reads it through an
//! [`Env`]:
//!
//! - [`Env::real`] (the default) is the process environment;
//! - [`Env::from_slice`] is a fixed set of variables, so a test builds the environment it needs
//!   instead of mutating the process's, which other tests share;
//! - [`Env::with_overrides`] replaces some variables of either. A process that runs on an access
//!   role has the role's keys in its environment (see [`crate::role_env`]); refreshing them
//!   must still start from the base identity, so a caller hands in the variables as they were
//!   before the export.

use crate::credentials::Secret;
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// The environment variables (and the current directory) the core sees.
///
/// Override values are kept as [`Secret`]s, since they may be keys, and `Debug` shows only
/// variable names.
#[derive(Clone, Default)]
pub struct Env {
    base: Base,
    overrides: Arc<BTreeMap<String, Option<Secret>>>,
}

/// Where variables come from before overrides.
#[derive(Clone, Default)]
enum Base {
    /// The process environment, read at each call.
    #[default]
    Process,
    /// A fixed set of variables, and the directory taken as current.
    Fixed { vars: Arc<HashMap<String, OsString>>, current_dir: Option<PathBuf> },
}

impl Env {
    /// The process environment.
    pub fn real() -> Env {
        Env::default()
    }

    /// A fixed environment of `vars`, with no current directory: for tests.
    ///
    /// ```
    /// let env = access_roles_core::Env::from_slice(&[("HOME", "/home/ana")]);
    /// assert_eq!(env.var("HOME").as_deref(), Some("/home/ana"));
    /// assert_eq!(env.var("USER"), None);
    /// ```
    pub fn from_slice(vars: &[(&str, &str)]) -> Env {
        let vars = vars.iter().map(|(k, v)| ((*k).to_owned(), OsString::from(v))).collect();
        Env { base: Base::Fixed { vars: Arc::new(vars), current_dir: None }, overrides: Arc::default() }
    }

    /// This environment with `dir` as the current directory (only for one made by
    /// [`Env::from_slice`]; the process environment keeps the process's).
    pub fn with_current_dir(self, dir: impl Into<PathBuf>) -> Env {
        match self.base {
            Base::Process => self,
            Base::Fixed { vars, .. } => {
                Env { base: Base::Fixed { vars, current_dir: Some(dir.into()) }, overrides: self.overrides }
            }
        }
    }

    /// This environment with `overrides` in place of its own values: a name mapped to `None`
    /// reads as unset.
    pub fn with_overrides(self, overrides: impl IntoIterator<Item = (String, Option<String>)>) -> Env {
        let mut all = (*self.overrides).clone();
        all.extend(overrides.into_iter().map(|(name, value)| (name, value.map(Secret::new))));
        Env { base: self.base, overrides: Arc::new(all) }
    }

    /// The value of `name` as UTF-8; `None` when unset, empty or not UTF-8.
    pub fn var(&self, name: &str) -> Option<String> {
        self.var_os(name)?.into_string().ok()
    }

    /// The value of `name`, whatever its encoding; `None` when unset or empty.
    pub fn var_os(&self, name: &str) -> Option<OsString> {
        let value = match self.overrides.get(name) {
            Some(value) => value.as_ref().map(|v| OsString::from(v.expose())),
            None => match &self.base {
                Base::Process => std::env::var_os(name),
                Base::Fixed { vars, .. } => vars.get(name).cloned(),
            },
        };
        value.filter(|v| !v.is_empty())
    }

    /// The current directory.
    pub fn current_dir(&self) -> Option<PathBuf> {
        match &self.base {
            Base::Process => std::env::current_dir().ok(),
            Base::Fixed { current_dir, .. } => current_dir.clone(),
        }
    }

    /// The user's home directory: from the variables `home_variables` names for this platform,
    /// else what the OS says (the process environment only).
    pub fn home_dir(&self) -> Option<PathBuf> {
        let [first, second] = home_variables(cfg!(windows));
        let from_vars = self.var_os(first).or_else(|| self.var_os(second)).map(PathBuf::from);
        match self.base {
            Base::Process => from_vars.or_else(dirs::home_dir),
            Base::Fixed { .. } => from_vars,
        }
    }

    /// The platform's cache directory: `$XDG_CACHE_HOME` or `~/.cache` on Linux,
    /// `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows.
    pub fn platform_cache_dir(&self) -> Option<PathBuf> {
        if let (Base::Process, true) = (&self.base, self.overrides.is_empty()) {
            return dirs::cache_dir();
        }
        if cfg!(windows) {
            self.var_os("LOCALAPPDATA").map(PathBuf::from)
        } else if cfg!(target_os = "macos") {
            self.home_dir().map(|home| home.join("Library").join("Caches"))
        } else {
            let xdg = self.var_os("XDG_CACHE_HOME").map(PathBuf::from).filter(|p| p.is_absolute());
            xdg.or_else(|| self.home_dir().map(|home| home.join(".cache")))
        }
    }

    /// This environment as the AWS SDK's config loader takes it, when it differs from the
    /// process's (the loader reads the process environment itself otherwise). Variables that are
    /// not UTF-8 are left out, as the SDK's own reads would skip them.
    pub(crate) fn for_aws_sdk(&self) -> Option<aws_types::os_shim_internal::Env> {
        let mut vars: HashMap<String, String> = match &self.base {
            Base::Process if self.overrides.is_empty() => return None,
            Base::Process => std::env::vars_os()
                .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
                .collect(),
            Base::Fixed { vars, .. } => vars
                .iter()
                .filter_map(|(name, value)| Some((name.clone(), value.clone().into_string().ok()?)))
                .collect(),
        };
        for (name, value) in self.overrides.iter() {
            match value {
                Some(value) => vars.insert(name.clone(), value.expose().to_owned()),
                None => vars.remove(name),
            };
        }
        Some(aws_types::os_shim_internal::Env::from(vars))
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = match &self.base {
            Base::Process => "process",
            Base::Fixed { .. } => "fixed",
        };
        f.debug_struct("Env")
            .field("base", &base)
            .field("overridden", &self.overrides.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The variables that name the home directory, in the order they are read: on Windows
/// `USERPROFILE` first, as botocore (the aws CLI) reads it, since Git Bash and Cygwin set a `HOME`
/// of their own; elsewhere `HOME` first.
fn home_variables(windows: bool) -> [&'static str; 2] {
    if windows {
        ["USERPROFILE", "HOME"]
    } else {
        ["HOME", "USERPROFILE"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_environment_sees_only_its_own_variables_and_treats_empty_as_unset() {
        let env = Env::from_slice(&[("HOME", "/home/ana"), ("EMPTY", "")]);
        assert_eq!(env.var("HOME").as_deref(), Some("/home/ana"));
        assert_eq!(env.var("EMPTY"), None);
        assert_eq!(env.var("PATH"), None, "the process's PATH is not visible");
        assert_eq!(env.current_dir(), None);
        assert_eq!(env.with_current_dir("/srv").current_dir(), Some(PathBuf::from("/srv")));
    }

    #[test]
    fn overrides_win_over_the_process_and_can_unset() {
        let path = std::env::var("PATH").expect("tests run with PATH set");
        let env = Env::default().with_overrides([
            ("PATH".to_owned(), None),
            ("SERVERLESS_ACCESS_ROLES_TEST_ONLY".to_owned(), Some("x".to_owned())),
        ]);
        assert_eq!(env.var("PATH"), None);
        assert_eq!(env.var_os("SERVERLESS_ACCESS_ROLES_TEST_ONLY"), Some("x".into()));
        assert_eq!(Env::default().var("PATH"), Some(path));
        let sdk = env.for_aws_sdk().unwrap();
        assert!(sdk.get("PATH").is_err());
        assert_eq!(sdk.get("SERVERLESS_ACCESS_ROLES_TEST_ONLY").unwrap(), "x");
        assert!(Env::default().for_aws_sdk().is_none(), "no overrides: the SDK reads the process itself");
    }

    #[test]
    fn a_fixed_environment_with_overrides_is_what_the_sdk_reads() {
        let env = Env::from_slice(&[("AWS_PROFILE", "ci"), ("AWS_REGION", "eu-west-1")])
            .with_overrides([("AWS_PROFILE".to_owned(), None)]);
        assert_eq!(env.var("AWS_PROFILE"), None);
        let sdk = env.for_aws_sdk().unwrap();
        assert!(sdk.get("AWS_PROFILE").is_err());
        assert_eq!(sdk.get("AWS_REGION").unwrap(), "eu-west-1");
        assert!(sdk.get("PATH").is_err(), "nothing of the process leaks in");
    }

    #[test]
    fn the_home_directory_comes_from_home_then_userprofile_and_the_other_way_round_on_windows() {
        assert_eq!(home_variables(false), ["HOME", "USERPROFILE"]);
        assert_eq!(home_variables(true), ["USERPROFILE", "HOME"]);
        assert_eq!(Env::from_slice(&[("USERPROFILE", "C:\\Users\\ana")]).home_dir(), Some("C:\\Users\\ana".into()));
        let both = Env::from_slice(&[("HOME", "/h"), ("USERPROFILE", "/u")]).home_dir();
        assert_eq!(both, Some(if cfg!(windows) { "/u" } else { "/h" }.into()));
        assert_eq!(Env::from_slice(&[]).home_dir(), None);
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn the_platform_cache_directory_follows_xdg_then_home() {
        let env = Env::from_slice(&[("HOME", "/home/ana"), ("XDG_CACHE_HOME", "/var/cache/ana")]);
        assert_eq!(env.platform_cache_dir(), Some("/var/cache/ana".into()));
        let relative = Env::from_slice(&[("HOME", "/home/ana"), ("XDG_CACHE_HOME", "cache")]);
        assert_eq!(relative.platform_cache_dir(), Some("/home/ana/.cache".into()), "XDG ignores relative paths");
        assert_eq!(Env::from_slice(&[]).platform_cache_dir(), None);
    }

    #[test]
    fn debug_shows_names_not_values() {
        let env = Env::default().with_overrides([("AWS_SECRET_ACCESS_KEY".to_owned(), Some("very-secret".to_owned()))]);
        let text = format!("{env:?}");
        assert!(text.contains("AWS_SECRET_ACCESS_KEY") && !text.contains("very-secret"), "{text}");
    }
}
