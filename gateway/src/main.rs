//! `midwa-gateway`: see [`midwa_gateway::cli`].

/// jemalloc: with glibc's allocator this process spent much of its time in `malloc` and kept
/// freed memory in per-thread arenas (see docs/design.md, jemalloc).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    midwa_gateway::cli::main()
}
