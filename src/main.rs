// The one `unsafe` of the crate is `fixed_mmap_threshold`, below (the library forbids it).
#![deny(unsafe_code)]

use clap::Parser;

fn main() {
    fixed_mmap_threshold();
    let cli = ekslint::cli::Cli::parse();
    std::process::exit(ekslint::cli::run(cli));
}

/// Keeps glibc's malloc from holding on to the memory of large files once they are linted.
///
/// glibc serves an allocation over its mmap threshold (128 KiB) with a mapping of its own and
/// returns that mapping on free, but the first such free raises the threshold to the freed
/// size (up to 32 MiB). After the first large manifest, every file text and tree arena under
/// that size comes from the heaps instead, where small allocations made meanwhile pin it:
/// the resident memory then grew with the number of files (peak RSS over 10, 30 copies of the
/// corpus: 21-23, 24-27 MB) though the heap in use did not (10.2, 10.6 MB). With the threshold
/// fixed it stays flat (see BENCHMARKS.md) and time does not change measurably.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn fixed_mmap_threshold() {
    // SAFETY: `mallopt` only sets a malloc parameter (under malloc's own lock), with a value
    // glibc accepts (at most HEAP_MAX_SIZE / 2); it runs before any other thread exists.
    // Setting it also turns off the dynamic adjustment described above.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn fixed_mmap_threshold() {}
