//! Repeats one step of handling a 50-CDR fee push, for counting instructions under
//! `valgrind --tool=callgrind`, which is repeatable where wall-clock timings on a shared
//! machine are not (see BENCHMARKS.md):
//!
//! `cargo run --release -p voicecall --example validation_cost -- MODE N` with MODE one of
//! `none`, `parse`, `parse_validate`, `validate`, `jsonschema_runtime`, `jsonschema_macro`,
//! `bytes_value` (bytes → `serde_json::Value`), `bytes_value_jsonschema_runtime`,
//! `bytes_value_jsonschema_macro` (bytes → `Value` → `is_valid`: end to end).

use voicecall::callback::fee_notification::CallbackFeeEvent;
use voicecall::Validate;

const BATCH: &str = include_str!("../benches/data/fee-batch-50.json");

#[jsonschema::validator(path = "schema/CallbackFeeEvent.json", draft = Draft202012)]
struct FeeEventSchema;

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "parse".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let parsed: CallbackFeeEvent = serde_json::from_str(BATCH).expect("the batch parses");
    let value: serde_json::Value = serde_json::from_str(BATCH).expect("JSON");
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schema/CallbackFeeEvent.json")).expect("schema");
    let runtime = jsonschema::draft202012::new(&schema).expect("the generated schema compiles");
    let mut violations = 0usize;
    for _ in 0..n {
        match mode.as_str() {
            "parse" => {
                let t: CallbackFeeEvent =
                    serde_json::from_str(std::hint::black_box(BATCH)).expect("parses");
                std::hint::black_box(&t);
            }
            "parse_validate" => {
                let t: CallbackFeeEvent =
                    serde_json::from_str(std::hint::black_box(BATCH)).expect("parses");
                violations += t.validate().len();
            }
            "validate" => violations += std::hint::black_box(&parsed).validate().len(),
            "jsonschema_runtime" => {
                violations += usize::from(!runtime.is_valid(std::hint::black_box(&value)))
            }
            "jsonschema_macro" => {
                violations += usize::from(!FeeEventSchema::is_valid(std::hint::black_box(&value)))
            }
            "bytes_value" => {
                let v: serde_json::Value =
                    serde_json::from_str(std::hint::black_box(BATCH)).expect("JSON");
                std::hint::black_box(&v);
            }
            "bytes_value_jsonschema_runtime" => {
                let v: serde_json::Value =
                    serde_json::from_str(std::hint::black_box(BATCH)).expect("JSON");
                violations += usize::from(!runtime.is_valid(&v))
            }
            "bytes_value_jsonschema_macro" => {
                let v: serde_json::Value =
                    serde_json::from_str(std::hint::black_box(BATCH)).expect("JSON");
                violations += usize::from(!FeeEventSchema::is_valid(&v))
            }
            _ => {}
        }
    }
    println!("{mode} x{n}: {violations} violations");
}
