//! Fuzz target `messages`: parsing and validation of every registry message (requests,
//! responses, pushes). The first byte picks the message, the rest is its JSON. Never
//! panics; a value that parses as JSON is either refused by the typed parse or
//! validated into a list of violations.

use voicecall::registry::{validate_json, MESSAGES};

pub fn run(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let name = MESSAGES[usize::from(pick) % MESSAGES.len()];
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(rest) else {
        return;
    };
    assert!(
        validate_json(name, &value).is_some(),
        "{name} is in the registry"
    );
}
