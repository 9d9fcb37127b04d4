//! Telling people before their line lapses: reminders on each brand's schedule, by e-mail and
//! SMS, in the subscriber's language, and the check of a message's verification code.
//!
//! A worker pass first *plans*: for each brand and step of its schedule
//! (`simrenew_domain::reminder`), the lines whose expiry is in the step's window get one row
//! per channel, written by the database from the lines themselves a batch a statement, unique
//! per line, expiry, step and channel, so no step is planned twice however many workers run.
//! Then it *sends*: due rows are claimed [`IN_FLIGHT`] at a time (`pending → sending`, with a
//! fresh verification code's hash) in a transaction committed before the gateways are asked,
//! and marked `sent` together once they answered. A worker killed mid-send leaves its rows
//! `sending`: they
//! are shown to admins and never sent again, because a reminder sent twice is worse than one
//! an admin sees missing. A gateway's refusal is tried again after 5, 10 and 20 minutes, then
//! the row is `failed`.
//!
//! Only the line's subscriber is written to: the e-mail address on record and the line's own
//! number. A message links only to the brand's portal address. An SMS waits out the brand's
//! quiet hours; a line with auto-renew on is reminded only from its expiry on (when the
//! automatic renewal did not happen). [`calendar`] offers the same expiries as a personal
//! iCalendar feed. May use: `identity` (the gateways, per-client limits),
//! `sales` and the ground.

pub mod calendar;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use simrenew_domain::brand::Brand;
use simrenew_domain::identifiers::{Email, Msisdn};
use simrenew_domain::ids::{BrandId, LineId, SubscriberId};
use simrenew_domain::reminder::{step_windows, VerificationCode, CODE_LEN};

use crate::{App, AppResult, StoreResult};

/// Rows planned per statement.
pub const BATCH: u32 = 200;

/// Reminders claimed at once and sent side by side: what a worker killed mid-send leaves
/// `sending`, at most.
pub const IN_FLIGHT: usize = 32;

/// How long a pass goes on sending due reminders before the worker turns to its other work
/// (renewals and the lifecycle wait no longer than this behind a day's reminders).
pub const SEND_FOR: std::time::Duration = std::time::Duration::from_secs(2);

/// How often a process plans reminders.
pub const PLAN_EVERY: SignedDuration = SignedDuration::from_secs(60);

/// Times a gateway is asked before a reminder is given up.
pub const SEND_ATTEMPTS: u32 = 4;

/// The wait after the first refusal; it doubles after each.
pub const RETRY_AFTER: SignedDuration = SignedDuration::from_mins(5);

/// Checks of verification codes per client address and [`CHECK_WINDOW`].
pub const CHECKS_PER_CLIENT: i64 = 20;
pub const CHECK_WINDOW: SignedDuration = SignedDuration::from_hours(1);

/// How a reminder reaches its subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageChannel {
    Email,
    Sms,
}

impl MessageChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(Self::Email),
            "sms" => Some(Self::Sms),
            _ => None,
        }
    }
}

/// Where a reminder is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderState {
    Pending,
    /// Claimed by a worker, which had not heard back from the gateway when last seen.
    Sending,
    Sent,
    Failed,
}

impl ReminderState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "sending" => Some(Self::Sending),
            "sent" => Some(Self::Sent),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// A step of a brand's schedule to plan, by the channels of this process: each line whose
/// current step it is gets a row per channel (e-mail only to a subscriber with an address),
/// due when the channel may send.
#[derive(Debug, Clone, Copy)]
pub struct StepPlan {
    pub brand: BrandId,
    pub window: simrenew_domain::reminder::StepWindow,
    pub now: Timestamp,
    /// When an e-mail may go; `None` when this process sends none.
    pub email_due: Option<Timestamp>,
    /// When an SMS may go (after the brand's quiet hours); `None` when this process sends none.
    pub sms_due: Option<Timestamp>,
}

/// Lines read per statement when a step is planned.
pub const PLAN_BATCH: u32 = 20_000;

/// A reminder to plan.
#[derive(Debug, Clone)]
pub struct NewReminder {
    pub brand: BrandId,
    pub line: LineId,
    pub subscriber: SubscriberId,
    pub expires_at: Timestamp,
    pub step: i32,
    pub channel: MessageChannel,
    pub due_at: Timestamp,
}

