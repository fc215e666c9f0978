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
 *
 * This file: the helpers, status names, the policy checks, misuse (NULL pointers, lengths that
 * do not match, failing RNGs, buffers too small or overlapping) and main. interop.c: openssl
 * interop; service.c: the service operations.
 */
#include <stdarg.h>

#include "test.h"

int passed, failed;
const char *dir;
FILE *rng_file;

/* ---- helpers --------------------------------------------------------------------------- */

int urandom(void *ctx, uint8_t *out, size_t len) {
    FILE *f = (FILE *)ctx;
    return fread(out, 1, len, f) == len ? 0 : -1;
}

int broken_rng(void *ctx, uint8_t *out, size_t len) {
    (void)ctx;
    (void)out;
    (void)len;
    return 1;
}


static void path(char *buf, size_t cap, const char *name) { snprintf(buf, cap, "%s/%s", dir, name); }

void write_file(const char *name, const uint8_t *data, size_t len) {
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
size_t read_file(const char *name, uint8_t *buf, size_t cap) {
    char p[4096];
    path(p, sizeof p, name);
    FILE *f = fopen(p, "rb");
    if (!f) return (size_t)-1;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* Runs a shell command in DIR; returns its exit status. */
int sh(const char *fmt, ...) {
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

void hex(const uint8_t *data, size_t len, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = 0;
}

int all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

void random_bytes(uint8_t *out, size_t len) {
    if (urandom(rng_file, out, len) != 0) exit(2);
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
