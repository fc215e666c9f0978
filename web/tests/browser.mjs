// The browser test of web/dist/ (run by web/test.sh): Debian's Chromium, headless, driven by
// playwright-core, loads the page from a loopback static server and fills the form for every
// partition (aws, aws-cn) × wrapping algorithm × wrapping key spec × a key material of each
// family. Every ciphertext is decrypted by OpenSSL to exactly the material; every refusal is the
// text `kms-import wrap --key-spec` prints for the same inputs, and the verdict shown before the
// button is pressed is `kms-import check`'s (a refused combination shows its reason). The page
// may request its own files and nothing else. Also: keyboard-only use, a phone-sized viewport,
// the download link, the CSP.
//
// Usage: node web/tests/browser.mjs DIST_DIR KMS_IMPORT_BINARY WORK_DIR [SCREENSHOT.png]
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { chromium } from "playwright-core";
import { cli, cliCheck, materials, unwrap, wrappingKeys } from "./oracle.mjs";
import { keyboardOnly, phoneViewport, resultOf } from "./page.mjs";

const [dist, cliPath, work, screenshot] = process.argv.slice(2);
assert.ok(dist && cliPath && work, "usage: browser.mjs DIST_DIR KMS_IMPORT_BINARY WORK_DIR [PNG]");
const binary = path.resolve(cliPath); // run from the work folder
const started = Date.now();
fs.mkdirSync(work, { recursive: true });

// The page's own files: what dist/ holds (index.html also as "/").
const ownFiles = new Set(fs.readdirSync(dist).map((f) => `/${f}`));
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
  ".wasm": "application/wasm" };