/// A reminder claimed for sending, with what its message says and where it goes.
#[derive(Debug, Clone)]
pub struct ClaimedReminder {
    pub id: i64,
    /// Which of the offered code hashes it was given.
    pub code_index: usize,
    pub brand: BrandId,
    pub msisdn: Msisdn,
    pub subscriber_name: String,
    pub email: Option<Email>,
    pub language: String,
    pub expires_at: Timestamp,
    pub grace_until: Option<Timestamp>,
    pub step: i32,
    pub channel: MessageChannel,
    pub attempts: u32,
    /// A notice of a price change: what changes.
    pub price_change: Option<PriceChange>,
}

/// What a notice of a price change tells: the plan, its price now and from the reminder's
/// expiry on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceChange {
    pub plan_name: String,
    pub old_price: simrenew_domain::money::Money,
    pub new_price: simrenew_domain::money::Money,
}

/// A reminder as an admin sees it.
#[derive(Debug, Clone)]
pub struct ReminderRecord {
    pub id: i64,
    pub msisdn: Msisdn,
    pub expires_at: Timestamp,
    pub step: i32,
    pub channel: MessageChannel,
    pub state: ReminderState,
    pub due_at: Timestamp,
    pub attempts: u32,
    pub sent_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// What a verification code tells about the message that carried it.
#[derive(Debug, Clone)]
pub struct CheckedMessage {
    pub brand_name: String,
    pub portal_url: String,
    pub channel: MessageChannel,
    pub msisdn: Msisdn,
    pub expires_at: Timestamp,
    pub time_zone: jiff::tz::TimeZone,
    pub sent_at: Option<Timestamp>,
}

/// A notice of data used (80 %, 100 % of a bundle), recorded with the usage that made it due
/// and waiting to be planned.
#[derive(Debug, Clone)]
pub struct DataNoticeDue {
    pub id: i64,
    pub brand: BrandId,
    pub line: LineId,
    /// `None` for a line without a subscriber (or an erased one): nobody to tell.
    pub subscriber: Option<SubscriberId>,
    pub has_email: bool,
    pub percent: u8,
    /// The bundle's end: the reminder's expiry.
    pub ends_at: Timestamp,
}

/// The reminders' reads and writes (a supertrait of [`crate::Store`]); each call is one
/// transaction.
#[async_trait]
pub trait ReminderStore {
    /// Plans `plan`'s step for up to `limit` lines of its brand in `state` whose expiry is in
    /// the step's window, soonest expiry first (then by line) from past `from`: lines with a
    /// subscriber (not erased), without a reminder of this step or a later (smaller) one for
    /// their current expiry; with auto-renew on only from step 0 (when the renewal did not
    /// happen); during grace only while it lasts. Inserts the rows in the database, in one
    /// transaction: how many were new, and the last line read, from which the next call
    /// reads on (`None` when the window has no more).
    async fn plan_step(
        &self,
        plan: &StepPlan,
        state: simrenew_domain::line::LineState,
        from: Option<(Timestamp, LineId)>,
        limit: u32,
    ) -> StoreResult<(u32, Option<(Timestamp, LineId)>)>;
    /// The data notices not planned yet, oldest first.
    async fn data_notices_due(&self, limit: u32) -> StoreResult<Vec<DataNoticeDue>>;
    /// Inserts the reminders of these data notices that are not there yet and marks the
    /// notices planned, in one transaction; how many reminders were new.
    async fn plan_data_notices(
        &self,
        notices: &[i64],
        rows: &[NewReminder],
        now: Timestamp,
    ) -> StoreResult<u32>;
    /// Claims up to `code_hashes.len()` pending reminders due at `now` (`FOR UPDATE SKIP
    /// LOCKED` on PostgreSQL), giving the i-th the i-th hash.
    async fn claim_reminders(
        &self,
        now: Timestamp,
        code_hashes: &[String],
    ) -> StoreResult<Vec<ClaimedReminder>>;
    /// These reminders were sent (the gateways took them), in one statement.
    async fn reminders_sent(&self, ids: &[i64], now: Timestamp) -> StoreResult<()>;
    /// A refusal: pending again at `retry_at`, or failed when `None`.
    async fn reminder_refused(
        &self,
        id: i64,
        retry_at: Option<Timestamp>,
        error: &str,
    ) -> StoreResult<()>;
    /// The message that carried the code whose hash this is.
    async fn message_by_code(&self, code_hash: &str) -> StoreResult<Option<CheckedMessage>>;
    /// The newest reminders, of one line when given.
    async fn reminders(
        &self,
        line: Option<&Msisdn>,
        limit: u32,
    ) -> StoreResult<Vec<ReminderRecord>>;
}

/// What a reminder says, for the texts to word it.
#[derive(Debug, Clone)]
pub struct ReminderFacts<'a> {
    pub language: &'a str,
    pub brand: &'a Brand,
    pub subscriber_name: &'a str,
    pub msisdn: &'a Msisdn,
    pub expires_at: Timestamp,
    /// Set once the line is past its expiry.
    pub grace_until: Option<Timestamp>,
    pub step: i32,
    /// Calendar days from the day the message goes out to the day of expiry, in the brand's
    /// zone (negative once past it): what the message says is left, which is the step's days
    /// only when it goes out on the step's day.
    pub days_left: i32,
    pub channel: MessageChannel,
    pub code: &'a VerificationCode,
    /// The brand's portal, the only address a message links to.
    pub portal_url: &'a str,
    /// Where the code is checked: the portal's check page.
    pub check_url: String,
    /// A notice of a price change: what changes.
    pub price_change: Option<&'a PriceChange>,
}

