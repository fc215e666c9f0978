#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| kms_import_fuzz::modexp(data));
