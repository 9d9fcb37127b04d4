//! A quote prices plan × periods with promotions and VAT lines.

use jiff::Timestamp;

use crate::brand::Brand;
use crate::catalog::{Channel, Plan};
use crate::error::DomainError;
use crate::ids::PromotionId;
use crate::line::{Line, LineState};
use crate::money::{split_vat, Money};
use crate::promotion::{
    benefit, Benefit, PromoCode, PromoContext, PromoRejection, Promotion, PromotionUsage,
};

/// The most periods one order may buy.
pub const MAX_PERIODS: u32 = 36;

#[derive(Debug, Clone, Copy)]
pub struct QuoteInput<'a> {
    pub brand: &'a Brand,
    pub line: &'a Line,
    pub plan: &'a Plan,
    pub periods: u32,
    pub channel: Channel,
    pub now: Timestamp,
    /// The line has never been renewed before.
    pub first_renewal: bool,
    /// A new line sold here, whose first plan this is ([`Line::check_sellable`]).
    pub sold_with_line: bool,
    /// The brand's promotions that might apply, with their use so far.
    pub promotions: &'a [(Promotion, PromotionUsage)],
    pub promo_code: Option<&'a PromoCode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteLineKind {
    Plan,
    FreePeriods,
    Discount,
}

impl QuoteLineKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            QuoteLineKind::Plan => "plan",
            QuoteLineKind::FreePeriods => "free_periods",
            QuoteLineKind::Discount => "discount",
        }
    }
}

/// One line of a quote or receipt, VAT included, with its own VAT share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteLine {
    pub kind: QuoteLineKind,
    pub description: String,
    pub quantity: u32,
    pub unit_price: Money,
    pub amount: Money,
    pub vat: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedPromotion {
    pub id: PromotionId,
    pub name: String,
    pub code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub plan_code: String,
    /// Periods paid for.
    pub periods: u32,
    /// Periods given by promotions on top.
    pub free_periods: u32,
    pub lines: Vec<QuoteLine>,
    pub total: Money,
    pub vat: Money,
    pub vat_rate_bp: u32,
    pub promotions: Vec<AppliedPromotion>,
    /// An automatic renewal that keeps the price it had because the rise was not noticed in
    /// time (the plan line is priced at the kept price).
    pub price_kept: Option<crate::price_notice::KeptPrice>,
}

impl Quote {
    /// Periods the line gets: paid plus free.
    pub fn total_periods(&self) -> u32 {
        self.periods + self.free_periods
    }
}

/// Whether a line may be renewed is a rule a purchase must pass, like the others in [`quote`];
/// it lives here rather than in `line` because it answers a [`DomainError`], which names line
/// states.
impl Line {
    /// May a plan be bought for this line at `now`? A renewal in grace reactivates the line;
    /// a line must be identified first, a lapsed number is gone, a suspended one is held.
    pub fn check_renewable(&self, now: Timestamp) -> Result<(), DomainError> {
        self.check_sellable(now, false)
    }

    /// [`Line::check_renewable`], but for a new line sold here whose first plan is not paid
    /// yet (`sold_with_line`): that plan is bought with the line and may be paid before the
    /// subscriber is identified; the line works once they are.
    pub fn check_sellable(&self, now: Timestamp, sold_with_line: bool) -> Result<(), DomainError> {
        let state = self.state_at(now);
        let hint = match state {
            LineState::Active | LineState::Grace => return Ok(()),
            LineState::PendingIdentification if sold_with_line => return Ok(()),
            LineState::PendingIdentification => {
                ": the subscriber must be identified first (Belgian prepaid rule)"
            }
            LineState::Lapsed => {
                ": its grace ended; the number is released after the brand's retention"
            }
            LineState::Suspended => ": the operator suspended it",
        };
        Err(DomainError::LineNotRenewable { state, hint })
    }
}

