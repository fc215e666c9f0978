//! The AWS JSON 1.1 protocol as the SDKs speak it: request members read and checked against the
//! KMS API model (botocore `kms/2014-11-01/service-2.json`: `min`, `max`, `enum`, `pattern`,
//! `required`), errors as `{"__type": ..., "message": ...}`.
//!
//! Error names follow what AWS answers (AWS KMS API reference, "Common Errors"):
//! `ValidationException` for a member that is missing, too short, too long or not in its enum
//! ("1 validation error detected: ..."), `SerializationException` for a body that is not JSON or
//! a member of the wrong JSON type (including a blob that is not base64),
//! `UnknownOperationException` for an `X-Amz-Target` the service does not have. All are HTTP 400,
//! `KMSInternalException` is HTTP 500.

use std::collections::BTreeMap;
use std::str::FromStr;

use base64ct::{Base64, Encoding};
use kms_import::{KmsError, UnixTime};
use serde_json::{Map, Value};

/// An error as the service answers it: HTTP status, `__type`, `message`.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub name: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(name: &'static str, message: impl Into<String>) -> Self {
        let status = match name {
            "KMSInternalException" => 500,
            "DryRunOperationException" => 412,
            _ => 400,
        };
        ApiError {
            status,
            name,
            message: message.into(),
        }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new("ValidationException", message)
    }

    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new("SerializationException", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new("KMSInternalException", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new("NotFoundException", message)
    }

    pub fn invalid_state(message: impl Into<String>) -> Self {
        Self::new("KMSInvalidStateException", message)
    }

    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new("UnsupportedOperationException", message)
    }

    pub fn key_usage(message: impl Into<String>) -> Self {
        Self::new("InvalidKeyUsageException", message)
    }

    /// The response body.
    pub fn body(&self) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({"__type": self.name, "message": self.message}))
            .unwrap_or_default()
    }
}

