// The page: fills the selects from the crate's names, shows the matrix's verdict as choices
// change, and hands the pasted public key and the chosen file's bytes to the WebAssembly module,
// which checks and wraps them as `kms-import wrap --key-spec` does. Every decision and every
// message is the module's (kms_import_wasm, i.e. kms-import-client and kms-import); this file
// only moves text between the form and the module. Nothing is sent anywhere.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("wrap-form");
  const partition = $("partition");
  const algorithm = $("wrapping-algorithm");
  const publicKey = $("public-key");
  const publicKeyStatus = $("public-key-status");
  const keySpec = $("key-spec");
  const verdict = $("verdict");
  const material = $("key-material");
  const wrapButton = $("wrap");
  const error = $("error");
  const output = $("output");
  const result = $("result");
  const download = $("download");
  const note = $("note");
  const summary = $("summary");
  const loading = $("loading");

  let wasm = null; // the module, once instantiated
  let choices = null; // the crate's names
  let wrappingKeySpec = ""; // of the pasted public key; "" until one is read
  let downloadUrl = null;

  function call(name, ...args) {
    return JSON.parse(wasm[name](...args));
  }

  function showError(message) {
    // Emptied first, so that the same message is announced again.
    error.textContent = "";
    window.setTimeout(() => {
      error.textContent = message;
    }, 30);
  }

  function clearResult() {
    output.hidden = true;
    result.defaultValue = "";
    note.textContent = "";
    summary.textContent = "";
    if (downloadUrl) {
      URL.revokeObjectURL(downloadUrl);
      downloadUrl = null;
    }
    download.setAttribute("href", "#");
  }

  function fill(select, names, preferred) {
    for (const name of names) {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = name;
      select.append(option);
    }
    if (names.includes(preferred)) select.value = preferred;
  }

  // The matrix's verdict on the current choices; without a public key yet, for every wrapping
  // key spec (the module picks the entry to show).
  function verdictFor(p, a, k) {
    return call("check", p, a, wrappingKeySpec, k);
  }

  // Marks the options that the matrix refuses with the other current choices.
  function markOptions() {
    const mark = (select, verdictOf) => {
      for (const option of select.options) {
        const refused = !verdictOf(option.value).allowed;
        option.textContent = option.value + (refused ? " (refused with these choices)" : "");
      }
    };
    mark(partition, (p) => verdictFor(p, algorithm.value, keySpec.value));
    mark(algorithm, (a) => verdictFor(partition.value, a, keySpec.value));
    mark(keySpec, (k) => verdictFor(partition.value, algorithm.value, k));
  }

  function showVerdict() {
    const v = verdictFor(partition.value, algorithm.value, keySpec.value);
    verdict.replaceChildren();
    verdict.className = "verdict " + (v.allowed ? "allowed" : "refused");
    const line = document.createElement("p");
    if (v.allowed) {
      const keys = v.allowed_with.join(", ");
      line.textContent = wrappingKeySpec
        ? `KMS accepts ${v.key_spec} key material wrapped with ${v.wrapping_algorithm} under ` +
          `this ${v.wrapping_key_spec} wrapping key in ${v.partition}.`
        : `KMS accepts ${v.key_spec} key material wrapped with ${v.wrapping_algorithm} in ` +
          `${v.partition}, with a wrapping key of: ${keys}.`;
      verdict.append(line);
      return;
    }
    line.textContent = `Refused: ${v.reason}`;
    verdict.append(line);
    if (v.suggestions.length === 0) return;
    const list = document.createElement("ul");
    for (const s of v.suggestions) {
      const item = document.createElement("li");
      const where = s.partition === partition.value ? "" : ` in ${s.partition}`;
      const needsKey = wrappingKeySpec && s.wrapping_key_spec !== wrappingKeySpec
        ? ` (needs an ${s.wrapping_key_spec} wrapping key: ask get-parameters-for-import for ` +
          `--wrapping-key-spec ${s.wrapping_key_spec})`
        : "";
      item.append(`${s.wrapping_algorithm} with an ${s.wrapping_key_spec} wrapping key${where}` +
        `${needsKey} `);
      const use = document.createElement("button");
      use.type = "button";
      use.className = "suggestion";
      use.textContent = "Use it";
      use.setAttribute("aria-label",
        `Use ${s.wrapping_algorithm} with ${s.key_spec}${where}`);
      use.addEventListener("click", () => {
        partition.value = s.partition;
        algorithm.value = s.wrapping_algorithm;
        keySpec.value = s.key_spec;
        refresh();
        algorithm.focus();
      });
      item.append(use);
      list.append(item);
    }
    verdict.append(list);
  }

  function refresh() {
    clearResult();
    markOptions();
    showVerdict();
  }

  function readPublicKey() {
    const text = publicKey.value;
    if (text.trim() === "") {
      wrappingKeySpec = "";
      publicKeyStatus.textContent = "";
      publicKeyStatus.className = "status";
    } else {
      const answer = call("public_key", text);
      if (answer.error) {
        wrappingKeySpec = "";
        publicKeyStatus.textContent = answer.error;
        publicKeyStatus.className = "status problem";
      } else {
        wrappingKeySpec = answer.wrapping_key_spec;
        publicKeyStatus.textContent = `An ${wrappingKeySpec} wrapping key.`;
        publicKeyStatus.className = "status";
      }
    }
    refresh();
  }

  async function wrap(event) {
    event.preventDefault();
    if (!wasm) return;
    clearResult();
    error.textContent = "";
    const file = material.files[0];
    if (!file) {
      showError("choose the key material file: the key's raw bytes, or its PKCS#8 private key " +
        "(DER or PEM)");
      return;
    }
    wrapButton.setAttribute("aria-busy", "true");
    wrapButton.textContent = "Wrapping…";
    // One byte more than the module takes, so that it can say the file is too large.
    const bytes = new Uint8Array(await file.slice(0, choices.max_input_len + 1).arrayBuffer());
    // Let the button's new text show before the synchronous work.
    await new Promise((resolve) => window.requestAnimationFrame(() => setTimeout(resolve, 0)));
    let answer;
    try {
      answer = call("wrap", publicKey.value, partition.value, algorithm.value, keySpec.value,
        bytes, file.name);
    } catch (e) {
      // Not a refusal (those are answers): the module itself failed. Reload to start again.
      answer = { error: `the WebAssembly module failed (${e}); reload the page` };
    } finally {
      bytes.fill(0); // the module copied the bytes and wipes its copy itself
      wrapButton.removeAttribute("aria-busy");
      wrapButton.textContent = "Wrap";
    }
    if (answer.error) {
      showError(answer.error);
      return;
    }
    const binary = Uint8Array.from(atob(answer.encrypted_key_material), (c) => c.charCodeAt(0));
    downloadUrl = URL.createObjectURL(new Blob([binary], { type: "application/octet-stream" }));
    download.setAttribute("href", downloadUrl);
    result.defaultValue = answer.encrypted_key_material;
    summary.textContent = `${binary.length} bytes, wrapped with ${algorithm.value} under the ` +
      `${answer.wrapping_key_spec} wrapping key, for a ${keySpec.value} key in ${partition.value}.`;
    note.textContent = answer.note ? `Note: ${answer.note}` : "";
    output.hidden = false;
    // The result's heading takes the focus: announced, and the result and download come next.
    $("output-title").focus();
  }

  async function start() {
    // The module's bytes are in this page already (kms_import_wasm_bytes.js): no fetch, which
    // the Content-Security-Policy forbids (connect-src 'none').
    const bytes = Uint8Array.from(atob(self.KMS_IMPORT_WASM), (c) => c.charCodeAt(0));
    await wasm_bindgen({ module_or_path: bytes });
    wasm = wasm_bindgen;
    choices = call("choices");
    fill(partition, choices.partitions, "aws");
    fill(algorithm, choices.wrapping_algorithms, "RSAES_OAEP_SHA_256");
    fill(keySpec, choices.key_specs, "SYMMETRIC_DEFAULT");
    for (const select of [partition, algorithm, keySpec]) {
      select.addEventListener("change", refresh);
    }
    publicKey.addEventListener("input", readPublicKey);
    material.addEventListener("change", () => {
      clearResult();
      error.textContent = "";
    });
    form.addEventListener("submit", wrap);
    readPublicKey();
    loading.textContent = "";
    loading.hidden = true;
    document.body.dataset.ready = "true";
  }

  start().catch((e) => {
    loading.hidden = true;
    showError(`the WebAssembly module could not start in this browser: ${e}`);
  });
})();
