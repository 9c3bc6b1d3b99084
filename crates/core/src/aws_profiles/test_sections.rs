//! The sections and store path the tests of `file.rs` and `merge.rs` write and merge.

use super::Section;

/// The store path the test blocks name.
pub(super) const STORE: &str = "/srv/access-roles.yml";

/// A profile section named `name` that runs the bin for app `name`.
pub(super) fn section(name: &str, region: Option<&str>) -> Section {
    Section {
        name: name.to_owned(),
        credential_process: format!("/bin/sar credential-process --app {name}"),
        region: region.map(str::to_owned),
    }
}
