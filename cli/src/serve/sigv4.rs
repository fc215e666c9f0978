//! Signature Version 4 verification, `AWS4-HMAC-SHA256` in the `Authorization` header.
//!
//! Written on `hmac` 0.13 / `sha2` 0.11 (the versions the core uses) because AWS's own `aws-sigv4`
//! crate and the smaller SigV4 crates pull `hmac` 0.12 / `sha2` 0.10 / `digest` 0.10 (and
//! `aws-sigv4` also `http` 0.2): a second copy of the RustCrypto hash stack. The steps follow the
//! AWS IAM user guide, "Create a signed AWS API request" (canonical request, string to sign,
//! signing key, signature); the tests reproduce signatures of AWS's published SigV4 test suite
//! (`aws-sig-v4-test-suite`, 2015-08-30: get-vanilla, post-vanilla, get-vanilla-query-order-key,
//! post-x-www-form-urlencoded, post-header-key-sort). The signature is compared in constant time
//! (`subtle`); secrets are never logged.
//!
//! Errors are the ones AWS JSON services answer: `MissingAuthenticationTokenException` (no
//! `Authorization`), `IncompleteSignatureException` (malformed), `UnrecognizedClientException`
//! (unknown access key id), `InvalidSignatureException` (mismatch, wrong scope, or a request time
//! more than 15 minutes away from the server's clock).

use std::collections::HashMap;
use std::path::Path;

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::serve::protocol::ApiError;

type HmacSha256 = hmac::Hmac<Sha256>;

/// Requests signed more than this far from the server's clock are refused (AWS: 15 minutes).
const MAX_SKEW_SECS: u64 = 15 * 60;

/// Access key id → secret access key, from the `--credentials` file.
pub struct Credentials {
    keys: HashMap<String, Zeroizing<String>>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Credentials({} access keys, [REDACTED])",
            self.keys.len()
        )
    }
}

impl Credentials {
    /// Reads `ACCESS_KEY_ID SECRET_ACCESS_KEY` per line (space, tab, `:` or `,` between them);
    /// blank lines and lines starting with `#` are skipped.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = Zeroizing::new(
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        );
        let mut keys = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line
                .split(|c: char| c.is_whitespace() || c == ':' || c == ',')
                .filter(|p| !p.is_empty());
            match (parts.next(), parts.next(), parts.next()) {
                (Some(id), Some(secret), None) => {
                    keys.insert(id.to_owned(), Zeroizing::new(secret.to_owned()));
                }
                _ => {
                    return Err(format!(
                        "{} line {}: expected ACCESS_KEY_ID SECRET_ACCESS_KEY",
                        path.display(),
                        n + 1
                    ));
                }
            }
        }
        if keys.is_empty() {
            return Err(format!("{} holds no credentials", path.display()));
        }
        Ok(Credentials { keys })
    }

    #[cfg(test)]
    fn single(id: &str, secret: &str) -> Self {
        let mut keys = HashMap::new();
        keys.insert(id.to_owned(), Zeroizing::new(secret.to_owned()));
        Credentials { keys }
    }
}

/// What is signed: the parts of the HTTP request.
pub struct SignedRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    /// Every header, names in any case, in the order received.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

fn incomplete(message: &str) -> ApiError {
    ApiError::new("IncompleteSignatureException", message)
}

fn mismatch() -> ApiError {
    ApiError::new(
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. Check \
         your AWS Secret Access Key and signing method. Consult the service documentation for \
         details.",
    )
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// RFC 3986 unreserved characters stay; everything else is `%XX` (upper-case hex).
fn uri_encode(bytes: &[u8], keep_slash: bool) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn uri_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            #[allow(clippy::cast_possible_truncation)]
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The canonical query string: each name and value decoded then re-encoded, sorted.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                uri_encode(&uri_decode(k), false),
                uri_encode(&uri_decode(v), false),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The canonical request and the string to sign for the given signed header names.
fn string_to_sign(
    request: &SignedRequest<'_>,
    signed_headers: &[&str],
    amz_date: &str,
    scope: &str,
) -> Result<String, ApiError> {
    let mut canonical_headers = String::new();
    for name in signed_headers {
        let values: Vec<String> = request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        if values.is_empty() {
            return Err(incomplete(&format!(
                "the signed header {name} is not in the request"
            )));
        }
        canonical_headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let payload_hash = hex::encode(Sha256::digest(request.body));
    let path = uri_encode(&uri_decode(request.path), true);
    let canonical = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        if path.is_empty() { "/" } else { &path },
        canonical_query(request.query),
        canonical_headers,
        signed_headers.join(";"),
        payload_hash
    );
    Ok(format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    ))
}

