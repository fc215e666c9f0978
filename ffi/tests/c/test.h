/*
 * Shared by the C test's files (kms_import_test.c, interop.c, service.c): the check macros, the
 * scratch-directory helpers and the RNG callbacks.
 */
#ifndef KMS_IMPORT_TEST_H
#define KMS_IMPORT_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kms_import.h"

extern int passed, failed;
extern const char *dir;
extern FILE *rng_file;

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

/* kms_import_rng_fn over a FILE * of /dev/urandom, and one that always fails. */
int urandom(void *ctx, uint8_t *out, size_t len);
int broken_rng(void *ctx, uint8_t *out, size_t len);
void random_bytes(uint8_t *out, size_t len);

/* Files in the scratch directory DIR, and shell commands run there. */
void write_file(const char *name, const uint8_t *data, size_t len);
size_t read_file(const char *name, uint8_t *buf, size_t cap);
int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hex(const uint8_t *data, size_t len, char *out);
int all_zero(const uint8_t *p, size_t n);

/* A wrapping key pair under test. */
struct key {
    const char *spec;
    size_t k; /* RSA modulus length, 0 for SM2 */
    uint8_t pkcs8[KMS_IMPORT_MAX_PKCS8_LEN];
    size_t pkcs8_len;
    uint8_t spki[KMS_IMPORT_MAX_SPKI_LEN];
    size_t spki_len;
};

/* interop.c */
void ours_to_openssl(const struct key *key, const char *alg, const uint8_t *m, size_t m_len);
void openssl_to_ours(const struct key *key, const char *alg, const uint8_t *m, size_t m_len);
void interop(struct key *key);
void generated(struct key *key);
void from_openssl(struct key *key);

/* service.c */
void service(void);

#endif
