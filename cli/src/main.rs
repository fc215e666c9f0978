//! `kms-import`: wrap key material for AWS KMS import, and run the service side locally.
//! The interface is a contract; see `cli.rs`.

#![forbid(unsafe_code)]

mod cli;
mod clock;
mod cmd_keys;
mod cmd_matrix;
mod cmd_service;
mod cmd_wrap;
mod demo;
mod failure;
mod files;
mod guard;
mod import_output;
mod input;
mod keys;
mod material_input;
mod output;
mod rng;
mod sample;
mod serve;
mod service;
mod spinner;
mod target;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::failure::Outcome;

fn main() -> ExitCode {
    // Usage errors: clap prints them and exits with status 2; --help / --version exit 0.
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

fn run(command: Command) -> Outcome {
    match command {
        Command::CreateWrappingKey {
            wrapping_key_spec,
            public_key_out,
            private_key_out,
            force,
        } => cmd_keys::create_wrapping_key(
            wrapping_key_spec,
            &public_key_out,
            &private_key_out,
            force,
        ),
        Command::Wrap(args) => cmd_wrap::wrap(&args),
        Command::Unwrap(args) => cmd_wrap::unwrap(&args),
        Command::Check {
            wrapping_algorithm,
            wrapping_key_spec,
            key_spec,
            partition,
        } => cmd_matrix::check(
            partition.partition,
            wrapping_algorithm,
            wrapping_key_spec,
            key_spec,
        ),
        Command::Matrix { partition, json } => cmd_matrix::print_matrix(partition, json),
        Command::CreateTokenKey { out, force } => cmd_keys::create_token_key(&out, force),
        Command::GetParametersForImport(args) => cmd_service::get_parameters_for_import(&args),
        Command::ImportKeyMaterial(args) => cmd_service::import_key_material(&args),
        Command::SampleMaterial {
            key_spec,
            out,
            partition,
            force,
        } => cmd_keys::sample_material(key_spec, partition.partition, &out, force),
        Command::Serve(args) => serve::run(&args),
        Command::Demo { verbose } => demo::run(verbose),
    }
}
