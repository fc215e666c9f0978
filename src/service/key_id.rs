//! Key identifiers: a key ID or a key ARN, as `GetParametersForImport` and `ImportKeyMaterial`
//! accept them in `KeyId`.
//!
//! AWS KMS API reference, `GetParametersForImport` / `ImportKeyMaterial`, `KeyId`: "Specify the key
//! ID or key ARN of the KMS key", e.g. `1234abcd-12ab-34cd-56ef-1234567890ab` or
//! `arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`. Multi-Region keys
//! have IDs `mrk-` followed by 32 hex digits (developer guide, "Multi-Region key IDs"). Aliases
//! are not accepted by these operations. Anything else is `InvalidArnException`.
//!
//! Hex digits may be upper or lower case; the canonical form (what `Display` writes and what
//! tokens bind) is lower case.

use alloc::format;
use alloc::string::String;
use core::fmt;
use core::str::FromStr;

use crate::policy::names::Partition;
use crate::service::kms_error::KmsError;

/// A bare key ID: a UUID, or `mrk-` and 32 hex digits for a multi-Region key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyId {
    bytes: [u8; 16],
    multi_region: bool,
}

/// A key ARN: `arn:<partition>:kms:<region>:<account>:key/<key id>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeyArn {
    partition: Partition,
    region: String,
    account: [u8; 12],
    key_id: KeyId,
}

/// What a caller passes as `KeyId`: a key ID or a key ARN.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KeyIdentifier {
    /// A bare key ID.
    Id(KeyId),
    /// A key ARN.
    Arn(KeyArn),
}

fn invalid(what: &str) -> KmsError {
    KmsError::InvalidArnException(format!(
        "{what}; specify a key ID (e.g. 1234abcd-12ab-34cd-56ef-1234567890ab or \
         mrk-1234abcd12ab34cd56ef1234567890ab) or a key ARN (e.g. \
         arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab); aliases are \
         not accepted by this operation"
    ))
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Reads exactly 32 hex digits, ignoring `-` at the given positions of the input.
fn parse_hex16(s: &[u8], dashes: &[usize]) -> Option<[u8; 16]> {
    if s.len() != 32 + dashes.len() {
        return None;
    }
    let mut out = [0u8; 16];
    let mut nibble = 0usize;
    for (i, &b) in s.iter().enumerate() {
        if dashes.contains(&i) {
            if b != b'-' {
                return None;
            }
            continue;
        }
        let v = hex_value(b)?;
        let slot = out.get_mut(nibble / 2)?;
        *slot |= if nibble.is_multiple_of(2) { v << 4 } else { v };
        nibble += 1;
    }
    Some(out)
}

const UUID_DASHES: [usize; 4] = [8, 13, 18, 23];

impl KeyId {
    /// The 128 bits of the ID (the UUID, or the hex after `mrk-`).
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.bytes
    }

    /// `true` for a multi-Region key ID (`mrk-...`).
    pub fn is_multi_region(&self) -> bool {
        self.multi_region
    }

    fn parse(s: &str) -> Option<KeyId> {
        if let Some(hex) = s.strip_prefix("mrk-") {
            let bytes = parse_hex16(hex.as_bytes(), &[])?;
            return Some(KeyId {
                bytes,
                multi_region: true,
            });
        }
        let bytes = parse_hex16(s.as_bytes(), &UUID_DASHES)?;
        Some(KeyId {
            bytes,
            multi_region: false,
        })
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.multi_region {
            f.write_str("mrk-")?;
        }
        for (i, b) in self.bytes.iter().enumerate() {
            if !self.multi_region && matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl FromStr for KeyId {
    type Err = KmsError;
    fn from_str(s: &str) -> Result<Self, KmsError> {
        KeyId::parse(s).ok_or_else(|| invalid("not a valid key ID"))
    }
}

/// An AWS region name: lower-case words joined by `-`, ending in a number, e.g. `us-east-2`,
/// `cn-north-1`, `us-gov-west-1`.
fn valid_region(region: &str) -> bool {
    let mut parts = region.split('-');
    let words_ok = region.len() <= 32
        && parts.clone().count() >= 3
        && parts.next().is_some_and(|p| p.len() == 2);
    let last_ok = region
        .rsplit('-')
        .next()
        .is_some_and(|n| (1..=2).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()));
    let middle_ok = region
        .split('-')
        .rev()
        .skip(1)
        .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()));
    words_ok && last_ok && middle_ok
}

/// The partition a region belongs to (China Regions start with `cn-`, GovCloud with `us-gov-`).
fn partition_of_region(region: &str) -> Partition {
    if region.starts_with("cn-") {
        Partition::AwsCn
    } else if region.starts_with("us-gov-") {
        Partition::AwsUsGov
    } else {
        Partition::Aws
    }
}

impl KeyArn {
    /// The partition named in the ARN.
    pub fn partition(&self) -> Partition {
        self.partition
    }

    /// The region named in the ARN.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The 12-digit account ID.
    pub fn account(&self) -> &str {
        // Always 12 ASCII digits (checked on parsing).
        core::str::from_utf8(&self.account).unwrap_or("")
    }

