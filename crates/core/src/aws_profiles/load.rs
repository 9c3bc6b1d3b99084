//! The AWS config and credentials files, read by aws-config's own profile parser, and read again
//! only once they change: every resolve asks (for the cache key, and for a profile that runs
//! the bin), the in-process fast path too.

use super::file::shared_file;
use crate::context::Context;
use aws_config::profile::ProfileSet;
use aws_types::os_shim_internal::{Env as SdkEnv, Fs};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// Each AWS file's path, size and modification time, as for the profile store.
type Stamp = [(PathBuf, Option<u64>, Option<SystemTime>); 2];

/// The last files a context read, with the stamp they were read under.
pub(crate) type AwsFilesMemo = Mutex<Option<(Stamp, Arc<ProfileSet>)>>;

/// The profiles of the AWS config and credentials files the context's environment points at
/// (`AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/…`); `None` when they cannot
/// be read or parsed.
pub(super) fn load_profiles(context: &Context) -> Option<Arc<ProfileSet>> {
    let env = context.env();
    let stamp =
        [shared_file(env, "AWS_CONFIG_FILE", "config"), shared_file(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials")]
            .map(|path| {
                let meta = std::fs::metadata(&path).ok();
                (path, meta.as_ref().map(std::fs::Metadata::len), meta.and_then(|m| m.modified().ok()))
            });
    let memo = || context.memory().aws_files.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((seen, profiles)) = memo().as_ref() {
        if *seen == stamp {
            return Some(profiles.clone());
        }
    }
    let sdk_env = env.for_aws_sdk().unwrap_or_else(SdkEnv::real);
    // aws-config's profile loading reads with `std::fs`, so it is ready when first polled.
    let loaded =
        crate::ready::ready(aws_config::profile::parser::load(&Fs::real(), &sdk_env, &Default::default(), None));
    let profiles = Arc::new(loaded?.ok()?);
    *memo() = Some((stamp, profiles.clone()));
    Some(profiles)
}