/// Prices the purchase, choosing the promotion (or stack of stackable promotions) worth most
/// to the customer.
pub fn quote(input: &QuoteInput<'_>) -> Result<Quote, DomainError> {
    let QuoteInput {
        brand,
        line,
        plan,
        periods,
        channel,
        now,
        ..
    } = *input;
    if periods == 0 || periods > MAX_PERIODS {
        return Err(DomainError::InvalidPeriods { max: MAX_PERIODS });
    }
    if plan.brand_id != line.brand_id {
        return Err(DomainError::PlanNotForBrand {
            plan: plan.code.clone(),
        });
    }
    if !plan.fits(line.kind()) {
        return Err(DomainError::PlanNotForLineKind {
            plan: plan.code.clone(),
            kind: line.kind(),
        });
    }
    if !plan.sold_through(channel) {
        return Err(DomainError::PlanNotForChannel {
            plan: plan.code.clone(),
            channel,
        });
    }
    line.check_sellable(now, input.sold_with_line)?;
    if plan.is_add_on() {
        if periods != 1 {
            return Err(DomainError::AddOnPeriods);
        }
        if line.expires_at.is_none_or(|e| e <= now) {
            return Err(DomainError::AddOnWithoutBundle);
        }
    }

    let chosen = best_promotions(input)?;
    let unit = plan.price;
    let ben = benefit(chosen.iter().copied(), unit, periods);

    let subtotal = unit.checked_mul(i64::from(periods))?;
    // Set below, once the lines are known.
    let zero_vat = Money::zero(unit.currency);
    let mut lines = vec![QuoteLine {
        kind: QuoteLineKind::Plan,
        description: format!("{} ({})", plan.name, plan.summary()),
        quantity: periods,
        unit_price: unit,
        amount: subtotal,
        vat: zero_vat,
    }];
    let names = chosen
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(" + ");
    if ben.free_periods > 0 {
        let zero = Money::zero(unit.currency);
        lines.push(QuoteLine {
            kind: QuoteLineKind::FreePeriods,
            description: format!("{} free period(s): {names}", ben.free_periods),
            quantity: ben.free_periods,
            unit_price: zero,
            amount: zero,
            vat: zero,
        });
    }
    if ben.discount.cents > 0 {
        let amount = ben.discount.negate();
        lines.push(QuoteLine {
            kind: QuoteLineKind::Discount,
            description: format!("Discount: {names}"),
            quantity: 1,
            unit_price: amount,
            amount,
            vat: zero_vat,
        });
    }
    // VAT per rate on that rate's total, rounded once (EN 16931 BR-CO-17), shared out over
    // the lines so that they add up to it; every line of a quote is at the brand's rate.
    let amounts: Vec<Money> = lines.iter().map(|l| l.amount).collect();
    for (l, share) in lines
        .iter_mut()
        .zip(split_vat(&amounts, brand.vat_rate_bp)?)
    {
        l.vat = share;
    }
    let mut total = Money::zero(unit.currency);
    let mut vat = Money::zero(unit.currency);
    for l in &lines {
        total = total.checked_add(l.amount)?;
        vat = vat.checked_add(l.vat)?;
    }
    Ok(Quote {
        plan_code: plan.code.clone(),
        periods,
        free_periods: ben.free_periods,
        lines,
        total,
        vat,
        vat_rate_bp: brand.vat_rate_bp,
        promotions: chosen
            .iter()
            .map(|p| AppliedPromotion {
                id: p.id,
                name: p.name.clone(),
                code: p.code.as_ref().map(|c| c.as_str().to_owned()),
            })
            .collect(),
        price_kept: None,
    })
}

