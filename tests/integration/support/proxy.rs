//! A TCP fault proxy between a pool and its server, on 127.0.0.1: it
//! passes bytes, stalls either direction, cuts connections, or refuses new
//! ones, so that tests can see what a client sees when the network fails.
//!
//! Faults apply to the connections open when they are injected; the
//! connections opened afterwards pass (unless refused), so a test can ask
//! the server what happened on a fresh connection while the faulty one
//! hangs.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What one direction of a connection does with bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Pass,
    /// Bytes are read and held, never delivered.
    Stall,
}

/// A fault armed to fire when a client→server chunk holds a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnCommit {
    /// Hold the chunk: the request never reaches the server.
    HoldRequest,
    /// Deliver it, and hold what the server answers.
    HoldAnswer,
}

struct Link {
    up: Arc<watch::Sender<Flow>>,
    down: Arc<watch::Sender<Flow>>,
    trigger: Arc<Mutex<Option<OnCommit>>>,
    tasks: Vec<JoinHandle<()>>,
}

struct Shared {
    target: SocketAddr,
    refuse: AtomicBool,
    links: Mutex<Vec<Link>>,
    accepted: AtomicU64,
}

/// The proxy; dropping it closes every connection through it.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: JoinHandle<()>,
}

impl Proxy {
    /// A proxy to `target` (`host:port`).
    pub async fn start(target: &str) -> Proxy {
        let target: SocketAddr = tokio::net::lookup_host(target)
            .await
            .expect("target resolves")
            .next()
            .expect("target address");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Shared {
            target,
            refuse: AtomicBool::new(false),
            links: Mutex::new(Vec::new()),
            accepted: AtomicU64::new(0),
        });
        let acceptor = tokio::spawn(accept(listener, Arc::clone(&shared)));
        Proxy {
            addr,
            shared,
            acceptor,
        }
    }

    /// A proxy in front of the server of `url`, and `url` pointed at it.
    pub async fn in_front_of(url: &str) -> (Proxy, String) {
        let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (user, host) = match authority.rsplit_once('@') {
            Some((user, host)) => (format!("{user}@"), host),
            None => (String::new(), authority),
        };
        let proxy = Proxy::start(host).await;
        let proxied = format!("{scheme}://{user}{}{path}", proxy.addr);
        (proxy, proxied)
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.shared.accepted.load(Ordering::Relaxed)
    }

    /// Stalls client→server bytes of the open connections.
    pub fn stall_up(&self) {
        self.set(|link| link.up.send_replace(Flow::Stall));
    }

    /// Stalls server→client bytes of the open connections.
    pub fn stall_down(&self) {
        self.set(|link| link.down.send_replace(Flow::Stall));
    }

    /// Stalls both directions of the open connections.
    pub fn stall(&self) {
        self.stall_up();
        self.stall_down();
    }

    /// Arms the open connections: the next chunk a client sends that holds
    /// `COMMIT` fires `fault` (once).
    pub fn on_commit(&self, fault: OnCommit) {
        for link in self.shared.links.lock().expect("links").iter() {
            *link.trigger.lock().expect("trigger") = Some(fault);
        }
    }

    /// Cuts every open connection (both sockets closed).
    pub fn cut(&self) {
        let links = std::mem::take(&mut *self.shared.links.lock().expect("links"));
        for link in links {
            for task in link.tasks {
                task.abort();
            }
        }
    }

    /// Refuses (closes at once) connections from now on, or stops refusing.
    pub fn refuse(&self, refuse: bool) {
        self.shared.refuse.store(refuse, Ordering::Relaxed);
    }

    fn set(&self, f: impl Fn(&Link) -> Flow) {
        for link in self.shared.links.lock().expect("links").iter() {
            f(link);
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.acceptor.abort();
        self.cut();
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            return;
        };
        shared.accepted.fetch_add(1, Ordering::Relaxed);
        if shared.refuse.load(Ordering::Relaxed) {
            drop(client);
            continue;
        }
        let Ok(server) = TcpStream::connect(shared.target).await else {
            continue;
        };
        let _ = client.set_nodelay(true);
        let _ = server.set_nodelay(true);
        let (up_tx, up_rx) = watch::channel(Flow::Pass);
        let (down_tx, down_rx) = watch::channel(Flow::Pass);
        let (up, down) = (Arc::new(up_tx), Arc::new(down_tx));
        let trigger = Arc::new(Mutex::new(None));
        let (client_read, client_write) = client.into_split();
        let (server_read, server_write) = server.into_split();
        let armed = Armed {
            trigger: Arc::clone(&trigger),
            up: Arc::clone(&up),
            down: Arc::clone(&down),
        };
        let tasks = vec![
            tokio::spawn(pump(client_read, server_write, up_rx, Some(armed))),
            tokio::spawn(pump(server_read, client_write, down_rx, None)),
        ];
        shared.links.lock().expect("links").push(Link {
            up,
            down,
            trigger,
            tasks,
        });
    }
}

/// The client→server side's view of an armed fault.
struct Armed {
    trigger: Arc<Mutex<Option<OnCommit>>>,
    up: Arc<watch::Sender<Flow>>,
    down: Arc<watch::Sender<Flow>>,
}

impl Armed {
    /// Fires the armed fault if `chunk` holds `COMMIT`.
    fn inspect(&self, chunk: &[u8]) {
        let mut trigger = self.trigger.lock().expect("trigger");
        let Some(fault) = *trigger else { return };
        if !chunk.windows(6).any(|w| w.eq_ignore_ascii_case(b"COMMIT")) {
            return;
        }
        *trigger = None;
        match fault {
            OnCommit::HoldRequest => self.up.send_replace(Flow::Stall),
            // Set before the request is delivered, so the answer is held.
            OnCommit::HoldAnswer => self.down.send_replace(Flow::Stall),
        };
    }
}

/// Copies `from` to `to` while the flow passes; holds what it reads while
/// it stalls.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut flow: watch::Receiver<Flow>,
    armed: Option<Armed>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => {
                let _ = to.shutdown().await;
                return;
            }
            Ok(n) => n,
        };
        if let Some(armed) = &armed {
            armed.inspect(&buf[..n]);
        }
        while *flow.borrow_and_update() == Flow::Stall {
            if flow.changed().await.is_err() {
                return;
            }
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
