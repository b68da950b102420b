fn main() -> std::process::ExitCode {
    midwa_client::cli::main()
}