/// The eligible promotions, then the best single one or the stack of all stackable ones,
/// whichever is worth more. A promo code that does not apply is an error naming why.
fn best_promotions<'a>(input: &QuoteInput<'a>) -> Result<Vec<&'a Promotion>, DomainError> {
    let ctx = PromoContext {
        plan: input.plan,
        periods: input.periods,
        channel: input.channel,
        now: input.now,
        first_renewal: input.first_renewal,
    };
    let mut eligible: Vec<&Promotion> = input
        .promotions
        .iter()
        .filter(|(p, usage)| p.code.is_none() && p.check(&ctx, *usage).is_ok())
        .map(|(p, _)| p)
        .collect();
    if let Some(code) = input.promo_code {
        let reject = |reason| DomainError::PromoCode {
            code: code.to_string(),
            reason,
        };
        let (promo, usage) = input
            .promotions
            .iter()
            .find(|(p, _)| p.code.as_ref() == Some(code))
            .ok_or_else(|| reject(PromoRejection::UnknownCode))?;
        promo.check(&ctx, *usage).map_err(reject)?;
        eligible.push(promo);
    }

    let unit = input.plan.price;
    let value = |set: &[&Promotion]| -> i64 {
        let b: Benefit = benefit(set.iter().copied(), unit, input.periods);
        b.value_cents(unit)
    };
    // Best single promotion; ties go to the earliest promotion.
    let mut best: Vec<&Promotion> = vec![];
    let mut best_value = 0i64;
    let mut singles = eligible.clone();
    singles.sort_by_key(|p| p.id);
    for p in singles {
        let v = value(&[p]);
        if v > best_value {
            best_value = v;
            best = vec![p];
        }
    }
    let mut stack: Vec<&Promotion> = eligible.into_iter().filter(|p| p.stackable).collect();
    stack.sort_by_key(|p| p.id);
    if stack.len() > 1 && value(&stack) > best_value {
        best = stack;
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{DataAllowance, LineKind, Validity};
    use crate::identifiers::Msisdn;
    use crate::ids::*;
    use crate::line::{LineIdentity, LineState};
    use crate::money::Currency;
    use crate::promotion::PromotionRule;
    use jiff::tz::TimeZone;
    use proptest::prelude::*;

    fn brand() -> Brand {
        Brand {
            id: BrandId(1),
            code: "lumo".into(),
            name: "Lumo".into(),
            time_zone: TimeZone::get("Europe/Brussels").unwrap(),
            currency: Currency::EUR,
            vat_rate_bp: 2100,
            grace_days: 7,
            number_retention_days: 90,
            reminder_days: vec![7, 1],
            monthly_auto_debit_limit: 2,
            portal_url: "https://lumo.example".into(),
            quiet_hours: Default::default(),
        }
    }

    fn plan(price: i64) -> Plan {
        Plan {
            id: PlanId(1),
            brand_id: BrandId(1),
            catalog_version_id: CatalogVersionId(1),
            code: "LUMO-5GB-1M".into(),
            name: "Lumo 5".into(),
            data: DataAllowance::Megabytes(5000),
            validity: Validity::Months(1),
            price: Money::eur(price),
            line_kinds: vec![LineKind::Esim, LineKind::VirtualSim],
            channels: vec![Channel::Portal, Channel::Store],
        }
    }

    fn now() -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap()
    }

    fn line() -> Line {
        Line {
            id: LineId(1),
            brand_id: BrandId(1),
            subscriber_id: None,
            msisdn: Msisdn::parse("+32470123456").unwrap(),
            identity: LineIdentity::VirtualSim,
            stored_state: LineState::Active,
            expires_at: Some(now()),
            grace_until: Some(Timestamp::from_second(1_800_600_000).unwrap()),
            credit: Money::eur(0),
            auto_renew: false,
        }
    }

    fn promo(id: i64, rule: PromotionRule) -> Promotion {
        Promotion {
            id: PromotionId(id),
            brand_id: BrandId(1),
            name: format!("promo {id}"),
            code: None,
            rule,
            first_renewal_only: false,
            plan_codes: vec![],
            channels: vec![],
            valid_from: Timestamp::from_second(0).unwrap(),
            valid_until: None,
            per_customer_limit: None,
            global_limit: None,
            stackable: false,
        }
    }

    fn input<'a>(
        brand: &'a Brand,
        line: &'a Line,
        plan: &'a Plan,
        periods: u32,
        promotions: &'a [(Promotion, PromotionUsage)],
        code: Option<&'a PromoCode>,
    ) -> QuoteInput<'a> {
        QuoteInput {
            brand,
            line,
            plan,
            periods,
            channel: Channel::Portal,
            now: now(),
            first_renewal: false,
            sold_with_line: false,
            promotions,
            promo_code: code,
        }
    }

    #[test]
    fn buy_twelve_get_six_free() {
        let (b, l, p) = (brand(), line(), plan(1500));
        let promos = [(
            promo(1, PromotionRule::PeriodBonus { buy: 12, free: 6 }),
            PromotionUsage::default(),
        )];
        let q = quote(&input(&b, &l, &p, 12, &promos, None)).unwrap();
        assert_eq!(q.total, Money::eur(18_000));
        assert_eq!(q.free_periods, 6);
        assert_eq!(q.total_periods(), 18);
        assert_eq!(q.vat, Money::eur(18_000).vat_included(2100));
        // 11 periods do not qualify
        let q = quote(&input(&b, &l, &p, 11, &promos, None)).unwrap();
        assert_eq!(q.free_periods, 0);
        assert!(q.promotions.is_empty());
    }

    #[test]
    fn vat_is_computed_once_on_the_total_and_the_lines_add_up_to_it() {
        // 10.00 with 1.00 off is 9.00 including 21 % VAT: 9.00 x 21/121 = 1.5620 -> 1.56
        // (rounding each line first gave 1.74 - 0.17 = 1.57).
        let (b, l, p) = (brand(), line(), plan(1000));
        let promos = [(
            promo(
                1,
                PromotionRule::AmountOff {
                    amount: Money::eur(100),
                },
            ),
            PromotionUsage::default(),
        )];
        let q = quote(&input(&b, &l, &p, 1, &promos, None)).unwrap();
        assert_eq!(q.total, Money::eur(900));
        assert_eq!(q.vat, Money::eur(156));
        assert_eq!(q.lines.iter().map(|l| l.vat.cents).sum::<i64>(), 156);
    }

    #[test]
    fn the_best_promotion_wins_and_they_do_not_stack() {
        let (b, l, p) = (brand(), line(), plan(1000));
        let promos = [
            (
                promo(1, PromotionRule::PercentOff { percent_bp: 1000 }),
                PromotionUsage::default(),
            ),
            (
                promo(
                    2,
                    PromotionRule::AmountOff {
                        amount: Money::eur(500),
                    },
                ),
                PromotionUsage::default(),
            ),
        ];
        // 3 periods = 30.00: 10 % is 3.00, 5.00 off is better.
        let q = quote(&input(&b, &l, &p, 3, &promos, None)).unwrap();
        assert_eq!(q.total, Money::eur(2500));
        assert_eq!(q.promotions.len(), 1);
        assert_eq!(q.promotions[0].id, PromotionId(2));
        // 10 periods = 100.00: 10 % is 10.00, better than 5.00.
        let q = quote(&input(&b, &l, &p, 10, &promos, None)).unwrap();
        assert_eq!(q.total, Money::eur(9000));
        assert_eq!(q.promotions[0].id, PromotionId(1));
    }

    #[test]
    fn stackable_promotions_combine_when_that_is_better() {
        let (b, l, p) = (brand(), line(), plan(1000));
        let mut a = promo(1, PromotionRule::PercentOff { percent_bp: 1000 });
        a.stackable = true;
        let mut c = promo(
            2,
            PromotionRule::AmountOff {
                amount: Money::eur(200),
            },
        );
        c.stackable = true;
        let promos = [
            (a, PromotionUsage::default()),
            (c, PromotionUsage::default()),
        ];
        let q = quote(&input(&b, &l, &p, 3, &promos, None)).unwrap();
        assert_eq!(q.total, Money::eur(3000 - 300 - 200));
        assert_eq!(q.promotions.len(), 2);
    }

    #[test]
    fn promo_codes_are_checked() {
        let (b, l, p) = (brand(), line(), plan(1000));
        let mut coded = promo(1, PromotionRule::PercentOff { percent_bp: 5000 });
        let code = PromoCode::parse("half").unwrap();
        coded.code = Some(code.clone());
        coded.global_limit = Some(10);
        coded.per_customer_limit = Some(1);
        // Without the code the promotion does not apply.
        let promos = [(coded.clone(), PromotionUsage::default())];
        let q = quote(&input(&b, &l, &p, 1, &promos, None)).unwrap();
        assert_eq!(q.total, Money::eur(1000));
        let q = quote(&input(&b, &l, &p, 1, &promos, Some(&code))).unwrap();
        assert_eq!(q.total, Money::eur(500));

        let used = [(
            coded.clone(),
            PromotionUsage {
                by_customer: 1,
                overall: 1,
            },
        )];
        let err = quote(&input(&b, &l, &p, 1, &used, Some(&code))).unwrap_err();
        assert_eq!(err.field(), Some("promo_code"));
        assert!(matches!(
            err,
            DomainError::PromoCode {
                reason: PromoRejection::AlreadyUsed,
                ..
            }
        ));
        let gone = [(
            coded.clone(),
            PromotionUsage {
                by_customer: 0,
                overall: 10,
            },
        )];
        assert!(matches!(
            quote(&input(&b, &l, &p, 1, &gone, Some(&code))).unwrap_err(),
            DomainError::PromoCode {
                reason: PromoRejection::Exhausted,
                ..
            }
        ));
        let mut expired = coded.clone();
        expired.valid_until = Some(now());
        let expired = [(expired, PromotionUsage::default())];
        assert!(matches!(
            quote(&input(&b, &l, &p, 1, &expired, Some(&code))).unwrap_err(),
            DomainError::PromoCode {
                reason: PromoRejection::Expired,
                ..
            }
        ));
        let other = PromoCode::parse("NOPE").unwrap();
        assert!(matches!(
            quote(&input(&b, &l, &p, 1, &promos, Some(&other))).unwrap_err(),
            DomainError::PromoCode {
                reason: PromoRejection::UnknownCode,
                ..
            }
        ));
    }

    #[test]
    fn first_renewal_discount_only_once() {
        let (b, l, p) = (brand(), line(), plan(1000));
        let mut first = promo(1, PromotionRule::PercentOff { percent_bp: 5000 });
        first.first_renewal_only = true;
        let promos = [(first, PromotionUsage::default())];
        let mut i = input(&b, &l, &p, 1, &promos, None);
        i.first_renewal = true;
        assert_eq!(quote(&i).unwrap().total, Money::eur(500));
        i.first_renewal = false;
        assert_eq!(quote(&i).unwrap().total, Money::eur(1000));
    }

    #[test]
    fn plan_must_fit_line_and_channel_and_periods() {
        let (b, mut l, mut p) = (brand(), line(), plan(1000));
        assert!(matches!(
            quote(&input(&b, &l, &p, 0, &[], None)).unwrap_err(),
            DomainError::InvalidPeriods { .. }
        ));
        p.channels = vec![Channel::Store];
        assert!(matches!(
            quote(&input(&b, &l, &p, 1, &[], None)).unwrap_err(),
            DomainError::PlanNotForChannel { .. }
        ));
        p.channels = vec![Channel::Portal];
        p.line_kinds = vec![LineKind::PhysicalSim];
        assert_eq!(
            quote(&input(&b, &l, &p, 1, &[], None)).unwrap_err().field(),
            Some("plan")
        );
        p.line_kinds = vec![LineKind::VirtualSim];
        l.stored_state = LineState::PendingIdentification;
        assert!(matches!(
            quote(&input(&b, &l, &p, 1, &[], None)).unwrap_err(),
            DomainError::LineNotRenewable { .. }
        ));
        // A new line sold here buys its first plan before identification; it works once
        // identified. Any other line waits for identification.
        l.expires_at = None;
        assert!(quote(&input(&b, &l, &p, 1, &[], None)).is_err());
        let mut i = input(&b, &l, &p, 1, &[], None);
        i.sold_with_line = true;
        assert!(quote(&i).is_ok());
    }

    fn rule() -> impl Strategy<Value = PromotionRule> {
        prop_oneof![
            (1u32..13, 1u32..7).prop_map(|(buy, free)| PromotionRule::PeriodBonus { buy, free }),
            (0u32..=10_000).prop_map(|percent_bp| PromotionRule::PercentOff { percent_bp }),
            (0i64..50_000).prop_map(|c| PromotionRule::AmountOff {
                amount: Money::eur(c)
            }),
        ]
    }

    proptest! {
        /// The total is never negative, VAT is the sum of the lines' VAT, the lines add up to
        /// the total, and the chosen promotions are worth at least as much as any single
        /// eligible one: the quote is best for the customer.
        #[test]
        fn quotes_add_up_and_pick_the_best(
            price in 1i64..20_000,
            periods in 1u32..=MAX_PERIODS,
            rules in proptest::collection::vec((rule(), any::<bool>()), 0..5),
        ) {
            let (b, l, p) = (brand(), line(), plan(price));
            let promos: Vec<_> = rules
                .iter()
                .enumerate()
                .map(|(i, (r, stackable))| {
                    let mut pr = promo(i as i64 + 1, *r);
                    pr.stackable = *stackable;
                    (pr, PromotionUsage::default())
                })
                .collect();
            let q = quote(&input(&b, &l, &p, periods, &promos, None)).unwrap();
            prop_assert!(q.total.cents >= 0);
            prop_assert_eq!(q.lines.iter().map(|l| l.amount.cents).sum::<i64>(), q.total.cents);
            prop_assert_eq!(q.lines.iter().map(|l| l.vat.cents).sum::<i64>(), q.vat.cents);
            // The VAT is that of the total, rounded once; each line within a cent of its own.
            prop_assert_eq!(q.vat, q.total.vat_included(q.vat_rate_bp));
            let d = 10_000 + i128::from(q.vat_rate_bp);
            for line in &q.lines {
                let exact = i128::from(line.amount.cents) * i128::from(q.vat_rate_bp);
                prop_assert!((i128::from(line.vat.cents) * d - exact).abs() < d, "{line:?}");
            }
            prop_assert!(q.vat.cents <= q.total.cents.max(0) + 1);
            let chosen: Vec<&Promotion> = promos
                .iter()
                .map(|(p, _)| p)
                .filter(|p| q.promotions.iter().any(|a| a.id == p.id))
                .collect();
            if chosen.len() > 1 {
                prop_assert!(chosen.iter().all(|p| p.stackable), "non-stackable promotions stacked");
            }
            let chosen_value = benefit(chosen.iter().copied(), p.price, periods).value_cents(p.price);
            for (single, _) in &promos {
                let v = benefit([single], p.price, periods).value_cents(p.price);
                prop_assert!(chosen_value >= v);
            }
            let paid = p.price.cents * i64::from(periods);
            prop_assert_eq!(q.total.cents, paid - benefit(chosen.iter().copied(), p.price, periods).discount.cents);
        }
    }
}
