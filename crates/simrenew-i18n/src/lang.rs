//! The languages, and which one a person gets.

use std::fmt;

/// A language simrenew speaks: Belgium's three (Dutch, French, German) and English and
/// Chinese for travellers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    Nl,
    Fr,
    De,
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 5] = [Lang::Nl, Lang::Fr, Lang::De, Lang::En, Lang::Zh];

    /// The language everything falls back to, and the reference of the completeness check.
    pub const REFERENCE: Lang = Lang::En;

    /// The BCP 47 tag, as in URLs (`/nl/...`) and `lang` attributes.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The language's name in itself, as a language switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Nl => "Nederlands",
            Lang::Fr => "Français",
            Lang::De => "Deutsch",
            Lang::En => "English",
            Lang::Zh => "中文",
        }
    }

    /// The language of a tag (`nl`, `fr-BE`, `zh-Hans-CN`, any case); `None` for one not
    /// spoken here.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The language to answer an `Accept-Language` header with: the spoken language of
    /// highest weight (`q`), the first of equal weights; `None` when the header names none
    /// (or only `*`).
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut ranked: Vec<(u16, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, item)| {
                let mut parts = item.split(';');
                let tag = parts.next()?.trim();
                let q = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .next()
                    .map_or(Some(1000), parse_weight)?;
                (q > 0).then_some(())?;
                Some((q, i, Lang::parse(tag)?))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map(|r| r.2)
    }

    /// The language for a request: the `Accept-Language` choice, else `default`.
    pub fn negotiate(accept_language: Option<&str>, default: Lang) -> Lang {
        accept_language
            .and_then(Lang::from_accept_language)
            .unwrap_or(default)
    }
}

/// A weight `0` to `1` with up to three decimals, in thousandths; `None` when malformed.
fn parse_weight(q: &str) -> Option<u16> {
    let q = q.trim();
    let (whole, frac) = q.split_once('.').unwrap_or((q, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1,
        _ => return None,
    };
    let frac: u16 = format!("{frac:0<3}").parse().ok()?;
    let w = whole * 1000 + frac;
    (w <= 1000).then_some(w)
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_by_their_primary_subtag() {
        assert_eq!(Lang::parse("fr-BE"), Some(Lang::Fr));
        assert_eq!(Lang::parse("NL"), Some(Lang::Nl));
        assert_eq!(Lang::parse("zh-Hant-TW"), Some(Lang::Zh));
        assert_eq!(Lang::parse("es"), None);
        assert_eq!(Lang::parse(""), None);
    }

    #[test]
    fn accept_language_picks_the_heaviest_spoken_language() {
        let pick = Lang::from_accept_language;
        assert_eq!(pick("fr-BE,fr;q=0.9,en;q=0.8"), Some(Lang::Fr));
        assert_eq!(pick("es-ES,es;q=0.9,de;q=0.5,en;q=0.4"), Some(Lang::De));
        assert_eq!(pick("en;q=0.5, nl;q=0.7"), Some(Lang::Nl));
        // Equal weights: the first named.
        assert_eq!(pick("de, fr"), Some(Lang::De));
        // q=0 means "not this one".
        assert_eq!(pick("nl;q=0, en"), Some(Lang::En));
        assert_eq!(pick("*"), None);
        assert_eq!(pick("es, it"), None);
        // A malformed weight drops that item only.
        assert_eq!(pick("fr;q=high, zh-CN;q=0.3"), Some(Lang::Zh));
        assert_eq!(Lang::negotiate(None, Lang::Nl), Lang::Nl);
        assert_eq!(Lang::negotiate(Some("ja"), Lang::En), Lang::En);
    }

    #[test]
    fn weights_are_read_to_the_thousandth() {
        assert_eq!(parse_weight("1"), Some(1000));
        assert_eq!(parse_weight("0.8"), Some(800));
        assert_eq!(parse_weight("0.125"), Some(125));
        assert_eq!(parse_weight("1.000"), Some(1000));
        assert_eq!(parse_weight("1.5"), None);
        assert_eq!(parse_weight("0.1234"), None);
        assert_eq!(parse_weight("2"), None);
    }
}
