//! Finding the profile store on disk.

use crate::env::Env;
use crate::error::Error;
use std::path::{Path, PathBuf};

/// Environment variable naming the store explicitly.
const CONFIG_ENV: &str = "SERVERLESS_ACCESS_ROLES_CONFIG";

/// How an explicit `config_path` is named in messages; each front-end adds its own flag for it
/// (see [`crate::details::Hint::ConfigPath`]).
pub(crate) const CONFIG_PATH_SETTING: &str = "the store path given";

/// File names looked for in each directory, in order; the first is the one a new store gets.
const FILE_NAMES: &[&str] = &["access-roles.yml", "access-roles.json"];

/// Where to look for the store, gathered from the caller and the environment.
#[derive(Clone, Debug, Default)]
pub struct Discovery {
    /// An explicit path (`options.configPath`); wins over everything.
    pub config_path: Option<PathBuf>,
    /// The value of `SERVERLESS_ACCESS_ROLES_CONFIG`, if set and not empty.
    pub env_path: Option<PathBuf>,
    /// Where the upward search starts (the service directory).
    pub start_dir: PathBuf,
    /// The user's home directory, for `~/.serverless/access-roles.yml`.
    pub home_dir: Option<PathBuf>,
}

/// Where the store is, or where one would be made when there is none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreLocation {
    /// The store found; when none was, the explicit path if one was given, else
    /// `access-roles.yml` in the start directory.
    pub path: PathBuf,
    /// Whether `path` exists.
    pub exists: bool,
    /// Every place looked at, in order, up to the one found.
    pub searched: Vec<PathBuf>,
}

impl Discovery {
    /// Discovery through `env`, starting at `cwd` (or the environment's current directory).
    pub fn new(config_path: Option<PathBuf>, cwd: Option<PathBuf>, env: &Env) -> Discovery {
        let start_dir = cwd.or_else(|| env.current_dir()).unwrap_or_else(|| PathBuf::from("."));
        Discovery {
            config_path,
            env_path: env.var_os(CONFIG_ENV).map(PathBuf::from),
            start_dir,
            home_dir: env.home_dir(),
        }
    }

    /// Finds the store's path.
    ///
    /// Resolution order:
    /// 1. `config_path` (relative paths are taken from `start_dir`); it must exist.
    /// 2. `SERVERLESS_ACCESS_ROLES_CONFIG`; it must exist.
    /// 3. The first `access-roles.yml` or `access-roles.json` from `start_dir` upward.
    /// 4. `~/.serverless/access-roles.yml`.
    ///
    /// When nothing is found, the error lists every place that was looked at.
    pub fn find(&self) -> Result<PathBuf, Error> {
        let location = self.search();
        match self.explicit() {
            _ if location.exists => Ok(location.path),
            Some((_, setting)) => Err(Error::MissingStore { path: location.path, setting }),
            None => Err(Error::NoProfileStore { searched: location.searched }),
        }
    }

    /// The explicit path, and the setting that names it as the user knows it.
    fn explicit(&self) -> Option<(&PathBuf, &'static str)> {
        match (&self.config_path, &self.env_path) {
            (Some(path), _) => Some((path, CONFIG_PATH_SETTING)),
            (None, Some(path)) => Some((path, CONFIG_ENV)),
            (None, None) => None,
        }
    }

    /// Looks for the store in the order of [`Discovery::find`], and says where a new one would
    /// go when there is none.
    pub fn search(&self) -> StoreLocation {
        let start_dir = absolute(&self.start_dir);
        if let Some((explicit, _)) = self.explicit() {
            let path = path_clean::clean(start_dir.join(explicit));
            return StoreLocation { exists: path.exists(), searched: vec![path.clone()], path };
        }
        let mut searched = Vec::new();
        let home_store = self.home_dir.as_ref().map(|home| home.join(".serverless").join("access-roles.yml"));
        let upward = start_dir.ancestors().flat_map(|dir| FILE_NAMES.iter().map(move |name| dir.join(name)));
        for path in upward.chain(home_store) {
            searched.push(path.clone());
            if path.exists() {
                return StoreLocation { path, exists: true, searched };
            }
        }
        StoreLocation { path: start_dir.join(FILE_NAMES[0]), exists: false, searched }
    }
}