/// A worded message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordedMessage {
    pub subject: String,
    pub text: String,
    /// The same words as an HTML page, for an e-mail that has both.
    pub html: Option<String>,
}

/// Words messages in the subscriber's language (the binary's Fluent catalog).
pub trait MessageTexts: Send + Sync {
    fn reminder(&self, facts: &ReminderFacts<'_>) -> WordedMessage;
}

/// What a reminder pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderReport {
    pub planned: u32,
    pub sent: u32,
    pub refused: u32,
}

impl ReminderReport {
    pub fn did_any(&self) -> bool {
        self.planned + self.sent + self.refused > 0
    }
}

/// The hash a verification code is stored and looked up by.
pub fn code_hash(code: &VerificationCode) -> String {
    crate::identity::sha256_hex(code.as_str())
}

/// `now + days` as plain seconds; the calendar's answer is within two hours of it.
impl App {
    /// Words reminders with these texts; without them, no reminder is planned.
    pub fn with_message_texts(mut self, texts: Arc<dyn MessageTexts>) -> Self {
        self.message_texts = Some(texts);
        self
    }

    /// Sends reminders through these gateways rather than those of sign-in codes (an SMS
    /// provider's route for notifications is often not the one for one-time codes).
    pub fn with_reminder_gateways(
        mut self,
        mail: Arc<dyn crate::identity::signin::MailGateway>,
        sms: Arc<dyn crate::identity::signin::SmsGateway>,
    ) -> Self {
        self.reminder_mail = Some(mail);
        self.reminder_sms = Some(sms);
        self
    }

    fn reminder_mail(&self) -> Option<&Arc<dyn crate::identity::signin::MailGateway>> {
        self.reminder_mail.as_ref().or(self.mail.as_ref())
    }

    fn reminder_sms(&self) -> Option<&Arc<dyn crate::identity::signin::SmsGateway>> {
        self.reminder_sms.as_ref().or(self.sms.as_ref())
    }

    /// The channels reminders can go by in this process.
    pub(crate) fn reminder_channels(&self) -> (bool, bool) {
        (
            self.reminder_mail().is_some(),
            self.reminder_sms().is_some(),
        )
    }

