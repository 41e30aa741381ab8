//! Free heap pages handed back to the system.
//!
//! glibc keeps freed memory in its heaps for reuse, and gives pages back only from the
//! top of a heap. After an unlock or a first read of every testimony, the freed blocks
//! lie between blocks still in use (the catalog), so they stay resident: with glibc
//! filling every freed block (`c_heap`), each of their pages has been written and counts
//! in the process's memory. `malloc_trim(0)` releases every whole free page of every
//! heap (madvise), which also takes what was freed out of the process's reach.

/// Gives the whole free pages of glibc's heaps back to the system; true when glibc
/// handed any range back (possibly pages already released). Does nothing elsewhere than glibc on Linux.
pub fn trim() -> bool {
    imp::trim()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod imp {
    use std::os::raw::c_int;

    #[allow(unsafe_code)]
    unsafe extern "C" {
        /// glibc's, declared in <malloc.h>: `int malloc_trim(size_t pad)`.
        fn malloc_trim(pad: usize) -> c_int;
    }

    #[allow(unsafe_code)]
    pub fn trim() -> bool {
        // SAFETY: malloc_trim takes a size, no pointer, and changes only glibc's own heap
        // state under glibc's arena locks; it is safe to call from any thread at any time.
        unsafe { malloc_trim(0) == 1 }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod imp {
    pub fn trim() -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    /// Many small blocks freed between blocks kept: the freed pages stop counting as
    /// resident once trimmed.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn freed_pages_between_kept_blocks_leave_the_process() {
        fn rss_anon_kib() -> u64 {
            std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("RssAnon:"))
                        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
                })
                .unwrap_or(0)
        }
        // In a thread of its own, so that the blocks come from an arena of their own
        // and other tests' allocations do not blur the figure.
        let (before, after) = std::thread::spawn(|| {
            let mut kept = Vec::new();
            let mut freed = Vec::new();
            for i in 0..40_000 {
                let block = vec![1u8; 2000];
                if i % 20 == 0 {
                    kept.push(block);
                } else {
                    freed.push(block);
                }
            }
            drop(freed);
            let before = rss_anon_kib();
            assert!(super::trim(), "malloc_trim released nothing");
            let after = rss_anon_kib();
            drop(kept);
            (before, after)
        })
        .join()
        .expect("the allocating thread panicked");
        // About 72 MB were freed between the kept blocks.
        assert!(
            before.saturating_sub(after) > 40_000,
            "RssAnon {before} KiB before the trim, {after} KiB after"
        );
    }
}
