//! Client listeners: one accept loop per non-controller listener, a node-wide connection cap
//! (`max.connections`, a semaphore), and graceful shutdown by broadcast: stop accepting, let every
//! connection answer what it has in flight, then return.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{watch, Semaphore};
use tokio_util::task::TaskTracker;

use crate::config::ListenerAddress;
use crate::connection::{serve_connection, ConnectionError, ConnectionShared};

/// A listener socket bound at startup, before the broker registers its endpoints (so port 0
/// resolves to the real port that is advertised).
pub(crate) struct BoundListener {
    /// The configured listener (name, host, configured port).
    pub(crate) config: ListenerAddress,
    /// The address actually bound.
    pub(crate) local_addr: SocketAddr,
    socket: TcpListener,
}

impl BoundListener {
    /// Binds `config`'s address with SO_REUSEADDR (as Kafka does, so a restart does not wait for
    /// TIME_WAIT) and a listen backlog of `backlog` (`socket.listen.backlog.size`).
    pub(crate) async fn bind(config: &ListenerAddress, backlog: u32) -> std::io::Result<Self> {
        let mut last_error = None;
        for address in tokio::net::lookup_host(config.bind_address()).await? {
            let socket = if address.is_ipv4() {
                TcpSocket::new_v4()?
            } else {
                TcpSocket::new_v6()?
            };
            socket.set_reuseaddr(true)?;
            match socket.bind(address).and_then(|()| socket.listen(backlog)) {
                Ok(listener) => {
                    let local_addr = listener.local_addr()?;
                    return Ok(BoundListener {
                        config: config.clone(),
                        local_addr,
                        socket: listener,
                    });
                }
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::AddrNotAvailable,
                format!("{} resolves to no address", config.bind_address()),
            )
        }))
    }
}

/// Accepts connections on one listener until shutdown, then waits for its connections to finish.
pub(crate) async fn run_listener(
    listener: BoundListener,
    shared: Arc<ConnectionShared>,
    connection_slots: Arc<Semaphore>,
    mut shutdown: watch::Receiver<bool>,
) {
    let connections = TaskTracker::new();
    tracing::info!(listener = %listener.config.name, address = %listener.local_addr, "listening");
    loop {
        if *shutdown.borrow() {
            break;
        }
        // Kafka blocks the acceptor while the node is at max.connections; so do we.
        let permit = tokio::select! {
            permit = Arc::clone(&connection_slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            _ = shutdown.changed() => break,
        };
        let accepted = tokio::select! {
            accepted = listener.socket.accept() => accepted,
            _ = shutdown.changed() => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                // Per-connection accept errors (e.g. the peer reset before accept) are not fatal;
                // back off briefly on resource exhaustion (EMFILE) so the loop does not spin.
                tracing::warn!(listener = %listener.config.name, %error, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%peer, %error, "cannot set TCP_NODELAY");
        }
        let shared = Arc::clone(&shared);
        let shutdown = shutdown.clone();
        connections.spawn(async move {
            let _permit = permit;
            match serve_connection(stream, peer, shared, shutdown).await {
                Ok(()) => tracing::debug!(%peer, "connection closed"),
                Err(ConnectionError::Io(error)) => {
                    tracing::debug!(%peer, %error, "connection closed by socket error")
                }
                Err(error @ ConnectionError::Idle { .. }) => {
                    tracing::debug!(%peer, %error, "closing idle connection")
                }
                Err(error) => tracing::info!(%peer, %error, "closing connection"),
            }
        });
    }
    drop(listener);
    connections.close();
    connections.wait().await;
    tracing::info!("listener stopped");
}
