//! `midwa-gateway`: see [`midwa_gateway::cli`].

fn main() -> std::process::ExitCode {
    midwa_gateway::cli::main()
}
