/*
 * Interop with the openssl CLI, both ways: kms_import_wrap -> openssl decrypts, openssl encrypts
 * -> kms_import_unwrap, for RSAES_OAEP_SHA_1/256 (pkeyutl, OAEP with the same MGF1 hash),
 * RSA_AES_KEY_WRAP_SHA_1/256 (pkeyutl OAEP for the ephemeral AES key, `enc -id-aes256-wrap-pad`
 * for the KWP part) and SM2PKE (pkeyutl with an SM2 key: GM/T 0009 DER, SM3).
 */
#include "test.h"

static const char *oaep_md(const char *alg) { return strstr(alg, "SHA_256") ? "sha256" : "sha1"; }

/* kms_import_wrap, then openssl decrypts. */
void ours_to_openssl(const struct key *key, const char *alg, const uint8_t *m, size_t m_len) {
    uint8_t ct[KMS_IMPORT_MAX_ENCRYPTED_KEY_MATERIAL_LEN], pt[KMS_IMPORT_MAX_MATERIAL_LEN];
    size_t ct_len = 0, pt_len;
    char tag[128];
    snprintf(tag, sizeof tag, "%s %s: kms_import_wrap -> openssl", alg, key->spec);
    int rc = kms_import_wrap(alg, key->spki, key->spki_len, m, m_len, urandom, rng_file, ct,
                             sizeof ct, &ct_len);
    STATUS(rc, KMS_IMPORT_OK, tag);
    if (rc != KMS_IMPORT_OK) return;
    const char *md = oaep_md(alg);
    if (strncmp(alg, "RSAES_OAEP", 10) == 0) {
        CHECK(ct_len == key->k, "%s: %zu bytes", tag, ct_len);
        write_file("ours.ct", ct, ct_len);
        rc = sh("openssl pkeyutl -decrypt -inkey key.p8.der -keyform DER -in ours.ct -out ours.pt "
                "-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:%s -pkeyopt rsa_mgf1_md:%s",
                md, md);
    } else if (strncmp(alg, "RSA_AES", 7) == 0) {
        CHECK(ct_len > key->k, "%s: %zu bytes", tag, ct_len);
        write_file("ours.oaep", ct, key->k);
        write_file("ours.kwp", ct + key->k, ct_len - key->k);
        rc = sh("openssl pkeyutl -decrypt -inkey key.p8.der -keyform DER -in ours.oaep -out "
                "ours.aes -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:%s -pkeyopt "
                "rsa_mgf1_md:%s",
                md, md);
        uint8_t aes[64];
        char aes_hex[129];
        size_t aes_len = read_file("ours.aes", aes, sizeof aes);
        CHECK(rc == 0 && aes_len == 32, "%s: the ephemeral AES key (%zu bytes)", tag, aes_len);
        if (rc != 0 || aes_len != 32) return;
        hex(aes, 32, aes_hex);
        rc = sh("openssl enc -d -id-aes256-wrap-pad -K %s -iv A65959A6 -in ours.kwp -out ours.pt",
                aes_hex);
    } else {
        write_file("ours.ct", ct, ct_len);
        rc = sh("openssl pkeyutl -decrypt -inkey key.p8.der -keyform DER -in ours.ct -out ours.pt");
    }
    CHECK(rc == 0, "%s: openssl refused our ciphertext", tag);
    pt_len = read_file("ours.pt", pt, sizeof pt);
    CHECK(pt_len == m_len && memcmp(pt, m, m_len) == 0, "%s: openssl decrypted something else", tag);
}

