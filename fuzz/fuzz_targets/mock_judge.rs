#![no_main]

#[path = "../targets/mock_judge.rs"]
mod target;

use std::sync::OnceLock;

static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
static MOCK: OnceLock<voicecall_mock::Mock> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let rt = RT.get_or_init(|| tokio::runtime::Runtime::new().expect("runtime"));
    let _guard = rt.enter();
    target::run(MOCK.get_or_init(target::mock), data);
});
