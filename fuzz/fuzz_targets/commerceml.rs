#![no_main]
// Any bytes as a CommerceML file: see shared::fuzz_checks::commerceml for what must hold.
libfuzzer_sys::fuzz_target!(|data: &[u8]| shared::fuzz_checks::commerceml(data));
