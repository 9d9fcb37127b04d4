//! `simrenew`: parse the command line, set up logging, open the database, dispatch.

mod admin;
mod cli;
mod demo;
mod import;
mod mail;
mod output;
mod payments;
mod renew;
mod sms;
mod vouchers;
mod wiring;

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let _log = wiring::init_tracing();
    match cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
