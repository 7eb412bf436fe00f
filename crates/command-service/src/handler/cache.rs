//! A bounded in-memory cache of folded stream states, so that a command normally decides
//! without reading and re-folding its whole stream.
//!
//! What it may be trusted for: nothing on its own. An entry is the state of a stream *at a
//! version*, and the handler treats it as a guess — it decides on it, then
//! - appends with the entry's version as the expected version, so the store refuses the
//!   append if anyone (another instance, a concurrent command) moved the stream; the handler
//!   then drops the entry, reloads from the store and decides again; and
//! - before giving any answer that no append confirms (a refusal, a version conflict with
//!   the caller's `expected_version`, a command that changes nothing), checks that the
//!   stream is still at the entry's version, and otherwise reloads and decides again.
//!
//! Entries hold states folded from the events *as stored*, personal data sealed: the cache
//! never holds anyone's details in the clear, so erasing a person (deleting their key) takes
//! effect at once whatever it holds. Only aggregates whose rules need no personal data in the
//! clear use it ([`super::aggregate::Aggregate::cache`]).
//!
//! Bound: at most `capacity` entries, in two generations of `capacity / 2`. New and used
//! entries go to the young generation; when it is full it becomes the old one and the old
//! one is dropped, so an entry survives while it is used at least once per half-capacity of
//! other streams' uses (an approximation of LRU with O(1) work and no per-entry links). An
//! inspection's state is a few kilobytes, so the default of [`DEFAULT_CAPACITY`] entries
//! stays within a few tens of megabytes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use domain::inspection::Inspection;
use uuid::Uuid;

use super::stream::Loaded;

/// Entries kept by default: the streams of a few thousand inspections in progress.
pub(crate) const DEFAULT_CAPACITY: usize = 4096;

/// The caches of the aggregates that use one (see [`super::aggregate::Aggregate::cache`]).
#[derive(Debug)]
pub(crate) struct Caches {
    /// Inspection streams.
    pub inspections: StateCache<Inspection>,
}

impl Caches {
    /// Caches of `capacity` entries each.
    pub(crate) fn new(capacity: usize) -> Self {
        Caches {
            inspections: StateCache::new(capacity),
        }
    }
}

/// Recently used streams' states, by stream id.
#[derive(Debug)]
pub(crate) struct StateCache<S> {
    capacity: usize,
    generations: Mutex<Generations<S>>,
}

#[derive(Debug)]
struct Generations<S> {
    young: HashMap<Uuid, Arc<Loaded<S>>>,
    old: HashMap<Uuid, Arc<Loaded<S>>>,
}

impl<S> StateCache<S> {
    /// A cache of at most `capacity` entries (0: caches nothing).
    pub(crate) fn new(capacity: usize) -> Self {
        StateCache {
            capacity,
            generations: Mutex::new(Generations {
                young: HashMap::new(),
                old: HashMap::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations<S>> {
        // The maps stay consistent whatever panicked while holding the lock.
        self.generations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The entry of `stream_id`, if cached (and marks it used).
    pub(crate) fn get(&self, stream_id: Uuid) -> Option<Arc<Loaded<S>>> {
        let mut g = self.lock();
        if let Some(entry) = g.young.get(&stream_id) {
            return Some(Arc::clone(entry));
        }
        let entry = g.old.remove(&stream_id)?;
        self.put_young(&mut g, stream_id, Arc::clone(&entry));
        Some(entry)
    }

    /// Keep `entry` for `stream_id`, unless a later version of it is already kept (a
    /// slower command must not put back an older state). Streams that do not exist yet
    /// (version 0) are not kept.
    pub(crate) fn put(&self, stream_id: Uuid, entry: Arc<Loaded<S>>) {
        if self.capacity == 0 || entry.version == 0 {
            return;
        }
        let mut g = self.lock();
        let kept = g.young.get(&stream_id).or_else(|| g.old.get(&stream_id));
        if kept.is_some_and(|kept| kept.version >= entry.version) {
            return;
        }
        g.old.remove(&stream_id);
        self.put_young(&mut g, stream_id, entry);
    }

    /// Forget `stream_id` (its entry proved stale).
    pub(crate) fn remove(&self, stream_id: Uuid) {
        let mut g = self.lock();
        g.young.remove(&stream_id);
        g.old.remove(&stream_id);
    }

    fn put_young(&self, g: &mut Generations<S>, stream_id: Uuid, entry: Arc<Loaded<S>>) {
        if g.young.len() >= (self.capacity / 2).max(1) && !g.young.contains_key(&stream_id) {
            g.old = std::mem::take(&mut g.young);
        }
        g.young.insert(stream_id, entry);
    }

    /// How many entries are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        let g = self.lock();
        g.young.len() + g.old.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(version: u64) -> Arc<Loaded<u64>> {
        Arc::new(Loaded {
            state: version,
            version,
            cursor: None,
        })
    }

    #[test]
    fn keeps_the_latest_version_and_never_an_older_one() {
        let cache = StateCache::new(8);
        let id = Uuid::now_v7();
        cache.put(id, at(3));
        cache.put(id, at(2));
        assert_eq!(cache.get(id).map(|e| e.version), Some(3));
        cache.put(id, at(4));
        assert_eq!(cache.get(id).map(|e| e.state), Some(4));
        cache.remove(id);
        assert!(cache.get(id).is_none());
    }

    #[test]
    fn streams_without_events_are_not_kept() {
        let cache = StateCache::new(8);
        let id = Uuid::now_v7();
        cache.put(id, at(0));
        assert!(cache.get(id).is_none());
        let off = StateCache::new(0);
        off.put(id, at(1));
        assert!(off.get(id).is_none());
    }

    #[test]
    fn stays_within_capacity_and_keeps_what_is_used() {
        let cache = StateCache::new(10);
        let hot = Uuid::now_v7();
        cache.put(hot, at(1));
        for _ in 0..100 {
            cache.put(Uuid::now_v7(), at(1));
            assert!(cache.get(hot).is_some(), "a stream used all along stays");
            assert!(cache.len() <= 10, "{} entries", cache.len());
        }
        let cold = Uuid::now_v7();
        cache.put(cold, at(1));
        for _ in 0..10 {
            cache.put(Uuid::now_v7(), at(1));
        }
        assert!(cache.get(cold).is_none(), "an unused stream is evicted");
    }
}
