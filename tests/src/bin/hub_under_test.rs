//! The `parley-hub` command, built in this package so the scenarios can run hubs as
//! processes of their own (and stop them with `kill -9`).

fn main() -> std::process::ExitCode {
    parley_hub::cli::main()
}
