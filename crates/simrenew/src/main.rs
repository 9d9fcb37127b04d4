//! `simrenew`: parse the command line, set up logging, open the database, dispatch.

mod admin;
mod cli;
mod config;
mod demo;
mod esims;
mod import;
mod mail;
mod messages;
mod output;
mod payments;
mod renew;
mod secrets;
mod smdp;
mod sms;
mod telemetry;
mod usage;
mod vouchers;
mod wiring;
mod worker;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: the server, the worker and the imports allocate many small short-lived values
/// (records, rows, answers), which it serves from per-thread pages far faster than glibc's
/// allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // The configuration file fills the environment before any thread reads it.
    let args: Vec<String> = std::env::args().collect();
    if let Err(e) = config::load(&args) {
        eprintln!("error: {e:#}");
        return ExitCode::FAILURE;
    }
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let _log = wiring::init_tracing();
        match cli::run(cli).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        }
    })
}
