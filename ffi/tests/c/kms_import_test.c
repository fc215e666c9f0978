/*
 * The C ABI, from C: every function in kms_import.h, and interop both ways with the openssl CLI
 * for every wrapping algorithm x wrapping key spec (OAEP SHA-1/256, RSA_AES_KEY_WRAP SHA-1/256
 * with RSA_2048/3072/4096, SM2PKE with SM2).
 *
 *   kms_import_test DIR [quick]
 *
 * DIR is a scratch directory for the files openssl reads and writes. The full run generates all
 * four wrapping keys with kms_import and interoperates with each. `quick` (for valgrind, which
 * runs RSA-3072/4096 arithmetic some fifty times slower) does the interop with RSA_2048 and SM2
 * keys and takes an RSA_4096 key from `openssl genpkey` for one round trip each way (read by
 * kms_import_unwrap, checked by kms_import_check_material); every function is still called.
 * Prints one line per failed check and "N passed, M failed"; exits 1 on any failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kms_import.h"

static int passed, failed;
static const char *dir;

#define CHECK(cond, ...)                                                                          \
    do {                                                                                          \
        if (cond) {                                                                               \
            passed++;                                                                             \
        } else {                                                                                  \
            failed++;                                                                             \
            fprintf(stderr, "FAILED %s:%d: %s: ", __FILE__, __LINE__, #cond);                     \
            fprintf(stderr, __VA_ARGS__);                                                         \
            fprintf(stderr, "\n");                                                                \
        }                                                                                         \
    } while (0)

#define STATUS(rc, want, what)                                                                    \
    CHECK((rc) == (want), "%s: got %s, want %s", what, kms_import_status_name(rc),                \
          kms_import_status_name(want))

/* ---- helpers --------------------------------------------------------------------------- */

static int urandom(void *ctx, uint8_t *out, size_t len) {
    FILE *f = (FILE *)ctx;
    return fread(out, 1, len, f) == len ? 0 : -1;
}

static int broken_rng(void *ctx, uint8_t *out, size_t len) {
    (void)ctx;
    (void)out;
    (void)len;
    return 1;
}

static FILE *rng_file;

static void path(char *buf, size_t cap, const char *name) { snprintf(buf, cap, "%s/%s", dir, name); }

static void write_file(const char *name, const uint8_t *data, size_t len) {
    char p[4096];
    path(p, sizeof p, name);
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(data, 1, len, f) != len) {
        fprintf(stderr, "cannot write %s\n", p);
        exit(2);
    }
    fclose(f);
}

