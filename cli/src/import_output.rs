//! Where `import-key-material` writes the material, decided before the token is opened.
//!
//! The JSON goes to standard output, so the material cannot (`--out -` is refused); `--out` may
//! not name one of the command's inputs (`--token-key tk --out tk` would replace the
//! token key); an existing file is replaced only with `--force`.

use crate::cli::ImportArgs;
use crate::failure::{Failure, Outcome};
use crate::guard::distinct;
use crate::input::{ENCRYPTED_KEY_MATERIAL, IMPORT_TOKEN, TOKEN_KEY};
use crate::target::{self, Out, Target};

pub fn plan(args: &ImportArgs) -> Outcome<Target> {
    if target::is_stdout(&args.out) {
        return Err(Failure::usage(
            "--out: standard output carries the JSON {KeyId, ...}; write the key material to a file",
        ));
    }
    distinct(
        &[
            (&args.import_token, IMPORT_TOKEN),
            (&args.encrypted_key_material, ENCRYPTED_KEY_MATERIAL),
            (&args.token_key, TOKEN_KEY),
        ],
        &[(&args.out, "--out")],
    )?;
    target::plan(Out {
        path: &args.out,
        flag: "--out",
        what: "the key material",
        secret: true,
        force: args.force,
    })
}
