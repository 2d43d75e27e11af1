//! An embedded mock of the Huawei Cloud Voice Call platform, faithful to the reference:
//! it authenticates with the AK/SK verifier of `voicecall::auth`, judges every request by
//! the result-code tables (the generated validators, then the console's rules and
//! quotas), simulates calls on a virtual clock, and pushes signed status events and CDRs
//! to the customer's URLs, retrying CDRs as §4.5 says.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use voicecall_mock::{Mock, MockConfig, MockServer};
//! let server = MockServer::start(
//!     Mock::new(MockConfig::single_app("appKey", "appSecret")),
//!     "127.0.0.1:0".parse().unwrap(),
//! )
//! .await?;
//! println!("listening on {}", server.base_url());
//! # Ok(()) }
//! ```
//!
//! Modules, in the order a request meets them: [`handle`] (the judging pipeline),
//! [`policy`] (console and security-control rules), [`session`] (call plans),
//! [`mock`] (state, scheduler, pushes), [`cdr`], [`push`]; [`config`], [`clock`] and
//! [`outcome`] hold the settings, virtual time and the codes of each call outcome;
//! [`store`] is the storage that grows without stop-the-world copies.
//! [`reason`] encodes the `X-Mock-Reason` header.

pub mod cdr;
pub mod clock;
pub mod config;
pub mod handle;
mod json;
pub mod mock;
pub mod outcome;
pub mod policy;
pub mod push;
pub mod reason;
pub mod reject;
pub mod server;
pub mod session;
pub mod store;

pub use config::{AppConfig, ClockConfig, MockConfig, RetentionConfig, ServerConfig};

/// The README's Rust example, compiled and run as a doctest so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Caps glibc's malloc arenas at two for this process. The mock allocates many small,
/// long-lived objects (sessions, pushes) from every tokio worker; with one arena per
/// thread the freed space scatters, and RSS runs about 20 MiB above the heap at 10,000
/// calls (BENCHMARKS.md, "Mock platform"). Call first thing in `main`, before any
/// thread starts (glibc fixes the limit at the first contention; the `voicecall-mock`
/// binary does so); a no-op elsewhere than Linux with glibc.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only adjusts allocator parameters; M_ARENA_MAX takes any positive value.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
pub use handle::{MockRequest, MockResponse};
pub use mock::{Mock, PushSummary, SessionCounts};
pub use outcome::{Outcome, Party};
pub use push::{PushKind, PushRecord, PushState};
pub use server::MockServer;
