//! The CPU time a server's runtime spends, read from the kernel's per-thread accounting
//! (`/proc/self/task/<tid>/schedstat`): what a bench reports per request beside the
//! latencies, because on a shared VM the latencies move with the host while the work
//! per request does not.

use std::sync::{Arc, Mutex};

use tokio::runtime::Runtime;

/// Thread ids of a runtime's threads, filled as they start.
pub type Tids = Arc<Mutex<Vec<String>>>;

/// A tokio runtime with one worker thread named `name`, its threads pinned to `core`
/// when one is given (the open-loop bench keeps the server off the client's core), their
/// ids recorded in `tids`.
pub fn runtime(name: &str, core: Option<core_affinity::CoreId>, tids: &Tids) -> Runtime {
    let t = tids.clone();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(name)
        .enable_all()
        .on_thread_start(move || {
            super::client::pin(core);
            if let Ok(p) = std::fs::read_link("/proc/thread-self") {
                if let Some(tid) = p.file_name() {
                    t.lock().unwrap().push(tid.to_string_lossy().into_owned());
                }
            }
        })
        .build()
        .expect("a tokio runtime")
}

/// CPU time the threads have used, nanoseconds (schedstat's first field; 0 where
/// unreadable, as on a kernel without schedstat).
pub fn cpu_ns(tids: &Tids) -> u64 {
    tids.lock()
        .unwrap()
        .iter()
        .filter_map(|tid| std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}