const served = [];
const server = http.createServer((req, res) => {
  const file = req.url === "/" ? "/index.html" : req.url;
  served.push(req.url);
  if (req.method !== "GET" || !ownFiles.has(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
  res.end(fs.readFileSync(path.join(dist, file)));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

console.log("keys and key material from openssl…");
const keys = wrappingKeys(work);
const family = materials(work);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: process.getuid?.() === 0 ? ["--no-sandbox"] : [],
});
const context = await browser.newContext({ viewport: { width: 1000, height: 900 },
  acceptDownloads: true });
const requests = [];
context.on("request", (r) => requests.push(r.url()));
const page = await context.newPage();
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(String(e)));
page.on("console", (m) => m.type() === "error" && pageErrors.push(m.text()));
await page.goto(`${origin}/`);
await page.waitForSelector("body[data-ready=true]");

const options = (id) => page.$$eval(`#${id} option`, (os) => os.map((o) => o.value));
const partitions = await options("partition");
const algorithms = await options("wrapping-algorithm");
assert.deepEqual(partitions, ["aws", "aws-cn", "aws-us-gov"]);
assert.deepEqual([...algorithms].sort(), ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256",
  "RSAES_PKCS1_V1_5", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256", "SM2PKE"]);
const keySpecs = await options("key-spec");
for (const m of family) assert.ok(keySpecs.includes(m.keySpec), m.keySpec);

// The public key in each of its forms, in turn.
const forms = [
  (der) => der.toString("base64"),
  (der) => `-----BEGIN PUBLIC KEY-----\n${der.toString("base64").replace(/.{64}/g, "$&\n")}\n` +
    "-----END PUBLIC KEY-----\n",
  (der) => JSON.stringify({ KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
    ImportToken: "AQIDBAU=", PublicKey: der.toString("base64"),
    ParametersValidTo: "2026-12-01T00:00:00+00:00" }, null, 4),
];

const outcomes = [];
let formIndex = 0;
for (const partition of ["aws", "aws-cn"]) {
  await page.selectOption("#partition", partition);
  for (const key of Object.values(keys)) {
    const form = forms[formIndex++ % forms.length];
    await page.fill("#public-key", form(key.der));
    assert.equal(await page.textContent("#public-key-status"), `An ${key.spec} wrapping key.`);
    for (const algorithm of algorithms) {
      await page.selectOption("#wrapping-algorithm", algorithm);
      for (const material of family) {
        await page.selectOption("#key-spec", material.keySpec);
        const verdict = await page.$eval("#verdict", (v) => ({ refused:
          v.classList.contains("refused"), text: v.querySelector("p")?.textContent ?? "" }));
        await page.setInputFiles("#key-material", path.join(work, material.file));
        await page.click("#wrap");
        const got = await resultOf(page);
        const expected = cli(binary, work, { partition, algorithm, key, material });
        const name = `${partition} ${algorithm} ${key.spec} ${material.family}`;
        // The verdict shown before Wrap is `kms-import check`'s.
        const matrix = cliCheck(binary, { partition, algorithm, wrappingKeySpec: key.spec,
          keySpec: material.keySpec });
        assert.equal(verdict.refused, !matrix.ok, `${name}: the verdict is kms-import check's`);
        if (!matrix.ok) assert.equal(verdict.text, `Refused: ${matrix.message}`, name);
        if (expected.ok) {
          assert.ok(got.ok, `${name}: the CLI wraps it, the page says: ${got.error}`);
          assert.ok(!verdict.refused, `${name}: wrapped, yet the verdict says ${verdict.text}`);
          const plain = unwrap(work, algorithm, key, got.ciphertext);
          assert.ok(plain.equals(material.expected), `${name}: OpenSSL unwraps other bytes`);
        } else {
          assert.ok(!got.ok, `${name}: the CLI refuses it (${expected.message}), the page wraps`);
          assert.equal(got.error, expected.message, `${name}: the page's words are the CLI's`);
        }
        outcomes.push({ name, partition, algorithm, wks: key.spec, family: material.family,
          ok: got.ok, verdict: verdict.refused, error: got.error });
      }
    }
  }
}

// Not vacuous: each algorithm KMS still takes, each wrapping key spec and each family wrapped
// at least once; the combinations the AWS guide names, wrapped; the ones it rules out, refused.
const wrapped = outcomes.filter((o) => o.ok);
for (const [field, values] of [["algorithm", algorithms.filter((a) => a !== "RSAES_PKCS1_V1_5")],
  ["wks", Object.keys(keys)], ["family", family.map((m) => m.family)]]) {
  for (const v of values) assert.ok(wrapped.some((o) => o[field] === v), `nothing wrapped: ${v}`);
}
const outcome = (name) => outcomes.find((o) => o.name === name);
for (const name of ["aws RSAES_OAEP_SHA_256 RSA_2048 symmetric",
  "aws RSAES_OAEP_SHA_1 RSA_4096 HMAC", "aws RSA_AES_KEY_WRAP_SHA_256 RSA_2048 RSA PKCS#8",
  "aws RSA_AES_KEY_WRAP_SHA_1 RSA_3072 EC PKCS#8",
  "aws-cn SM2PKE SM2 SM2 PKCS#8", "aws-cn SM2PKE SM2 RSA PKCS#8"]) {
  assert.equal(outcome(name).ok, true, name);
}
for (const name of ["aws RSAES_OAEP_SHA_256 RSA_4096 RSA PKCS#8", "aws SM2PKE SM2 symmetric",
  "aws-cn SM2PKE SM2 symmetric", "aws SM2PKE SM2 SM2 PKCS#8",
  "aws RSAES_PKCS1_V1_5 RSA_2048 symmetric", "aws-cn SM2PKE RSA_2048 symmetric"]) {
  assert.equal(outcome(name).ok, false, name);
  assert.ok(outcome(name).error.length > 20, `${name}: a reason`);
}
assert.ok(outcomes.some((o) => !o.ok && o.verdict), "some refusals come from the matrix");
console.log(`${outcomes.length} combinations: ${wrapped.length} wrapped and unwrapped by ` +
  `OpenSSL to the material, ${outcomes.length - wrapped.length} refused with the CLI's words ` +
  `(${outcomes.filter((o) => !o.ok && o.verdict).length} shown by the matrix before wrapping)`);

await keyboardOnly(page, { key: keys.RSA_2048, material: family[0], work, unwrap, forms });
console.log("keyboard only: wrapped, downloaded EncryptedKeyMaterial.bin, unwrapped");
if (screenshot) {
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
}
await phoneViewport(browser, origin, screenshot);
console.log("phone viewport (375×667): no horizontal scrolling, the form fits");

assert.deepEqual(pageErrors, [], "no script errors, no CSP violations");
// The Content-Security-Policy in force: a fetch, even of the page's own file, is refused.
const fetched = await page.evaluate(async (url) =>
  fetch(url).then(() => "fetched", (e) => `refused: ${e}`), `${origin}/index.html`);
assert.match(fetched, /^refused/, "connect-src 'none' is in force");
assert.ok(pageErrors.some((e) => e.includes("connect-src 'none'")), "Chromium blamed the CSP");
const ownUrls = new Set([...ownFiles, "/"].map((f) => `${origin}${f}`));
const others = requests.filter((u) => !ownUrls.has(u) && !u.startsWith(`blob:${origin}/`) &&
  u !== "data:,");
assert.deepEqual(others, [], "the page requested nothing but its own files");
assert.deepEqual(served.filter((u) => !ownFiles.has(u) && u !== "/"), [], "the server saw");
console.log(`requests: ${requests.length}, all to the page's own files ` +
  `(${[...new Set(served)].sort().join(" ")})`);

await browser.close();
server.close();
console.log(`browser test passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
