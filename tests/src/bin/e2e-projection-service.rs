//! The projection service as the fault tests run it: the library's `run` with configuration
//! from the environment, like the real binary, except that it prints `listening <addr>` on
//! stdout once bound, so a test can give it `GRPC_ADDR=127.0.0.1:0`.

use anyhow::Context;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    projection::init_telemetry();
    let config = projection::Config::from_env().context("reading configuration")?;
    let listener = tokio::net::TcpListener::bind(config.grpc_addr)
        .await
        .with_context(|| format!("binding {}", config.grpc_addr))?;
    e2e::process::announce(&listener)?;
    projection::run(config, listener, e2e::process::shutdown_signal())
        .await
        .context("projection service failed")
}
