//! Translations: the languages simrenew speaks, which one a person gets, and catalogs of
//! messages in [Project Fluent](https://projectfluent.org/)'s format.
//!
//! Each crate that shows text to people keeps its own catalog (`locales/LANG/NAME.ftl`, one
//! file per language, loaded with [`include_catalog!`]); this crate holds what they share: the
//! [`Lang`]uages and their negotiation from `Accept-Language`, the loader ([`Catalog`]), the
//! formats of money, dates and data sizes, and the completeness check ([`Catalog::check`])
//! that every consumer runs in a test, so that no key is missing in any language and every
//! translation takes the same placeholders.
//!
//! **Architecture Invariant:** no I/O: catalogs are compiled in, and a missing message
//! renders as its key (logged) rather than failing a page.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod catalog;
mod format;
mod lang;

pub use catalog::{Arg, Catalog, CatalogError, Issue};
pub use lang::Lang;

/// The five sources of a catalog, compiled in from `DIR/LANG/NAME.ftl` under the calling
/// crate's manifest directory: `include_catalog!("locales", "web")`.
#[macro_export]
macro_rules! include_catalog {
    ($dir:literal, $name:literal) => {
        [
            (
                $crate::Lang::Nl,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/",
                    $dir,
                    "/nl/",
                    $name,
                    ".ftl"
                )),
            ),
            (
                $crate::Lang::Fr,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/",
                    $dir,
                    "/fr/",
                    $name,
                    ".ftl"
                )),
            ),
            (
                $crate::Lang::De,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/",
                    $dir,
                    "/de/",
                    $name,
                    ".ftl"
                )),
            ),
            (
                $crate::Lang::En,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/",
                    $dir,
                    "/en/",
                    $name,
                    ".ftl"
                )),
            ),
            (
                $crate::Lang::Zh,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/",
                    $dir,
                    "/zh/",
                    $name,
                    ".ftl"
                )),
            ),
        ]
    };
}