    /// The key ID at the end of the ARN.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    fn parse(s: &str) -> Result<KeyArn, KmsError> {
        let rest = s
            .strip_prefix("arn:")
            .ok_or_else(|| invalid("not a valid key ID or key ARN"))?;
        let mut fields = rest.splitn(5, ':');
        let (Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return Err(invalid("not a valid key ARN"));
        };
        let partition: Partition = partition
            .parse()
            .map_err(|_| invalid("the ARN's partition must be aws, aws-cn or aws-us-gov"))?;
        if service != "kms" {
            return Err(invalid("the ARN does not name a KMS resource"));
        }
        if !valid_region(region) {
            return Err(invalid("the ARN's region is not a valid AWS region name"));
        }
        if partition_of_region(region) != partition {
            return Err(invalid(&format!(
                "the region {region} is not in the {partition} partition"
            )));
        }
        let account: [u8; 12] = account
            .as_bytes()
            .try_into()
            .ok()
            .filter(|a: &[u8; 12]| a.iter().all(u8::is_ascii_digit))
            .ok_or_else(|| invalid("the ARN's account ID must be 12 digits"))?;
        let key_id = resource
            .strip_prefix("key/")
            .ok_or_else(|| {
                invalid("the ARN must name a key (`key/...`); alias ARNs are not accepted")
            })
            .and_then(|id| {
                KeyId::parse(id).ok_or_else(|| invalid("the ARN's key ID is not valid"))
            })?;
        Ok(KeyArn {
            partition,
            region: String::from(region),
            account,
            key_id,
        })
    }
}

impl fmt::Display for KeyArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:kms:{}:{}:key/{}",
            self.partition,
            self.region,
            self.account(),
            self.key_id
        )
    }
}

impl FromStr for KeyArn {
    type Err = KmsError;
    fn from_str(s: &str) -> Result<Self, KmsError> {
        KeyArn::parse(s)
    }
}

impl KeyIdentifier {
    /// The key ID, whichever form was given.
    pub fn key_id(&self) -> KeyId {
        match self {
            KeyIdentifier::Id(id) => *id,
            KeyIdentifier::Arn(arn) => arn.key_id,
        }
    }

    /// The ARN, when one was given.
    pub fn arn(&self) -> Option<&KeyArn> {
        match self {
            KeyIdentifier::Arn(arn) => Some(arn),
            KeyIdentifier::Id(_) => None,
        }
    }
}

impl fmt::Display for KeyIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyIdentifier::Id(id) => id.fmt(f),
            KeyIdentifier::Arn(arn) => arn.fmt(f),
        }
    }
}

impl FromStr for KeyIdentifier {
    type Err = KmsError;
    /// A key ID or a key ARN; anything else (including aliases) is `InvalidArnException`.
    fn from_str(s: &str) -> Result<Self, KmsError> {
        if s.len() > 2048 {
            return Err(invalid("the key ID is longer than 2048 characters"));
        }
        if s.starts_with("arn:") {
            return KeyArn::parse(s).map(KeyIdentifier::Arn);
        }
        if s.starts_with("alias/") {
            return Err(invalid("aliases are not accepted"));
        }
        KeyId::parse(s)
            .map(KeyIdentifier::Id)
            .ok_or_else(|| invalid("not a valid key ID or key ARN"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    const UUID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

    #[test]
    fn key_ids_and_arns_parse_and_print_canonically() {
        let id: KeyIdentifier = UUID.parse().unwrap();
        assert_eq!(id.to_string(), UUID);
        let upper: KeyIdentifier = UUID.to_uppercase().parse().unwrap();
        assert_eq!(upper, id);
        let mrk: KeyIdentifier = "mrk-1234ABCD12ab34cd56ef1234567890ab".parse().unwrap();
        assert_eq!(mrk.to_string(), "mrk-1234abcd12ab34cd56ef1234567890ab");
        assert!(mrk.key_id().is_multi_region());
        assert_ne!(mrk.key_id(), id.key_id());
        for arn in [
            "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab",
        ] {
            let parsed: KeyIdentifier = arn.parse().unwrap();
            assert_eq!(parsed.to_string(), arn);
            assert!(parsed.arn().is_some());
        }
    }

    #[test]
    fn everything_else_is_invalid_arn() {
        for bad in [
            "",
            "alias/my-key",
            "arn:aws:kms:us-east-2:111122223333:alias/my-key",
            "1234abcd-12ab-34cd-56ef-1234567890a",
            "1234abcd-12ab-34cd-56ef-1234567890abc",
            "1234abcd12ab-34cd-56ef-1234567890ab-",
            "1234abcg-12ab-34cd-56ef-1234567890ab",
            "mrk-1234abcd12ab34cd56ef1234567890a",
            "arn:aws:kms:us-east-2:11112222333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-2:11112222333a:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:s3:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-iso:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-cn:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:US-EAST-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:useast2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab:x",
            "arn:aws:kms:us-east-2:111122223333",
        ] {
            let err = bad.parse::<KeyIdentifier>().unwrap_err();
            assert_eq!(err.name(), "InvalidArnException", "{bad}");
        }
    }
}
