/*
 * The two service operations: kms_import_service_new/free, GetParametersForImport and
 * ImportKeyMaterial with their flat structs, the KMS exceptions, buffer too small, wiping.
 */
#include "test.h"

static const char *ARN = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

void service(void) {
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