fn hmac(key: &[u8], data: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    Zeroizing::new(mac.finalize().into_bytes().to_vec())
}

/// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Zeroizing<Vec<u8>> {
    let k_secret = Zeroizing::new(format!("AWS4{secret}"));
    let k_date = hmac(k_secret.as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// `20150830T123600Z` → seconds since the epoch.
fn parse_amz_date(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &text[0..4],
        &text[4..6],
        &text[6..8],
        &text[9..11],
        &text[11..13],
        &text[13..15]
    );
    rfc3339
        .parse::<kms_import::UnixTime>()
        .ok()
        .map(kms_import::UnixTime::as_secs)
}

/// Verifies the request's signature for `service` in `region` at time `now` (epoch seconds).
/// Returns the access key id that signed it.
pub fn verify(
    credentials: &Credentials,
    request: &SignedRequest<'_>,
    region: &str,
    service: &str,
    now: u64,
) -> Result<String, ApiError> {
    let Some(authorization) = header(request.headers, "authorization") else {
        return Err(ApiError {
            status: 403,
            name: "MissingAuthenticationTokenException",
            message: "Missing Authentication Token".into(),
        });
    };
    let fields = authorization
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(|| incomplete("Authorization must use AWS4-HMAC-SHA256"))?;
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for field in fields.split(',').map(str::trim) {
        match field.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => return Err(incomplete("Authorization header is malformed")),
        }
    }
    let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
        return Err(incomplete(
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'",
        ));
    };
    let parts: Vec<&str> = credential.split('/').collect();
    let [
        access_key,
        date,
        scope_region,
        scope_service,
        "aws4_request",
    ] = parts[..]
    else {
        return Err(incomplete(
            "Credential must be KEY/DATE/REGION/SERVICE/aws4_request",
        ));
    };
    let secret = credentials.keys.get(access_key).ok_or_else(|| {
        ApiError::new(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    })?;
    let amz_date = header(request.headers, "x-amz-date")
        .ok_or_else(|| incomplete("the request has no X-Amz-Date header"))?;
    let signed_at =
        parse_amz_date(amz_date).ok_or_else(|| incomplete("X-Amz-Date is not YYYYMMDDTHHMMSSZ"))?;
    if now.abs_diff(signed_at) > MAX_SKEW_SECS {
        return Err(ApiError::new(
            "InvalidSignatureException",
            format!(
                "Signature expired: {amz_date} is more than 15 minutes away from the server time"
            ),
        ));
    }
    if !amz_date.starts_with(date) || scope_service != service || scope_region != region {
        return Err(ApiError::new(
            "InvalidSignatureException",
            format!(
                "Credential should be scoped to a valid date, region '{region}' and service \
                 '{service}'"
            ),
        ));
    }
    let signed_headers: Vec<&str> = signed.split(';').collect();
    if !signed_headers.contains(&"host")
        || signed_headers
            .iter()
            .any(|h| h.is_empty() || *h != h.to_ascii_lowercase())
    {
        return Err(incomplete(
            "SignedHeaders must be lower case and include host",
        ));
    }
    let scope = format!("{date}/{scope_region}/{scope_service}/aws4_request");
    let to_sign = string_to_sign(request, &signed_headers, amz_date, &scope)?;
    let key = signing_key(secret, date, scope_region, scope_service);
    let expected = hex::encode(hmac(&key, to_sign.as_bytes()).as_slice());
    if expected.as_bytes().ct_eq(signature.as_bytes()).into() {
        Ok(access_key.to_owned())
    } else {
        Err(mismatch())
    }
}

#[cfg(test)]
#[path = "sigv4_tests.rs"]
mod tests;