    /// One reminder row per channel this process sends by (e-mail when the subscriber has an
    /// address; SMS after the brand's quiet hours), for `line` of `subscriber`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn reminder_rows(
        &self,
        brand: &Brand,
        line: LineId,
        subscriber: SubscriberId,
        has_email: bool,
        expires_at: Timestamp,
        step: i32,
        now: Timestamp,
    ) -> Vec<NewReminder> {
        let (email_due, sms_due) = self.reminder_dues(brand, now);
        let row = |channel, due_at| NewReminder {
            brand: brand.id,
            line,
            subscriber,
            expires_at,
            step,
            channel,
            due_at,
        };
        let mut rows = Vec::new();
        if let (Some(due), true) = (email_due, has_email) {
            rows.push(row(MessageChannel::Email, due));
        }
        if let Some(due) = sms_due {
            rows.push(row(MessageChannel::Sms, due));
        }
        rows
    }

    /// When a reminder planned at `now` may go by e-mail and by SMS (after the brand's quiet
    /// hours); `None` for a channel this process does not send by.
    fn reminder_dues(
        &self,
        brand: &Brand,
        now: Timestamp,
    ) -> (Option<Timestamp>, Option<Timestamp>) {
        let (mail, sms) = self.reminder_channels();
        (
            mail.then_some(now),
            sms.then(|| brand.quiet_hours.next_allowed(now, &brand.time_zone)),
        )
    }

    /// Plans the reminders due now and sends those whose time has come, for [`SEND_FOR`] at
    /// most: what is left goes in the next pass.
    pub async fn run_reminders(&self) -> AppResult<ReminderReport> {
        let mut report = ReminderReport::default();
        let (mail, sms) = self.reminder_channels();
        if self.message_texts.is_none() || !(mail || sms) {
            return Ok(report);
        }
        let now = self.now();
        let brands = self.store.brands().await?;
        // Steps are days apart: planning once a minute is plenty, and spares the database a
        // scan of every brand's windows at each pass (the sending below runs every pass).
        let plan = {
            let mut last = self
                .reminders_planned_at
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            match *last {
                Some(t) if t <= now && now < t.checked_add(PLAN_EVERY).unwrap_or(t) => false,
                _ => {
                    *last = Some(now);
                    true
                }
            }
        };
        if plan {
            for brand in &brands {
                report.planned += self.plan_reminders(brand, now).await?;
            }
        }
        let brands: HashMap<BrandId, &Brand> = brands.iter().map(|b| (b.id, b)).collect();
        report.planned += self.plan_data_notices(&brands, now).await?;
        let started = std::time::Instant::now();
        loop {
            let codes: Vec<VerificationCode> = (0..IN_FLIGHT)
                .map(|_| VerificationCode::from_random(rand::random::<[u8; CODE_LEN]>()))
                .collect();
            let hashes: Vec<String> = codes.iter().map(code_hash).collect();
            let claimed = self.store.claim_reminders(now, &hashes).await?;
            let n = claimed.len();
            let outcomes = futures_util::future::join_all(claimed.iter().map(|c| async {
                let brand = brands.get(&c.brand).ok_or("the brand is gone")?;
                let code = codes.get(c.code_index).ok_or("no code for it")?;
                self.send_reminder(brand, c, code).await
            }))
            .await;
            let mut sent = Vec::with_capacity(n);
            for (c, outcome) in claimed.into_iter().zip(outcomes) {
                match outcome {
                    Ok(()) => sent.push(c.id),
                    Err(cause) => {
                        let retry_at = (c.attempts < SEND_ATTEMPTS).then(|| {
                            let wait = RETRY_AFTER * 2i32.pow(c.attempts.saturating_sub(1));
                            now.checked_add(wait).unwrap_or(now)
                        });
                        tracing::warn!(
                            reminder = c.id,
                            channel = c.channel.as_str(),
                            attempts = c.attempts,
                            given_up = retry_at.is_none(),
                            %cause,
                            "a gateway refused a reminder"
                        );
                        self.store.reminder_refused(c.id, retry_at, &cause).await?;
                        report.refused += 1;
                    }
                }
            }
            self.store.reminders_sent(&sent, self.now()).await?;
            report.sent += u32::try_from(sent.len()).unwrap_or(u32::MAX);
            if n < IN_FLIGHT || started.elapsed() >= SEND_FOR {
                break;
            }
        }
        Ok(report)
    }

    /// Plans the current step of every line of `brand` due for one, step by step of its
    /// schedule: each step's window of expiries ([`step_windows`]) read through in the
    /// database, [`PLAN_BATCH`] lines a statement, the lines in grace after the active ones.
    /// [`App::run_reminders`] plans each brand so, once a minute, before it sends.
    pub async fn plan_reminders(&self, brand: &Brand, now: Timestamp) -> AppResult<u32> {
        use simrenew_domain::line::LineState;
        let (email_due, sms_due) = self.reminder_dues(brand, now);
        let mut planned = 0;
        for window in step_windows(&brand.reminder_days, now, &brand.time_zone) {
            let plan = StepPlan {
                brand: brand.id,
                window,
                now,
                email_due,
                sms_due,
            };
            for state in [LineState::Active, LineState::Grace] {
                let mut from = None;
                loop {
                    let (new, last) = self.store.plan_step(&plan, state, from, PLAN_BATCH).await?;
                    planned += new;
                    match last {
                        Some(last) => from = Some(last),
                        None => break,
                    }
                }
            }
        }
        Ok(planned)
    }

    /// Turns the data notices recorded by usage into reminders, by the channels of this
    /// process (SMS after the brand's quiet hours); a notice of a line nobody subscribes is
    /// marked planned with no reminder.
    async fn plan_data_notices(
        &self,
        brands: &HashMap<BrandId, &Brand>,
        now: Timestamp,
    ) -> AppResult<u32> {
        let mut planned = 0;
        loop {
            let due = self.store.data_notices_due(BATCH).await?;
            let mut rows = Vec::new();
            for n in &due {
                let (Some(subscriber), Some(brand)) = (n.subscriber, brands.get(&n.brand)) else {
                    continue;
                };
                rows.extend(self.reminder_rows(
                    brand,
                    n.line,
                    subscriber,
                    n.has_email,
                    n.ends_at,
                    simrenew_domain::reminder::data_notice_step(n.percent),
                    now,
                ));
            }
            let ids: Vec<i64> = due.iter().map(|n| n.id).collect();
            planned += self.store.plan_data_notices(&ids, &rows, now).await?;
            if due.len() < BATCH as usize {
                return Ok(planned);
            }
        }
    }

    /// Words the reminder in its subscriber's language and hands it to its gateway.
    async fn send_reminder(
        &self,
        brand: &Brand,
        c: &ClaimedReminder,
        code: &VerificationCode,
    ) -> Result<(), String> {
        let texts = self
            .message_texts
            .as_ref()
            .ok_or("no message texts in this process")?;
        let portal_url = brand.portal_url.trim_end_matches('/');
        let facts = ReminderFacts {
            language: &c.language,
            brand,
            subscriber_name: &c.subscriber_name,
            msisdn: &c.msisdn,
            expires_at: c.expires_at,
            grace_until: c.grace_until.filter(|_| c.step < 0),
            step: c.step,
            days_left: simrenew_domain::time::calendar_days(
                self.now(),
                c.expires_at,
                &brand.time_zone,
            ),
            channel: c.channel,
            code,
            portal_url,
            check_url: format!("{portal_url}/check"),
            price_change: c.price_change.as_ref(),
        };
        let message = texts.reminder(&facts);
        match c.channel {
            MessageChannel::Email => {
                let to = c
                    .email
                    .as_ref()
                    .ok_or("no e-mail address on record any more")?;
                let gateway = self
                    .reminder_mail()
                    .ok_or("no e-mail gateway in this process")?;
                match &message.html {
                    Some(html) => {
                        gateway
                            .send_with_html(to, &message.subject, &message.text, html)
                            .await
                    }
                    None => gateway.send(to, &message.subject, &message.text).await,
                }
            }
            MessageChannel::Sms => {
                let gateway = self
                    .reminder_sms()
                    .ok_or("no SMS gateway in this process")?;
                gateway.send(&c.msisdn, &message.text).await
            }
        }
    }

    /// Whether a message carrying `code` came from us: what it was about, or `None`. Counted
    /// per client address, so that codes cannot be guessed by trying them.
    pub async fn check_message(
        &self,
        code: &VerificationCode,
        client: &str,
    ) -> AppResult<Option<CheckedMessage>> {
        self.count_against(&crate::identity::limits::Limit::new(
            format!("message-check:{client}"),
            CHECKS_PER_CLIENT,
            CHECK_WINDOW,
        ))
        .await?;
        Ok(self.store.message_by_code(&code_hash(code)).await?)
    }

    /// The newest reminders, of one line when given.
    pub async fn reminders(
        &self,
        line: Option<&Msisdn>,
        limit: u32,
    ) -> AppResult<Vec<ReminderRecord>> {
        Ok(self.store.reminders(line, limit).await?)
    }
}
