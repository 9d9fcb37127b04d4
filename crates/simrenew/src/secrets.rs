//! Secrets as the process is given them: from the environment, or from the files the
//! environment names (`NAME_FILE`); and, beside a database `simrenew demo` made, from the
//! secret the demo keeps. Reads nothing else of the program.

use anyhow::Context;

/// Where the demo keeps the secret its keys are made from when the environment gives none,
/// so that what one run sealed the next run can open.
pub const DEMO_SECRET_FILE: &str = "simrenew-demo.secret";

/// A key of at least 32 bytes; see [`env_or_file_bytes`].
pub fn secret(name: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let Some(key) = env_or_file_bytes(name)? else {
        return Ok(None);
    };
    if key.len() < 32 {
        anyhow::bail!("{name} must be at least 32 bytes");
    }
    Ok(Some(key))
}

/// The value of the variable `NAME`, or else the contents of the file named by `NAME_FILE`
/// (how secrets are given), without surrounding whitespace; `None` when neither is set or the
/// value is empty. The variable comes first, so that the environment wins over a `*_file`
/// setting of the configuration file.
pub fn env_or_file_bytes(name: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let raw = match std::env::var_os(name) {
        Some(v) => v.into_encoded_bytes(),
        None => match std::env::var(format!("{name}_FILE")) {
            Ok(path) => {
                std::fs::read(&path).with_context(|| format!("reading {name}_FILE {path}"))?
            }
            Err(_) => return Ok(None),
        },
    };
    Ok(Some(raw.trim_ascii().to_vec()).filter(|v| !v.is_empty()))
}

/// [`env_or_file_bytes`] as text.
pub fn env_or_file(name: &str) -> anyhow::Result<Option<String>> {
    env_or_file_bytes(name)?
        .map(|b| String::from_utf8(b).with_context(|| format!("{name} is not UTF-8 text")))
        .transpose()
}

/// A key derived from the secret `simrenew demo` keeps in the working directory
/// ([`DEMO_SECRET_FILE`]), as the demo derives it, for a key the environment does
/// not give: so that the commands the demo prints work as printed beside its database. Outside
/// a demo's directory there is no such file, and no key comes from here.
pub fn demo_key(purpose: &str) -> Option<Vec<u8>> {
    let secret = std::fs::read_to_string(DEMO_SECRET_FILE).ok()?;
    let secret = secret.trim();
    (secret.len() >= 32).then(|| format!("{secret}:{purpose}").into_bytes())
}
