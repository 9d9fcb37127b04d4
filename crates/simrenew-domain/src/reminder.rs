//! Reminders before a line lapses: which step of the brand's schedule is due, when an SMS may
//! go out, and the verification code a message carries.
//!
//! A brand's schedule is a list of days before expiry (`14, 7, 3, 1, 0, -1`: two weeks before,
//! ..., on the day of expiry, one day into grace). Step `d` is due `d` calendar days before the
//! expiry in the brand's zone and stays the current step until the next one is due; a line
//! gets at most the current step, so a worker that was stopped for a week sends one reminder,
//! not a backlog of them.

use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::parse::ParseError;
use crate::time::add_days;

/// Hours in which no SMS goes out, in the brand's zone: from `from` to `until`, across
/// midnight when `from` is later than `until` (21:00–08:00). Equal times mean no quiet hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub from: Time,
    pub until: Time,
}

impl Default for QuietHours {
    /// 21:00 to 08:00.
    fn default() -> Self {
        Self {
            from: Time::constant(21, 0, 0, 0),
            until: Time::constant(8, 0, 0, 0),
        }
    }
}

impl QuietHours {
    /// `HH:MM-HH:MM`, as the CLI takes it.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let bad = || ParseError::new("quiet_hours", "must be two times as HH:MM-HH:MM");
        let (from, until) = s.trim().split_once('-').ok_or_else(bad)?;
        let time = |t: &str| t.trim().parse::<Time>().map_err(|_| bad());
        Ok(Self {
            from: time(from)?,
            until: time(until)?,
        })
    }

    /// Minutes after midnight of each end, as stored.
    pub fn minutes(&self) -> (i64, i64) {
        let m = |t: Time| i64::from(t.hour()) * 60 + i64::from(t.minute());
        (m(self.from), m(self.until))
    }

    /// From minutes after midnight, as stored.
    pub fn from_minutes(from: i64, until: i64) -> Result<Self, ParseError> {
        let time = |m: i64| {
            if !(0..24 * 60).contains(&m) {
                return Err(ParseError::new("quiet_hours", "minutes out of the day"));
            }
            Time::new((m / 60) as i8, (m % 60) as i8, 0, 0)
                .map_err(|_| ParseError::new("quiet_hours", "minutes out of the day"))
        };
        Ok(Self {
            from: time(from)?,
            until: time(until)?,
        })
    }

    fn quiet_at(&self, t: Time) -> bool {
        match self.from.cmp(&self.until) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => self.from <= t && t < self.until,
            std::cmp::Ordering::Greater => t >= self.from || t < self.until,
        }
    }

    /// `at` itself when it is outside the quiet hours in `tz`, else the end of the quiet hours.
    pub fn next_allowed(&self, at: Timestamp, tz: &TimeZone) -> Timestamp {
        let local = at.to_zoned(tz.clone());
        if !self.quiet_at(local.time()) {
            return at;
        }
        // The quiet hours end today or, when they started this evening, tomorrow.
        let day = if local.time() >= self.until {
            local.date().tomorrow().unwrap_or(local.date())
        } else {
            local.date()
        };
        day.to_datetime(self.until)
            .to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .unwrap_or(at)
    }

    pub fn to_text(&self) -> String {
        format!(
            "{:02}:{:02}-{:02}:{:02}",
            self.from.hour(),
            self.from.minute(),
            self.until.hour(),
            self.until.minute()
        )
    }
}

/// When step `days` (days before `expires_at`; negative: days in grace) is due.
pub fn step_due(expires_at: Timestamp, days: i32, tz: &TimeZone) -> Option<Timestamp> {
    add_days(expires_at, -i64::from(days), tz).ok()
}

/// The latest expiry for which step `days` is due at `now`: `days` calendar days from `now`
/// in `tz`, at the same wall-clock time (negative: days back, in grace). Step `d` of a line is
/// due once its expiry is at most this far ahead, which is [`step_due`] read from `now`'s
/// side: the two agree but within an hour of a change of daylight saving time, where this one
/// is the rule (it keeps every step's lines one interval of expiries).
pub fn step_reach(now: Timestamp, days: i32, tz: &TimeZone) -> Option<Timestamp> {
    add_days(now, i64::from(days), tz).ok()
}

/// The schedule's steps, latest first (most days before expiry), each once, ignoring what is
/// not a step of days.
fn steps_of(schedule: &[i32]) -> Vec<i32> {
    let mut steps: Vec<i32> = schedule
        .iter()
        .copied()
        .filter(|d| is_schedule_step(*d))
        .collect();
    steps.sort_unstable_by(|a, b| b.cmp(a));
    steps.dedup();
    steps
}

