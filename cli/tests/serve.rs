//! `kms-import serve` over raw HTTP/1.1 on 127.0.0.1, without Python: the contract's startup
//! line, the AWS JSON 1.1 framing, one import, the errors' shape, and a clean stop on SIGTERM.
//! (The boto3 / aws CLI tests are in tests/clients/, run by .ci/serve-clients.sh.)

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use base64ct::{Base64, Encoding};
use hmac::{KeyInit, Mac};
use kms_import::{WrappingPublicKey, WrappingScheme};
use serde_json::{Value, json};

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kms-import"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--pool",
                "RSA_2048=1,RSA_3072=0,RSA_4096=0,SM2=0",
            ])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start kms-import serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        assert!(addr.starts_with("127.0.0.1:"));
        Server { child, addr }
    }

    /// One request; returns (status, JSON body).
    fn call(&self, target: Option<&str>, body: &str) -> (u16, Value) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        let target = target.map_or(String::new(), |t| {
            format!("X-Amz-Target: TrentService.{t}\r\n")
        });
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-amz-json-1.1\r\n{target}\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status: u16 = response[9..12].parse().unwrap();
        let (head, json) = response.split_once("\r\n\r\n").unwrap();
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/x-amz-json-1.1")
        );
        (status, serde_json::from_str(json).unwrap())
    }

    fn ok(&self, target: &str, body: Value) -> Value {
        let (status, out) = self.call(Some(target), &body.to_string());
        assert_eq!(status, 200, "{target}: {out}");
        out
    }

    fn stop(mut self) -> i32 {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

fn b64(text: &Value) -> Vec<u8> {
    Base64::decode_vec(text.as_str().unwrap()).unwrap()
}

#[test]
fn hmac_key_import_over_raw_http_and_a_clean_stop() {
    let server = Server::start(&[]);
    let created = server.ok(
        "CreateKey",
        json!({"Origin": "EXTERNAL", "KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    );
    let key_id = created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    assert_eq!(created["KeyMetadata"]["KeyState"], "PendingImport");
    let params = server.ok(
        "GetParametersForImport",
        json!({"KeyId": key_id, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
    );
    assert!(
        params["KeyId"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:kms:us-east-1:111122223333:key/")
    );
    assert!(params["ParametersValidTo"].is_u64());
    let material = [0x5a_u8; 32];
    let public = WrappingPublicKey::from_der(&b64(&params["PublicKey"])).unwrap();
    let encrypted = public
        .wrap_key_material(
            WrappingScheme::RsaesOaepSha256,
            &material,
            &mut kms_import_rng(),
        )
        .unwrap();
    let imported = server.ok(
        "ImportKeyMaterial",
        json!({
            "KeyId": key_id,
            "ImportToken": params["ImportToken"],
            "EncryptedKeyMaterial": Base64::encode_string(&encrypted),
            "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
        }),
    );
    assert_eq!(imported["KeyMaterialId"].as_str().unwrap().len(), 64);
    let mac = server.ok(
        "GenerateMac",
        json!({"KeyId": key_id, "Message": Base64::encode_string(b"hi"), "MacAlgorithm": "HMAC_SHA_256"}),
    );
    let mut expected = hmac::Hmac::<sha2::Sha256>::new_from_slice(&material).unwrap();
    expected.update(b"hi");
    assert_eq!(b64(&mac["Mac"]), expected.finalize().into_bytes().to_vec());

    let (status, error) = server.call(Some("Nope"), "{}");
    assert_eq!(
        (status, error["__type"].as_str().unwrap()),
        (400, "UnknownOperationException")
    );
    let (status, error) = server.call(Some("DescribeKey"), "{");
    assert_eq!(
        (status, error["__type"].as_str().unwrap()),
        (400, "SerializationException")
    );
    let (status, error) = server.call(Some("DescribeKey"), "{}");
    assert_eq!(
        (status, error["__type"].as_str().unwrap()),
        (400, "ValidationException")
    );
    let (status, error) = server.call(None, "{}");
    assert_eq!(
        (status, error["__type"].as_str().unwrap()),
        (400, "UnknownOperationException")
    );
    let (status, error) = server.call(
        Some("ImportKeyMaterial"),
        &json!({"KeyId": key_id, "ImportToken": params["ImportToken"],
                "EncryptedKeyMaterial": Base64::encode_string(&[1u8; 256]),
                "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})
        .to_string(),
    );
    assert_eq!(
        (status, error["__type"].as_str().unwrap()),
        (400, "InvalidCiphertextException")
    );
    assert_eq!(server.stop(), 0);
}

#[test]
fn non_loopback_needs_credentials() {
    let out = Command::new(env!("CARGO_BIN_EXE_kms-import"))
        .args(["serve", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs --credentials"));
}

fn kms_import_rng() -> impl kms_import::rand_core::CryptoRng {
    kms_import::rand_core::UnwrapErr(getrandom::SysRng)
}
