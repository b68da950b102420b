//! The `midwa` command line, built in this package so that tests run it as a process.
fn main() -> std::process::ExitCode {
    midwa_client::cli::main()
}