/// The step of `schedule` due at `now` for a line expiring at `expires_at`: the last one whose
/// time has come, while the next has not.
pub fn current_step(
    schedule: &[i32],
    expires_at: Timestamp,
    now: Timestamp,
    tz: &TimeZone,
) -> Option<i32> {
    // The latest step (fewest days before expiry) whose time has come.
    steps_of(schedule)
        .into_iter()
        .rev()
        .find(|d| step_reach(now, *d, tz).is_some_and(|reach| expires_at <= reach))
}

/// The expiries whose current step at `now` is `step`, one interval for each step of the
/// schedule: after `after` (none for the schedule's last step, which stays current) and at or
/// before `until`. Lets a store select a step's lines by their expiry alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepWindow {
    pub step: i32,
    pub after: Option<Timestamp>,
    pub until: Timestamp,
}

impl StepWindow {
    pub fn holds(&self, expires_at: Timestamp) -> bool {
        expires_at <= self.until && self.after.is_none_or(|a| expires_at > a)
    }
}

/// Every step's window of `schedule` at `now`, latest step first: together they hold exactly
/// the expiries [`current_step`] gives a step for, each in the window of that step.
pub fn step_windows(schedule: &[i32], now: Timestamp, tz: &TimeZone) -> Vec<StepWindow> {
    let steps = steps_of(schedule);
    let reaches: Vec<Option<Timestamp>> = steps.iter().map(|d| step_reach(now, *d, tz)).collect();
    steps
        .iter()
        .enumerate()
        .filter_map(|(i, step)| {
            let until = reaches[i]?;
            let after = match steps.get(i + 1) {
                Some(_) => Some(reaches[i + 1]?),
                None => None,
            };
            // Out of the zone's range, a step has no window (nor, in `current_step`, a due).
            Some(StepWindow {
                step: *step,
                after,
                until,
            })
        })
        .collect()
}

/// Reminder steps from here on are notices of data used, not days before expiry: the step is
/// this plus the share of a bundle used, in percent ([`DATA_THRESHOLDS`]), and the reminder's
/// expiry is the bundle's end. A brand's schedule never reaches it (steps are days).
pub const DATA_NOTICE_BASE: i32 = 10_000;

/// The shares of a bundle used at which the subscriber is told, once each.
pub const DATA_THRESHOLDS: [u8; 2] = [80, 100];

/// The reminder step of a data notice at `percent`.
pub fn data_notice_step(percent: u8) -> i32 {
    DATA_NOTICE_BASE + i32::from(percent)
}

/// The percent a data notice's step stands for; `None` for a step of the expiry schedule.
pub fn data_notice_percent(step: i32) -> Option<u8> {
    (DATA_NOTICE_BASE..AUTO_RENEW_NOTICE_BASE)
        .contains(&step)
        .then(|| u8::try_from(step - DATA_NOTICE_BASE).ok())
        .flatten()
}

/// Reminder steps from here on tell that an automatic renewal did not happen and the line
/// renews by hand: the step is this plus [`AutoRenewNotice`]'s number, and the reminder's
/// expiry is the line's, so each reason is told once per expiry and channel.
pub const AUTO_RENEW_NOTICE_BASE: i32 = 20_000;

/// Why the subscriber is told to renew by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AutoRenewNotice {
    /// The brand's monthly auto-debit limit was reached.
    MonthlyLimit,
    /// The subscriber's own monthly cap would have been passed.
    SpendCap,
    /// The payment failed, and its retries with it.
    PaymentFailed,
    /// The bank asks the card holder to confirm the payment (`authentication_required`).
    NeedsAuthentication,
}

impl AutoRenewNotice {
    pub const ALL: [Self; 4] = [
        Self::MonthlyLimit,
        Self::SpendCap,
        Self::PaymentFailed,
        Self::NeedsAuthentication,
    ];

    /// The reminder step that carries it.
    pub fn step(self) -> i32 {
        AUTO_RENEW_NOTICE_BASE
            + match self {
                Self::MonthlyLimit => 1,
                Self::SpendCap => 2,
                Self::PaymentFailed => 3,
                Self::NeedsAuthentication => 4,
            }
    }

    /// The notice a reminder step stands for, if it is one.
    pub fn of_step(step: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.step() == step)
    }

    /// The reminder step that carries it when it stopped a data top-up rather than a renewal.
    pub fn top_up_step(self) -> i32 {
        self.step() + (TOP_UP_NOTICE_BASE - AUTO_RENEW_NOTICE_BASE)
    }

    /// The notice of a stopped data top-up a reminder step stands for, if it is one.
    pub fn of_top_up_step(step: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.top_up_step() == step)
    }

    /// Its name in message keys and answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MonthlyLimit => "monthly_limit",
            Self::SpendCap => "spend_cap",
            Self::PaymentFailed => "payment_failed",
            Self::NeedsAuthentication => "needs_authentication",
        }
    }
}

