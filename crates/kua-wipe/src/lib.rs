//! Freed memory is wiped before it is reused or read.
//!
//! A locked vault drops its keys (zeroizing types) and its plaintext (catalog, search
//! index, decrypted records). Dropping frees memory but does not clear it: a testimony's
//! text would stay in the heap of a locked process, readable through /proc or a swap
//! or hibernation image until something else happens to overwrite it. Two allocators
//! hand out the memory that holds plaintext, and both are made to wipe:
//!
//! - Rust's: each binary installs [`Allocator`] (1Password's `zeroizing-alloc` over the
//!   system allocator) as its global allocator;
//! - SQLite's (the in-memory search index holds folded text, and bound parameters and
//!   query strings are copied into SQLite's heap): [`sqlite`] gives SQLite memory
//!   methods that wipe each block on free. It must run before the first connection.
//!
//! The desktop shell also has C libraries copy page traffic into glibc's heap:
//! [`wipe_c_heap`] runs it under glibc tunables that fill freed blocks (`c_heap`).
//!
//! Freed memory that is wiped has been written to, so it stays resident: [`trim`] gives
//! the free pages of glibc's heaps back to the system after work that freed much (an
//! unlock, the list of 100,000 testimonies read, a lock).
//!
//! This is the workspace's one crate with unsafe code (every other crate forbids it):
//! SQLite takes its memory methods as C function pointers. The invariant the unsafe
//! blocks rely on: every pointer SQLite passes to `free`, `realloc` or `size` came from
//! `malloc` or `realloc` below, so a `HEADER`-byte size word precedes it.

mod c_heap;
mod trim;

pub use c_heap::{wipe_c_heap, Filling, TUNABLES};
pub use trim::trim;

use std::alloc::{GlobalAlloc, Layout, System};
use std::os::raw::{c_int, c_void};

/// The global allocator of Kua's binaries: wipes every block it frees.
pub type Allocator = zeroizing_alloc::ZeroAlloc<System>;

/// The allocator value to install: `#[global_allocator] static A: Allocator = ALLOCATOR;`.
pub const ALLOCATOR: Allocator = zeroizing_alloc::ZeroAlloc(System);

/// Bytes before each SQLite block holding its size (16 keeps 16-byte alignment).
const HEADER: usize = 16;

fn layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(HEADER)?, HEADER).ok()
}

/// Zeroes `len` bytes at `p` in a way the optimiser keeps, although the block is about
/// to be freed.
#[allow(unsafe_code)]
unsafe fn wipe(p: *mut u8, len: usize) {
    // SAFETY: the caller owns `len` writable bytes at `p`.
    unsafe { std::ptr::write_bytes(p, 0, len) };
    std::hint::black_box(p);
    std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
}

#[allow(unsafe_code)]
unsafe extern "C" fn x_malloc(n: c_int) -> *mut c_void {
    let Some(l) = usize::try_from(n).ok().and_then(layout) else {
        return std::ptr::null_mut();
    };
    // SAFETY: `l` has a non-zero size (HEADER at least).
    let base = unsafe { System.alloc(l) };
    if base.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: `base` holds at least HEADER bytes, aligned for a usize.
    unsafe {
        base.cast::<usize>().write(l.size() - HEADER);
        base.add(HEADER).cast()
    }
}

/// The block's base and the size SQLite asked for.
#[allow(unsafe_code)]
unsafe fn block(p: *mut c_void) -> (*mut u8, usize) {
    // SAFETY: `p` came from x_malloc or x_realloc (the invariant above).
    unsafe {
        let base = p.cast::<u8>().sub(HEADER);
        (base, base.cast::<usize>().read())
    }
}

#[allow(unsafe_code)]
unsafe extern "C" fn x_free(p: *mut c_void) {
    if p.is_null() {
        return;
    }
    // SAFETY: `p` came from x_malloc or x_realloc; the whole block is ours to clear.
    unsafe {
        let (base, size) = block(p);
        wipe(base, size + HEADER);
        if let Some(l) = layout(size) {
            System.dealloc(base, l);
        }
    }
}

#[allow(unsafe_code)]
unsafe extern "C" fn x_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    // A move is a copy and a wiping free: the old block never goes back uncleared.
    // SAFETY: as x_malloc and x_free; `old` and `new` are distinct live blocks.
    unsafe {
        let new = x_malloc(n);
        if new.is_null() || p.is_null() {
            return new;
        }
        let (_, old) = block(p);
        let keep = old.min(usize::try_from(n).unwrap_or(0));
        std::ptr::copy_nonoverlapping(p.cast::<u8>(), new.cast::<u8>(), keep);
        x_free(p);
        new
    }
}

#[allow(unsafe_code)]
unsafe extern "C" fn x_size(p: *mut c_void) -> c_int {
    if p.is_null() {
        return 0;
    }
    // SAFETY: `p` came from x_malloc or x_realloc.
    let (_, size) = unsafe { block(p) };
    c_int::try_from(size).unwrap_or(c_int::MAX)
}

/// The size `malloc` would really give for `n`: rounded up to 8, and never below `n`
/// (near `c_int::MAX`, where rounding up would overflow, `n` itself).
extern "C" fn x_roundup(n: c_int) -> c_int {
    n.checked_add(7).map_or(n, |m| m & !7)
}

extern "C" fn x_init(_: *mut c_void) -> c_int {
    0
}

extern "C" fn x_shutdown(_: *mut c_void) {}

/// Makes SQLite wipe every block it frees. Call it first thing in `main`, before any
/// connection is opened; later SQLite refuses (its result code is returned), and the
/// caller says so.
#[allow(unsafe_code)]
pub fn sqlite() -> Result<(), c_int> {
    let methods = rusqlite::ffi::sqlite3_mem_methods {
        xMalloc: Some(x_malloc),
        xFree: Some(x_free),
        xRealloc: Some(x_realloc),
        xSize: Some(x_size),
        xRoundup: Some(x_roundup),
        xInit: Some(x_init),
        xShutdown: Some(x_shutdown),
        pAppData: std::ptr::null_mut(),
    };
    // SAFETY: SQLite copies the struct before sqlite3_config returns, and the functions
    // live for the program. sqlite3_config is not thread-safe before initialisation:
    // front ends call this once, first, on the main thread.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MALLOC, &raw const methods)
    };
    if rc == rusqlite::ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rc)
    }
}

#[cfg(test)]
mod tests {
    use super::x_roundup;
    use std::os::raw::c_int;

    #[test]
    fn a_rounded_size_is_never_below_the_size_asked() {
        assert_eq!(x_roundup(0), 0);
        assert_eq!(x_roundup(1), 8);
        assert_eq!(x_roundup(8), 8);
        assert_eq!(x_roundup(9), 16);
        for n in [c_int::MAX - 8, c_int::MAX - 7, c_int::MAX - 3, c_int::MAX] {
            assert!(x_roundup(n) >= n, "{n}");
        }
    }
}
