//! Money is integer cents with a currency. VAT is computed per VAT rate on that rate's total
//! and rounded once (EN 16931, BR-CO-17), then shared out over the lines at that rate so that
//! the lines add up to it ([`split_vat`]).

use std::fmt;

use crate::parse::ParseError;

/// An ISO 4217 currency code such as `EUR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const EUR: Currency = Currency(*b"EUR");

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let bytes = s.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err(ParseError::new(
                "currency",
                "must be a three-letter ISO 4217 code such as EUR",
            ));
        }
        Ok(Currency([bytes[0], bytes[1], bytes[2]]))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money in the smallest unit of its currency (cents for EUR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    pub cents: i64,
    pub currency: Currency,
}

/// Two amounts in different currencies were combined, or a sum overflowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine {0} and {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("amount out of range")]
    Overflow,
}

impl Money {
    pub fn new(cents: i64, currency: Currency) -> Self {
        Self { cents, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self { cents: 0, currency }
    }

    pub fn eur(cents: i64) -> Self {
        Self::new(cents, Currency::EUR)
    }

    /// An amount as a person types it: whole units, optionally with a decimal point or comma
    /// and at most two decimals (`25`, `12.5`, `12,50`); zero or more.
    pub fn parse_decimal(s: &str, currency: Currency) -> Result<Money, ParseError> {
        let bad = || ParseError::new("amount", "must be an amount such as 12.50");
        let s = s.trim();
        let (units, decimals) = match s.split_once(['.', ',']) {
            Some((u, d)) => (u, d),
            None => (s, ""),
        };
        let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
        if units.is_empty()
            || units.len() > 12
            || !digits(units)
            || decimals.len() > 2
            || !digits(decimals)
        {
            return Err(bad());
        }
        let units: i64 = units.parse().map_err(|_| bad())?;
        let cents: i64 = format!("{decimals:0<2}").parse().map_err(|_| bad())?;
        Ok(Money::new(units * 100 + cents, currency))
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let cents = self
            .cents
            .checked_add(other.cents)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money { cents, ..self })
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.checked_add(other.negate())
    }

    pub fn checked_mul(self, factor: i64) -> Result<Money, MoneyError> {
        let cents = self.cents.checked_mul(factor).ok_or(MoneyError::Overflow)?;
        Ok(Money { cents, ..self })
    }

    pub fn negate(self) -> Money {
        Money {
            cents: -self.cents,
            ..self
        }
    }

    pub fn is_negative(&self) -> bool {
        self.cents < 0
    }

    /// `percent_bp` basis points of this amount (2 500 bp = 25 %), rounded half away from zero.
    pub fn percent(self, percent_bp: u32) -> Money {
        let cents = div_round_half_away(i128::from(self.cents) * i128::from(percent_bp), 10_000);
        Money { cents, ..self }
    }

    /// The VAT contained in this VAT-inclusive amount at `rate_bp` basis points
    /// (2 100 bp = 21 %), rounded half away from zero to the cent.
    pub fn vat_included(self, rate_bp: u32) -> Money {
        let rate = i128::from(rate_bp);
        let cents = div_round_half_away(i128::from(self.cents) * rate, 10_000 + rate);
        Money { cents, ..self }
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }
}

/// The VAT contained in the VAT-inclusive `amounts`, all at `rate_bp`: the VAT of their sum,
/// rounded once to the cent (what an invoice states for the rate), shared out over the amounts
/// so that the shares add up to it exactly. Each share differs from its amount's exact VAT by
/// less than a cent: every share takes the exact value rounded down, and the cents left over go
/// to the amounts whose dropped fraction was largest (the earlier one on a tie). An amount of
/// zero gets zero.
pub fn split_vat(amounts: &[Money], rate_bp: u32) -> Result<Vec<Money>, MoneyError> {
    let Some(first) = amounts.first() else {
        return Ok(vec![]);
    };
    let mut total = Money::zero(first.currency);
    for a in amounts {
        total = total.checked_add(*a)?;
    }
    let rate = i128::from(rate_bp);
    let d = 10_000 + rate;
    // (index, exact share rounded down, the fraction dropped, in 1/d cents)
    let mut shares: Vec<(usize, i128, i128)> = amounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let n = i128::from(a.cents) * rate;
            (i, n.div_euclid(d), n.rem_euclid(d))
        })
        .collect();
    let floors: i128 = shares.iter().map(|(_, f, _)| f).sum();
    let mut left = i128::from(total.vat_included(rate_bp).cents) - floors;
    let mut by_fraction: Vec<usize> = (0..shares.len()).collect();
    by_fraction.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(a.cmp(b)));
    for i in by_fraction {
        if left <= 0 {
            break;
        }
        if shares[i].2 > 0 {
            shares[i].1 += 1;
            left -= 1;
        }
    }
    shares
        .iter()
        .map(|(i, cents, _)| {
            let cents = i64::try_from(*cents).map_err(|_| MoneyError::Overflow)?;
            Ok(Money::new(cents, amounts[*i].currency))
        })
        .collect()
}

