//! Wake-ups for the log streams, one channel per group.
//!
//! A stream waits on its own group's channel, so an entry of one group wakes that group's
//! streams and no other. The channel is a `watch` holding the group's [`Tip`]: it keeps only
//! the latest value, so a stream never lags behind a burst of entries (it reads the database
//! once for all of them), and a stream that already sent what the tip names does not read at
//! all.
//!
//! A group's channel exists while some stream of the group is open: the first subscription
//! makes it and the last one to end removes it, so a group nobody streams costs nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;

/// What a group's streams know of its log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tip {
    /// The log holds at least this many entries (this process appended the last of them).
    pub(crate) end: u64,
    /// Counts the wake-ups that say entries may be in the log without saying where (a NOTIFY
    /// from another process, a LISTEN connection that was lost): each one makes the streams
    /// read.
    pub(crate) unplaced: u64,
}

/// The wake-up channels of the groups streamed in this process.
#[derive(Debug, Default)]
pub(crate) struct Wakeups {
    groups: Mutex<HashMap<Vec<u8>, watch::Sender<Tip>>>,
}

impl Wakeups {
    fn groups(&self) -> MutexGuard<'_, HashMap<Vec<u8>, watch::Sender<Tip>>> {
        // The map stays consistent whatever panicked while holding the lock: every change
        // is a single insert or remove.
        self.groups
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A stream's wake-ups for `group_id`, until the subscription is dropped.
    pub(crate) fn subscribe(self: &Arc<Self>, group_id: &[u8]) -> Subscription {
        let receiver = self
            .groups()
            .entry(group_id.to_vec())
            .or_insert_with(|| watch::channel(Tip::default()).0)
            .subscribe();
        let seen_unplaced = receiver.borrow().unplaced;
        Subscription {
            seen_unplaced,
            wakeups: Arc::clone(self),
            group_id: group_id.to_vec(),
            receiver,
        }
    }

    /// This process appended the group's entries up to `end` (exclusive).
    pub(crate) fn appended(&self, group_id: &[u8], end: u64) {
        if let Some(sender) = self.groups().get(group_id) {
            sender.send_if_modified(|tip| {
                // Appends of one group may finish out of order; the tip only moves forward.
                let moved = end > tip.end;
                tip.end = tip.end.max(end);
                moved
            });
        }
    }

    /// Entries may have been appended to the group's log, at positions not known here.
    pub(crate) fn notified(&self, group_id: &[u8]) {
        if let Some(sender) = self.groups().get(group_id) {
            sender.send_modify(|tip| tip.unplaced = tip.unplaced.wrapping_add(1));
        }
    }

    /// Entries may have been appended to any group's log (notifications were missed).
    pub(crate) fn missed(&self) {
        for sender in self.groups().values() {
            sender.send_modify(|tip| tip.unplaced = tip.unplaced.wrapping_add(1));
        }
    }

    /// How many groups have a channel (some stream open).
    #[cfg(test)]
    pub(crate) fn count(&self) -> usize {
        self.groups().len()
    }
}

/// One stream's wake-ups; dropping the last subscription of a group removes its channel.
#[derive(Debug)]
pub(crate) struct Subscription {
    wakeups: Arc<Wakeups>,
    group_id: Vec<u8>,
    receiver: watch::Receiver<Tip>,
    /// The tip's `unplaced` when this stream last looked.
    seen_unplaced: u64,
}

impl Subscription {
    /// Waits for a wake-up after the last one this returned for (or after subscribing) that
    /// may bring an entry at `next` or later: one this process appended there, or one whose
    /// position is not known.
    pub(crate) async fn news_from(&mut self, next: u64) {
        loop {
            if self.receiver.changed().await.is_err() {
                // The registry keeps the sender as long as this subscription lives, so this is
                // not reached; should it be, the stream's own periodic read takes over.
                std::future::pending::<()>().await;
            }
            let tip = *self.receiver.borrow_and_update();
            if tip.end > next || tip.unplaced != self.seen_unplaced {
                self.seen_unplaced = tip.unplaced;
                return;
            }
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut groups = self.wakeups.groups();
        // Counted under the lock that subscribing takes, so no subscription of the group can
        // start in between; this subscription's receiver is still alive and counts as one.
        if let Some(sender) = groups.get(&self.group_id)
            && sender.receiver_count() <= 1
        {
            groups.remove(&self.group_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Whether `news_from(next)` returns at once (a wake-up is waiting).
    async fn woken(subscription: &mut Subscription, next: u64) -> bool {
        tokio::time::timeout(Duration::from_millis(50), subscription.news_from(next))
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn an_entry_wakes_only_its_groups_streams() {
        let wakeups = Arc::new(Wakeups::default());
        let mut a = wakeups.subscribe(b"A");
        let mut b1 = wakeups.subscribe(b"B");
        let mut b2 = wakeups.subscribe(b"B");
        assert_eq!(wakeups.count(), 2);

        wakeups.appended(b"B", 1);
        assert!(!woken(&mut a, 0).await);
        assert!(woken(&mut b1, 0).await);
        assert!(woken(&mut b2, 0).await);

        wakeups.notified(b"B");
        assert!(!woken(&mut a, 0).await);
        assert!(woken(&mut b1, 1).await);

        // A group nobody streams has no channel, and a wake-up for it makes none.
        wakeups.appended(b"C", 1);
        wakeups.notified(b"C");
        assert_eq!(wakeups.count(), 2);
    }

    #[tokio::test]
    async fn a_stream_that_sent_the_tip_is_not_woken() {
        let wakeups = Arc::new(Wakeups::default());
        let mut stream = wakeups.subscribe(b"A");
        wakeups.appended(b"A", 3);
        // The stream has read up to 3 already (its read ran after the append).
        assert!(!woken(&mut stream, 3).await);
        // An older append finishing late does not move the tip back or wake anyone.
        wakeups.appended(b"A", 2);
        assert!(!woken(&mut stream, 2).await);
        wakeups.appended(b"A", 4);
        assert!(woken(&mut stream, 3).await);
    }

    #[tokio::test]
    async fn missed_notifications_wake_every_stream() {
        let wakeups = Arc::new(Wakeups::default());
        let mut a = wakeups.subscribe(b"A");
        let mut b = wakeups.subscribe(b"B");
        wakeups.missed();
        assert!(woken(&mut a, 0).await);
        assert!(woken(&mut b, 0).await);
        // Once each.
        assert!(!woken(&mut a, 0).await);
    }

    #[tokio::test]
    async fn the_last_stream_of_a_group_removes_its_channel() {
        let wakeups = Arc::new(Wakeups::default());
        let a1 = wakeups.subscribe(b"A");
        let a2 = wakeups.subscribe(b"A");
        let b = wakeups.subscribe(b"B");
        drop(a1);
        assert_eq!(wakeups.count(), 2);
        drop(a2);
        assert_eq!(wakeups.count(), 1);
        drop(b);
        assert_eq!(wakeups.count(), 0);
        // A new stream of the group starts a new channel.
        let mut again = wakeups.subscribe(b"A");
        wakeups.appended(b"A", 1);
        assert!(woken(&mut again, 0).await);
    }
}
