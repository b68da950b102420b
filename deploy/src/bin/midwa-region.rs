//! `midwa-region`: the whole region on one machine, with its console, until Ctrl-C (see
//! [`midwa_deploy::demo`]).

fn main() -> std::process::ExitCode {
    midwa_deploy::demo::main()
}
