//! Prints what inputs of the `process_message_structured` target mean: the real message each
//! starts from, the edits, and whether it is re-signed.
//!
//! ```text
//! cargo run -p artmls-fuzz-targets --bin describe-structured -- FILE...
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    for path in std::env::args_os().skip(1) {
        match std::fs::read(&path) {
            Ok(data) => println!(
                "{}:\n{}\n",
                path.to_string_lossy(),
                artmls_fuzz_targets::group::describe_structured(&data)
            ),
            Err(error) => {
                eprintln!("{}: {error}", path.to_string_lossy());
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}
