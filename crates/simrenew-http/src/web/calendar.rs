//! A subscriber's calendar feed (RFC 5545) at `/calendar/{token}.ics`: for each line, its
//! expiry with a reminder three days before, and the last day of grace, worded in the
//! subscriber's language. The token is the only credential; a token that is not (or no longer)
//! anyone's is a plain 404, the same for every wrong token.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use icalendar::{Alarm, Calendar, Component, Event, EventLike};
use simrenew_app::notifications::calendar::CalendarFeed;
use simrenew_domain::Timestamp;
use simrenew_i18n::{Arg, Lang};

use super::i18n::catalog;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/calendar/{file}", get(feed))
}

/// How long before an expiry the calendar's own alarm rings.
const ALARM_DAYS: i64 = 3;

fn utc(t: Timestamp) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t.as_second(), 0).unwrap_or_default()
}

/// The feed as iCalendar text.
pub fn render(feed: &CalendarFeed, lang: Lang, now: Timestamp) -> String {
    let brand = &feed.brand;
    let say = |key: &str, number: &str| {
        catalog().format(
            lang,
            key,
            &[
                ("brand", Arg::from(brand.name.as_str())),
                ("number", Arg::from(number)),
                ("portal", Arg::from(brand.portal_url.as_str())),
            ],
        )
    };
    let mut calendar = Calendar::new();
    calendar
        .name(&say("calendar-name", ""))
        .timezone(brand.time_zone_name())
        .ttl(&chrono::Duration::hours(6));
    for line in &feed.lines {
        let Some(expires_at) = line.expires_at else {
            continue;
        };
        let number = line.msisdn.as_str();
        let expiry = Event::new()
            .uid(&format!(
                "line-{}-expiry-{}@simrenew",
                line.id,
                expires_at.as_second()
            ))
            .timestamp(utc(now))
            .summary(&say("calendar-expiry", number))
            .description(&say("calendar-renew-at", number))
            .url(&brand.portal_url)
            .starts(utc(expires_at))
            .ends(utc(expires_at))
            .alarm(Alarm::display(
                &say("calendar-alarm", number),
                -chrono::Duration::days(ALARM_DAYS),
            ))
            .done();
        calendar.push(expiry);
        if let Some(grace_until) = line.grace_until.filter(|g| *g > expires_at) {
            let grace = Event::new()
                .uid(&format!(
                    "line-{}-grace-{}@simrenew",
                    line.id,
                    grace_until.as_second()
                ))
                .timestamp(utc(now))
                .summary(&say("calendar-grace-end", number))
                .description(&say("calendar-renew-at", number))
                .url(&brand.portal_url)
                .starts(utc(grace_until))
                .ends(utc(grace_until))
                .done();
            calendar.push(grace);
        }
    }
    calendar.done().to_string()
}

async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "no such calendar\n").into_response();
    let Some(token) = file.strip_suffix(".ics") else {
        return not_found();
    };
    match state.app.calendar_feed(token).await {
        Ok(Some(feed)) => {
            let lang = Lang::parse(&feed.language).unwrap_or(Lang::En);
            (
                [
                    (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                    (header::CACHE_CONTROL, "private, max-age=3600"),
                ],
                render(&feed, lang, state.app.now()),
            )
                .into_response()
        }
        Ok(None) => not_found(),
        Err(e) => {
            tracing::error!(error = %e, "a calendar feed could not be read");
            (StatusCode::SERVICE_UNAVAILABLE, "try again later\n").into_response()
        }
    }
}
