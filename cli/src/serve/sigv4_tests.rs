//! Tests of `sigv4`.

use super::*;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const DATE: &str = "20150830T123600Z";
const NOW: u64 = 1_440_938_160; // 2015-08-30T12:36:00Z

/// One request of AWS's SigV4 test suite, verified with its published signature.
fn suite_case(
    method: &str,
    query: &str,
    extra: &[(&str, &str)],
    body: &[u8],
    signed: &str,
    signature: &str,
) -> Result<String, ApiError> {
    let mut headers = vec![
        ("Host".to_owned(), "example.amazonaws.com".to_owned()),
        ("X-Amz-Date".to_owned(), DATE.to_owned()),
    ];
    headers.extend(
        extra
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
    );
    headers.push((
        "Authorization".to_owned(),
        format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders={signed}, Signature={signature}"
        ),
    ));
    let request = SignedRequest {
        method,
        path: "/",
        query,
        headers: &headers,
        body,
    };
    verify(
        &Credentials::single("AKIDEXAMPLE", SECRET),
        &request,
        "us-east-1",
        "service",
        NOW,
    )
}

#[test]
fn aws_test_suite_signatures_verify() {
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a [(&'a str, &'a str)],
        &'a [u8],
        &'a str,
        &'a str,
    );
    let cases: [Case<'_>; 5] = [
        (
            "GET",
            "",
            &[],
            b"",
            "host;x-amz-date",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
        (
            "POST",
            "",
            &[],
            b"",
            "host;x-amz-date",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        ),
        (
            "GET",
            "Param2=value2&Param1=value1",
            &[],
            b"",
            "host;x-amz-date",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        ),
        (
            "POST",
            "",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            b"Param1=value1",
            "content-type;host;x-amz-date",
            "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
        ),
        (
            "POST",
            "",
            &[("My-Header1", "  value1  ")],
            b"",
            "host;my-header1;x-amz-date",
            "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
        ),
    ];
    for (method, query, extra, body, signed, signature) in cases {
        assert_eq!(
            suite_case(method, query, extra, body, signed, signature).unwrap(),
            "AKIDEXAMPLE",
            "{method} {query} {signed}"
        );
    }
}

#[test]
fn any_change_is_refused() {
    let good = "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b";
    let e = suite_case("POST", "", &[], b"x", "host;x-amz-date", good).unwrap_err();
    assert_eq!(e.name, "InvalidSignatureException");
    let bad = good.replace('5', "6");
    let e = suite_case("POST", "", &[], b"", "host;x-amz-date", &bad).unwrap_err();
    assert_eq!(e.name, "InvalidSignatureException");
    let e = suite_case("POST", "", &[], b"", "x-amz-date", good).unwrap_err();
    assert_eq!(e.name, "IncompleteSignatureException");
}

#[test]
fn unknown_key_missing_header_and_skew() {
    let headers = vec![("Host".to_owned(), "h".to_owned())];
    let request = SignedRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body: b"",
    };
    let creds = Credentials::single("AKIDEXAMPLE", SECRET);
    let e = verify(&creds, &request, "us-east-1", "service", NOW).unwrap_err();
    assert_eq!(e.name, "MissingAuthenticationTokenException");
    let e = suite_case("POST", "", &[], b"", "host;x-amz-date", "00").unwrap_err();
    assert_eq!(e.name, "InvalidSignatureException");
    let mut headers = headers.clone();
    headers.push(("X-Amz-Date".into(), DATE.into()));
    headers.push((
        "Authorization".into(),
        "AWS4-HMAC-SHA256 Credential=OTHER/20150830/us-east-1/service/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=00"
            .into(),
    ));
    let request = SignedRequest {
        headers: &headers,
        ..request
    };
    let e = verify(&creds, &request, "us-east-1", "service", NOW).unwrap_err();
    assert_eq!(e.name, "UnrecognizedClientException");
    let e = verify(&creds, &request, "us-east-1", "service", NOW + 3600).unwrap_err();
    assert_eq!(e.name, "UnrecognizedClientException");
}

#[test]
fn expired_signature() {
    let mut headers = vec![
        ("Host".to_owned(), "example.amazonaws.com".to_owned()),
        ("X-Amz-Date".to_owned(), DATE.to_owned()),
    ];
    headers.push((
        "Authorization".into(),
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
         SignedHeaders=host;x-amz-date, \
         Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
            .into(),
    ));
    let request = SignedRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body: b"",
    };
    let creds = Credentials::single("AKIDEXAMPLE", SECRET);
    assert!(verify(&creds, &request, "us-east-1", "service", NOW + 60).is_ok());
    let e = verify(&creds, &request, "us-east-1", "service", NOW + 16 * 60).unwrap_err();
    assert!(e.message.starts_with("Signature expired"), "{}", e.message);
    let e = verify(&creds, &request, "us-west-2", "service", NOW).unwrap_err();
    assert_eq!(e.name, "InvalidSignatureException");
}
