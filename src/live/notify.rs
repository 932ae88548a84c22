//! Live updates across instances on PostgreSQL: the notification payload written by
//! [`Hub::publish`](super::Hub::publish), and the instance's one listening connection that
//! hands what it hears to this instance's streams.

use std::{fmt, str::FromStr, time::Duration};

use sqlx::{PgPool, postgres::PgListener};

use super::{CHANNEL, Change, Hub, MAX_IDS};

/// A notification's payload: `"<user id> <kind> <id>,<id>,... <origin>"`.
pub(super) struct Notice {
    pub(super) user_id: i64,
    pub(super) change: Change,
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.user_id, self.change.kind.as_str())?;
        if self.change.ids.len() <= MAX_IDS {
            for (n, id) in self.change.ids.iter().enumerate() {
                write!(f, "{}{id}", if n == 0 { "" } else { "," })?;
            }
        }
        write!(f, " {}", self.change.origin.as_deref().unwrap_or(""))
    }
}

impl FromStr for Notice {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        let mut parts = s.splitn(4, ' ');
        let user_id = parts.next().ok_or(())?.parse().map_err(|_| ())?;
        let kind = parts.next().ok_or(())?.parse()?;
        let ids = match parts.next().unwrap_or("") {
            "" => Vec::new(),
            ids => ids
                .split(',')
                .map(|id| id.parse().map_err(|_| ()))
                .collect::<Result<_, _>>()?,
        };
        let origin = parts.next().filter(|o| !o.is_empty()).map(str::to_owned);
        Ok(Notice {
            user_id,
            change: Change { kind, ids, origin },
        })
    }
}

/// The instance's one listening connection: delivers every notification to this
/// instance's streams; reconnects by itself when the connection is lost (the database
/// restarted), waiting longer after each failed try, and once it listens again tells every
/// stream to resync (notifications sent meanwhile are gone). The resync is sent only once
/// the new connection listens, so a page's fetch after it misses nothing.
pub(super) async fn listen(pool: PgPool, hub: Hub) {
    let mut lost = false;
    let mut pause = RETRY_FIRST;
    loop {
        match listener(&pool).await {
            Ok(mut listener) => {
                if lost {
                    tracing::info!("live updates: listening again");
                    hub.resync_all();
                }
                pause = RETRY_FIRST;
                loop {
                    match listener.try_recv().await {
                        Ok(Some(notification)) => match notification.payload().parse::<Notice>() {
                            Ok(notice) => hub.deliver(notice.user_id, notice.change),
                            Err(()) => tracing::warn!(
                                payload = notification.payload(),
                                "live updates: unreadable notification"
                            ),
                        },
                        Ok(None) => {
                            tracing::warn!("live updates: listening connection lost");
                            break;
                        }
                        Err(error) => {
                            tracing::warn!(%error, "live updates: listening failed");
                            break;
                        }
                    }
                }
            }
            Err(error) => tracing::warn!(%error, ?pause, "live updates: cannot listen yet"),
        }
        lost = true;
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(RETRY_LAST);
    }
}

/// The pause before listening again after the connection was lost, doubling after each
/// failed try up to the last.
const RETRY_FIRST: Duration = Duration::from_millis(250);
const RETRY_LAST: Duration = Duration::from_secs(15);

async fn listener(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::ChangeKind;

    #[test]
    fn a_notice_reads_back_as_written() {
        let notice = Notice {
            user_id: 7,
            change: Change {
                kind: ChangeKind::Updated,
                ids: vec![1, 22, 333],
                origin: Some("tab-1".into()),
            },
        };
        let back: Notice = notice.to_string().parse().unwrap();
        assert_eq!((back.user_id, back.change), (7, notice.change));
        let empty: Notice = "7 resync  ".parse().unwrap();
        assert_eq!(empty.change, Change::resync());
        assert!("7 exploded 1".parse::<Notice>().is_err());
        assert!("x created 1".parse::<Notice>().is_err());
    }

    #[test]
    fn a_big_change_is_sent_without_its_ids() {
        let notice = Notice {
            user_id: 1,
            change: Change::new(ChangeKind::Deleted, (0..10_000).collect()),
        };
        assert_eq!(notice.to_string(), "1 deleted  ");
    }
}