/// The reminder steps of a data top-up that stopped (see [`AutoRenewNotice::top_up_step`]):
/// the reminder's expiry is the line's, so each reason is told once per expiry and channel.
pub const TOP_UP_NOTICE_BASE: i32 = 20_100;

/// The reminder step of a notice of a price change: the reminder's expiry is the day the new
/// price comes into force (`simrenew_domain::price_notice`).
pub const PRICE_NOTICE_STEP: i32 = 30_000;

/// Whether `step` can be a step of a brand's expiry schedule (days, before or after expiry).
pub fn is_schedule_step(step: i32) -> bool {
    step.abs() < DATA_NOTICE_BASE
}

/// The thresholds passed when a bundle's use goes from `before` to `after` percent, lowest
/// first.
pub fn thresholds_crossed(before: u64, after: u64) -> Vec<u8> {
    DATA_THRESHOLDS
        .into_iter()
        .filter(|t| before < u64::from(*t) && u64::from(*t) <= after)
        .collect()
}

/// The letters of a verification code: Crockford's base 32, which leaves out I, L, O and U so
/// that a code read aloud or typed from a phone is not mistaken.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters of a verification code (50 bits).
pub const CODE_LEN: usize = 10;

/// A message's verification code, as the subscriber reads it: `K7Q4M-ZPA2X`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationCode(String);

impl VerificationCode {
    /// From [`CODE_LEN`] random values (each taken modulo 32).
    pub fn from_random(bytes: [u8; CODE_LEN]) -> Self {
        Self(
            bytes
                .iter()
                .map(|b| ALPHABET[usize::from(b % 32)] as char)
                .collect(),
        )
    }

