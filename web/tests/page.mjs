// The browser test's page helpers: the outcome of one press of Wrap, the keyboard-only run and
// the phone-sized viewport.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

// After #wrap: the ciphertext (#result, base64) or the refusal (#error).
export async function resultOf(page) {
  await page.waitForFunction(() => !document.getElementById("output").hidden ||
    document.getElementById("error").textContent !== "");
  const error = await page.textContent("#error");
  if (error !== "") return { ok: false, error };
  const b64 = await page.inputValue("#result");
  assert.match(b64, /^[A-Za-z0-9+/]+=*$/, "#result is base64");
  return { ok: true, ciphertext: Buffer.from(b64, "base64") };
}

async function tabTo(page, id) {
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement?.id ?? "");
  assert.equal(focused, id, `Tab moves to #${id}`);
}

// A select changed with the arrow keys only.
async function arrowTo(page, id, value) {
  await page.keyboard.press("Home");
  for (let i = 0; i < 30 && (await page.inputValue(`#${id}`)) !== value; i++) {
    await page.keyboard.press("ArrowDown");
  }
  assert.equal(await page.inputValue(`#${id}`), value, `#${id} set from the keyboard`);
}

// The whole task without a mouse, in the page's tab order: choices, the public key typed, the
// file chosen through the keyboard-opened file chooser, Enter on Wrap, Enter on the download
// link; the downloaded file unwraps to the material.
export async function keyboardOnly(page, { key, material, work, unwrap, forms }) {
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  await page.evaluate(() => document.activeElement?.blur());
  await tabTo(page, "partition");
  await arrowTo(page, "partition", "aws-us-gov");
  await tabTo(page, "wrapping-algorithm");
  await arrowTo(page, "wrapping-algorithm", "RSAES_OAEP_SHA_1");
  await tabTo(page, "public-key");
  await page.keyboard.insertText(forms[1](key.der));
  await tabTo(page, "key-spec");
  await arrowTo(page, "key-spec", material.keySpec);
  await tabTo(page, "key-material");
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"),
    page.keyboard.press("Space")]);
  await chooser.setFiles(path.join(work, material.file));
  await tabTo(page, "wrap");
  await page.keyboard.press("Enter");
  const got = await resultOf(page);
  assert.ok(got.ok, `keyboard-only wrap: ${got.error}`);
  // Focus goes to the result's heading, so that the result is announced and next in order.
  assert.equal(await page.evaluate(() => document.activeElement?.id), "output-title");
  await tabTo(page, "result");
  await tabTo(page, "download");
  const [download] = await Promise.all([page.waitForEvent("download"),
    page.keyboard.press("Enter")]);
  assert.equal(download.suggestedFilename(), "EncryptedKeyMaterial.bin");
  const saved = path.join(work, "EncryptedKeyMaterial.bin");
  await download.saveAs(saved);
  const bytes = fs.readFileSync(saved);
  assert.ok(bytes.equals(got.ciphertext), "the download is the #result");
  const plain = unwrap(work, "RSAES_OAEP_SHA_1", key, bytes);
  assert.ok(plain.equals(material.expected), "the downloaded file unwraps to the material");
}

// A 375×667 phone: the page and every control fit the width, nothing scrolls sideways.
export async function phoneViewport(browser, origin, screenshot) {
  const phone = await browser.newContext({ viewport: { width: 375, height: 667 },
    deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await phone.newPage();
  await page.goto(`${origin}/`);
  await page.waitForSelector("body[data-ready=true]");
  const layout = await page.evaluate(() => ({
    width: window.innerWidth,
    scroll: document.documentElement.scrollWidth,
    overflowing: ["partition", "wrapping-algorithm", "public-key", "key-spec", "key-material",
      "wrap"].filter((id) => document.getElementById(id).getBoundingClientRect().right >
        window.innerWidth),
  }));
  assert.equal(layout.width, 375);
  assert.ok(layout.scroll <= layout.width, `scrolls sideways: ${layout.scroll} > 375`);
  assert.deepEqual(layout.overflowing, [], "controls wider than the phone");
  if (screenshot) await page.screenshot({ path: screenshot.replace(/\.png$/, "-phone.png") });
  await phone.close();
}
