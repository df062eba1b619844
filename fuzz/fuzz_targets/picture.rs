//! The picture check on any bytes, claimed as any type. Never a panic, never an allocation
//! past the decode cap (the allocator below records the largest one), and a picture that
//! passes is one of the four shown types, within the pixel limit, with a thumbnail.

#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use libfuzzer_sys::fuzz_target;
use parley_hub::pictures::{Limits, is_shown_type, process};

/// The largest single allocation since the last reset.
static LARGEST: AtomicUsize = AtomicUsize::new(0);

struct Recording;

// SAFETY: every call goes to the system allocator unchanged; only the size is recorded.
unsafe impl GlobalAlloc for Recording {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(pointer, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(pointer, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Recording = Recording;

/// The hub's limits, with fewer pixels so each run stays quick.
const LIMITS: Limits = Limits {
    max_bytes: 5 * 1024 * 1024,
    max_pixels: 4_000_000,
    thumbnail_size: 320,
};

/// What decoding may take at once: the decoder's cap (5 bytes a pixel) and room for the
/// input's own copy.
const CAP: usize = 5 * 4_000_000 + 6 * 1024 * 1024;

const CLAIMS: &[&str] = &[
    "",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/pdf",
];

fuzz_target!(|input: &[u8]| {
    let Some((&first, bytes)) = input.split_first() else {
        return;
    };
    let claimed = CLAIMS[usize::from(first) % CLAIMS.len()];
    LARGEST.store(0, Ordering::Relaxed);
    let checked = process(bytes, claimed, LIMITS);
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(
        largest <= CAP,
        "an allocation of {largest} bytes, past the cap of {CAP}"
    );
    if let Ok(picture) = checked {
        assert!(
            is_shown_type(picture.content_type),
            "{}",
            picture.content_type
        );
        assert!(picture.width > 0 && picture.height > 0);
        assert!(u64::from(picture.width) * u64::from(picture.height) <= LIMITS.max_pixels);
        assert!(!picture.thumbnail.is_empty());
    }
});
