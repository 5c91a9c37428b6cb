//! The `allot` binary; everything lives in the `allot-cli` crate.

fn main() -> std::process::ExitCode {
    allot_cli::main()
}
