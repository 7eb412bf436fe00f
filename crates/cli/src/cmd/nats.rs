//! NATS options shared by `events` and `projections`: the same variables and defaults as the
//! services (`NATS_URL`, `OFSTED_STREAM`, `OFSTED_SUBJECT_PREFIX`), so an operator's shell set
//! up for the services needs nothing more.

use clap::Args;

/// Where the internal stream is.
#[derive(Debug, Clone, Args)]
pub struct StreamOpts {
    /// NATS server; with the deploy/nats accounts, e.g. nats://operator:PASSWORD@host:4222.
    #[arg(long, env = "NATS_URL", default_value = bus::config::DEFAULT_NATS_URL)]
    pub nats_url: String,
    /// Internal JetStream stream.
    #[arg(long, env = "OFSTED_STREAM", default_value = bus::config::DEFAULT_STREAM_NAME)]
    pub stream: String,
    /// Subject prefix of internal events.
    #[arg(long, env = "OFSTED_SUBJECT_PREFIX", default_value = bus::config::DEFAULT_SUBJECT_PREFIX)]
    pub subject_prefix: String,
}

impl StreamOpts {
    /// The bus configuration these options describe.
    pub fn bus(&self) -> bus::BusConfig {
        bus::BusConfig {
            nats_url: self.nats_url.clone(),
            stream_name: self.stream.clone(),
            subject_prefix: self.subject_prefix.trim_end_matches('.').to_owned(),
            ..bus::BusConfig::default()
        }
    }

    /// A client named `inspectionctl`.
    pub async fn connect(&self) -> anyhow::Result<async_nats::Client> {
        connect(&self.nats_url).await
    }
}

/// Connects to `url` (credentials may be in the URL: `nats://user:password@host:port`).
pub async fn connect(url: &str) -> anyhow::Result<async_nats::Client> {
    async_nats::ConnectOptions::new()
        .name("inspectionctl")
        .connection_timeout(std::time::Duration::from_secs(5))
        .connect(url)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "UNAVAILABLE: cannot connect to NATS at {}: {e}",
                redact(url)
            )
        })
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}
