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

/// Connects to `url`. Credentials may be in the URL (`nats://user:password@host:port`):
/// async-nats does not read them from there, so they are split off and sent as user and
/// password.
pub async fn connect(url: &str) -> anyhow::Result<async_nats::Client> {
    let (server, credentials) = split_credentials(url);
    let options = match credentials {
        Some((user, password)) => {
            async_nats::ConnectOptions::with_user_and_password(user, password)
        }
        None => async_nats::ConnectOptions::new(),
    };
    options
        .name("inspectionctl")
        .connection_timeout(std::time::Duration::from_secs(5))
        .connect(server.as_str())
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "UNAVAILABLE: cannot connect to NATS at {}: {e}",
                redact(url)
            )
        })
}

/// `scheme://user:password@rest` → (`scheme://rest`, Some((user, password))).
pub fn split_credentials(url: &str) -> (String, Option<(String, String)>) {
    if let (Some(scheme), Some(at)) = (url.find("://"), url.rfind('@'))
        && at > scheme
    {
        let userinfo = &url[scheme + 3..at];
        let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        let server = format!("{}{}", &url[..scheme + 3], &url[at + 1..]);
        return (server, Some((user.to_owned(), password.to_owned())));
    }
    (url.to_owned(), None)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_split_off_the_url_and_never_printed() {
        let (server, creds) = split_credentials("nats://dfe:s3cret@127.0.0.1:4222");
        assert_eq!(server, "nats://127.0.0.1:4222");
        assert_eq!(creds, Some(("dfe".into(), "s3cret".into())));
        assert_eq!(split_credentials("nats://h:1").1, None);
        assert_eq!(redact("nats://dfe:s3cret@h:1"), "nats://dfe:***@h:1");
    }
}