/// `path` made absolute against the current directory, with `.` and `..` resolved by name as
/// Node's `path.resolve` does, without touching the file system: the upward search must walk
/// the directory's real ancestors, not `a/b/..` then `a/b`.
fn absolute(path: &Path) -> PathBuf {
    path_clean::clean(std::path::absolute(path).unwrap_or_else(|_| path.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn discovery(root: &Path, start: &str) -> Discovery {
        Discovery { config_path: None, env_path: None, start_dir: root.join(start), home_dir: Some(root.join("home")) }
    }

    #[test]
    fn finds_the_nearest_store_from_the_service_directory_upward() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("repo/services/api")).unwrap();
        fs::write(root.path().join("repo/access-roles.yml"), "profiles: {}").unwrap();
        let found = discovery(root.path(), "repo/services/api").find().unwrap();
        assert_eq!(found, root.path().join("repo/access-roles.yml"));
        fs::write(root.path().join("repo/services/access-roles.json"), "{}").unwrap();
        let found = discovery(root.path(), "repo/services/api").find().unwrap();
        assert_eq!(found, root.path().join("repo/services/access-roles.json"));
    }

    #[test]
    fn a_start_directory_with_dot_dot_searches_its_real_ancestors() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("repo/services/api")).unwrap();
        fs::create_dir_all(root.path().join("repo/decoy")).unwrap();
        fs::write(root.path().join("repo/decoy/access-roles.yml"), "").unwrap();
        fs::write(root.path().join("repo/access-roles.yml"), "").unwrap();
        let found = discovery(root.path(), "repo/decoy/../services/api").find().unwrap();
        assert_eq!(found, root.path().join("repo/access-roles.yml"));
        let explicit = Discovery {
            config_path: Some("../../access-roles.yml".into()),
            ..discovery(root.path(), "repo/services/api")
        };
        assert_eq!(explicit.find().unwrap(), root.path().join("repo/access-roles.yml"));
    }

    #[test]
    fn yml_wins_over_json_in_the_same_directory() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("access-roles.json"), "{}").unwrap();
        fs::write(root.path().join("access-roles.yml"), "").unwrap();
        assert_eq!(discovery(root.path(), "").find().unwrap(), root.path().join("access-roles.yml"));
    }

    #[test]
    fn falls_back_to_the_home_store() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("home/.serverless")).unwrap();
        fs::create_dir_all(root.path().join("svc")).unwrap();
        fs::write(root.path().join("home/.serverless/access-roles.yml"), "").unwrap();
        let found = discovery(root.path(), "svc").find().unwrap();
        assert_eq!(found, root.path().join("home/.serverless/access-roles.yml"));
    }

    #[test]
    fn explicit_path_wins_over_env_and_the_env_over_the_search() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("access-roles.yml"), "").unwrap();
        fs::write(root.path().join("from-env.yml"), "").unwrap();
        fs::write(root.path().join("explicit.yml"), "").unwrap();
        let mut d = discovery(root.path(), "");
        d.env_path = Some(PathBuf::from("from-env.yml"));
        assert_eq!(d.find().unwrap(), root.path().join("from-env.yml"));
        d.config_path = Some(root.path().join("explicit.yml"));
        assert_eq!(d.find().unwrap(), root.path().join("explicit.yml"));
    }

    #[test]
    fn a_missing_explicit_path_names_the_setting_that_points_at_it() {
        let root = tempfile::tempdir().unwrap();
        let mut d = discovery(root.path(), "");
        d.env_path = Some(PathBuf::from("from-env.yml"));
        let err = d.find().unwrap_err().to_string();
        assert!(err.contains("from-env.yml does not exist; SERVERLESS_ACCESS_ROLES_CONFIG names it"), "{err}");
        d.config_path = Some(PathBuf::from("explicit.yml"));
        let err = d.find().unwrap_err().to_string();
        assert!(err.contains("explicit.yml does not exist; the store path given names it"), "{err}");
    }

    #[test]
    fn a_missing_explicit_path_is_an_error_not_a_fallback() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("access-roles.yml"), "").unwrap();
        let mut d = discovery(root.path(), "");
        d.config_path = Some(PathBuf::from("nope.yml"));
        let err = d.find().unwrap_err();
        assert_eq!(err.code(), "E_MISSING_STORE");
        assert!(err.to_string().contains("nope.yml"), "{err}");
    }

    #[test]
    fn the_environment_names_the_store_and_the_home_directory() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("home/.serverless")).unwrap();
        fs::write(root.path().join("home/.serverless/access-roles.yml"), "").unwrap();
        fs::write(root.path().join("named.yml"), "").unwrap();
        let home = root.path().join("home");
        let env = Env::from_slice(&[("HOME", home.to_str().unwrap())]).with_current_dir(root.path());
        let found = Discovery::new(None, None, &env).find().unwrap();
        assert_eq!(found, root.path().join("home/.serverless/access-roles.yml"));
        let named = Env::from_slice(&[(CONFIG_ENV, "named.yml")]);
        assert_eq!(
            Discovery::new(None, Some(root.path().into()), &named).find().unwrap(),
            root.path().join("named.yml")
        );
        let empty = Env::from_slice(&[(CONFIG_ENV, "")]).with_current_dir(root.path());
        assert_eq!(Discovery::new(None, None, &empty).search().path, root.path().join("access-roles.yml"));
    }

    #[test]
    fn without_a_store_the_search_names_where_a_new_one_goes() {
        let root = tempfile::tempdir().unwrap();
        let location = discovery(root.path(), "svc").search();
        assert_eq!((location.path, location.exists), (root.path().join("svc/access-roles.yml"), false));
        assert_eq!(location.searched.last(), Some(&root.path().join("home/.serverless/access-roles.yml")));
        let explicit = Discovery { env_path: Some("stores/new.json".into()), ..discovery(root.path(), "svc") };
        let location = explicit.search();
        assert_eq!((location.path, location.exists), (root.path().join("svc/stores/new.json"), false));
        fs::write(root.path().join("access-roles.json"), "{}").unwrap();
        let location = discovery(root.path(), "svc").search();
        assert_eq!((location.path, location.exists), (root.path().join("access-roles.json"), true));
        assert_eq!(
            &location.searched[..2],
            &[root.path().join("svc/access-roles.yml"), root.path().join("svc/access-roles.json")]
        );
    }

    #[test]
    fn the_not_found_error_lists_every_place_it_looked() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("a/b")).unwrap();
        let err = discovery(root.path(), "a/b").find().unwrap_err();
        let text = err.to_string();
        for place in
            ["a/b/access-roles.yml", "a/b/access-roles.json", "a/access-roles.yml", "home/.serverless/access-roles.yml"]
        {
            assert!(text.contains(&root.path().join(place).display().to_string()), "{place} missing in {text}");
        }
        assert!(text.contains("/access-roles.json"), "{text}");
    }
}
