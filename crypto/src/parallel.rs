//! Independent work spread over the cores (feature `parallel`, on rayon's global pool), with
//! the same results as the sequential code: outputs in input order, and of several failures
//! the one the sequential loop would have met first (the lowest index).
//!
//! Nothing here touches a caller's RNG: code that needs randomness draws it on the calling
//! thread, in the sequential order, before it fans out, so a seed gives the same bytes with
//! or without this feature.

/// Batches smaller than this stay on the calling thread.
///
/// An item here is at least a DeriveKeyPair (about 6 µs with the fastest backend) and at most
/// a signature check or a DH plus a DeriveKeyPair (25 to 40 µs). Handing work to rayon's pool
/// wakes its sleeping threads and blocks the caller on a latch, which costs tens of
/// microseconds; from 16 items on (100 µs of work and more) splitting it over two or more
/// cores wins clearly. Below, and for the one-path work of updates, single adds and removes
/// (one node per tree level), everything stays sequential.
pub const MIN_PARALLEL_BATCH: usize = 16;

/// `f` of every item, in order; parallel for a batch of [`MIN_PARALLEL_BATCH`] items or more.
pub fn map<T, U, F>(items: &[T], f: F) -> Vec<U>
where
    T: Sync,
    U: Send,
    F: Fn(&T) -> U + Sync + Send,
{
    #[cfg(feature = "parallel")]
    if items.len() >= MIN_PARALLEL_BATCH {
        use rayon::prelude::*;
        return items.par_iter().map(f).collect();
    }
    items.iter().map(f).collect()
}

/// `f` of every item, in order, or the error of the first item (in index order) that fails:
/// the error the sequential loop returns. In parallel every item is tried, so the error does
/// not depend on which thread got there first.
pub fn try_map<T, U, E, F>(items: &[T], f: F) -> Result<Vec<U>, E>
where
    T: Sync,
    U: Send,
    E: Send,
    F: Fn(&T) -> Result<U, E> + Sync + Send,
{
    map(items, f).into_iter().collect()
}

/// Runs `a` and `b`, on two cores when the feature is on (`a` first when it is off).
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    #[cfg(feature = "parallel")]
    {
        rayon::join(a, b)
    }
    #[cfg(not(feature = "parallel"))]
    {
        let a = a();
        (a, b())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keeps_the_order() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled = map(&items, |x| x * 2);
        assert_eq!(doubled, items.iter().map(|x| x * 2).collect::<Vec<_>>());
    }

    #[test]
    fn try_map_reports_the_first_failure_in_index_order() {
        let items: Vec<u32> = (0..1000).collect();
        for _ in 0..20 {
            let result = try_map(&items, |&x| if x % 97 == 96 { Err(x) } else { Ok(x) });
            assert_eq!(result, Err(96));
        }
        let small: Vec<u32> = (0..4).collect();
        assert_eq!(
            try_map(&small, |&x| Ok::<_, ()>(x + 1)),
            Ok(vec![1, 2, 3, 4])
        );
    }

    #[test]
    fn join_returns_both() {
        assert_eq!(join(|| 1, || "two"), (1, "two"));
    }
}
