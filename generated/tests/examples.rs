//! Runs `examples/click_to_call.rs` (its `run`, against the embedded mock) and checks
//! what it printed: the documented sequence of a callback, all for the placed call.
//! Bounded by a generous limit so a hang fails instead of blocking the suite.

#[path = "../examples/click_to_call.rs"]
mod click_to_call;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_click_to_call_example_runs_against_the_mock() {
    let lines = tokio::time::timeout(std::time::Duration::from_secs(120), click_to_call::run())
        .await
        .expect("the example finished within its bound")
        .expect("the example succeeded");
    let kinds: Vec<&str> = lines
        .iter()
        .map(|l| l.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(kinds.first(), Some(&"callout"), "{lines:?}");
    assert_eq!(kinds.last(), Some(&"disconnect"), "{lines:?}");
    assert!(kinds.contains(&"answer"), "{lines:?}");
    let session = lines[0]
        .split(' ')
        .find_map(|w| w.strip_prefix("session="))
        .unwrap();
    assert_ne!(session, "-");
    for line in &lines {
        assert!(line.contains(&format!("session={session} ")), "{line}");
        assert!(
            !line.contains("at=-"),
            "every event has its timestamp: {line}"
        );
    }
}
