//! A catalog: one Fluent bundle per language, the lookup, and the completeness check.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;

use crate::Lang;

/// A value given to a message's placeholder (`{ $name }`). Numbers select plural forms.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<'a> {
    Text(Cow<'a, str>),
    Number(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Arg<'_> {
    fn from(s: String) -> Self {
        Arg::Text(Cow::Owned(s))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Text(Cow::Borrowed(s.as_str()))
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(n: $t) -> Self {
                Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
number_arg!(i64, i32, u32, u64, usize);

/// Why a catalog could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogError {
    /// A language has no source.
    MissingLanguage(Lang),
    /// A source has text Fluent cannot parse, or defines a message twice.
    Syntax { lang: Lang, detail: String },
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogError::MissingLanguage(l) => write!(f, "no catalog source for {l}"),
            CatalogError::Syntax { lang, detail } => write!(f, "{lang} catalog: {detail}"),
        }
    }
}

impl std::error::Error for CatalogError {}

/// What the completeness check found wrong.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Issue {
    /// A key some language has is missing in `lang`.
    Missing { lang: Lang, key: String },
    /// `lang` takes other placeholders than the reference language does.
    Placeholders {
        lang: Lang,
        key: String,
        expected: Vec<String>,
        found: Vec<String>,
    },
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Issue::Missing { lang, key } => write!(f, "{lang}: `{key}` is missing"),
            Issue::Placeholders {
                lang,
                key,
                expected,
                found,
            } => write!(
                f,
                "{lang}: `{key}` takes {{{}}} where {} takes {{{}}}",
                found.join(", "),
                Lang::REFERENCE,
                expected.join(", ")
            ),
        }
    }
}

struct Language {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
    /// Every message (and `message.attribute`) with the variables it references.
    placeholders: BTreeMap<String, BTreeSet<String>>,
}

/// The messages of one consumer in every language.
pub struct Catalog {
    languages: Vec<Language>,
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Catalog")
            .field(
                "keys",
                &self.languages.first().map_or(0, |l| l.placeholders.len()),
            )
            .finish()
    }
}

impl Catalog {
    /// Loads one Fluent source per language; every language of [`Lang::ALL`] must have one.
    pub fn parse(sources: &[(Lang, &str)]) -> Result<Self, CatalogError> {
        let mut languages = vec![];
        for lang in Lang::ALL {
            let source = sources
                .iter()
                .find(|(l, _)| *l == lang)
                .map(|(_, s)| *s)
                .ok_or(CatalogError::MissingLanguage(lang))?;
            languages.push(load(lang, source)?);
        }
        Ok(Catalog { languages })
    }

    /// A catalog of no messages: every lookup shows its key.
    pub fn empty() -> Self {
        Catalog { languages: vec![] }
    }

    fn language(&self, lang: Lang) -> Option<&Language> {
        self.languages.iter().find(|l| l.lang == lang)
    }

    /// Whether `lang` has the message `key` (or `message.attribute`).
    pub fn contains(&self, lang: Lang, key: &str) -> bool {
        self.language(lang)
            .is_some_and(|l| l.placeholders.contains_key(key))
    }

