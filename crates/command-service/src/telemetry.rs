//! Logging set-up, in one function: `tracing` to stderr, filtered by `RUST_LOG` (default
//! `info`), as JSON when `LOG_FORMAT=json`.
//!
//! OpenTelemetry export (`OTEL_EXPORTER_OTLP_ENDPOINT`) belongs here too once the workspace
//! takes the opentelemetry crates; until then the W3C `traceparent` is still carried from the
//! request into every event's metadata.

use tracing_subscriber::EnvFilter;

/// Install the global subscriber. Call once, from the binary.
pub fn init_telemetry() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    if let Err(e) = result {
        eprintln!("telemetry already initialised: {e}");
    }
}
