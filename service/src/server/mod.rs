//! `artmls serve`: the delivery service over HTTP, with its state in SQLite or PostgreSQL.
//!
//! The server orders each group's messages into one log (the first valid commit of an epoch
//! wins, see [`artmls::ordering`]), hands out KeyPackages once each, and routes Welcomes to
//! the owners of the KeyPackages they name. It holds no secret: it follows each group's
//! public state to check commits before it orders them. The routes and bodies are those of
//! [`crate::api`].
//!
//! The database enforces the order (one commit per epoch, consecutive positions), so several
//! server processes can share one PostgreSQL database; each learns of the entries the others
//! accept through LISTEN/NOTIFY, for its streams.
//!
//! ```no_run
//! # async fn run() -> Result<(), artmls_service::server::ServerError> {
//! use artmls_service::server::{ServerConfig, Storage, start};
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let config = ServerConfig::new(Storage::Sqlite("artmls-server.sqlite".into()));
//! let server = start(listener, config).await?;
//! println!("listening on http://{}", server.addr());
//! server.shutdown().await
//! # }
//! ```

mod error;
mod follow;
mod postgres;
mod routes;
mod sqlite;
mod store;
mod stream;
mod wakeup;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use artmls::{Provider, SuiteId};
use axum::serve::ListenerExt;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use store::StoreError;

use follow::Following;
use store::Database;
use wakeup::Wakeups;

/// The file `artmls serve` keeps its SQLite database in when given no other.
pub const DEFAULT_SQLITE_PATH: &str = "artmls-server.sqlite";

/// Where the server keeps its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// A SQLite file (created if missing). One server process per file.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by its connection string (`host=... user=... dbname=...`);
    /// several server processes may share it.
    Postgres(String),
}

/// How a server runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Where the state is kept.
    pub storage: Storage,
    /// The cipher suites served; empty means every suite some provider (or the `backend`)
    /// serves.
    pub suites: Vec<SuiteId>,
    /// The provider that checks KeyPackages, GroupInfos and commits, by name; None means the
    /// first provider serving each suite.
    pub backend: Option<String>,
    /// Whether to write a line on stderr for each refused request (method, path, status,
    /// error code, why).
    pub log_refusals: bool,
}

impl ServerConfig {
    /// Every suite, each checked by the first provider serving it.
    pub fn new(storage: Storage) -> Self {
        ServerConfig {
            storage,
            suites: Vec::new(),
            backend: None,
            log_refusals: false,
        }
    }
}

/// Why a server could not start or stopped with an error.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ServerError {
    /// No provider has the name given as the backend.
    #[error(transparent)]
    UnknownBackend(#[from] artmls_providers::UnknownProvider),
    /// A suite asked for is not served by the backend (or by any provider).
    #[error("no provider{} serves the cipher suite {suite}", match backend {
        Some(name) => format!(" named '{name}'"),
        None => String::new(),
    })]
    UnsupportedSuite {
        /// The suite.
        suite: SuiteId,
        /// The backend asked for, if one was.
        backend: Option<String>,
    },
    /// The database could not be opened or prepared.
    #[error("database: {0}")]
    Database(#[from] StoreError),
    /// The listening socket failed.
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    /// The server's task ended abnormally.
    #[error("the server task failed: {0}")]
    Task(String),
}

/// The suites served, and the provider that checks each.
#[derive(Debug, Clone)]
pub(crate) struct Suites {
    served: Vec<SuiteId>,
    backend: Option<&'static dyn Provider>,
}

impl Suites {
    fn new(suites: &[SuiteId], backend: Option<&str>) -> Result<Self, ServerError> {
        let backend = backend.map(artmls_providers::find).transpose()?;
        let served = if suites.is_empty() {
            let mut all: Vec<SuiteId> = match backend {
                Some(provider) => provider.suites().to_vec(),
                None => artmls_providers::all()
                    .iter()
                    .flat_map(|provider| provider.suites().iter().copied())
                    .collect(),
            };
            all.sort_by_key(|suite| suite.0);
            all.dedup();
            all
        } else {
            suites.to_vec()
        };
        let suites = Suites { served, backend };
        for &suite in &suites.served {
            if suites.provider(suite.0).is_none() {
                return Err(ServerError::UnsupportedSuite {
                    suite,
                    backend: backend.map(|provider| provider.name().to_owned()),
                });
            }
        }
        Ok(suites)
    }