/* Reads a file into buf (at most cap bytes); returns its length, or (size_t)-1. */
static size_t read_file(const char *name, uint8_t *buf, size_t cap) {
    char p[4096];
    path(p, sizeof p, name);
    FILE *f = fopen(p, "rb");
    if (!f) return (size_t)-1;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* Runs a shell command in DIR; returns its exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static int sh(const char *fmt, ...) {
    char cmd[8192];
    int n = snprintf(cmd, sizeof cmd, "cd '%s' && ", dir);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd + n, sizeof cmd - (size_t)n, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    if (rc != 0) fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
    return rc;
}

static void hex(const uint8_t *data, size_t len, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = 0;
}

static int all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

static void random_bytes(uint8_t *out, size_t len) {
    if (urandom(rng_file, out, len) != 0) exit(2);
}

/* ---- interop ----------------------------------------------------------------------------- */

struct key {
    const char *spec;
    size_t k; /* RSA modulus length, 0 for SM2 */
    uint8_t pkcs8[KMS_IMPORT_MAX_PKCS8_LEN];
    size_t pkcs8_len;
    uint8_t spki[KMS_IMPORT_MAX_SPKI_LEN];
    size_t spki_len;
};

static const char *oaep_md(const char *alg) { return strstr(alg, "SHA_256") ? "sha256" : "sha1"; }

/* kms_import_wrap, then openssl decrypts. */
static void ours_to_openssl(const struct key *key, const char *alg, const uint8_t *m, size_t m_len) {
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
static void openssl_to_ours(const struct key *key, const char *alg, const uint8_t *m,
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

static void interop(struct key *key) {
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

static void generated(struct key *key) {
    int rc = kms_import_generate_wrapping_key(key->spec, urandom, rng_file, key->pkcs8,
                                              sizeof key->pkcs8, &key->pkcs8_len, key->spki,
                                              sizeof key->spki, &key->spki_len);
    STATUS(rc, KMS_IMPORT_OK, key->spec);
}

/* An RSA key from `openssl genpkey`, as PKCS#8 DER; its SPKI from kms_import's point of view is
 * what openssl writes. */
static void from_openssl(struct key *key) {
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

/* ---- the other functions ----------------------------------------------------------------- */

static void statuses(void) {
    static const int all[] = {
        KMS_IMPORT_OK, KMS_IMPORT_INVALID_CIPHERTEXT, KMS_IMPORT_BUFFER_TOO_SMALL,
        KMS_IMPORT_UNKNOWN_NAME, KMS_IMPORT_NOT_ALLOWED, KMS_IMPORT_INCORRECT_KEY_MATERIAL,
        KMS_IMPORT_RNG_FAILURE, KMS_IMPORT_INVALID_KEY, KMS_IMPORT_MATERIAL_LENGTH,
        KMS_IMPORT_NULL_POINTER, KMS_IMPORT_INVALID_ARGUMENT, KMS_IMPORT_UNSUPPORTED,
        KMS_IMPORT_INTERNAL_ERROR, KMS_IMPORT_INVALID_ARN_EXCEPTION,
        KMS_IMPORT_UNSUPPORTED_OPERATION_EXCEPTION, KMS_IMPORT_KMS_INVALID_STATE_EXCEPTION,
        KMS_IMPORT_VALIDATION_EXCEPTION, KMS_IMPORT_NOT_FOUND_EXCEPTION,
        KMS_IMPORT_INVALID_IMPORT_TOKEN_EXCEPTION, KMS_IMPORT_EXPIRED_IMPORT_TOKEN_EXCEPTION,
        KMS_IMPORT_INVALID_CIPHERTEXT_EXCEPTION, KMS_IMPORT_INCORRECT_KEY_MATERIAL_EXCEPTION,
        KMS_IMPORT_KMS_INTERNAL_EXCEPTION};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const char *name = kms_import_status_name(all[i]);
        CHECK(name && strcmp(name, "KMS_IMPORT_UNKNOWN_STATUS") != 0, "status %d has a name",
              all[i]);
    }
    CHECK(strcmp(kms_import_status_name(KMS_IMPORT_OK), "KMS_IMPORT_OK") == 0, "OK");
    CHECK(strcmp(kms_import_status_name(KMS_IMPORT_KMS_INVALID_STATE_EXCEPTION),
                 "KMSInvalidStateException") == 0,
          "exception statuses are named as AWS names them");
    CHECK(strcmp(kms_import_status_name(-7), "KMS_IMPORT_UNKNOWN_STATUS") == 0, "unknown status");
}

static void policy(void) {
    char reason[1024];
    int rc = kms_import_check("aws", "RSAES_OAEP_SHA_256", "RSA_2048", "SYMMETRIC_DEFAULT", reason,
                              sizeof reason);
    STATUS(rc, KMS_IMPORT_OK, "check allowed");
    CHECK(reason[0] == 0, "no reason when allowed: %s", reason);
    rc = kms_import_check("aws", "RSAES_OAEP_SHA_256", "RSA_2048", "ECC_NIST_P521", reason,
                          sizeof reason);
    STATUS(rc, KMS_IMPORT_NOT_ALLOWED, "P-521 under RSA_2048 OAEP");
    CHECK(strstr(reason, "instead use") != NULL, "the refusal suggests: %s", reason);
    rc = kms_import_check("aws", "RSAES_PKCS1_V1_5", "RSA_4096", "SYMMETRIC_DEFAULT", reason,
                          sizeof reason);
    STATUS(rc, KMS_IMPORT_NOT_ALLOWED, "PKCS1_V1_5");
    CHECK(strstr(reason, "2023-10-10") != NULL, "deprecation date: %s", reason);
    rc = kms_import_check("aws", "RSAES_OAEP_SHA_512", "RSA_2048", "SYMMETRIC_DEFAULT", reason,
                          sizeof reason);
    STATUS(rc, KMS_IMPORT_UNKNOWN_NAME, "unknown algorithm");
    CHECK(strstr(reason, "RSAES_OAEP_SHA_256") != NULL, "valid names listed: %s", reason);
    rc = kms_import_check("aws", "RSAES_OAEP_SHA_256", "RSA_2048", "ECC_NIST_P521", reason, 8);
    CHECK(rc == KMS_IMPORT_NOT_ALLOWED && strlen(reason) == 7, "truncated reason: '%s'", reason);
    rc = kms_import_check(NULL, "RSAES_OAEP_SHA_256", "RSA_2048", "SYMMETRIC_DEFAULT", NULL, 0);
    STATUS(rc, KMS_IMPORT_NULL_POINTER, "NULL partition");

    uint8_t aes[32] = {1};
    rc = kms_import_check_material("aws", "SYMMETRIC_DEFAULT", aes, 32, NULL, NULL, reason,
                                   sizeof reason);
    STATUS(rc, KMS_IMPORT_OK, "32-byte SYMMETRIC_DEFAULT");
    rc = kms_import_check_material("aws-cn", "SYMMETRIC_DEFAULT", aes, 32, NULL, NULL, reason,
                                   sizeof reason);
    STATUS(rc, KMS_IMPORT_INCORRECT_KEY_MATERIAL, "32 bytes in aws-cn (SM4: 16)");
    CHECK(strstr(reason, "16 bytes") != NULL, "%s", reason);
    rc = kms_import_check_material("aws", "ML_DSA_44", aes, 32, NULL, NULL, reason, sizeof reason);
    STATUS(rc, KMS_IMPORT_NOT_ALLOWED, "ML_DSA_44 takes no material");
    rc = kms_import_check_material("aws", "HMAC_256", NULL, 32, NULL, NULL, reason, sizeof reason);
    STATUS(rc, KMS_IMPORT_NULL_POINTER, "NULL material with a length");
}

static void misuse(const struct key *rsa) {
    uint8_t m[32] = {7}, ct[1024], out[600];
    size_t ct_len = 0, out_len = 0;
    int rc = kms_import_wrap("RSAES_OAEP_SHA_256", rsa->spki, rsa->spki_len, m, sizeof m,
                             broken_rng, NULL, ct, sizeof ct, &ct_len);
    STATUS(rc, KMS_IMPORT_RNG_FAILURE, "wrap with a failing RNG");
    rc = kms_import_wrap("RSAES_OAEP_SHA_256", rsa->spki, rsa->spki_len, m, sizeof m, NULL, NULL,
                         ct, sizeof ct, &ct_len);
    STATUS(rc, KMS_IMPORT_NULL_POINTER, "wrap without an RNG");
    rc = kms_import_wrap("RSAES_OAEP_SHA_256", rsa->spki, rsa->spki_len, m, sizeof m, urandom,
                         rng_file, ct, sizeof ct, NULL);
    STATUS(rc, KMS_IMPORT_NULL_POINTER, "wrap without out_len");
    rc = kms_import_wrap("RSAES_OAEP_SHA_256", rsa->spki, rsa->spki_len - 1, m, sizeof m, urandom,
                         rng_file, ct, sizeof ct, &ct_len);
    STATUS(rc, KMS_IMPORT_INVALID_KEY, "an SPKI length one short");
    rc = kms_import_wrap("RSAES_OAEP_SHA_256", rsa->spki, rsa->spki_len, m, 0, urandom, rng_file,
                         ct, sizeof ct, &ct_len);
    STATUS(rc, KMS_IMPORT_MATERIAL_LENGTH, "empty material");
    rc = kms_import_wrap("SM2PKE", rsa->spki, rsa->spki_len, m, sizeof m, urandom, rng_file, ct,
                         sizeof ct, &ct_len);
    STATUS(rc, KMS_IMPORT_NOT_ALLOWED, "SM2PKE with an RSA key");
    rc = kms_import_wrap("RSAES_OAEP_SHA_256", rsa->spki, rsa->spki_len, m, sizeof m, urandom,
                         rng_file, ct, sizeof ct, &ct_len);
    STATUS(rc, KMS_IMPORT_OK, "wrap");
    rc = kms_import_unwrap("RSAES_OAEP_SHA_256", rsa->pkcs8, rsa->pkcs8_len, NULL, ct_len, urandom,
                           rng_file, out, sizeof out, &out_len);
    STATUS(rc, KMS_IMPORT_NULL_POINTER, "NULL ciphertext");
    rc = kms_import_unwrap("RSAES_OAEP_SHA_256", rsa->pkcs8, rsa->pkcs8_len, ct, ct_len, urandom,
                           rng_file, ct, sizeof ct, &out_len);
    STATUS(rc, KMS_IMPORT_INVALID_ARGUMENT, "output overlapping the ciphertext");
    memset(out, 0xAA, sizeof out);
    rc = kms_import_unwrap("RSAES_OAEP_SHA_256", rsa->pkcs8, rsa->pkcs8_len, ct, ct_len,
                           broken_rng, NULL, out, sizeof out, &out_len);
    STATUS(rc, KMS_IMPORT_RNG_FAILURE, "unwrap with a failing RNG (blinding)");
    CHECK(all_zero(out, sizeof out), "wiped after an RNG failure");
    uint8_t longer[KMS_IMPORT_MAX_PKCS8_LEN + 1];
    memcpy(longer, rsa->pkcs8, rsa->pkcs8_len);
    longer[rsa->pkcs8_len] = 0;
    rc = kms_import_unwrap("RSAES_OAEP_SHA_256", longer, rsa->pkcs8_len + 1, ct, ct_len, urandom,
                           rng_file, out, sizeof out, &out_len);
    STATUS(rc, KMS_IMPORT_INVALID_KEY, "a PKCS#8 length one long");
    rc = kms_import_unwrap("RSAES_OAEP_SHA_1", rsa->pkcs8, rsa->pkcs8_len, ct, ct_len, urandom,
                           rng_file, out, sizeof out, &out_len);
    STATUS(rc, KMS_IMPORT_INVALID_CIPHERTEXT, "the other OAEP hash");
    rc = kms_import_unwrap("RSAES_OAEP_SHA_256", rsa->pkcs8, rsa->pkcs8_len, ct, ct_len, urandom,
                           rng_file, out, sizeof out, &out_len);
    CHECK(rc == KMS_IMPORT_OK && out_len == 32 && memcmp(out, m, 32) == 0, "unwrap");

    /* Material checks with an RSA key: our wrapping key is valid RSA_2048 material. */
    char reason[512];
    rc = kms_import_check_material("aws", "RSA_2048", rsa->pkcs8, rsa->pkcs8_len, urandom,
                                   rng_file, reason, sizeof reason);
    STATUS(rc, KMS_IMPORT_OK, "an RSA_2048 wrapping key is RSA_2048 material");
    rc = kms_import_check_material("aws", "RSA_2048", rsa->pkcs8, rsa->pkcs8_len, NULL, NULL,
                                   reason, sizeof reason);
    STATUS(rc, KMS_IMPORT_NULL_POINTER, "RSA material needs an RNG");
    rc = kms_import_check_material("aws", "RSA_3072", rsa->pkcs8, rsa->pkcs8_len, urandom,
                                   rng_file, reason, sizeof reason);
    STATUS(rc, KMS_IMPORT_INCORRECT_KEY_MATERIAL, "RSA_2048 key as RSA_3072 material");

    /* generate: too small, failing RNG, unknown name. */
    uint8_t pkcs8[64], spki[KMS_IMPORT_MAX_SPKI_LEN];
    size_t pkcs8_len = 0, spki_len = 0;
    memset(pkcs8, 0xAA, sizeof pkcs8);
    rc = kms_import_generate_wrapping_key("SM2", urandom, rng_file, pkcs8, 16, &pkcs8_len, spki,
                                          sizeof spki, &spki_len);
    STATUS(rc, KMS_IMPORT_BUFFER_TOO_SMALL, "generate into 16 bytes");
    CHECK(pkcs8_len > 16 && pkcs8_len <= sizeof pkcs8 + 100 && spki_len == 91,
          "needed %zu and %zu", pkcs8_len, spki_len);
    CHECK(all_zero(pkcs8, 16), "the private key buffer was wiped");
    rc = kms_import_generate_wrapping_key("SM2", broken_rng, NULL, pkcs8, sizeof pkcs8,
                                          &pkcs8_len, spki, sizeof spki, &spki_len);
    STATUS(rc, KMS_IMPORT_RNG_FAILURE, "generate with a failing RNG");
    rc = kms_import_generate_wrapping_key("RSA_1024", urandom, rng_file, pkcs8, sizeof pkcs8,
                                          &pkcs8_len, spki, sizeof spki, &spki_len);
    STATUS(rc, KMS_IMPORT_UNKNOWN_NAME, "RSA_1024");
    rc = kms_import_generate_wrapping_key("SM2", urandom, rng_file, pkcs8, sizeof pkcs8,
                                          &pkcs8_len, pkcs8 + 8, 32, &spki_len);
    STATUS(rc, KMS_IMPORT_INVALID_ARGUMENT, "overlapping outputs");
}

/* ---- the service --------------------------------------------------------------------------- */

static const char *ARN = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

static void service(void) {
    uint8_t secret[32];
    random_bytes(secret, sizeof secret);
    kms_import_service *svc = NULL;
    STATUS(kms_import_service_new(secret, 31, 1, &svc), KMS_IMPORT_INVALID_ARGUMENT, "31 bytes");
    STATUS(kms_import_service_new(secret, 32, 1, NULL), KMS_IMPORT_NULL_POINTER, "NULL out");
    STATUS(kms_import_service_new(secret, 32, 1, &svc), KMS_IMPORT_OK, "service");
    if (!svc) return;

    kms_import_key_metadata key = {0};
    key.key = ARN;
    key.key_spec = "SYMMETRIC_DEFAULT";
    key.key_usage = "ENCRYPT_DECRYPT";
    const uint64_t now = 1800000000;

    kms_import_get_parameters_for_import_request gp = {0};
    gp.key_id = "1234abcd-12ab-34cd-56ef-1234567890ab";
    gp.wrapping_algorithm = "RSAES_OAEP_SHA_256";
    gp.wrapping_key_spec = "RSA_2048";
    static uint8_t token[KMS_IMPORT_MAX_IMPORT_TOKEN_LEN], public_key[KMS_IMPORT_MAX_SPKI_LEN];
    static char key_id[KMS_IMPORT_MAX_KEY_ID_LEN];
    kms_import_get_parameters_for_import_response params = {0};
    params.key_id = key_id;
    params.key_id_cap = sizeof key_id;
    params.import_token = token;
    params.import_token_cap = sizeof token;
    params.public_key = public_key;
    params.public_key_cap = sizeof public_key;
    char message[1024];
    int rc = kms_import_get_parameters_for_import(svc, &gp, &key, now, urandom, rng_file, &params,
                                                  message, sizeof message);
    STATUS(rc, KMS_IMPORT_OK, message);
    CHECK(strcmp(key_id, ARN) == 0 && params.key_id_len == strlen(ARN), "KeyId is the ARN: %s",
          key_id);
    CHECK(params.parameters_valid_to == now + 86400, "ParametersValidTo");
    CHECK(params.public_key_len == 294 && params.import_token_len > 1000, "sizes %zu %zu",
          params.public_key_len, params.import_token_len);

    /* The client wraps 32 bytes with the public key. */
    uint8_t material[32], encrypted[512];
    size_t encrypted_len = 0;
    random_bytes(material, sizeof material);
    rc = kms_import_wrap("RSAES_OAEP_SHA_256", public_key, params.public_key_len, material, 32,
                         urandom, rng_file, encrypted, sizeof encrypted, &encrypted_len);
    STATUS(rc, KMS_IMPORT_OK, "wrap for the service");

    kms_import_import_key_material_request ik = {0};
    ik.key_id = ARN;
    ik.import_token = token;
    ik.import_token_len = params.import_token_len;
    ik.encrypted_key_material = encrypted;
    ik.encrypted_key_material_len = encrypted_len;
    ik.expiration_model = "KEY_MATERIAL_DOES_NOT_EXPIRE";
    static uint8_t got[KMS_IMPORT_MAX_MATERIAL_LEN];
    static char got_key_id[KMS_IMPORT_MAX_KEY_ID_LEN];
    kms_import_import_key_material_response imported;
    memset(&imported, 0, sizeof imported);
    imported.material = got;
    imported.material_cap = sizeof got;
    imported.key_id = got_key_id;
    imported.key_id_cap = sizeof got_key_id;
    rc = kms_import_import_key_material(svc, &ik, &key, now + 60, urandom, rng_file, &imported,
                                        message, sizeof message);
    STATUS(rc, KMS_IMPORT_OK, message);
    CHECK(imported.material_len == 32 && memcmp(got, material, 32) == 0, "the material");
    CHECK(strcmp(imported.key_state, "Enabled") == 0, "%s", imported.key_state);
    CHECK(strcmp(imported.key_material_state, "CURRENT") == 0, "%s", imported.key_material_state);
    CHECK(strcmp(imported.import_type, "NEW_KEY_MATERIAL") == 0, "%s", imported.import_type);
    CHECK(strcmp(imported.expiration_model, "KEY_MATERIAL_DOES_NOT_EXPIRE") == 0 &&
              imported.valid_to == 0,
          "%s", imported.expiration_model);
    CHECK(strlen(imported.key_material_id) == 64, "KeyMaterialId %s", imported.key_material_id);
    CHECK(strcmp(got_key_id, ARN) == 0, "%s", got_key_id);

    /* Re-import into the now Enabled key that holds this material: EXISTING_KEY_MATERIAL. */
    kms_import_associated_key_material held = {imported.key_material_id, "CURRENT", "IMPORTED"};
    char held_id[65];
    memcpy(held_id, imported.key_material_id, 65);
    held.key_material_id = held_id;
    key.key_state = "Enabled";
    key.key_materials = &held;
    key.key_materials_count = 1;
    rc = kms_import_import_key_material(svc, &ik, &key, now + 120, urandom, rng_file, &imported,
                                        message, sizeof message);
    STATUS(rc, KMS_IMPORT_OK, message);
    CHECK(strcmp(imported.import_type, "EXISTING_KEY_MATERIAL") == 0, "%s", imported.import_type);
    CHECK(strcmp(imported.key_material_id, held_id) == 0, "the same KeyMaterialId");

    /* Exceptions: tampered ciphertext, expired token, a bad enum value, a token too short. */
    encrypted[10] ^= 1;
    memset(got, 0xAA, sizeof got);
    rc = kms_import_import_key_material(svc, &ik, &key, now + 60, urandom, rng_file, &imported,
                                        message, sizeof message);
    STATUS(rc, KMS_IMPORT_INVALID_CIPHERTEXT_EXCEPTION, message);
    CHECK(strncmp(message, "InvalidCiphertextException: ", 28) == 0, "%s", message);
    CHECK(all_zero(got, sizeof got), "material buffer wiped");
    encrypted[10] ^= 1;
    rc = kms_import_import_key_material(svc, &ik, &key, now + 3 * 86400, urandom, rng_file,
                                        &imported, message, sizeof message);
    STATUS(rc, KMS_IMPORT_EXPIRED_IMPORT_TOKEN_EXCEPTION, message);
    ik.expiration_model = "NEVER";
    rc = kms_import_import_key_material(svc, &ik, &key, now + 60, urandom, rng_file, &imported,
                                        message, sizeof message);
    STATUS(rc, KMS_IMPORT_VALIDATION_EXCEPTION, message);
    ik.expiration_model = "KEY_MATERIAL_DOES_NOT_EXPIRE";
    ik.import_token_len = 100;
    rc = kms_import_import_key_material(svc, &ik, &key, now + 60, urandom, rng_file, &imported,
                                        message, sizeof message);
    STATUS(rc, KMS_IMPORT_INVALID_IMPORT_TOKEN_EXCEPTION, message);
    ik.import_token_len = params.import_token_len;
    imported.material_cap = 8;
    rc = kms_import_import_key_material(svc, &ik, &key, now + 60, urandom, rng_file, &imported,
                                        message, sizeof message);
    CHECK(rc == KMS_IMPORT_BUFFER_TOO_SMALL && imported.material_len == 32, "material too small");
    imported.material_cap = sizeof got;

    /* GetParametersForImport: a refused combination, a bad key ID, a pregenerated key. */
    gp.wrapping_key_spec = "SM2";
    rc = kms_import_get_parameters_for_import(svc, &gp, &key, now, urandom, rng_file, &params,
                                              message, sizeof message);
    STATUS(rc, KMS_IMPORT_UNSUPPORTED_OPERATION_EXCEPTION, message);
    gp.wrapping_key_spec = "RSA_2048";
    gp.key_id = "alias/mine";
    rc = kms_import_get_parameters_for_import(svc, &gp, &key, now, urandom, rng_file, &params,
                                              message, sizeof message);
    STATUS(rc, KMS_IMPORT_INVALID_ARN_EXCEPTION, message);
    gp.key_id = ARN;
    gp.wrapping_algorithm = "RSAES_OAEP_SHA_384";
    rc = kms_import_get_parameters_for_import(svc, &gp, &key, now, urandom, rng_file, &params,
                                              message, sizeof message);
    STATUS(rc, KMS_IMPORT_VALIDATION_EXCEPTION, message);
    gp.wrapping_algorithm = "RSAES_OAEP_SHA_1";
    static uint8_t pre[KMS_IMPORT_MAX_PKCS8_LEN], pre_spki[KMS_IMPORT_MAX_SPKI_LEN];
    size_t pre_len = 0, pre_spki_len = 0;
    rc = kms_import_generate_wrapping_key("RSA_2048", urandom, rng_file, pre, sizeof pre, &pre_len,
                                          pre_spki, sizeof pre_spki, &pre_spki_len);
    STATUS(rc, KMS_IMPORT_OK, "pregenerated key");
    gp.wrapping_key_pkcs8 = pre;
    gp.wrapping_key_pkcs8_len = pre_len;
    rc = kms_import_get_parameters_for_import(svc, &gp, &key, now, urandom, rng_file, &params,
                                              message, sizeof message);
    STATUS(rc, KMS_IMPORT_OK, message);
    CHECK(params.public_key_len == pre_spki_len &&
              memcmp(public_key, pre_spki, pre_spki_len) == 0,
          "the response carries the pregenerated key");
    STATUS(kms_import_get_parameters_for_import(svc, NULL, &key, now, urandom, rng_file, &params,
                                                message, sizeof message),
           KMS_IMPORT_NULL_POINTER, "NULL request");
    key.key_spec = "SYMMETRIC_FANCY";
    rc = kms_import_get_parameters_for_import(svc, &gp, &key, now, urandom, rng_file, &params,
                                              message, sizeof message);
    STATUS(rc, KMS_IMPORT_UNKNOWN_NAME, "a metadata name that is not AWS's");

    kms_import_service_free(svc);
    kms_import_service_free(NULL);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [quick]\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    int quick = argc > 2 && strcmp(argv[2], "quick") == 0;
    rng_file = fopen("/dev/urandom", "rb");
    if (!rng_file) return 2;

    statuses();
    policy();
    static struct key keys[4];
    static const char *specs[4] = {"RSA_2048", "RSA_3072", "RSA_4096", "SM2"};
    static const size_t ks[4] = {256, 384, 512, 0};
    for (size_t i = 0; i < 4; i++) {
        keys[i].spec = specs[i];
        keys[i].k = ks[i];
        if (quick && keys[i].k == 384) continue;
        if (quick && keys[i].k == 512) {
            from_openssl(&keys[i]);
            write_file("key.p8.der", keys[i].pkcs8, keys[i].pkcs8_len);
            write_file("key.pub.der", keys[i].spki, keys[i].spki_len);
            uint8_t m[121];
            random_bytes(m, sizeof m);
            ours_to_openssl(&keys[i], "RSA_AES_KEY_WRAP_SHA_256", m, sizeof m);
            openssl_to_ours(&keys[i], "RSAES_OAEP_SHA_1", m, 32);
            continue;
        }
        generated(&keys[i]);
        interop(&keys[i]);
    }
    misuse(&keys[0]);
    service();

    fclose(rng_file);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
