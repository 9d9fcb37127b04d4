//! Money, dates, times and data sizes as each language writes them.

use jiff::civil::{Date, Time};

use crate::Lang;

/// A narrow no-break space: French groups digits and sets the currency sign apart with it.
const NNBSP: char = '\u{202f}';

impl Lang {
    /// `cents` of `currency` (ISO 4217): `€ 12,50` (nl), `12,50 €` (fr, de), `€12.50` (en,
    /// zh), with grouped thousands.
    pub fn format_money(self, cents: i64, currency: &str) -> String {
        let sign = if cents < 0 { "-" } else { "" };
        let abs = cents.unsigned_abs();
        let (decimal, group) = self.separators();
        let number = format!("{}{decimal}{:02}", grouped(abs / 100, group), abs % 100);
        let symbol = match currency {
            "EUR" => "€",
            "USD" => "$",
            "GBP" => "£",
            other => other,
        };
        let spaced = symbol.chars().count() > 1;
        match self {
            Lang::Nl => format!("{sign}{symbol}\u{a0}{number}"),
            Lang::Fr | Lang::De => format!("{sign}{number}\u{a0}{symbol}"),
            Lang::En | Lang::Zh if spaced => format!("{sign}{symbol}\u{a0}{number}"),
            Lang::En | Lang::Zh => format!("{sign}{symbol}{number}"),
        }
    }

    /// A date: `15 januari 2027`, `15 janvier 2027`, `15. Januar 2027`, `15 January 2027`,
    /// `2027年1月15日`.
    pub fn format_date(self, date: Date) -> String {
        let (y, m, d) = (date.year(), date.month(), date.day());
        let month = usize::try_from(m - 1).unwrap_or(0).min(11);
        match self {
            Lang::Nl => format!("{d} {} {y}", NL_MONTHS[month]),
            Lang::Fr if d == 1 => format!("1er {} {y}", FR_MONTHS[month]),
            Lang::Fr => format!("{d} {} {y}", FR_MONTHS[month]),
            Lang::De => format!("{d}. {} {y}", DE_MONTHS[month]),
            Lang::En => format!("{d} {} {y}", EN_MONTHS[month]),
            Lang::Zh => format!("{y}年{m}月{d}日"),
        }
    }

    /// A time of day, 24-hour: `14:05` (`14 h 05` in French).
    pub fn format_time(self, time: Time) -> String {
        match self {
            Lang::Fr => format!("{}\u{a0}h\u{a0}{:02}", time.hour(), time.minute()),
            _ => format!("{:02}:{:02}", time.hour(), time.minute()),
        }
    }

    /// A data size given in megabytes (1 GB = 1 000 MB, as plans are sold): `512 MB`,
    /// `1,5 GB`, `20 GB`.
    pub fn format_megabytes(self, mb: u64) -> String {
        let (decimal, group) = self.separators();
        if mb < 1000 {
            return format!("{mb}\u{a0}MB");
        }
        let tenths = (mb + 50) / 100;
        let (whole, tenth) = (tenths / 10, tenths % 10);
        if tenth == 0 || whole >= 100 {
            format!("{}\u{a0}GB", grouped((mb + 500) / 1000, group))
        } else {
            format!("{whole}{decimal}{tenth}\u{a0}GB")
        }
    }

    /// A plain whole number with grouped thousands.
    pub fn format_number(self, n: u64) -> String {
        grouped(n, self.separators().1)
    }

    /// The decimal and thousands separators.
    fn separators(self) -> (char, char) {
        match self {
            Lang::Nl | Lang::De => (',', '.'),
            Lang::Fr => (',', NNBSP),
            Lang::En | Lang::Zh => ('.', ','),
        }
    }
}

fn grouped(n: u64, separator: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

const NL_MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
const FR_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const DE_MONTHS: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn money_is_written_the_way_each_language_writes_it() {
        assert_eq!(Lang::Nl.format_money(1250, "EUR"), "€\u{a0}12,50");
        assert_eq!(
            Lang::Fr.format_money(123_456, "EUR"),
            "1\u{202f}234,56\u{a0}€"
        );
        assert_eq!(Lang::De.format_money(123_456, "EUR"), "1.234,56\u{a0}€");
        assert_eq!(Lang::En.format_money(5, "EUR"), "€0.05");
        assert_eq!(Lang::Zh.format_money(-990, "EUR"), "-€9.90");
        assert_eq!(Lang::En.format_money(1000, "CHF"), "CHF\u{a0}10.00");
    }

    #[test]
    fn dates_and_times_read_naturally() {
        let d = date(2027, 1, 15);
        assert_eq!(Lang::Nl.format_date(d), "15 januari 2027");
        assert_eq!(Lang::Fr.format_date(date(2027, 8, 1)), "1er août 2027");
        assert_eq!(Lang::De.format_date(d), "15. Januar 2027");
        assert_eq!(Lang::En.format_date(d), "15 January 2027");
        assert_eq!(Lang::Zh.format_date(d), "2027年1月15日");
        let t = jiff::civil::time(9, 5, 0, 0);
        assert_eq!(Lang::En.format_time(t), "09:05");
        assert_eq!(Lang::Fr.format_time(t), "9\u{a0}h\u{a0}05");
    }

    #[test]
    fn data_sizes_round_to_a_tenth_of_a_gigabyte() {
        assert_eq!(Lang::En.format_megabytes(512), "512\u{a0}MB");
        assert_eq!(Lang::En.format_megabytes(5_000), "5\u{a0}GB");
        assert_eq!(Lang::Nl.format_megabytes(1_480), "1,5\u{a0}GB");
        assert_eq!(Lang::En.format_megabytes(19_990), "20\u{a0}GB");
        assert_eq!(Lang::De.format_megabytes(1_250_000), "1.250\u{a0}GB");
        assert_eq!(Lang::En.format_number(1_234_567), "1,234,567");
    }
}
