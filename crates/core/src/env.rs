//! The process environment as a resolve reads it, through one seam.
//!
//! A process that runs on an access role has the role's keys in its environment (see
//! [`crate::session_env`]). Refreshing those keys must still start from the base identity, so a
//! caller can hand in the variables as they were before the export: [`Env::with_overrides`]. The
//! base identity's credential chain, the cache key and the nested-session check all read through
//! the same [`Env`].

use crate::credentials::Secret;
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::fmt;
use std::sync::Arc;

/// The process environment, with some variables replaced.
///
/// `Env::default()` is the process environment as it is. Overrides are values (or the absence of
/// a value) that win over the process's own; their values are kept as [`Secret`]s, since they may
/// be keys, and `Debug` shows only their names.
#[derive(Clone, Default)]
pub struct Env {
    overrides: Arc<BTreeMap<String, Option<Secret>>>,
}

impl Env {
    /// This environment with `overrides` in place of the process's values: a name mapped to
    /// `None` reads as unset.
    pub fn with_overrides(self, overrides: impl IntoIterator<Item = (String, Option<String>)>) -> Env {
        let mut all = (*self.overrides).clone();
        all.extend(overrides.into_iter().map(|(name, value)| (name, value.map(Secret::new))));
        Env { overrides: Arc::new(all) }
    }

    /// The value of `name` as UTF-8, `None` when unset or not UTF-8.
    pub fn var(&self, name: &str) -> Option<String> {
        match self.overrides.get(name) {
            Some(value) => value.as_ref().map(|v| v.expose().to_owned()),
            None => std::env::var(name).ok(),
        }
    }

    /// The value of `name`, whatever its encoding; `None` when unset.
    pub fn var_os(&self, name: &str) -> Option<OsString> {
        match self.overrides.get(name) {
            Some(value) => value.as_ref().map(|v| OsString::from(v.expose())),
            None => std::env::var_os(name),
        }
    }

    /// This environment as the AWS SDK's config loader takes it, when it differs from the
    /// process's (the loader reads the process environment itself otherwise). Variables that are
    /// not UTF-8 are left out, as the SDK's own reads would skip them.
    pub(crate) fn for_aws_sdk(&self) -> Option<aws_types::os_shim_internal::Env> {
        if self.overrides.is_empty() {
            return None;
        }
        let mut vars: HashMap<String, String> = std::env::vars_os()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
            .collect();
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
        f.debug_struct("Env").field("overridden", &self.overrides.keys().collect::<Vec<_>>()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn debug_shows_names_not_values() {
        let env = Env::default().with_overrides([("AWS_SECRET_ACCESS_KEY".to_owned(), Some("very-secret".to_owned()))]);
        let text = format!("{env:?}");
        assert!(text.contains("AWS_SECRET_ACCESS_KEY") && !text.contains("very-secret"), "{text}");
    }
}
