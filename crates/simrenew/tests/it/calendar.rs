//! The personal calendar feed (RFC 5545): made by its subscriber only, read by an independent
//! iCalendar parser, ended by the next one and by erasure.

use axum::http::{header, Method, StatusCode};
use serde_json::json;

use crate::pages::{hidden, Browser};
use crate::support::both;

/// The events of a feed as (SUMMARY, DTSTART, TRIGGER of its first alarm).
fn events(text: &str) -> Vec<(String, String, Option<String>)> {
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = calendars
        .next()
        .expect("one calendar")
        .unwrap_or_else(|e| panic!("{e}: {text}"));
    assert!(calendars.next().is_none());
    let value = |props: &[ical::property::Property], name: &str| {
        props
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
    };
    calendar
        .events
        .iter()
        .map(|e| {
            (
                value(&e.properties, "SUMMARY").unwrap_or_default(),
                value(&e.properties, "DTSTART").unwrap_or_default(),
                e.alarms
                    .first()
                    .and_then(|a| value(&a.properties, "TRIGGER")),
            )
        })
        .collect()
}

both! {
    async fn a_subscriber_subscribes_to_their_expiry_dates_and_can_end_the_address(app: TestApp) {
        let mut app = app;
        let (msisdn, subscriber) = app.subscriber_line().await;
        let session = app.signed_in(&msisdn).await;
        let uri = format!("/api/v1/subscribers/{}/calendar-link", subscriber.0);

        // Nobody else makes it: not another principal, not without a session.
        let (s, body, _) = app.request(Method::POST, &uri, None, &[]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "an admin does not: {body}");
        let (s, _) = app.request_as(None, Method::POST, &uri, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);

        let (s, made) = app.as_subscriber(&session, Method::POST, &uri, None).await;
        assert_eq!(s, StatusCode::CREATED, "{made}");
        let url = made["url"].as_str().unwrap().to_owned();
        let path = url.strip_prefix("https://test.example").unwrap_or_else(|| panic!("{url}"));
        assert!(path.starts_with("/calendar/cal_") && path.ends_with(".ics"), "{url}");

        let mut b = Browser::default();
        let (s, text, headers) = b.get(&app, path).await;
        assert_eq!(s, StatusCode::OK, "{text}");
        assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/calendar"));
        // The line expires on 25 January 2027 at 10:00 in Brussels, grace ends a week later;
        // the subscriber reads Dutch.
        let found = events(&text);
        assert_eq!(found.len(), 2, "{text}");
        assert_eq!(found[0].0, format!("Test Mobile-lijn {msisdn} verloopt"));
        assert_eq!(found[0].1, "20270125T090000Z");
        // Three days before, as RFC 5545 writes a duration.
        assert!(
            matches!(found[0].2.as_deref(), Some("-P3D" | "-PT72H" | "-PT259200S")),
            "{text}"
        );
        assert_eq!(found[1].1, "20270201T090000Z");
        assert!(found[1].0.contains("laatste dag"), "{text}");

        // A new address ends the old one; a wrong token is a 404 like any other.
        let (s, again) = app.as_subscriber(&session, Method::POST, &uri, None).await;
        assert_eq!(s, StatusCode::CREATED, "{again}");
        let newer = again["url"].as_str().unwrap().strip_prefix("https://test.example").unwrap().to_owned();
        assert_ne!(newer, path);
        assert_eq!(b.get(&app, path).await.0, StatusCode::NOT_FOUND);
        assert_eq!(b.get(&app, &newer).await.0, StatusCode::OK);
        assert_eq!(b.get(&app, "/calendar/cal_0000.ics").await.0, StatusCode::NOT_FOUND);
        assert_eq!(b.get(&app, "/calendar/nothing").await.0, StatusCode::NOT_FOUND);
        let entries = app.audit_entries("calendar.new_link").await;
        assert_eq!(entries.len(), 2);

        // Erasure ends it.
        let (s, body) = app
            .post(&format!("/api/v1/subscribers/{}/erasure", subscriber.0), json!({}))
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(b.get(&app, &newer).await.0, StatusCode::NOT_FOUND);
    }

    async fn the_account_page_makes_the_address_and_shows_it_once(app: TestApp) {
        let mut app = app;
        let outbox = std::sync::Arc::new(crate::support::Outbox::default());
        let with = app.app.clone().with_sms(outbox.clone());
        app.router = simrenew_http::router(simrenew_http::AppState::new(with));
        let (msisdn, _) = app.subscriber_line().await;
        let mut b = Browser::default();
        let (_, page, _) = b.get(&app, "/en/sign-in").await;
        let csrf = hidden(&page, "csrf");
        let (s, _, _) = b.post(&app, "/en/sign-in", &[("csrf", &csrf), ("phone", msisdn.as_str())]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        app.codes_sent().await;
        let code = outbox.last_code(&msisdn);
        let (s, _, _) = b
            .post(&app, "/en/sign-in/code", &[("csrf", &csrf), ("phone", msisdn.as_str()), ("code", &code)])
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, page, _) = b.get(&app, "/en/account").await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(page.contains("Make a calendar address"), "{page}");
        assert!(!page.contains("/calendar/cal_"));
        let csrf = hidden(&page, "csrf");
        let (s, page, _) = b.post(&app, "/en/account/calendar", &[("csrf", &csrf)]).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let start = page.find("https://test.example/calendar/cal_").unwrap_or_else(|| panic!("{page}"));
        let url = page[start..].split('"').next().unwrap();
        let (s, text, _) = b.get(&app, url.strip_prefix("https://test.example").unwrap()).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(events(&text).len(), 2);
        let (s, page, _) = b.get(&app, "/en/account").await;
        assert_eq!(s, StatusCode::OK);
        assert!(!page.contains("/calendar/cal_"), "shown once only");
        let (s, _, _) = b.post(&app, "/en/account/calendar", &[("csrf", "forged")]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "no CSRF token, no new address");
    }
}
