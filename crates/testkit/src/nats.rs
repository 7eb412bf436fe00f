//! NATS test support: a JetStream stream name and subject prefix of its own per test, and a
//! TCP proxy that can cut the connection to simulate an outage without touching the shared
//! server.
//!
//! Cleanup: call [`TestNats::cleanup`] at the end of a test; `Drop` deletes the stream
//! best-effort from a helper thread with its own runtime otherwise (as `TestDb` does).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_nats::jetstream;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinHandle};

/// The server used when `NATS_URL` is not set.
pub const NATS_URL_DEFAULT: &str = "nats://127.0.0.1:4222";

/// The NATS URL: `NATS_URL`, else [`NATS_URL_DEFAULT`].
pub fn nats_url() -> String {
    std::env::var("NATS_URL").unwrap_or_else(|_| NATS_URL_DEFAULT.to_owned())
}

/// Connects to `addr` with quick reconnects (100 ms apart) and no limit on attempts, so a
/// test that restores a cut [`TcpProxy`] sees the client back within a fraction of a second.
pub async fn connect(addr: &str) -> async_nats::Client {
    async_nats::ConnectOptions::new()
        .reconnect_delay_callback(|_| Duration::from_millis(100))
        .connection_timeout(Duration::from_secs(2))
        .connect(addr)
        .await
        .unwrap_or_else(|e| panic!("testkit: cannot connect to nats at {addr}: {e}"))
}

/// A stream name and subject prefix unique to one test. Panics on failure: it is test support.
#[derive(Debug)]
pub struct TestNats {
    url: String,
    client: async_nats::Client,
    jetstream: jetstream::Context,
    stream_name: String,
    subject_prefix: String,
    cleaned: bool,
}

impl TestNats {
    /// Connects to [`nats_url`] and picks `T_<hex>` / `t_<hex>` names (nothing is created:
    /// the code under test creates its stream).
    pub async fn new() -> TestNats {
        let url = nats_url();
        let client = connect(&url).await;
        let suffix = crate::unique_suffix();
        TestNats {
            jetstream: jetstream::new(client.clone()),
            client,
            url,
            stream_name: format!("T_{suffix}"),
            subject_prefix: format!("t_{suffix}.events"),
            cleaned: false,
        }
    }

    /// The server URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The server's address, for a [`TcpProxy`] upstream.
    pub async fn socket_addr(&self) -> SocketAddr {
        let host_port = self
            .url
            .split("://")
            .last()
            .unwrap_or(&self.url)
            .trim_end_matches('/');
        tokio::net::lookup_host(host_port)
            .await
            .ok()
            .and_then(|mut addrs| addrs.next())
            .unwrap_or_else(|| panic!("testkit: cannot resolve nats address {host_port}"))
    }

    /// A client connected directly to the server.
    pub fn client(&self) -> &async_nats::Client {
        &self.client
    }

    /// A JetStream context on [`TestNats::client`].
    pub fn jetstream(&self) -> &jetstream::Context {
        &self.jetstream
    }

    /// This test's stream name.
    pub fn stream_name(&self) -> &str {
        &self.stream_name
    }

    /// This test's subject prefix (no trailing dot).
    pub fn subject_prefix(&self) -> &str {
        &self.subject_prefix
    }

    /// The public stream the relay derives from this test's names
    /// (`bus::PublicConfig::derived_from`: `<stream>_PUBLIC`, prefix `t_<hex>.public`).
    pub fn public_stream_name(&self) -> String {
        format!("{}_PUBLIC", self.stream_name)
    }

    /// Deletes the stream, and the derived public stream, if they exist.
    pub async fn cleanup(mut self) {
        self.cleaned = true;
        delete_stream(&self.jetstream, &self.stream_name).await;
        delete_stream(&self.jetstream, &self.public_stream_name()).await;
    }
}

impl Drop for TestNats {
    fn drop(&mut self) {
        if self.cleaned {
            return;
        }
        let url = self.url.clone();
        let name = self.stream_name.clone();
        let public = self.public_stream_name();
        // Drop cannot await and may run inside a runtime: use a thread with its own.
        let handle = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(client) = async_nats::connect(&url).await {
                    let js = jetstream::new(client);
                    delete_stream(&js, &name).await;
                    delete_stream(&js, &public).await;
                }
            });
        });
        let _ = handle.join();
    }
}

async fn delete_stream(js: &jetstream::Context, name: &str) {
    use jetstream::ErrorCode;
    use jetstream::context::DeleteStreamErrorKind;
    match js.delete_stream(name).await {
        Ok(_) => {}
        Err(e)
            if matches!(e.kind(), DeleteStreamErrorKind::JetStream(ref js_err)
                if js_err.error_code() == ErrorCode::STREAM_NOT_FOUND) => {}
        Err(e) => eprintln!("testkit: could not delete stream {name}: {e}"),
    }
}

/// A TCP proxy in front of a server: [`TcpProxy::cut`] drops every open connection and
/// refuses new ones until [`TcpProxy::restore`], so a test simulates an outage of the shared
/// server for its own clients only.
#[derive(Debug)]
pub struct TcpProxy {
    addr: SocketAddr,
    state: Arc<Mutex<ProxyState>>,
    accept: JoinHandle<()>,
}

#[derive(Debug, Default)]
struct ProxyState {
    cut: bool,
    connections: Vec<AbortHandle>,
    accepted: u64,
}

impl TcpProxy {
    /// Listens on an ephemeral 127.0.0.1 port, forwarding each connection to `upstream`.
    pub async fn start(upstream: SocketAddr) -> TcpProxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("testkit: cannot bind proxy: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("testkit: proxy has no address: {e}"));
        let state = Arc::new(Mutex::new(ProxyState::default()));
        let accept = tokio::spawn(accept_loop(listener, upstream, Arc::clone(&state)));
        TcpProxy {
            addr,
            state,
            accept,
        }
    }

    /// The proxy's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `nats://<addr>`, to connect a client through the proxy.
    pub fn nats_url(&self) -> String {
        format!("nats://{}", self.addr)
    }

    /// Drops every open connection and refuses new ones (accepted, then closed at once).
    pub fn cut(&self) {
        let mut state = self.lock();
        state.cut = true;
        for conn in state.connections.drain(..) {
            conn.abort();
        }
    }

    /// Forwards new connections again.
    pub fn restore(&self) {
        self.lock().cut = false;
    }

    /// Whether the proxy is cut.
    pub fn is_cut(&self) -> bool {
        self.lock().cut
    }

    /// Connections forwarded so far (refused ones not counted).
    pub fn accepted(&self) -> u64 {
        self.lock().accepted
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ProxyState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

async fn accept_loop(listener: TcpListener, upstream: SocketAddr, state: Arc<Mutex<ProxyState>>) {
    loop {
        let Ok((inbound, _)) = listener.accept().await else {
            continue;
        };
        // Decide and register under the lock, so `cut` cannot miss a connection in between.
        let mut guard = state.lock().unwrap_or_else(PoisonError::into_inner);
        if guard.cut {
            drop(inbound);
            continue;
        }
        guard.accepted += 1;
        guard.connections.retain(|c| !c.is_finished());
        let task = tokio::spawn(pipe(inbound, upstream));
        guard.connections.push(task.abort_handle());
    }
}

/// Copies both ways until either side closes; aborting the task closes both sockets.
async fn pipe(mut inbound: TcpStream, upstream: SocketAddr) {
    let Ok(mut outbound) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
}
