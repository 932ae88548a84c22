//! Live updates: what changed in whose tasks, told to every open dashboard of that user, on
//! every instance.
//!
//! A [`Change`] names a kind and task ids, never task content: a page that hears of one
//! fetches what it shows through the normal, authorised routes.
//!
//! One [`Hub`] per instance keeps, per user, a broadcast channel that the user's open
//! streams subscribe to. Writes reach it in one of two ways:
//! - **SQLite**: one instance owns the file, so a write is delivered in process;
//! - **PostgreSQL**: a write sends `pg_notify` on [`CHANNEL`], and each instance's one
//!   listening connection delivers what it hears to its own streams (its own writes
//!   included). After that connection is lost and comes back, every stream is told to
//!   resync, since notifications sent meanwhile are gone.

use std::{
    collections::{HashMap, VecDeque},
    str::FromStr,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
};

use sqlx::PgPool;
use tokio::sync::{broadcast, oneshot, watch};

mod notify;

use notify::{Notice, listen};

/// The PostgreSQL notification channel every instance listens on.
pub const CHANNEL: &str = "task_changes";

/// A user's open streams on one instance at most; a new one closes the oldest.
pub const STREAMS_PER_USER: usize = 20;

/// Changes a stream may fall behind by before it is told to resync instead. Each user's
/// channel holds this many slots from its first stream on, so it is kept small (a stream
/// drains its channel as fast as it can write, and a resync costs one fetch).
const BACKLOG: usize = 16;

/// A notification payload stays well under PostgreSQL's 8,000 bytes: past this many ids a
/// change is sent without them (pages refresh either way).
const MAX_IDS: usize = 500;

/// What happened to a user's tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Created,
    Updated,
    Deleted,
    /// Some of the user's sessions ended: each stream checks that its own is still live.
    Sessions,
    /// Anything may have changed (changes were missed): fetch the view again.
    Resync,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Created => "created",
            ChangeKind::Updated => "updated",
            ChangeKind::Deleted => "deleted",
            ChangeKind::Sessions => "sessions",
            ChangeKind::Resync => "resync",
        }
    }
}

impl FromStr for ChangeKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "created" => ChangeKind::Created,
            "updated" => ChangeKind::Updated,
            "deleted" => ChangeKind::Deleted,
            "sessions" => ChangeKind::Sessions,
            "resync" => ChangeKind::Resync,
            _ => return Err(()),
        })
    }
}

tokio::task_local! {
    /// The page (browser tab) a request came from, as it named itself (`X-Tab`), set for
    /// the request's handling by [`crate::web::tasks::events::tag_origin`]. A change made
    /// in that request carries it, so the page that made it can tell its own changes apart
    /// (it already shows them) from those made elsewhere.
    pub static ORIGIN: Option<String>;
}

/// One write's effect: its kind, the tasks it touched (one event per action, so a bulk
/// action is one change with many ids) and the page that made it, if one said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    pub ids: Vec<i64>,
    pub origin: Option<String>,
}

impl Change {
    /// A change made by the current request (its origin, if any, is the request's).
    pub fn new(kind: ChangeKind, ids: Vec<i64>) -> Self {
        let origin = ORIGIN.try_with(Clone::clone).ok().flatten();
        Self { kind, ids, origin }
    }

    fn resync() -> Self {
        Self {
            kind: ChangeKind::Resync,
            ids: Vec::new(),
            origin: None,
        }
    }
}

/// The instance's streams, by user. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    users: Mutex<HashMap<i64, Streams>>,
    next_stream: AtomicU64,
    /// Flips to true when the instance shuts down: every stream ends.
    closing: watch::Sender<bool>,
    sender: Sender,
    listening: AtomicBool,
}

enum Sender {
    InProcess,
    Postgres(PgPool),
}

/// One user's open streams on this instance.
struct Streams {
    /// Shared, so that a slot is a pointer and every stream reads the one copy.
    changes: broadcast::Sender<Arc<Change>>,
    /// Oldest first, each with the switch that closes it.
    open: VecDeque<(u64, oneshot::Sender<()>)>,
}

impl Hub {
    /// For a single instance that owns its database (SQLite).
    pub fn in_process() -> Self {
        Self::with(Sender::InProcess)
    }

    /// For PostgreSQL: writes notify, and once [`Hub::start`] has run, this instance's
    /// listener delivers what any instance sent.
    pub fn postgres(pool: PgPool) -> Self {
        Self::with(Sender::Postgres(pool))
    }

    /// Starts listening for other instances' changes (PostgreSQL; once, for a serving
    /// instance: commands such as `migrate` never listen).
    pub fn start(&self) {
        if let Sender::Postgres(pool) = &self.inner.sender
            && !self.inner.listening.swap(true, Ordering::SeqCst)
        {
            tokio::spawn(listen(pool.clone(), self.clone()));
        }
    }

    fn with(sender: Sender) -> Self {
        Self {
            inner: Arc::new(Inner {
                users: Mutex::new(HashMap::new()),
                next_stream: AtomicU64::new(1),
                closing: watch::Sender::new(false),
                sender,
                listening: AtomicBool::new(false),
            }),
        }
    }

    /// Tells the user's streams, on every instance, about a write that has committed.
    /// Failing to notify never fails the write: the write is saved, and pages catch up on
    /// their next load (the failure is logged).
    pub async fn publish(&self, user_id: i64, change: Change) {
        match &self.inner.sender {
            Sender::InProcess => self.deliver(user_id, change),
            Sender::Postgres(pool) => {
                let payload = Notice { user_id, change }.to_string();
                let sent = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(payload)
                    .execute(pool)
                    .await;
                if let Err(error) = sent {
                    tracing::warn!(%error, user_id, "live update not sent");
                }
            }
        }
    }

