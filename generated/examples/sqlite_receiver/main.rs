//! A CDR receiver that survives restarts: CDRs and delivered keys in SQLite.
//!
//! ```sh
//! cargo run -p voicecall --example sqlite_receiver -- 127.0.0.1:8080 cdrs.sqlite [APP_SECRET PUSH_URL]
//! ```
//!
//! The handler commits each push's CDRs under their idempotency keys in one transaction
//! and only then lets the receiver answer success, so the platform retries whatever was
//! not committed; a retry of something committed inserts nothing twice.

mod store;

use std::sync::Arc;

use voicecall::auth::{AppSecret, PushVerifier, VerifierConfig};
use voicecall::receiver::{axum_router, Delivery, PushKind, Receiver};

use store::SqliteStore;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".into());
    let path = args.next().unwrap_or_else(|| "cdrs.sqlite".into());
    let store = Arc::new(SqliteStore::open(path.as_ref())?);
    let mut receiver = Receiver::new(PushKind::CallbackFee).with_store(store.clone());
    if let (Some(secret), Some(url)) = (args.next(), args.next()) {
        receiver = receiver.with_signature_check(PushVerifier::new(
            &AppSecret::new(secret),
            url,
            VerifierConfig::default(),
        ));
    }
    let handler = move |d: Delivery| {
        let store = store.clone();
        async move {
            if let Delivery::Fee(push) = d {
                let new = store.commit(&push)?;
                for c in push.cdrs.iter().filter(|c| c.cdr.is_err()) {
                    eprintln!("stored unparsed CDR {}: {:?}", c.key, c.cdr.as_ref().err());
                }
                eprintln!("{} CDRs, {new} new", push.cdrs.len());
            }
            Ok::<(), rusqlite::Error>(())
        }
    };
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!(
        "receiving CDRs on http://{}/ into {path}",
        listener.local_addr()?
    );
    axum::serve(listener, axum_router(receiver, handler)).await?;
    Ok(())
}
