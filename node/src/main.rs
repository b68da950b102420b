//! `midwa-node`: see [`midwa_node::cli`].

fn main() -> std::process::ExitCode {
    midwa_node::cli::main()
}
