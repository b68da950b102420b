//! `midwa-region`, built here so that the end-to-end tests run it as a process.

fn main() -> std::process::ExitCode {
    midwa_deploy::demo::main()
}
