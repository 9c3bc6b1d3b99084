//! Name templates (`{user}-{app}-{stage}`) rendered for the role session name and the source
//! identity, then fitted to STS's rules.
//!
//! STS accepts 2–64 characters of `[A-Za-z0-9_+=,.@-]`. The session name shows up in CloudTrail
//! and in the assumed-role ARN, so it carries who ran the command and for which app and stage.

use crate::env::Env;
use crate::profiles::NameTemplate;

/// The values a session name template can refer to.
#[derive(Clone, Debug, Default)]
pub(crate) struct SessionContext<'a> {
    /// The local user (`$USER`); when unset, `serverless`.
    pub user: Option<&'a str>,
    /// The app looked up.
    pub app: &'a str,
    /// The stage looked up.
    pub stage: &'a str,
    /// The profile chosen.
    pub profile: &'a str,
    /// The Serverless service name, when known; otherwise the app.
    pub service: Option<&'a str>,
}

/// Fallback when a template renders to nothing usable.
const FALLBACK: &str = "serverless-access-roles";

/// Renders `template` with `context` and sanitises the result to STS's rules.
pub(crate) fn render(template: &NameTemplate, context: &SessionContext<'_>) -> String {
    let user = context.user.filter(|u| !u.is_empty()).unwrap_or("serverless");
    let rendered = template
        .as_str()
        .replace("{user}", user)
        .replace("{app}", context.app)
        .replace("{stage}", context.stage)
        .replace("{profile}", context.profile)
        .replace("{service}", context.service.unwrap_or(context.app));
    sanitise(&rendered)
}

/// Replaces every character STS does not accept with `-` and cuts the name to 64 characters.
fn sanitise(name: &str) -> String {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c);
    let cleaned: String = name.chars().map(|c| if allowed(c) { c } else { '-' }).take(64).collect();
    if cleaned.trim_matches('-').len() < 2 {
        FALLBACK.to_owned()
    } else {
        cleaned
    }
}

/// The local user name: `$USER` (or `USERNAME`, `LOGNAME`) as shells see it, else the
/// operating system's name for the current user.
pub(crate) fn local_user(env: &Env) -> Option<String> {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| env.var(k))
        .or_else(|| whoami::username().ok().filter(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(t: &str) -> NameTemplate {
        NameTemplate::try_from(t.to_owned()).unwrap()
    }

    fn context<'a>(user: Option<&'a str>, app: &'a str, stage: &'a str) -> SessionContext<'a> {
        SessionContext { user, app, stage, profile: "sandbox", service: None }
    }

    #[test]
    fn default_template_names_user_app_and_stage() {
        let name = render(&NameTemplate::default_template(), &context(Some("ana"), "payments", "prod"));
        assert_eq!(name, "ana-payments-prod");
    }

    #[test]
    fn characters_sts_rejects_become_dashes() {
        let name = render(&template("{user}/{app}:{stage}"), &context(Some("Ana María"), "pay ments", "dev#1"));
        assert_eq!(name, "Ana-Mar-a-pay-ments-dev-1");
    }

    #[test]
    fn names_are_cut_to_64_characters() {
        let long = "x".repeat(100);
        let name = render(&NameTemplate::default_template(), &context(Some(&long), "a", "b"));
        assert_eq!(name.len(), 64);
    }

    #[test]
    fn empty_or_unusable_names_fall_back() {
        assert_eq!(sanitise(""), FALLBACK);
        assert_eq!(sanitise("é"), FALLBACK);
        assert_eq!(sanitise("ab"), "ab");
    }

    #[test]
    fn the_local_user_is_user_then_username_then_logname() {
        assert_eq!(local_user(&Env::from_slice(&[("USER", "ana"), ("LOGNAME", "x")])).as_deref(), Some("ana"));
        assert_eq!(local_user(&Env::from_slice(&[("USER", ""), ("LOGNAME", "bo")])).as_deref(), Some("bo"));
        assert_eq!(local_user(&Env::from_slice(&[("USERNAME", "cy"), ("LOGNAME", "bo")])).as_deref(), Some("cy"));
        // Without the variables, the operating system's name for the current user.
        let os_name = whoami::username().ok().filter(|name| !name.is_empty());
        assert!(os_name.is_some(), "the test runs as a user with a name");
        assert_eq!(local_user(&Env::from_slice(&[])), os_name);
    }

    #[test]
    fn missing_user_and_service_have_defaults() {
        let name = render(&template("{user}.{service}.{profile}"), &context(None, "payments", "prod"));
        assert_eq!(name, "serverless.payments.sandbox");
    }
}