/// The core's refusals keep their AWS exception name and message.
impl From<KmsError> for ApiError {
    fn from(e: KmsError) -> Self {
        ApiError::new(e.name(), e.message())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The members of one request, read one by one with the model's constraints.
pub struct Input {
    members: Map<String, Value>,
}

/// `"1 validation error detected: Value ... at 'member' failed to satisfy constraint: ..."`, as
/// AWS words it; the member name is written lowerCamelCase as AWS does.
fn constraint(value: &str, member: &str, rule: &str) -> ApiError {
    let mut chars = member.chars();
    let camel: String = chars
        .next()
        .map(|c| c.to_ascii_lowercase())
        .into_iter()
        .chain(chars)
        .collect();
    ApiError::validation(format!(
        "1 validation error detected: Value {value} at '{camel}' failed to satisfy constraint: \
         {rule}"
    ))
}

impl Input {
    /// Parses a request body: a JSON object (an empty body counts as `{}`, as botocore sends
    /// for operations without members).
    pub fn parse(body: &[u8]) -> ApiResult<Self> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Input {
                members: Map::new(),
            });
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(members)) => Ok(Input { members }),
            Ok(_) => Err(ApiError::serialization(
                "the request body must be a JSON object",
            )),
            Err(_) => Err(ApiError::serialization(
                "the request body is not valid JSON",
            )),
        }
    }

    /// Whether the request has the member (not null).
    pub fn has(&self, member: &str) -> bool {
        self.get(member).is_some()
    }

    fn get(&self, member: &str) -> Option<&Value> {
        self.members.get(member).filter(|v| !v.is_null())
    }

    fn wrong_type(member: &str, expected: &str) -> ApiError {
        ApiError::serialization(format!("{member} must be {expected}"))
    }

    /// A string member with the model's `min`/`max` (in characters).
    pub fn opt_str(&self, member: &str, min: usize, max: usize) -> ApiResult<Option<&str>> {
        let Some(value) = self.get(member) else {
            return Ok(None);
        };
        let text = value
            .as_str()
            .ok_or_else(|| Self::wrong_type(member, "a string"))?;
        let len = text.chars().count();
        if len < min {
            return Err(constraint(
                &format!("'{text}'"),
                member,
                &format!("Member must have length greater than or equal to {min}"),
            ));
        }
        if len > max {
            return Err(constraint(
                "(not shown)",
                member,
                &format!("Member must have length less than or equal to {max}"),
            ));
        }
        Ok(Some(text))
    }

    /// A required string member.
    pub fn str(&self, member: &str, min: usize, max: usize) -> ApiResult<&str> {
        self.opt_str(member, min, max)?
            .ok_or_else(|| constraint("null", member, "Member must not be null"))
    }

    /// The `KeyId` member (`KeyIdType`: string, min 1, max 2048; required).
    pub fn key_id(&self) -> ApiResult<&str> {
        self.str("KeyId", 1, 2048)
    }

    /// An enum member, parsed with `T::from_str` (the core's AWS names, or the server's).
    pub fn opt_enum<T: FromStr>(&self, member: &str, allowed: &[&str]) -> ApiResult<Option<T>> {
        let Some(text) = self.opt_str(member, 0, usize::MAX)? else {
            return Ok(None);
        };
        match text.parse() {
            Ok(v) if allowed.contains(&text) => Ok(Some(v)),
            _ => Err(constraint(
                &format!("'{text}'"),
                member,
                &format!(
                    "Member must satisfy enum value set: [{}]",
                    allowed.join(", ")
                ),
            )),
        }
    }

    /// A required enum member.
    pub fn enumeration<T: FromStr>(&self, member: &str, allowed: &[&str]) -> ApiResult<T> {
        self.opt_enum(member, allowed)?
            .ok_or_else(|| constraint("null", member, "Member must not be null"))
    }

    /// A blob member: base64 on the wire, `min`/`max` in bytes after decoding.
    pub fn opt_blob(&self, member: &str, min: usize, max: usize) -> ApiResult<Option<Vec<u8>>> {
        let Some(value) = self.get(member) else {
            return Ok(None);
        };
        let text = value
            .as_str()
            .ok_or_else(|| Self::wrong_type(member, "a base64 string"))?;
        // Bound the work before decoding: base64 of `max` bytes is at most 4 * ceil(max / 3).
        if text.len() > max.div_ceil(3) * 4 + 4 {
            return Err(constraint(
                "(not shown)",
                member,
                &format!("Member must have length less than or equal to {max}"),
            ));
        }
        let bytes = Base64::decode_vec(text.trim_end_matches('\n'))
            .map_err(|_| Self::wrong_type(member, "base64"))?;
        if bytes.len() < min {
            return Err(constraint(
                "(not shown)",
                member,
                &format!("Member must have length greater than or equal to {min}"),
            ));
        }
        if bytes.len() > max {
            return Err(constraint(
                "(not shown)",
                member,
                &format!("Member must have length less than or equal to {max}"),
            ));
        }
        Ok(Some(bytes))
    }

    /// A required blob member.
    pub fn blob(&self, member: &str, min: usize, max: usize) -> ApiResult<Vec<u8>> {
        self.opt_blob(member, min, max)?
            .ok_or_else(|| constraint("null", member, "Member must not be null"))
    }

    /// An integer member with the model's `min`/`max`.
    pub fn opt_int(&self, member: &str, min: i64, max: i64) -> ApiResult<Option<i64>> {
        let Some(value) = self.get(member) else {
            return Ok(None);
        };
        let n = value
            .as_i64()
            .ok_or_else(|| Self::wrong_type(member, "an integer"))?;
        if n < min {
            return Err(constraint(
                &format!("'{n}'"),
                member,
                &format!("Member must have value greater than or equal to {min}"),
            ));
        }
        if n > max {
            return Err(constraint(
                &format!("'{n}'"),
                member,
                &format!("Member must have value less than or equal to {max}"),
            ));
        }
        Ok(Some(n))
    }

    /// A boolean member.
    pub fn opt_bool(&self, member: &str) -> ApiResult<Option<bool>> {
        self.get(member)
            .map(|v| {
                v.as_bool()
                    .ok_or_else(|| Self::wrong_type(member, "a boolean"))
            })
            .transpose()
    }

    /// A timestamp member: epoch seconds (botocore's JSON timestamp format), fractions dropped.
    pub fn opt_timestamp(&self, member: &str) -> ApiResult<Option<UnixTime>> {
        let Some(value) = self.get(member) else {
            return Ok(None);
        };
        let secs = value
            .as_f64()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .ok_or_else(|| Self::wrong_type(member, "a timestamp in epoch seconds"))?;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        UnixTime::from_secs(secs as u64)
            .map(Some)
            .ok_or_else(|| ApiError::validation(format!("{member} is after 9999-12-31")))
    }

    /// A string-to-string map member (`EncryptionContextType`), ordered by key.
    pub fn opt_string_map(&self, member: &str) -> ApiResult<BTreeMap<String, String>> {
        let Some(value) = self.get(member) else {
            return Ok(BTreeMap::new());
        };
        let map = value
            .as_object()
            .ok_or_else(|| Self::wrong_type(member, "a map of strings"))?;
        map.iter()
            .map(|(k, v)| {
                v.as_str()
                    .map(|v| (k.clone(), v.to_owned()))
                    .ok_or_else(|| Self::wrong_type(member, "a map of strings"))
            })
            .collect()
    }

    /// `GrantTokens` (`GrantTokenList`: 0..10 strings of 1..8192): checked, then ignored (this
    /// endpoint has no grants).
    pub fn grant_tokens(&self) -> ApiResult<()> {
        let Some(value) = self.get("GrantTokens") else {
            return Ok(());
        };
        let list = value
            .as_array()
            .ok_or_else(|| Self::wrong_type("GrantTokens", "a list of strings"))?;
        if list.len() > 10 {
            return Err(constraint(
                "(not shown)",
                "GrantTokens",
                "Member must have length less than or equal to 10",
            ));
        }
        for token in list {
            let len = token
                .as_str()
                .ok_or_else(|| Self::wrong_type("GrantTokens", "a list of strings"))?
                .len();
            if !(1..=8192).contains(&len) {
                return Err(constraint(
                    "(not shown)",
                    "GrantTokens",
                    "Member must have length between 1 and 8192",
                ));
            }
        }
        Ok(())
    }

    /// `DryRun: true` answers `DryRunOperationException` (HTTP 412) once the request is checked,
    /// as AWS does ("The request would have succeeded").
    pub fn dry_run(&self) -> ApiResult<()> {
        if self.opt_bool("DryRun")? == Some(true) {
            return Err(ApiError::new(
                "DryRunOperationException",
                "The request would have succeeded, but the DryRun option is set.",
            ));
        }
        Ok(())
    }
}

/// Base64 of a blob member of a response.
pub fn b64(bytes: &[u8]) -> Value {
    Value::String(Base64::encode_string(bytes))
}

/// A timestamp member of a response: epoch seconds.
pub fn ts(time: u64) -> Value {
    Value::from(time)
}

#[cfg(test)]
#[path = "protocol_tests.rs"]
mod tests;
