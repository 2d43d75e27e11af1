#![no_main]

#[path = "../targets/verify_request.rs"]
mod target;

libfuzzer_sys::fuzz_target!(|data: &[u8]| target::run(data));
