//! Tests of `protocol`.

use super::*;

#[test]
fn missing_short_and_enum_errors_read_as_aws_writes_them() {
    let input = Input::parse(br#"{"KeyId": "", "KeySpec": "AES"}"#).unwrap();
    let e = input.key_id().unwrap_err();
    assert_eq!(e.name, "ValidationException");
    assert!(e.message.contains("at 'keyId'"), "{}", e.message);
    let e = input
        .enumeration::<kms_import::KeySpec>("KeySpec", &["HMAC_256"])
        .unwrap_err();
    assert!(e.message.contains("enum value set"), "{}", e.message);
    let e = input.str("Missing", 1, 2).unwrap_err();
    assert!(e.message.contains("must not be null"));
}

#[test]
fn blobs_are_base64_with_byte_bounds() {
    let input = Input::parse(br#"{"A": "AAEC", "B": "not base64!", "C": 5}"#).unwrap();
    assert_eq!(input.blob("A", 1, 3).unwrap(), vec![0, 1, 2]);
    assert_eq!(
        input.blob("A", 4, 8).unwrap_err().name,
        "ValidationException"
    );
    assert_eq!(
        input.blob("A", 1, 2).unwrap_err().name,
        "ValidationException"
    );
    assert_eq!(
        input.blob("B", 1, 8).unwrap_err().name,
        "SerializationException"
    );
    assert_eq!(
        input.blob("C", 1, 8).unwrap_err().name,
        "SerializationException"
    );
}

#[test]
fn malformed_bodies_are_serialization_errors() {
    assert_eq!(
        Input::parse(b"{").err().unwrap().name,
        "SerializationException"
    );
    assert_eq!(
        Input::parse(b"[]").err().unwrap().name,
        "SerializationException"
    );
    assert!(Input::parse(b"").is_ok());
}
