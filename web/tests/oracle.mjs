// What the browser test compares the page with, all outside the page: keys and key material made
// by the OpenSSL command line, the page's ciphertexts unwrapped by OpenSSL, and the refusals of
// the `kms-import wrap` command for the same inputs.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

function openssl(args, options = {}) {
  return execFileSync("openssl", args, { stdio: ["pipe", "pipe", "pipe"], ...options });
}

// `openssl genpkey` writes the traditional encodings; `pkcs8 -topk8` gives PKCS#8 DER, as the AWS
// guide does.
function genpkey(dir, name, args) {
  const pem = path.join(dir, `${name}.pem`);
  openssl(["genpkey", ...args, "-out", pem]);
  const der = path.join(dir, `${name}.p8.der`);
  openssl(["pkcs8", "-topk8", "-nocrypt", "-in", pem, "-outform", "DER", "-out", der]);
  return { pem, der };
}

const RSA_BITS = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

// The four wrapping key pairs: the private key's PEM path, the public key's DER path and bytes.
export function wrappingKeys(dir) {
  const keys = {};
  for (const spec of ["RSA_2048", "RSA_3072", "RSA_4096", "SM2"]) {
    const args = spec === "SM2"
      ? ["-algorithm", "SM2"]
      : ["-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${RSA_BITS[spec]}`];
    const { pem } = genpkey(dir, `wrapping-${spec}`, args);
    const pub = path.join(dir, `wrapping-${spec}.pub.der`);
    openssl(["pkey", "-in", pem, "-pubout", "-outform", "DER", "-out", pub]);
    keys[spec] = { spec, pem, pub, der: fs.readFileSync(pub) };
  }
  return keys;
}

// One key material of each family: the file the page is given, its key spec, the partition it
// is tried in first, and the bytes KMS must receive (the DER of a PEM).
export function materials(dir) {
  const write = (name, bytes) => {
    fs.writeFileSync(path.join(dir, name), bytes);
    return bytes;
  };
  const random = (n) => openssl(["rand", String(n)]);
  const rsa = genpkey(dir, "material-rsa",
    ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
  const ec = genpkey(dir, "material-ec",
    ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]);
  const sm2 = genpkey(dir, "material-sm2", ["-algorithm", "SM2"]);
  // The EC key as a PEM PRIVATE KEY: the page must send its DER.
  const ecPem = openssl(["pkcs8", "-topk8", "-nocrypt", "-in", ec.pem]);
  return [
    { family: "symmetric", file: "symmetric.bin", keySpec: "SYMMETRIC_DEFAULT",
      expected: write("symmetric.bin", random(32)) },
    { family: "HMAC", file: "hmac-512.bin", keySpec: "HMAC_512",
      expected: write("hmac-512.bin", random(64)) },
    { family: "RSA PKCS#8", file: "rsa-2048.p8.der", keySpec: "RSA_2048",
      expected: write("rsa-2048.p8.der", fs.readFileSync(rsa.der)) },
    { family: "EC PKCS#8", file: "p256.pem", keySpec: "ECC_NIST_P256",
      expected: (write("p256.pem", ecPem), fs.readFileSync(ec.der)) },
    { family: "SM2 PKCS#8", file: "sm2.p8.der", keySpec: "SM2",
      expected: write("sm2.p8.der", fs.readFileSync(sm2.der)) },
  ];
}

const OAEP = { RSAES_OAEP_SHA_1: "sha1", RSAES_OAEP_SHA_256: "sha256" };
const AES_WRAP = { RSA_AES_KEY_WRAP_SHA_1: "sha1", RSA_AES_KEY_WRAP_SHA_256: "sha256" };

function oaepDecrypt(dir, key, md, ciphertext) {
  const input = path.join(dir, "oaep.ct");
  fs.writeFileSync(input, ciphertext);
  return openssl(["pkeyutl", "-decrypt", "-inkey", key.pem, "-in", input,
    "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", `rsa_oaep_md:${md}`,
    "-pkeyopt", `rsa_mgf1_md:${md}`]);
}

// EncryptedKeyMaterial decrypted with OpenSSL as the AWS guide's commands build it: OAEP alone;
// the OAEP block of an AES-256 key followed by AES key wrap with padding (RFC 5649); SM2 public
// key encryption (GM/T 0009 DER).
export function unwrap(dir, algorithm, key, ciphertext) {
  if (OAEP[algorithm]) return oaepDecrypt(dir, key, OAEP[algorithm], ciphertext);
  if (AES_WRAP[algorithm]) {
    const k = RSA_BITS[key.spec] / 8;
    const aesKey = oaepDecrypt(dir, key, AES_WRAP[algorithm], ciphertext.subarray(0, k));
    const input = path.join(dir, "kwp.ct");
    fs.writeFileSync(input, ciphertext.subarray(k));
    return openssl(["enc", "-d", "-id-aes256-wrap-pad", "-K", aesKey.toString("hex"),
      "-iv", "A65959A6", "-in", input]);
  }
  if (algorithm === "SM2PKE") {
    const input = path.join(dir, "sm2.ct");
    fs.writeFileSync(input, ciphertext);
    return openssl(["pkeyutl", "-decrypt", "-inkey", key.pem, "-in", input]);
  }
  throw new Error(`no OpenSSL recipe for ${algorithm}`);
}

// `kms-import wrap --key-spec` on the same inputs, run in the materials' folder so that it
// names the file as the page does: { ok } or { ok: false, message } (stderr on one line, as
// the page shows it).
export function cli(binary, dir, { partition, algorithm, key, material }) {
  const run = spawnSync(binary, ["wrap", "--wrapping-algorithm", algorithm,
    "--public-key", key.pub, "--key-material", material.file, "--key-spec", material.keySpec,
    "--partition", partition, "--out", path.join(dir, "cli.out")], { cwd: dir, encoding: "utf8" });
  if (run.error) throw run.error;
  if (run.status === 0) return { ok: true };
  // The refusal, without the notes printed before it (`note: ...`, one line each).
  const refusal = run.stderr.split("\n").filter((line) => !line.startsWith("note: ")).join(" ");
  return { ok: false, status: run.status, message: refusal.split(/\s+/).filter(Boolean).join(" ") };
}

// `kms-import check`: the matrix's verdict on one combination, { ok } or { ok: false, message }.
export function cliCheck(binary, { partition, algorithm, wrappingKeySpec, keySpec }) {
  const run = spawnSync(binary, ["check", "--wrapping-algorithm", algorithm,
    "--wrapping-key-spec", wrappingKeySpec, "--key-spec", keySpec, "--partition", partition],
  { encoding: "utf8" });
  if (run.error) throw run.error;
  if (run.status === 0) return { ok: true };
  const message = run.stderr.split(/\s+/).filter(Boolean).join(" ");
  return { ok: false, status: run.status, message };
}