    /// The keys `lang` defines, sorted.
    pub fn keys(&self, lang: Lang) -> Vec<&str> {
        self.language(lang)
            .map(|l| l.placeholders.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// The message `key` in `lang`, without arguments.
    pub fn text(&self, lang: Lang, key: &str) -> String {
        self.format(lang, key, &[])
    }

    /// The message `key` (or `message.attribute`) in `lang` with its placeholders filled. A
    /// key missing in `lang` falls back to the reference language, then to the key itself,
    /// and is logged: the completeness check keeps that from shipping.
    pub fn format(&self, lang: Lang, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let found = [lang, Lang::REFERENCE]
            .into_iter()
            .find_map(|l| Some((l, self.language(l)?.format(key, args)?)));
        match found {
            Some((l, text)) => {
                if l != lang {
                    tracing::warn!(%lang, key, "message missing; shown in the reference language");
                }
                text
            }
            None => {
                tracing::warn!(%lang, key, "message missing in every language");
                key.to_owned()
            }
        }
    }

    /// Every key missing in some language, and every translation whose placeholders differ
    /// from the reference language's; empty when the catalog is complete.
    pub fn check(&self) -> Vec<Issue> {
        let all: BTreeSet<&String> = self
            .languages
            .iter()
            .flat_map(|l| l.placeholders.keys())
            .collect();
        let reference = self.language(Lang::REFERENCE);
        let mut issues = vec![];
        for l in &self.languages {
            for key in &all {
                match l.placeholders.get(*key) {
                    None => issues.push(Issue::Missing {
                        lang: l.lang,
                        key: (*key).clone(),
                    }),
                    Some(found) => {
                        let Some(expected) = reference.and_then(|r| r.placeholders.get(*key))
                        else {
                            continue;
                        };
                        if found != expected {
                            issues.push(Issue::Placeholders {
                                lang: l.lang,
                                key: (*key).clone(),
                                expected: expected.iter().cloned().collect(),
                                found: found.iter().cloned().collect(),
                            });
                        }
                    }
                }
            }
        }
        issues.sort();
        issues
    }
}

impl Language {
    fn format(&self, key: &str, args: &[(&str, Arg<'_>)]) -> Option<String> {
        let (id, attribute) = match key.split_once('.') {
            Some((id, attr)) => (id, Some(attr)),
            None => (key, None),
        };
        let message = self.bundle.get_message(id)?;
        let pattern = match attribute {
            Some(attr) => message.get_attribute(attr)?.value(),
            None => message.value()?,
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            let value = match value {
                Arg::Text(t) => FluentValue::from(t.clone()),
                Arg::Number(n) => FluentValue::from(*n),
            };
            fluent_args.set(*name, value);
        }
        let mut errors = vec![];
        let text = self
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(lang = %self.lang, key, ?errors, "message formatted with errors");
        }
        Some(text.into_owned())
    }
}

fn load(lang: Lang, source: &str) -> Result<Language, CatalogError> {
    let syntax = |detail: String| CatalogError::Syntax { lang, detail };
    let resource = FluentResource::try_new(source.to_owned())
        .map_err(|(_, errors)| syntax(format!("{errors:?}")))?;
    let mut placeholders = BTreeMap::new();
    for entry in resource.entries() {
        match entry {
            ast::Entry::Message(m) => {
                let id = m.id.name.to_owned();
                if let Some(value) = &m.value {
                    placeholders.insert(id.clone(), variables(value));
                }
                for a in &m.attributes {
                    placeholders.insert(format!("{id}.{}", a.id.name), variables(&a.value));
                }
            }
            ast::Entry::Junk { content } => {
                return Err(syntax(format!("cannot parse {content:?}")));
            }
            _ => {}
        }
    }
    let langid = lang
        .code()
        .parse::<unic_langid::LanguageIdentifier>()
        .map_err(|e| syntax(e.to_string()))?;
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // The text goes into HTML and plain-text messages: no Unicode isolation marks around
    // placeables.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|errors| syntax(format!("{errors:?}")))?;
    Ok(Language {
        lang,
        bundle,
        placeholders,
    })
}

/// The variables a pattern references, wherever they are (in placeables, selectors, variants
/// and function or term arguments).
fn variables(pattern: &ast::Pattern<&str>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    walk_pattern(pattern, &mut found);
    found
}

fn walk_pattern(pattern: &ast::Pattern<&str>, found: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            walk_expression(expression, found);
        }
    }
}

fn walk_expression(expression: &ast::Expression<&str>, found: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            walk_inline(selector, found);
            for v in variants {
                walk_pattern(&v.value, found);
            }
        }
        ast::Expression::Inline(inline) => walk_inline(inline, found),
    }
}

fn walk_inline(inline: &ast::InlineExpression<&str>, found: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            found.insert(id.name.to_owned());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => walk_call(arguments, found),
        ast::InlineExpression::TermReference {
            arguments: Some(arguments),
            ..
        } => walk_call(arguments, found),
        ast::InlineExpression::Placeable { expression } => walk_expression(expression, found),
        _ => {}
    }
}