    /// The provider that checks values of `suite`, if the server serves it.
    pub(crate) fn provider(&self, suite: u16) -> Option<&'static dyn Provider> {
        let suite = SuiteId(suite);
        if !self.served.contains(&suite) {
            return None;
        }
        match self.backend {
            Some(provider) => provider.serves(suite).then_some(provider),
            None => artmls_providers::serving(suite).first().copied(),
        }
    }
}

/// What every request handler shares.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) database: Database,
    pub(crate) suites: Suites,
    pub(crate) following: Following,
    /// New log entries, for the streams of this process, group by group.
    pub(crate) wakeups: Arc<Wakeups>,
    /// Becomes true when the server stops: the streams end.
    pub(crate) shutdown: watch::Receiver<bool>,
    /// Whether refused requests are written on stderr.
    pub(crate) log_refusals: bool,
}

/// A server running in this process (see [`start`]); stopped by [`RunningServer::shutdown`],
/// or when dropped.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    listener: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL of the server, for a [`crate::DeliveryClient`].
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops taking connections, ends the streams, waits for the requests under way, and
    /// closes the database.
    pub async fn shutdown(mut self) -> Result<(), ServerError> {
        let _ = self.stop.send(true);
        if let Some(listener) = self.listener.take() {
            listener
                .await
                .map_err(|error| ServerError::Task(error.to_string()))?;
        }
        match self.task.take() {
            Some(task) => task
                .await
                .map_err(|error| ServerError::Task(error.to_string()))?
                .map_err(ServerError::Io),
            None => Ok(()),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Opens the database and serves on `listener` in a task of its own.
pub async fn start(
    listener: TcpListener,
    config: ServerConfig,
) -> Result<RunningServer, ServerError> {
    let suites = Suites::new(&config.suites, config.backend.as_deref())?;
    let (stop, shutdown) = watch::channel(false);
    let wakeups = Arc::new(Wakeups::default());
    let (database, listener_task) = match &config.storage {
        Storage::Sqlite(path) => (
            Database::Sqlite(sqlite::SqliteStore::open(path).await?),
            None,
        ),
        Storage::Postgres(connection) => {
            let database = Database::Postgres(postgres::PostgresStore::open(connection).await?);
            let task = tokio::spawn(postgres::listen(
                connection.clone(),
                Arc::clone(&wakeups),
                shutdown.clone(),
            ));
            (database, Some(task))
        }
    };
    let state = Arc::new(AppState {
        database,
        suites,
        following: Following::default(),
        wakeups,
        shutdown: shutdown.clone(),
        log_refusals: config.log_refusals,
    });
    let addr = listener.local_addr()?;
    let router = routes::router(state);
    let mut stopped = shutdown;
    let task = tokio::spawn(async move {
        // Entries are small and streamed one by one: without TCP_NODELAY, Nagle's algorithm
        // holds a short write back until the previous one is acknowledged.
        let listener = listener.tap_io(|connection| {
            if let Err(error) = connection.set_nodelay(true) {
                eprintln!("cannot set TCP_NODELAY on a connection: {error}");
            }
        });
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            })
            .await
    });
    Ok(RunningServer {
        addr,
        stop,
        task: Some(task),
        listener: listener_task,
    })
}

/// Serves on `listener` until ctrl-c or SIGTERM, then stops cleanly.
pub async fn serve(listener: TcpListener, config: ServerConfig) -> Result<(), ServerError> {
    let server = start(listener, config).await?;
    stop_signal().await?;
    server.shutdown().await
}

/// Resolves on ctrl-c, or on SIGTERM where there are signals.
pub async fn stop_signal() -> Result<(), ServerError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result?,
            _ = terminate.recv() => {}
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await?;
        Ok(())
    }
}
