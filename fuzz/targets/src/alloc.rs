//! A counting allocator: the system allocator, plus a count of the bytes the current thread
//! holds and the most it held since the last [`measure_peak`].
//!
//! The counts are per thread, not global, because the smoke test runs under the test harness,
//! which runs other tests on other threads at the same time: a global count would charge their
//! allocations to the decoder being measured. Decoding runs on one thread, so a per-thread
//! count sees all of its allocations. Memory freed on another thread than the one that
//! allocated it makes the counts of both threads drift; the counts are signed so that this
//! cannot overflow, and only the difference over one decode is ever used.
//!
//! A binary turns it on with
//!
//! ```text
//! #[global_allocator]
//! static ALLOC: artmls_fuzz_targets::CountingAlloc = artmls_fuzz_targets::CountingAlloc;
//! ```
//!
//! Without that line nothing is counted and [`measure_peak`] reports `None`.

// The one place in this crate that needs `unsafe`: `GlobalAlloc` is an unsafe trait.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

/// The system allocator with per-thread byte counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAlloc;

thread_local! {
    // `const` initialisers and types without destructors: reading them never allocates and
    // never fails, even while a thread is being torn down, which an allocator needs.
    static CURRENT: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

/// Set by the first counted allocation: tells whether `CountingAlloc` is the global allocator.
static INSTALLED: AtomicBool = AtomicBool::new(false);

fn record(delta: isize) {
    let _ = CURRENT.try_with(|current| {
        let now = current.get().wrapping_add(delta);
        current.set(now);
        let _ = PEAK.try_with(|peak| {
            if now > peak.get() {
                peak.set(now);
            }
        });
    });
    if !INSTALLED.load(Ordering::Relaxed) {
        INSTALLED.store(true, Ordering::Relaxed);
    }
}

fn signed(size: usize) -> isize {
    isize::try_from(size).unwrap_or(isize::MAX)
}

// SAFETY: every call is forwarded unchanged to `System`, which upholds the `GlobalAlloc`
// contract; the bookkeeping touches only thread-local integers and never allocates.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            record(signed(layout.size()));
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            record(signed(layout.size()));
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc` is passed on as is.
        unsafe { System.dealloc(ptr, layout) };
        record(-signed(layout.size()));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract for `realloc` is passed on as is.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            // A moving realloc holds both blocks for a moment: count the new one before
            // releasing the old, so that the peak is never under-counted.
            record(signed(new_size));
            record(-signed(layout.size()));
        }
        new
    }
}

/// Runs `f` and returns its result with the most heap bytes this thread held during the call
/// above what it held before (`None` if `CountingAlloc` is not the global allocator).
/// The result stays alive until the measurement ends, so its own size is counted.
pub fn measure_peak<T>(f: impl FnOnce() -> T) -> (T, Option<usize>) {
    let start = CURRENT.with(Cell::get);
    PEAK.with(|peak| peak.set(start));
    let value = f();
    let peak = PEAK.with(Cell::get);
    let growth = usize::try_from(peak.saturating_sub(start)).unwrap_or(0);
    let installed = INSTALLED.load(Ordering::Relaxed);
    (value, installed.then_some(growth))
}
