#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| kms_import_fuzz::unwrap_rsa_aes_key_wrap_sha_1(data));
