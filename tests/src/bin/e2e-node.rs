//! The `midwa-node` command line, built in this package so tests can run it as a process.

fn main() -> std::process::ExitCode {
    midwa_node::cli::main()
}
