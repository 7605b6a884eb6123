//! The `parlor` binary: everything it does is `parlor::cli`.

/// A build makes and frees millions of small strings across threads;
/// mimalloc does that faster than the system allocator and keeps less
/// memory stranded between threads (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    parlor::cli::main()
}
