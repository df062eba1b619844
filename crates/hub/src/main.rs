//! `parley-hub`: the hub and its administration commands (see `parley_hub::cli`).

fn main() -> std::process::ExitCode {
    parley_hub::cli::main()
}
