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
//! [`outcome`] hold the settings, virtual time and the codes of each call outcome.

pub mod cdr;
pub mod clock;
pub mod config;
pub mod handle;
pub mod mock;
pub mod outcome;
pub mod policy;
pub mod push;
pub mod reject;
pub mod server;
pub mod session;

pub use config::{AppConfig, ClockConfig, MockConfig};
pub use handle::{MockRequest, MockResponse};
pub use mock::{Mock, PushSummary};
pub use outcome::{Outcome, Party};
pub use push::{PushKind, PushRecord, PushState};
pub use server::MockServer;
