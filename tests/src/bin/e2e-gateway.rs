//! The `midwa-gateway` command line, built in this package so tests can run it as a process.

fn main() -> std::process::ExitCode {
    midwa_gateway::cli::main()
}