    /// What a person typed: case, spaces and dashes do not matter, and O, I and L read as the
    /// digits they look like.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let mut code = String::with_capacity(CODE_LEN);
        for c in s.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return Err(ParseError::new(
                    "code",
                    "a verification code has 10 letters and digits, as in K7Q4M-ZPA2X",
                ));
            }
            code.push(c);
        }
        if code.len() != CODE_LEN {
            return Err(ParseError::new(
                "code",
                "a verification code has 10 letters and digits, as in K7Q4M-ZPA2X",
            ));
        }
        Ok(Self(code))
    }

    /// The canonical form, without the dash: what is hashed and stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As printed in a message: two groups of five.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brussels() -> TimeZone {
        TimeZone::get("Europe/Brussels").unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse::<jiff::Zoned>().unwrap().timestamp()
    }

    #[test]
    fn the_current_step_is_the_last_one_due() {
        let tz = brussels();
        let expiry = at("2027-03-31T23:59:59[Europe/Brussels]");
        let schedule = [14, 7, 3, 1, 0, -1];
        let step = |now: &str| current_step(&schedule, expiry, at(now), &tz);
        assert_eq!(step("2027-03-17T23:59:58[Europe/Brussels]"), None);
        assert_eq!(step("2027-03-17T23:59:59[Europe/Brussels]"), Some(14));
        assert_eq!(step("2027-03-24T23:59:58[Europe/Brussels]"), Some(14));
        assert_eq!(step("2027-03-29T12:00[Europe/Brussels]"), Some(3));
        assert_eq!(step("2027-04-01T12:00[Europe/Brussels]"), Some(0));
        assert_eq!(step("2027-04-02T00:00[Europe/Brussels]"), Some(-1));
        // Unsorted schedules read the same.
        assert_eq!(
            current_step(
                &[1, 14, 7],
                expiry,
                at("2027-03-25T00:00[Europe/Brussels]"),
                &tz
            ),
            Some(7)
        );
    }

    #[test]
    fn each_step_window_holds_exactly_the_expiries_whose_current_step_it_is() {
        // Nows on both changes of daylight saving time in Brussels (28 March and 31 October
        // 2027), expiries every 17 minutes from 20 days before to 20 days after.
        let tz = brussels();
        let schedule = [7, 14, 3, 1, 0, -1, -3, 3];
        for now in [
            "2027-03-28T01:30+01:00[Europe/Brussels]",
            "2027-03-28T03:30+02:00[Europe/Brussels]",
            "2027-03-21T02:30+01:00[Europe/Brussels]",
            "2027-10-31T02:30+01:00[Europe/Brussels]",
            "2027-10-24T02:30+02:00[Europe/Brussels]",
            "2027-06-01T09:00[Europe/Brussels]",
        ] {
            let now = at(now);
            let windows = step_windows(&schedule, now, &tz);
            assert_eq!(
                windows.iter().map(|w| w.step).collect::<Vec<_>>(),
                [14, 7, 3, 1, 0, -1, -3]
            );
            let mut e = now
                .checked_sub(jiff::SignedDuration::from_hours(480))
                .unwrap();
            let end = now
                .checked_add(jiff::SignedDuration::from_hours(480))
                .unwrap();
            while e < end {
                let holding: Vec<i32> = windows
                    .iter()
                    .filter(|w| w.holds(e))
                    .map(|w| w.step)
                    .collect();
                let step = current_step(&schedule, e, now, &tz);
                assert_eq!(
                    holding,
                    step.into_iter().collect::<Vec<_>>(),
                    "{e} at {now}"
                );
                e = e.checked_add(jiff::SignedDuration::from_mins(17)).unwrap();
            }
        }
    }

    #[test]
    fn a_step_keeps_the_wall_clock_time_across_daylight_saving() {
        // Summer time starts on 28 March 2027: 7 days before 1 April 10:00 is 25 March 10:00,
        // 167 hours earlier, not 168.
        let tz = brussels();
        let due = step_due(at("2027-04-01T10:00[Europe/Brussels]"), 7, &tz).unwrap();
        assert_eq!(due, at("2027-03-25T10:00[Europe/Brussels]"));
    }

    #[test]
    fn quiet_hours_across_midnight_hold_an_sms_until_morning() {
        let tz = brussels();
        let q = QuietHours::default();
        let evening = at("2027-03-01T22:30[Europe/Brussels]");
        assert_eq!(
            q.next_allowed(evening, &tz),
            at("2027-03-02T08:00[Europe/Brussels]")
        );
        let night = at("2027-03-02T03:00[Europe/Brussels]");
        assert_eq!(
            q.next_allowed(night, &tz),
            at("2027-03-02T08:00[Europe/Brussels]")
        );
        let day = at("2027-03-02T12:00[Europe/Brussels]");
        assert_eq!(q.next_allowed(day, &tz), day);
        let none = QuietHours::parse("00:00-00:00").unwrap();
        assert_eq!(none.next_allowed(night, &tz), night);
        let lunch = QuietHours::parse("12:00-14:00").unwrap();
        assert_eq!(
            lunch.next_allowed(day, &tz),
            at("2027-03-02T14:00[Europe/Brussels]")
        );
        assert_eq!(QuietHours::parse("21:00-08:00").unwrap(), q);
        assert_eq!(q.to_text(), "21:00-08:00");
        let (f, u) = q.minutes();
        assert_eq!(QuietHours::from_minutes(f, u).unwrap(), q);
        assert!(QuietHours::parse("21h-8h").is_err());
    }

    #[test]
    fn codes_read_as_people_type_them() {
        let code = VerificationCode::from_random([0, 1, 31, 32, 17, 18, 19, 20, 21, 255]);
        assert_eq!(code.as_str(), "01Z0HJKMNZ");
        assert_eq!(code.display(), "01Z0H-JKMNZ");
        assert_eq!(VerificationCode::parse("o1z0h-jkmnz").unwrap(), code);
        assert_eq!(VerificationCode::parse(" 01Z0H JKMNZ ").unwrap(), code);
        assert!(VerificationCode::parse("01Z0H-JKMN").is_err());
        assert!(VerificationCode::parse("01Z0H-JKMNU").is_err());
        assert!(VerificationCode::parse("01Z0H-JKMNé").is_err());
    }

    #[test]
    fn data_notice_steps_stand_apart_from_the_schedule() {
        assert_eq!(data_notice_step(80), 10_080);
        assert_eq!(data_notice_percent(10_100), Some(100));
        assert_eq!(data_notice_percent(14), None);
        assert_eq!(data_notice_percent(-3), None);
        assert!(is_schedule_step(-7) && is_schedule_step(30) && !is_schedule_step(10_080));
        for n in AutoRenewNotice::ALL {
            assert_eq!(AutoRenewNotice::of_step(n.step()), Some(n));
            assert_eq!(data_notice_percent(n.step()), None);
            assert!(!is_schedule_step(n.step()));
        }
        assert_eq!(AutoRenewNotice::of_step(10_080), None);
        assert_eq!(thresholds_crossed(79, 80), vec![80]);
        assert_eq!(thresholds_crossed(80, 99), Vec::<u8>::new());
        assert_eq!(thresholds_crossed(10, 100), vec![80, 100]);
        assert_eq!(thresholds_crossed(100, 100), Vec::<u8>::new());
    }
}
