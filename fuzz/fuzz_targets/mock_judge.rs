#![no_main]

#[path = "../targets/mock_judge.rs"]
mod target;

use std::sync::{Mutex, OnceLock};

static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
/// The mock and the inputs it has judged: a new mock every 100,000, before its replay
/// memory (one nonce per signed request) fills and every request gets 403/1010010.
static MOCK: Mutex<Option<(usize, voicecall_mock::Mock)>> = Mutex::new(None);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let rt = RT.get_or_init(|| tokio::runtime::Runtime::new().expect("runtime"));
    let _guard = rt.enter();
    let mock = {
        let mut m = MOCK.lock().unwrap_or_else(|e| e.into_inner());
        let (n, mock) = m.get_or_insert_with(|| (0, target::mock()));
        *n += 1;
        let mock = mock.clone();
        if *n >= 100_000 {
            *m = None;
        }
        mock
    };
    target::run(&mock, data);
});
