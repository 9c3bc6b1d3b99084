//! ARNs, parsed in one place: the partitions we accept, IAM principals (an account's root, a
//! user, a role), and role sessions (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`). The
//! store's `roleArn` check, the cache's "is this entry a session of that role" and the JS
//! commands' principal checks all read ARNs through here.

/// Partitions whose ARNs we accept.
pub const PARTITIONS: &[&str] =
    &["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"];

/// The six parts of `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, …
    pub partition: &'a str,
    /// `iam`, `sts`, …
    pub service: &'a str,
    /// Empty for IAM and STS principals.
    pub region: &'a str,
    /// The account id as written.
    pub account: &'a str,
    /// Everything after the fifth colon: `role/path/name`, `assumed-role/name/session`, `root`.
    pub resource: &'a str,
}

/// What kind of principal an ARN names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Principal<'a> {
    /// `arn:P:iam::ACCOUNT:root`.
    Root,
    /// `arn:P:iam::ACCOUNT:user/[PATH/]NAME`: the user's name.
    User(&'a str),
    /// `arn:P:iam::ACCOUNT:role/[PATH/]NAME`: the role's name.
    Role(&'a str),
    /// `arn:P:sts::ACCOUNT:assumed-role/ROLE/SESSION`: the role's name (STS gives no path).
    AssumedRole(&'a str),
}

impl<'a> Arn<'a> {
    /// The parts of `text`, when it has the shape of an ARN (`arn:` and five more colons).
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut parts = text.splitn(6, ':');
        let (arn, partition, service, region, account, resource) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        (arn == "arn").then_some(Arn { partition, service, region, account, resource })
    }

    /// Whether the partition is one we accept.
    pub fn known_partition(&self) -> bool {
        PARTITIONS.contains(&self.partition)
    }

    /// Whether the account is 12 digits.
    pub fn valid_account(&self) -> bool {
        self.account.len() == 12 && self.account.bytes().all(|b| b.is_ascii_digit())
    }

    /// The IAM or STS principal this ARN names, in a partition we accept and a 12-digit account,
    /// with names of IAM's characters.
    pub fn principal(&self) -> Option<Principal<'a>> {
        if !self.known_partition() || !self.valid_account() || !self.region.is_empty() {
            return None;
        }
        match (self.service, self.resource) {
            ("iam", "root") => Some(Principal::Root),
            ("iam", resource) if resource.starts_with("user/") => iam_path_name(&resource[5..]).map(Principal::User),
            ("iam", resource) if resource.starts_with("role/") => iam_path_name(&resource[5..]).map(Principal::Role),
            ("sts", resource) => {
                let (role, session) = resource.strip_prefix("assumed-role/")?.split_once('/')?;
                (iam_name(role) && !session.is_empty()).then_some(Principal::AssumedRole(role))
            }
            _ => None,
        }
    }
}

/// The name at the end of an IAM user's or role's `[PATH/]NAME` (what follows `user/` or
/// `role/`), when it is printable ASCII without `\\` or `:`, at most 576 characters (IAM's
/// 512 for the path and 64 for the name), and the name is valid.
pub fn iam_path_name(path_and_name: &str) -> Option<&str> {
    let name = path_and_name.rsplit('/').next().unwrap_or_default();
    let path_ok =
        path_and_name.len() <= 512 + 64 && path_and_name.chars().all(|c| c.is_ascii_graphic() && c != '\\' && c != ':');
    (path_ok && iam_name(name)).then_some(name)
}

/// An IAM user or role name: 1–64 of letters, digits and `+=,.@_-`.
fn iam_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// Whether `assumed_role_arn` is a session of the role `role_arn`: the same partition, account
/// and role name (a session ARN carries no role path).
pub fn is_session_of(assumed_role_arn: &str, role_arn: &str) -> bool {
    let (Some(session), Some(role)) = (Arn::parse(assumed_role_arn), Arn::parse(role_arn)) else { return false };
    let (Some(Principal::AssumedRole(session_role)), Some(Principal::Role(role_name))) =
        (session.principal(), role.principal())
    else {
        return false;
    };
    session.partition == role.partition && session.account == role.account && session_role == role_name
}