/// `n / d` rounded half away from zero; `d` is positive. The result always fits in `i64` for
/// the callers above (a percentage or a VAT share of an `i64` amount).
fn div_round_half_away(n: i128, d: i128) -> i64 {
    let q = (2 * n.abs() + d) / (2 * d);
    let q = if n < 0 { -q } else { q };
    i64::try_from(q).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX })
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.cents < 0 { "-" } else { "" };
        let abs = self.cents.unsigned_abs();
        write!(f, "{sign}{}.{:02} {}", abs / 100, abs % 100, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_as_people_type_them() {
        let eur = |s: &str| Money::parse_decimal(s, Currency::EUR).map(|m| m.cents);
        assert_eq!(eur("25"), Ok(2_500));
        assert_eq!(eur(" 12.5 "), Ok(1_250));
        assert_eq!(eur("12,05"), Ok(1_205));
        assert_eq!(eur("0"), Ok(0));
        assert_eq!(eur("12."), Ok(1_200));
        for bad in [
            "",
            "-5",
            "1.234",
            "abc",
            "1e3",
            ".5",
            "1 000",
            "9999999999999",
        ] {
            assert!(eur(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn vat_of_a_belgian_price() {
        // 10.00 EUR including 21 % VAT holds 1.74 EUR of VAT (8.26 net).
        assert_eq!(Money::eur(1000).vat_included(2100).cents, 174);
        assert_eq!(Money::eur(-1000).vat_included(2100).cents, -174);
        assert_eq!(Money::eur(0).vat_included(2100).cents, 0);
    }

    #[test]
    fn vat_of_a_discounted_price_is_rounded_once() {
        // 10.00 less 1.00, 21 %: the VAT of 9.00 is 1.56; the lines' exact shares are 1.7355
        // and -0.1736, which round to 1.74 and -0.17 alone (1.57 in all).
        let shares = split_vat(&[Money::eur(1000), Money::eur(-100)], 2100).unwrap();
        assert_eq!(shares.iter().map(|s| s.cents).sum::<i64>(), 156);
        assert_eq!(shares, vec![Money::eur(173), Money::eur(-17)]);
        assert_eq!(split_vat(&[], 2100).unwrap(), vec![]);
        assert!(split_vat(
            &[
                Money::eur(1),
                Money::new(1, Currency::parse("USD").unwrap())
            ],
            2100
        )
        .is_err());
    }

    #[test]
    fn percent_rounds_half_away_from_zero() {
        assert_eq!(Money::eur(999).percent(5000).cents, 500);
        assert_eq!(Money::eur(-999).percent(5000).cents, -500);
        assert_eq!(Money::eur(1000).percent(2500).cents, 250);
    }

    #[test]
    fn currencies_do_not_mix() {
        let usd = Money::new(1, Currency::parse("USD").unwrap());
        assert!(Money::eur(1).checked_add(usd).is_err());
        assert!(Currency::parse("eur").is_err());
        assert!(Currency::parse("EURO").is_err());
    }

    #[test]
    fn display() {
        assert_eq!(Money::eur(1234).to_string(), "12.34 EUR");
        assert_eq!(Money::eur(-5).to_string(), "-0.05 EUR");
    }

    proptest! {
        #[test]
        fn vat_is_never_more_than_the_gross(cents in -10_000_000_000i64..10_000_000_000, rate in 0u32..10_000) {
            let vat = Money::eur(cents).vat_included(rate).cents;
            prop_assert!(vat.abs() <= cents.abs());
            prop_assert_eq!(vat.signum() * cents.signum() >= 0, true);
            // net + vat == gross, and net * rate ≈ vat within half a cent of rounding
            let net = cents - vat;
            let exact = i128::from(net) * i128::from(rate);
            let diff = (i128::from(vat) * 10_000 - exact).abs();
            // the rounding error of vat is at most half a cent of gross at the rate
            prop_assert!(diff <= 10_000 + i128::from(rate));
        }

        /// The shares of a split add up to the VAT of the total, rounded once, and each is
        /// within a cent of its amount's exact VAT.
        #[test]
        fn split_vat_adds_up_to_the_vat_of_the_total(
            amounts in proptest::collection::vec(-1_000_000i64..1_000_000, 0..8),
            rate in 0u32..10_000,
        ) {
            let amounts: Vec<Money> = amounts.into_iter().map(Money::eur).collect();
            let shares = split_vat(&amounts, rate).unwrap();
            prop_assert_eq!(shares.len(), amounts.len());
            let total: i64 = amounts.iter().map(|a| a.cents).sum();
            prop_assert_eq!(
                shares.iter().map(|s| s.cents).sum::<i64>(),
                Money::eur(total).vat_included(rate).cents
            );
            let d = 10_000 + i128::from(rate);
            for (a, s) in amounts.iter().zip(&shares) {
                let exact = i128::from(a.cents) * i128::from(rate);
                prop_assert!((i128::from(s.cents) * d - exact).abs() < d, "{a} gets {s}");
                if a.cents == 0 {
                    prop_assert_eq!(s.cents, 0);
                }
            }
        }

        #[test]
        fn addition_is_exact(a in -1_000_000_000i64..1_000_000_000, b in -1_000_000_000i64..1_000_000_000) {
            let sum = Money::eur(a).checked_add(Money::eur(b)).unwrap();
            prop_assert_eq!(sum.cents, a + b);
            prop_assert_eq!(sum.checked_sub(Money::eur(b)).unwrap(), Money::eur(a));
        }

        #[test]
        fn percent_of_whole_is_whole(cents in -1_000_000_000i64..1_000_000_000) {
            prop_assert_eq!(Money::eur(cents).percent(10_000).cents, cents);
            prop_assert_eq!(Money::eur(cents).percent(0).cents, 0);
        }
    }
}
