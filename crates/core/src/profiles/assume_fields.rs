//! Validated store fields that shape the role session: MFA device, session tags and an inline
//! session policy.

use super::checked::deserialize_checked;
use crate::text::shorten;
use std::collections::BTreeMap;

/// The MFA device whose code STS checks: an ARN such as `arn:aws:iam::123456789012:mfa/ana`, or a
/// hardware token's serial number. 9–256 of letters, digits and `_+=/:,.@-`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaSerial(String);

deserialize_checked!(MfaSerial, String, "an MFA device ARN or serial");

impl MfaSerial {
    /// The serial as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MfaSerial {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        let chars_ok = value.chars().all(|c| c.is_ascii_alphanumeric() || "_+=/:,.@-".contains(c));
        if (9..=256).contains(&value.len()) && chars_ok {
            Ok(MfaSerial(value))
        } else {
            Err(format!(
                "`{}` is not an MFA device: expected an ARN like arn:aws:iam::123456789012:mfa/NAME or a device serial (9-256 of letters, digits and _+=/:,.@-)",
                shorten(&value)
            ))
        }
    }
}

/// Session tags passed to AssumeRole: at most 50, keys 1–128 and values 0–256 characters of
/// letters, digits, spaces and `_.:/=+-@`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionTags(BTreeMap<String, String>);

deserialize_checked!(SessionTags, BTreeMap<String, String>, "a mapping of tag keys to values", any);

impl SessionTags {
    /// The tags, ordered by key.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter()
    }

    /// True when a tag with this key is set.
    pub fn contains(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }
}

impl TryFrom<BTreeMap<String, String>> for SessionTags {
    type Error = String;

    fn try_from(tags: BTreeMap<String, String>) -> Result<Self, String> {
        let allowed = |s: &str| s.chars().all(|c| c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c));
        if tags.len() > 50 {
            return Err(format!("at most 50 session tags are allowed, found {}", tags.len()));
        }
        for (key, value) in &tags {
            if !(1..=128).contains(&key.chars().count()) || !allowed(key) || key.to_lowercase().starts_with("aws:") {
                return Err(format!(
                    "session tag key `{}` is not valid: 1-128 of letters, digits, spaces and _.:/=+-@, not starting with aws:",
                    shorten(key)
                ));
            }
            if value.chars().count() > 256 || !allowed(value) {
                return Err(format!(
                    "the value of session tag `{}` is not valid: at most 256 of letters, digits, spaces and _.:/=+-@",
                    shorten(key)
                ));
            }
        }
        Ok(SessionTags(tags))
    }
}

/// An inline session policy, as a mapping in the store or a JSON string; kept as compact JSON.
/// It can only narrow what the role may do, never widen it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionPolicy(String);

deserialize_checked!(SessionPolicy, serde_json::Value, "an IAM policy document", any);

impl SessionPolicy {
    /// The policy document as compact JSON.
    pub fn as_json(&self) -> &str {
        &self.0
    }
}

impl TryFrom<serde_json::Value> for SessionPolicy {
    type Error = String;

    fn try_from(value: serde_json::Value) -> Result<Self, String> {
        let document = match value {
            serde_json::Value::String(text) => {
                serde_json::from_str(&text).map_err(|e| format!("policy is a string but not JSON: {e}"))?
            }
            other => other,
        };
        let has_statement = document.as_object().is_some_and(|o| o.contains_key("Statement"));
        if !has_statement {
            return Err("policy must be an IAM policy document with a `Statement`".to_owned());
        }
        let json = document.to_string();
        // STS counts the packed document against a 2048-character limit.
        if json.len() > 2048 {
            return Err(format!("policy is {} characters packed; STS allows at most 2048", json.len()));
        }
        Ok(SessionPolicy(json))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mfa_serials_are_arns_or_device_serials() {
        assert!(MfaSerial::try_from("arn:aws:iam::123456789012:mfa/ana".to_owned()).is_ok());
        assert!(MfaSerial::try_from("GAHT12345678".to_owned()).is_ok());
        assert!(MfaSerial::try_from("short".to_owned()).is_err());
        assert!(MfaSerial::try_from("GAHT1234".to_owned()).is_err(), "8 characters");
        assert!(MfaSerial::try_from("G".repeat(256)).is_ok());
        assert!(MfaSerial::try_from("G".repeat(257)).is_err());
        assert!(MfaSerial::try_from("arn:aws:iam::123456789012:mfa/a b".to_owned()).is_err());
    }

    #[test]
    fn session_tags_follow_sts_rules() {
        let tags = |pairs: &[(&str, &str)]| {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>()
        };
        assert!(SessionTags::try_from(tags(&[("team", "payments"), ("cost-center", "42 a@b")])).is_ok());
        assert!(SessionTags::try_from(tags(&[("", "x")])).is_err());
        assert!(SessionTags::try_from(tags(&[("aws:team", "x")])).is_err());
        assert!(SessionTags::try_from(tags(&[("team", "a|b")])).unwrap_err().contains("value of session tag `team`"));
        let many: BTreeMap<_, _> = (0..51).map(|i| (format!("k{i}"), String::new())).collect();
        assert!(SessionTags::try_from(many).unwrap_err().contains("at most 50"));
    }

    #[test]
    fn session_tags_may_be_50_with_values_of_256_characters() {
        let fifty: BTreeMap<_, _> = (0..50).map(|i| (format!("k{i}"), "v".repeat(256))).collect();
        assert_eq!(SessionTags::try_from(fifty).unwrap().iter().count(), 50);
        let long = BTreeMap::from([("team".to_owned(), "é".repeat(257))]);
        assert!(SessionTags::try_from(long).unwrap_err().contains("value of session tag `team`"));
    }

    #[test]
    fn a_session_tag_key_of_other_characters_or_in_the_aws_namespace_is_refused() {
        for key in ["te|am", "AWS:team", "k".repeat(129).as_str()] {
            let err = SessionTags::try_from(BTreeMap::from([(key.to_owned(), "x".to_owned())])).unwrap_err();
            assert!(err.contains("session tag key"), "{key}: {err}");
        }
        let spaced = BTreeMap::from([("cost center".to_owned(), "R and D".to_owned())]);
        assert!(SessionTags::try_from(spaced).unwrap().contains("cost center"));
    }

    #[test]
    fn policies_are_documents_as_mappings_or_json_strings() {
        let mapping = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
        let from_mapping = SessionPolicy::try_from(mapping.clone()).unwrap();
        let from_string = SessionPolicy::try_from(serde_json::Value::String(mapping.to_string())).unwrap();
        assert_eq!(from_mapping, from_string);
        assert!(SessionPolicy::try_from(serde_json::json!("{not json")).unwrap_err().contains("not JSON"));
        assert!(SessionPolicy::try_from(serde_json::json!({"Version": "2012-10-17"}))
            .unwrap_err()
            .contains("Statement"));
        let huge = serde_json::json!({"Statement": "x".repeat(3000)});
        assert!(SessionPolicy::try_from(huge).unwrap_err().contains("2048"));
        // `{"Statement":"…"}` packs to 16 characters and the string.
        let largest = SessionPolicy::try_from(serde_json::json!({"Statement": "x".repeat(2032)})).unwrap();
        assert_eq!(largest.as_json().len(), 2048);
        let over = SessionPolicy::try_from(serde_json::json!({"Statement": "x".repeat(2033)})).unwrap_err();
        assert_eq!(over, "policy is 2049 characters packed; STS allows at most 2048");
    }
}
