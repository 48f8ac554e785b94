#![no_main]
// Any bytes as the body of 1C's signed POST /exchange/v1/messages, then the queue consumer:
// see shared::fuzz_checks::inbound_batch for what must hold.
libfuzzer_sys::fuzz_target!(|data: &[u8]| shared::fuzz_checks::inbound_batch(data));
