//! Click-to-call and its status pushes, end to end, against the embedded mock platform.
//!
//! ```sh
//! cargo run -p voicecall --example click_to_call
//! ```
//!
//! It starts the mock platform (`voicecall-mock`, on 127.0.0.1, manual clock) and a
//! receiver for the call's status pushes (`axum_router`, push signatures checked),
//! places a click-to-call whose `statusUrl` is that receiver, plays two minutes of the
//! call on the mock's clock and prints every status event through `PushFields`.
//!
//! Against the real platform, only the first step changes: use the platform's base URL
//! and your app key and secret instead of the mock's, and a `statusUrl` the platform can
//! reach. (`generated/tests/examples.rs` runs this program.)

use std::time::Duration;

use tokio::sync::mpsc;
use voicecall::auth::{AppSecret, Credentials, PushVerifier, VerifierConfig};
use voicecall::callback::create_voice_callback::CreateVoiceCallbackRequest;
use voicecall::client::Client;
use voicecall::receiver::{axum_router, Delivery, PushKind, Receiver, StatusEvent};
use voicecall::PushFields;
use voicecall_mock::{Mock, MockConfig, MockServer};

const APP_KEY: &str = "exampleAppKey";
const APP_SECRET: &str = "exampleAppSecret";

/// Places the call and returns one line per status event received, in order.
pub async fn run() -> Result<Vec<String>, Box<dyn std::error::Error>> {
    // 1. The platform: here the embedded mock, whose clock moves only when told to.
    let platform = MockServer::start(
        Mock::new(MockConfig::single_app(APP_KEY, APP_SECRET)),
        "127.0.0.1:0".parse()?,
    )
    .await?;
    let client =
        Client::builder(platform.base_url(), Credentials::new(APP_KEY, APP_SECRET)).build()?;

    // 2. The receiver of status pushes: refuses pushes not signed for its URL, hands
    //    each event to the handler and acknowledges once the handler returned Ok.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let status_url = format!("http://{}/", listener.local_addr()?);
    let receiver = Receiver::new(PushKind::CallbackStatus).with_signature_check(PushVerifier::new(
        &AppSecret::new(APP_SECRET),
        status_url.clone(),
        VerifierConfig::default(),
    ));
    let (tx, mut events) = mpsc::unbounded_channel::<StatusEvent>();
    let handler = move |delivery: Delivery| {
        let tx = tx.clone();
        async move {
            if let Delivery::Status(push) = delivery {
                tx.send(push.event?).map_err(|_| "stopped".to_string())?;
            }
            Ok::<(), String>(())
        }
    };
    let server =
        tokio::spawn(async move { axum::serve(listener, axum_router(receiver, handler)).await });

    // 3. Click-to-call: named setters, so caller and callee cannot be swapped; the
    //    statusUrl setter takes the URL and Base64-encodes it for the wire.
    let request = CreateVoiceCallbackRequest::builder()
        .display_nbr("+8675528000001")
        .caller_nbr("+8613800000001")
        .display_callee_nbr("+8675528000001")
        .callee_nbr("+8613800000002")
        .status_url(&status_url)
        .user_data("order-42")
        .build()?;
    let answer = client.create_voice_callback(&request).await?;
    let session = answer.session_id.unwrap_or_default();
    println!("call placed: sessionId {session}");

    // 4. Two minutes of the call on the mock's clock, then wait for its pushes.
    platform.mock.advance(Duration::from_secs(120));
    if !platform.mock.settle(Duration::from_secs(10)).await {
        return Err("the mock's pushes did not settle within 10 s".into());
    }
    let mut lines = Vec::new();
    while let Ok(event) = events.try_recv() {
        let at = event.timestamp().map(|t| t.raw().to_string());
        lines.push(format!(
            "{} session={} at={} userData={}",
            event.event_type(),
            event.session_id().unwrap_or("-"),
            at.as_deref().unwrap_or("-"),
            event.user_data().unwrap_or("-"),
        ));
    }
    server.abort();
    platform.shutdown().await;
    Ok(lines)
}

#[tokio::main]
#[allow(dead_code)] // also compiled into generated/tests/examples.rs, which calls `run`
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let lines = run().await?;
    if lines.is_empty() {
        return Err("no status event arrived".into());
    }
    for line in lines {
        println!("{line}");
    }
    Ok(())
}