/// The role ARN a trust policy names for a principal: a session's role
/// (`arn:P:iam::ACCOUNT:role/NAME`, without the path STS does not give), else the ARN itself;
/// `None` when `arn` is no principal we accept.
pub fn trusted_principal(arn: &str) -> Option<String> {
    let parsed = Arn::parse(arn)?;
    match parsed.principal()? {
        Principal::AssumedRole(role) => Some(format!("arn:{}:iam::{}:role/{role}", parsed.partition, parsed.account)),
        _ => Some(arn.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arn_has_six_parts_the_last_keeping_its_colons() {
        let arn = Arn::parse("arn:aws:s3:::bucket:with:colons").unwrap();
        assert_eq!((arn.partition, arn.service, arn.region, arn.account), ("aws", "s3", "", ""));
        assert_eq!(arn.resource, "bucket:with:colons");
        assert_eq!(Arn::parse("arn:aws:iam::1"), None);
        assert_eq!(Arn::parse("nra:aws:iam::111111111111:root"), None);
    }

    #[test]
    fn principals_are_roots_users_roles_and_sessions_in_known_partitions() {
        fn principal(text: &str) -> Option<Principal<'_>> {
            Arn::parse(text).and_then(|arn| arn.principal())
        }
        assert_eq!(principal("arn:aws:iam::111111111111:root"), Some(Principal::Root));
        assert_eq!(principal("arn:aws-cn:iam::111111111111:user/ops/ana"), Some(Principal::User("ana")));
        assert_eq!(principal("arn:aws-us-gov:iam::111111111111:role/teams/ci"), Some(Principal::Role("ci")));
        assert_eq!(principal("arn:aws:sts::111111111111:assumed-role/ci/ana"), Some(Principal::AssumedRole("ci")));
        for refused in [
            "arn:aws-mars:iam::111111111111:root",
            "arn:awsx:iam::111111111111:role/ci",
            "arn:aws:iam::1111:role/ci",
            "arn:aws:iam:eu-west-1:111111111111:role/ci",
            "arn:aws:iam::111111111111:role/",
            "arn:aws:iam::111111111111:role/no spaces",
            "arn:aws:iam::111111111111:role/back\\slash/ci",
            "arn:aws:iam::111111111111:role/co:lon/ci",
            "arn:aws:iam::111111111111:group/devs",
            "arn:aws:sts::111111111111:assumed-role/ci/",
            "arn:aws:s3:::bucket",
        ] {
            assert_eq!(principal(refused), None, "{refused}");
        }
        let path = format!("{}/", "p".repeat(63)).repeat(8);
        let longest = format!("arn:aws:iam::111111111111:role/{path}{}", "n".repeat(64));
        assert_eq!(principal(&longest), Some(Principal::Role(&"n".repeat(64))));
        assert_eq!(principal(&longest.replacen("/p", "/pp", 1)), None);
    }

    #[test]
    fn a_session_belongs_to_the_role_of_its_name_account_and_partition() {
        let role = "arn:aws:iam::111111111111:role/teams/deploy";
        assert!(is_session_of("arn:aws:sts::111111111111:assumed-role/deploy/ana-app-dev", role));
        assert!(!is_session_of("arn:aws:sts::111111111111:assumed-role/teams/ana", role));
        assert!(!is_session_of("arn:aws:sts::222222222222:assumed-role/deploy/ana", role));
        assert!(!is_session_of("arn:aws-cn:sts::111111111111:assumed-role/deploy/ana", role));
        assert!(!is_session_of("arn:aws:sts::111111111111:assumed-role/deploy/", role));
        assert!(!is_session_of("arn:aws:iam::111111111111:role/deploy", role), "a role is no session");
        assert!(!is_session_of("garbage", role));
        assert!(!is_session_of("arn:aws:sts::111111111111:assumed-role/deploy/ana", "garbage"));
    }

    #[test]
    fn a_trust_policy_names_a_sessions_role_and_any_other_principal_as_is() {
        assert_eq!(
            trusted_principal("arn:aws-cn:sts::111111111111:assumed-role/ci/ana").as_deref(),
            Some("arn:aws-cn:iam::111111111111:role/ci")
        );
        let user = "arn:aws:iam::111111111111:user/ana";
        assert_eq!(trusted_principal(user).as_deref(), Some(user));
        assert_eq!(trusted_principal("arn:aws-mars:iam::111111111111:user/ana"), None);
    }
}