/* openssl encrypts, then kms_import_unwrap. */
void openssl_to_ours(const struct key *key, const char *alg, const uint8_t *m,
                            size_t m_len) {
    uint8_t ct[KMS_IMPORT_MAX_ENCRYPTED_KEY_MATERIAL_LEN + 64], out[KMS_IMPORT_MAX_MATERIAL_LEN];
    size_t ct_len, out_len = 0;
    char tag[128];
    snprintf(tag, sizeof tag, "%s %s: openssl -> kms_import_unwrap", alg, key->spec);
    write_file("theirs.m", m, m_len);
    const char *md = oaep_md(alg);
    int rc;
    if (strncmp(alg, "RSAES_OAEP", 10) == 0) {
        rc = sh("openssl pkeyutl -encrypt -pubin -inkey key.pub.der -keyform DER -in theirs.m "
                "-out theirs.ct -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:%s -pkeyopt "
                "rsa_mgf1_md:%s",
                md, md);
        ct_len = read_file("theirs.ct", ct, sizeof ct);
    } else if (strncmp(alg, "RSA_AES", 7) == 0) {
        uint8_t aes[32];
        char aes_hex[65];
        rc = sh("openssl rand -out theirs.aes 32");
        CHECK(read_file("theirs.aes", aes, sizeof aes) == 32, "%s: openssl rand", tag);
        hex(aes, 32, aes_hex);
        rc |= sh("openssl enc -id-aes256-wrap-pad -K %s -iv A65959A6 -in theirs.m -out theirs.kwp",
                 aes_hex);
        rc |= sh("openssl pkeyutl -encrypt -pubin -inkey key.pub.der -keyform DER -in theirs.aes "
                 "-out theirs.oaep -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:%s "
                 "-pkeyopt rsa_mgf1_md:%s",
                 md, md);
        size_t a = read_file("theirs.oaep", ct, sizeof ct);
        size_t b = read_file("theirs.kwp", ct + a, sizeof ct - a);
        ct_len = a + b;
    } else {
        rc = sh("openssl pkeyutl -encrypt -pubin -inkey key.pub.der -keyform DER -in theirs.m "
                "-out theirs.ct");
        ct_len = read_file("theirs.ct", ct, sizeof ct);
    }
    CHECK(rc == 0, "%s: openssl could not encrypt", tag);
    if (rc != 0) return;
    rc = kms_import_unwrap(alg, key->pkcs8, key->pkcs8_len, ct, ct_len, urandom, rng_file, out,
                           sizeof out, &out_len);
    STATUS(rc, KMS_IMPORT_OK, tag);
    CHECK(rc == KMS_IMPORT_OK && out_len == m_len && memcmp(out, m, m_len) == 0,
          "%s: unwrapped something else", tag);

    /* A flipped byte anywhere is the one opaque status, and the buffer is wiped. */
    ct[ct_len / 2] ^= 0x01;
    memset(out, 0xAA, sizeof out);
    rc = kms_import_unwrap(alg, key->pkcs8, key->pkcs8_len, ct, ct_len, urandom, rng_file, out,
                           sizeof out, &out_len);
    STATUS(rc, KMS_IMPORT_INVALID_CIPHERTEXT, tag);
    CHECK(all_zero(out, sizeof out), "%s: the output buffer was not wiped", tag);
    ct[ct_len / 2] ^= 0x01;

    /* Buffer too small: the needed length, nothing left in the buffer. */
    memset(out, 0xAA, sizeof out);
    rc = kms_import_unwrap(alg, key->pkcs8, key->pkcs8_len, ct, ct_len, urandom, rng_file, out,
                           m_len - 1, &out_len);
    STATUS(rc, KMS_IMPORT_BUFFER_TOO_SMALL, tag);
    CHECK(out_len == m_len, "%s: needed %zu, said %zu", tag, m_len, out_len);
    CHECK(all_zero(out, m_len - 1), "%s: a too-small buffer kept bytes", tag);
    rc = kms_import_unwrap(alg, key->pkcs8, key->pkcs8_len, ct, ct_len, urandom, rng_file, NULL, 0,
                           &out_len);
    CHECK(rc == KMS_IMPORT_BUFFER_TOO_SMALL && out_len == m_len, "%s: size query", tag);
}

static const char *RSA_ALGS[] = {"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256",
                                 "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"};

void interop(struct key *key) {
    write_file("key.p8.der", key->pkcs8, key->pkcs8_len);
    write_file("key.pub.der", key->spki, key->spki_len);
    CHECK(sh("openssl pkey -inform DER -in key.p8.der -noout %s >/dev/null", key->k ? "-check" : "") == 0,
          "%s: openssl reads the private key", key->spec);
    uint8_t m[300];
    random_bytes(m, sizeof m);
    if (key->k == 0) {
        ours_to_openssl(key, "SM2PKE", m, 32);
        openssl_to_ours(key, "SM2PKE", m, 32);
        ours_to_openssl(key, "SM2PKE", m, 138); /* an SM2 PKCS#8's size */
        openssl_to_ours(key, "SM2PKE", m, 138);
        return;
    }
    for (size_t i = 0; i < 4; i++) {
        /* OAEP: 32 bytes (an AES-256 key); RSA_AES: 121 bytes (not a multiple of 8). */
        size_t len = strncmp(RSA_ALGS[i], "RSAES", 5) == 0 ? 32 : 121;
        ours_to_openssl(key, RSA_ALGS[i], m, len);
        openssl_to_ours(key, RSA_ALGS[i], m, len);
    }
}

void generated(struct key *key) {
    int rc = kms_import_generate_wrapping_key(key->spec, urandom, rng_file, key->pkcs8,
                                              sizeof key->pkcs8, &key->pkcs8_len, key->spki,
                                              sizeof key->spki, &key->spki_len);
    STATUS(rc, KMS_IMPORT_OK, key->spec);
}

/* An RSA key from `openssl genpkey`, as PKCS#8 DER; its SPKI from kms_import's point of view is
 * what openssl writes. */
void from_openssl(struct key *key) {
    int rc = sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:%zu -out gen.pem 2>/dev/null"
                " && openssl pkcs8 -topk8 -nocrypt -in gen.pem -outform DER -out gen.p8.der"
                " && openssl pkey -in gen.pem -pubout -outform DER -out gen.pub.der",
                key->k * 8);
    CHECK(rc == 0, "openssl genpkey %s", key->spec);
    key->pkcs8_len = read_file("gen.p8.der", key->pkcs8, sizeof key->pkcs8);
    key->spki_len = read_file("gen.pub.der", key->spki, sizeof key->spki);
    char reason[512];
    rc = kms_import_check_material("aws", key->k == 384 ? "RSA_3072" : "RSA_4096", key->pkcs8,
                                   key->pkcs8_len, urandom, rng_file, reason, sizeof reason);
    STATUS(rc, KMS_IMPORT_OK, "an OpenSSL RSA key is valid RSA key material");
}