    /// Hands a change to this instance's streams of the user.
    fn deliver(&self, user_id: i64, change: Change) {
        let users = self.users();
        if let Some(streams) = users.get(&user_id) {
            // No receiver left is not an error: the last stream just closed.
            let _ = streams.changes.send(Arc::new(change));
        }
    }

    /// Tells every stream on this instance to fetch its view again.
    fn resync_all(&self) {
        let resync = Arc::new(Change::resync());
        for streams in self.users().values() {
            let _ = streams.changes.send(Arc::clone(&resync));
        }
    }

    /// Opens a stream of the user's changes. The user's oldest stream on this instance is
    /// closed when this is one too many.
    pub fn subscribe(&self, user_id: i64) -> Subscription {
        let id = self.inner.next_stream.fetch_add(1, Ordering::Relaxed);
        let (close, closed) = oneshot::channel();
        let mut users = self.users();
        let streams = users.entry(user_id).or_insert_with(|| Streams {
            changes: broadcast::channel(BACKLOG).0,
            open: VecDeque::new(),
        });
        streams.open.push_back((id, close));
        while streams.open.len() > STREAMS_PER_USER {
            if let Some((_, oldest)) = streams.open.pop_front() {
                let _ = oldest.send(());
            }
        }
        Subscription {
            changes: streams.changes.subscribe(),
            closed,
            closing: self.inner.closing.subscribe(),
            _open: Open {
                hub: self.clone(),
                user_id,
                id,
            },
        }
    }

    /// Ends every stream (the instance is shutting down).
    pub fn close_all(&self) {
        self.inner.closing.send_replace(true);
    }

    /// Streams open on this instance.
    pub fn open_streams(&self) -> usize {
        self.users().values().map(|s| s.open.len()).sum()
    }

    fn users(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Streams>> {
        // The map stays consistent whatever panicked while holding it: every change to it
        // is a single insert or remove.
        self.inner
            .users
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn forget(&self, user_id: i64, id: u64) {
        let mut users = self.users();
        if let Some(streams) = users.get_mut(&user_id) {
            streams.open.retain(|(open, _)| *open != id);
            if streams.open.is_empty() {
                users.remove(&user_id);
            }
        }
    }
}

/// One open stream's side of the hub. Dropping it forgets the stream.
pub struct Subscription {
    changes: broadcast::Receiver<Arc<Change>>,
    closed: oneshot::Receiver<()>,
    closing: watch::Receiver<bool>,
    _open: Open,
}

/// What a stream waits for next.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Change(Arc<Change>),
    /// The user opened too many newer streams on this instance.
    Replaced,
    /// The instance is shutting down.
    ShuttingDown,
}

impl Subscription {
    /// The next change for this stream, or that it is closed. A stream that fell behind
    /// gets one resync instead of what it missed.
    pub async fn next(&mut self) -> Next {
        if *self.closing.borrow() {
            return Next::ShuttingDown;
        }
        tokio::select! {
            change = self.changes.recv() => match change {
                Ok(change) => Next::Change(change),
                Err(broadcast::error::RecvError::Lagged(_)) => Next::Change(Arc::new(Change::resync())),
                // The hub keeps a user's sender while any of the user's streams is open.
                Err(broadcast::error::RecvError::Closed) => Next::Replaced,
            },
            _ = &mut self.closed => Next::Replaced,
            _ = self.closing.wait_for(|closing| *closing) => Next::ShuttingDown,
        }
    }
}

struct Open {
    hub: Hub,
    user_id: i64,
    id: u64,
}

impl Drop for Open {
    fn drop(&mut self) {
        self.hub.forget(self.user_id, self.id);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_change_reaches_its_users_streams_only() {
        let hub = Hub::in_process();
        let mut mine = hub.subscribe(1);
        let mut theirs = hub.subscribe(2);
        hub.publish(1, Change::new(ChangeKind::Created, vec![5]))
            .await;
        assert_eq!(
            mine.next().await,
            Next::Change(Arc::new(Change::new(ChangeKind::Created, vec![5])))
        );
        let nothing = tokio::time::timeout(Duration::from_millis(50), theirs.next()).await;
        assert!(nothing.is_err(), "another user's stream heard nothing");
    }

    #[tokio::test]
    async fn one_stream_too_many_closes_the_oldest() {
        let hub = Hub::in_process();
        let mut oldest = hub.subscribe(1);
        let rest: Vec<_> = (1..STREAMS_PER_USER).map(|_| hub.subscribe(1)).collect();
        assert_eq!(hub.open_streams(), STREAMS_PER_USER);
        let _newest = hub.subscribe(1);
        assert_eq!(oldest.next().await, Next::Replaced);
        drop(oldest);
        assert_eq!(hub.open_streams(), STREAMS_PER_USER);
        drop(rest);
        drop(_newest);
        assert_eq!(hub.open_streams(), 0, "closed streams are forgotten");
    }

    #[tokio::test]
    async fn shutting_down_closes_every_stream() {
        let hub = Hub::in_process();
        let mut a = hub.subscribe(1);
        let mut b = hub.subscribe(2);
        hub.close_all();
        assert_eq!(a.next().await, Next::ShuttingDown);
        assert_eq!(b.next().await, Next::ShuttingDown);
    }

    #[tokio::test]
    async fn a_stream_that_falls_behind_resyncs() {
        let hub = Hub::in_process();
        let mut slow = hub.subscribe(1);
        for id in 0..(BACKLOG as i64 + 10) {
            hub.publish(1, Change::new(ChangeKind::Updated, vec![id]))
                .await;
        }
        assert_eq!(slow.next().await, Next::Change(Arc::new(Change::resync())));
    }
}
