#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| kms_import_fuzz::unwrap_rsaes_oaep_sha_1(data));