fn walk_call(arguments: &ast::CallArguments<&str>, found: &mut BTreeSet<String>) {
    for p in &arguments.positional {
        walk_inline(p, found);
    }
    for n in &arguments.named {
        walk_inline(&n.value, found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(en: &str, others: &str) -> Catalog {
        let sources: Vec<(Lang, &str)> = Lang::ALL
            .into_iter()
            .map(|l| (l, if l == Lang::En { en } else { others }))
            .collect();
        Catalog::parse(&sources).unwrap()
    }

    #[test]
    fn messages_are_formatted_with_their_arguments_and_plurals() {
        let c = catalog(
            "days-left = { $days ->\n    [one] one day left\n   *[other] { $days } days left\n}\nhello = Hello { $name }\nfield = Name\n    .hint = As on your ID\n",
            "days-left = { $days } jours\nhello = Bonjour { $name }\nfield = Nom\n    .hint = Comme sur la carte\n",
        );
        assert_eq!(
            c.format(Lang::En, "days-left", &[("days", 1.into())]),
            "one day left"
        );
        assert_eq!(
            c.format(Lang::En, "days-left", &[("days", 3.into())]),
            "3 days left"
        );
        assert_eq!(
            c.format(Lang::Fr, "hello", &[("name", "Louise".into())]),
            "Bonjour Louise"
        );
        assert_eq!(c.text(Lang::Fr, "field.hint"), "Comme sur la carte");
        assert!(c.check().is_empty(), "{:?}", c.check());
    }

    #[test]
    fn the_check_names_missing_keys_and_differing_placeholders() {
        let c = catalog(
            "a = A\nb = B { $n }\nc = C\n    .title = T\n",
            "a = A\nb = B { $count }\n",
        );
        let issues = c.check();
        for lang in [Lang::Nl, Lang::Fr, Lang::De, Lang::Zh] {
            assert!(issues.contains(&Issue::Missing {
                lang,
                key: "c".into()
            }));
            assert!(issues.contains(&Issue::Missing {
                lang,
                key: "c.title".into()
            }));
            assert!(issues.contains(&Issue::Placeholders {
                lang,
                key: "b".into(),
                expected: vec!["n".into()],
                found: vec!["count".into()],
            }));
        }
        // A key only another language has is missing in the reference language too.
        let c = catalog("a = A\n", "a = A\nextra = E\n");
        assert!(c.check().contains(&Issue::Missing {
            lang: Lang::En,
            key: "extra".into()
        }));
    }

    #[test]
    fn variables_are_found_in_selectors_and_arguments() {
        let c = catalog(
            "m = { $kind ->\n    [a] { NUMBER($n) }\n   *[b] { $other }\n}\n",
            "m = { $kind ->\n    [a] { NUMBER($n) }\n   *[b] { $other }\n}\n",
        );
        assert!(c.check().is_empty());
        let keys: Vec<_> = c
            .language(Lang::En)
            .unwrap()
            .placeholders
            .get("m")
            .unwrap()
            .iter()
            .cloned()
            .collect();
        assert_eq!(keys, ["kind", "n", "other"]);
    }

    #[test]
    fn a_missing_message_falls_back_then_shows_its_key() {
        let c = catalog("only-en = Only English\n", "");
        assert_eq!(c.text(Lang::De, "only-en"), "Only English");
        assert_eq!(c.text(Lang::De, "nowhere"), "nowhere");
    }

    #[test]
    fn bad_sources_are_refused() {
        let sources: Vec<(Lang, &str)> = Lang::ALL.into_iter().map(|l| (l, "a = A\n")).collect();
        assert_eq!(
            Catalog::parse(&sources[1..]).unwrap_err(),
            CatalogError::MissingLanguage(Lang::Nl)
        );
        let mut bad = sources.clone();
        bad[2].1 = "a = A\n= broken\n";
        assert!(matches!(
            Catalog::parse(&bad),
            Err(CatalogError::Syntax { lang: Lang::De, .. })
        ));
        let mut twice = sources;
        twice[0].1 = "a = A\na = B\n";
        assert!(matches!(
            Catalog::parse(&twice),
            Err(CatalogError::Syntax { lang: Lang::Nl, .. })
        ));
    }
}
