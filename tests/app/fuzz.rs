//! Property-based fuzzing (proptest) of everything that parses untrusted input: the dashboard's
//! query (`ListView`, as actix reads it), cursors, the task form (`TaskDraft`), emails, the
//! JSON API's body reader, `next=`, the `Authorization` header and the JWT decoder.
//!
//! Each parser must never panic, on arbitrary strings and bytes and on near-valid input built
//! from its own grammar; where a round trip exists (cursors, canonical view URLs, emails) it
//! must hold. No nightly toolchain here, so this is proptest rather than cargo-fuzz: it runs
//! with `cargo test`, bounded. Each property runs [`DEFAULT_CASES`] cases (well under a minute
//! in all on a debug build); `PROPTEST_CASES=100000 cargo test fuzz` digs deeper.

use actix_web::test::TestRequest;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, NaiveDate};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use proptest::prelude::*;
use serde_json::{Value, json};
use sha2::Sha256;
use task_dashboard::{
    auth::jwt::JwtKeys,
    config::Secret,
    domain::{
        listing::{Cursor, SortValue},
        quick_add::QuickAdd,
        task::{TaskDraft, TaskFilter},
        user::Email,
    },
    error::AppError,
    web::auth::safe_next,
    web::{
        api::{
            caller::bearer_token,
            json::read_json,
            tasks::body::{NEW_FIELDS, NewTask, PATCH_FIELDS, TaskPatch},
        },
        tasks::view::{ListView, RawView},
    },
};

use crate::helpers::SECRET;

const DEFAULT_CASES: u32 = 4000;

/// [`DEFAULT_CASES`] unless `PROPTEST_CASES` says otherwise; failures are reported, not
/// written to a regressions file in the source tree.
fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var("PROPTEST_CASES").is_err() {
        config.cases = DEFAULT_CASES;
    }
    config.failure_persistence = None;
    config
}

/// Values a query parameter might hold: arbitrary text, and near-valid values.
fn query_value() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        any::<String>().prop_map(Some),
        prop::sample::select(vec![
            "", "all", "open", "done", "low", "medium", "high", "any", "created", "due",
            "priority", "title", "asc", "desc", "10", "25", "50", "100", "0", "-1", "last",
            "first", " open ", "OPEN", "1e2", "%", "'", "\u{0}",
        ])
        .prop_map(|s| Some(s.to_owned())),
        cursor().prop_map(|c| Some(c.encode())),
    ]
}

fn cursor() -> impl Strategy<Value = Cursor> {
    let value = prop_oneof![
        (-8_000_000_000_000_000i64..8_000_000_000_000_000)
            .prop_filter_map("in chrono's range", |m| DateTime::from_timestamp_micros(m)
                .map(SortValue::Created)),
        (1i32..=9999, 1u32..=366).prop_filter_map("a real date", |(y, d)| {
            NaiveDate::from_yo_opt(y, d).map(SortValue::Due)
        }),
        (1i16..=3).prop_map(SortValue::Priority),
        "\\PC{0,200}".prop_map(SortValue::Title),
        any::<String>()
            .prop_filter("at most 200 characters", |s| s.chars().count() <= 200)
            .prop_map(SortValue::Title),
    ];
    // Row ids are positive: a cursor naming any other id is refused.
    (value, 1..i64::MAX).prop_map(|(value, id)| Cursor { value, id })
}

fn raw_view() -> impl Strategy<Value = RawView> {
    (
        query_value(),
        query_value(),
        query_value(),
        query_value(),
        query_value(),
        query_value(),
        query_value(),
        query_value(),
        query_value(),
        query_value(),
        prop::collection::vec(any::<String>(), 0..12),
    )
        .prop_map(
            |(q, status, priority, sort, dir, size, after, before, page, order, tags)| RawView {
                q,
                status,
                priority,
                sort,
                dir,
                size,
                after,
                before,
                page,
                order,
                tags,
            },
        )
}

fn only_bad_request(result: Result<ListView, AppError>) -> Option<ListView> {
    match result {
        Ok(view) => Some(view),
        Err(AppError::BadRequest(_)) => None,
        Err(other) => panic!("a query is a 400 at worst, not {other:?}"),
    }
}

/// The JSON-ish bodies a client might send: arbitrary bytes, arbitrary JSON values, and
/// objects built from the real field names with values of every type.
fn json_body() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::from),
        "[a-z]{0,8}".prop_map(Value::from),
        Just(json!("2026-12-31")),
        Just(json!("high")),
    ];
    let value = leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::hash_map("\\PC{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    let field = prop::sample::select(vec![
        "title",
        "description",
        "priority",
        "due_date",
        "is_completed",
        "version",
        "id",
        "user_id",
        "created_at",
        "",
    ]);
    let near_valid = prop::collection::vec((field, value.clone()), 0..6).prop_map(|fields| {
        let object: serde_json::Map<String, Value> =
            fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        serde_json::to_vec(&object).unwrap()
    });
    prop_oneof![
        any::<Vec<u8>>(),
        value.prop_map(|v| serde_json::to_vec(&v).unwrap()),
        near_valid,
    ]
}

fn hs256(header: &Value, claims: &Value, key: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_dashboard_query_never_panics_and_a_parsed_view_round_trips(raw in raw_view()) {
        if let Some(view) = only_bad_request(ListView::parse(&raw)) {
            // The canonical URL of a view reads back as the same view.
            let query = view.href();
            let query = query.strip_prefix("/tasks").unwrap().trim_start_matches('?');
            let again: RawView = serde_urlencoded::from_str(query).unwrap();
            prop_assert_eq!(ListView::parse(&again).unwrap(), view);
        }
    }

    #[test]
    fn any_query_string_reads_as_a_view_or_a_400(query in prop_oneof![any::<String>(), "([a-z]{1,6}=[^&]{0,12}&){0,6}"]) {
        // As actix's `web::Query` reads it, then as the dashboard parses it.
        if let Ok(raw) = serde_urlencoded::from_str::<RawView>(&query) {
            only_bad_request(ListView::parse(&raw));
        }
        // A write form's `view` falls back to the default view, never fails.
        let _ = ListView::from_form(&query);
    }

    #[test]
    fn cursors_round_trip(cursor in cursor()) {
        prop_assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
    }

    #[test]
    fn cursor_decoding_never_panics(
        raw in any::<String>(),
        bytes in any::<Vec<u8>>(),
        id in prop_oneof![any::<i64>().prop_map(|i| i.to_string()), "\\PC{0,24}"],
        kind in prop::sample::select(vec!["c", "d", "p", "t", "x", ""]),
        value in "\\PC{0,40}",
    ) {
        let _ = Cursor::decode(&raw);
        let _ = Cursor::decode(&URL_SAFE_NO_PAD.encode(&bytes));
        if let Some(c) = Cursor::decode(&URL_SAFE_NO_PAD.encode(format!("{id}|{kind}:{value}"))) {
            // Whatever decodes, encodes back to something that decodes the same.
            prop_assert_eq!(Cursor::decode(&c.encode()), Some(c));
        }
    }

    #[test]
    fn the_task_form_never_panics_and_what_it_accepts_is_valid(
        title in prop_oneof![any::<String>(), "\\PC{0,210}", "\\s{0,3}[a-z]{0,3}\\s{0,3}"],
        description in prop_oneof![any::<String>(), "x{1995,2005}"],
        priority in prop_oneof![any::<String>(), prop::sample::select(vec!["", "low", "medium", "high", " high ", "HIGH"]).prop_map(str::to_owned)],
        due_date in prop_oneof![any::<String>(), "[0-9+-]{1,7}-[0-9]{1,2}-[0-9]{1,2}"],
        repeat in prop_oneof![any::<String>(), prop::sample::select(vec!["", "none", "daily", "weekly", "monthly", "yearly", "Monthly"]).prop_map(str::to_owned)],
        tags in prop_oneof![any::<String>(), "[ ,#a-zA-Z0-9_-]{0,80}", "(#?[A-Za-zé0-9_-]{1,34}[ ,]{1,2}){0,12}"],
    ) {
        let draft = TaskDraft { title, description, priority, due_date, repeat, tags };
        if let Ok(input) = draft.parse() {
            prop_assert_eq!(input.title.trim(), input.title.as_str());
            prop_assert!((1..=200).contains(&input.title.chars().count()));
            prop_assert!(input.description.as_ref().is_none_or(|d| !d.is_empty() && d.chars().count() <= 2000));
            prop_assert!(!input.repeat.repeats() || input.due_date.is_some(), "a repeating task has a due date");
            prop_assert!(input.tags.len() <= 10);
            prop_assert!(input.tags.windows(2).all(|w| w[0] < w[1]), "sorted, each once: {:?}", input.tags);
            for tag in &input.tags {
                prop_assert!((1..=32).contains(&tag.chars().count()), "{tag}");
                prop_assert!(tag.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_'), "{tag}");
                prop_assert_eq!(tag.to_lowercase(), tag.clone());
            }
        }
    }

    #[test]
    fn search_patterns_match_literally(q in any::<String>()) {
        let pattern = TaskFilter { q: Some(q.clone()), ..TaskFilter::default() }.like_pattern().unwrap();
        // Unescaping the inside of %...% gives back exactly q as stored text is folded, and
        // no wildcard is left bare.
        let inner = &pattern[1..pattern.len() - 1];
        let mut unescaped = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => unescaped.push(chars.next().expect("an escape escapes something")),
                '%' | '_' => prop_assert!(false, "a bare wildcard in {pattern:?}"),
                other => unescaped.push(other),
            }
        }
        prop_assert_eq!(unescaped, task_dashboard::domain::text::fold(&q));
    }

    #[test]
    fn emails_never_panic_and_parsing_is_idempotent(raw in prop_oneof![any::<String>(), "\\PC{0,10}@\\PC{0,10}", "[A-Za-z.+ ]{1,8}@[a-z]{1,5}\\.[a-z]{2,3} ?"]) {
        if let Ok(email) = Email::parse(&raw) {
            prop_assert_eq!(email.as_str(), email.as_str().trim());
            prop_assert!(email.as_str().contains('@'));
            prop_assert!(!email.as_str().chars().any(|c| c.is_whitespace() || c.is_control()));
            prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
        }
    }

    #[test]
    fn the_json_body_reader_never_panics_and_refuses_with_4xx(body in json_body(), content_type in prop::sample::select(vec!["application/json", "application/problem+json", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-8", "", "application/json\u{0}"])) {
        let mut req = TestRequest::default();
        if let Ok(value) = actix_web::http::header::HeaderValue::from_str(content_type) {
            req = req.insert_header((actix_web::http::header::CONTENT_TYPE, value));
        }
        let req = req.to_http_request();
        for result in [
            read_json::<NewTask>(&req, &body, NEW_FIELDS).map(|_| ()),
            read_json::<TaskPatch>(&req, &body, PATCH_FIELDS).map(|_| ()),
        ] {
            match result {
                Ok(()) | Err(AppError::BadRequest(_) | AppError::Invalid(_) | AppError::UnsupportedMediaType(_)) => {}
                Err(other) => prop_assert!(false, "a body is a 4xx at worst, not {other:?}"),
            }
        }
    }

    #[test]
    fn next_is_always_a_path_on_this_site(next in prop_oneof![any::<String>(), "[/\\\\ \t:a-z.%@]{0,12}", "(https?:)?//?[a-z.]{1,10}"]) {
        let safe = safe_next(Some(&next));
        prop_assert!(safe == "/tasks" || safe == next.trim(), "{safe:?}");
        prop_assert!(safe.starts_with('/') && !safe.starts_with("//") && !safe.contains('\\'));
        prop_assert!(!safe.chars().any(char::is_control));
        let base = url::Url::parse("http://app.test/login").unwrap();
        let resolved = base.join(&safe).unwrap();
        prop_assert_eq!(resolved.host_str(), Some("app.test"));
    }

    #[test]
    fn the_authorization_header_parser_never_panics(value in prop_oneof![any::<String>(), "(?i)(bearer|basic)?\\s{0,2}[A-Za-z0-9._ -]{0,20}"]) {
        if let Some(token) = bearer_token(&value) {
            prop_assert!(!token.is_empty());
            prop_assert_eq!(token.trim(), token.as_str());
        }
    }

    #[test]
    fn the_jwt_decoder_never_panics_and_accepts_only_good_hs256_tokens(
        raw in prop_oneof![any::<String>(), "[A-Za-z0-9_-]{0,30}\\.[A-Za-z0-9_-]{0,30}\\.[A-Za-z0-9_-]{0,30}"],
        alg in prop::sample::select(vec!["HS256", "HS384", "HS512", "RS256", "none", "", "hs256"]),
        sub in prop_oneof![Just(json!("7")), any::<i64>().prop_map(Value::from), any::<String>().prop_map(Value::from), Just(Value::Null)],
        sid in prop_oneof![Just(json!("sid")), any::<i64>().prop_map(Value::from), Just(Value::Null)],
        exp in prop_oneof![any::<i64>().prop_map(Value::from), any::<f64>().prop_map(|f| json!(f)), Just(json!("tomorrow"))],
        iat in prop_oneof![any::<i64>().prop_map(Value::from), Just(json!("now"))],
        drop in prop::sample::select(vec!["", "sub", "sid", "exp", "iat", "nbf"]),
    ) {
        let keys = JwtKeys::new(&Secret::new(SECRET));
        let _ = keys.verify(&raw);
        let now = chrono::Utc::now().timestamp();
        let mut claims = json!({"sub": sub, "sid": sid, "exp": exp, "iat": iat, "nbf": now - 10});
        if !drop.is_empty() {
            claims.as_object_mut().unwrap().remove(drop);
        }
        // HMAC headers are signed with the algorithm they name and the right key, so only the
        // pin can refuse HS384/HS512; the rest are signed HMAC-SHA256 whatever they claim.
        let token = match alg {
            "HS384" | "HS512" => {
                let alg = if alg == "HS384" { Algorithm::HS384 } else { Algorithm::HS512 };
                jsonwebtoken::encode(&Header::new(alg), &claims, &EncodingKey::from_secret(SECRET.as_bytes())).unwrap()
            }
            _ => hs256(&json!({"alg": alg, "typ": "JWT"}), &claims, SECRET.as_bytes()),
        };
        if let Some(accepted) = keys.verify(&token) {
            prop_assert_eq!(alg, "HS256");
            prop_assert!(drop.is_empty(), "a token without {drop} was accepted");
            prop_assert!(accepted.exp >= now - 5, "an expired token was accepted");
        }
    }
}

/// Lines made of quick add's own words, mixed with plain ones and near misses.
fn quick_line() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        prop::sample::select(vec![
            "today",
            "Tomorrow",
            "monday",
            "SUNDAY",
            "friday",
            "every",
            "day",
            "week",
            "Month",
            "year",
            "!high",
            "!LOW",
            "!medium",
            "!urgent",
            "#",
            "#home",
            "#Work",
            "#a_b-c",
            "#bad!",
            "2026-12-31",
            "2026-02-30",
            "9998-12-31",
            "0001-01-01",
            "C#",
            "Pay",
            "rent",
        ])
        .prop_map(str::to_owned),
        "#?[\\PC&&[^ ]]{1,8}",
    ];
    (prop::collection::vec(word, 0..12), "[ \t\u{a0}]{1,3}")
        .prop_map(|(words, gap)| words.join(&gap))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn quick_add_never_panics_and_reads_back_what_it_understood(
        line in prop_oneof![quick_line(), any::<String>()],
        days in 0i64..2_900_000,
    ) {
        let today = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
        let understood = QuickAdd::parse(&line, today);
        // Every word is kept: understood, or in the title.
        let words = |s: &str| s.split_whitespace().count();
        prop_assert!(words(&understood.title) <= words(&line));
        // The line it writes says the same, read on any day.
        let later = today + chrono::Duration::days(400);
        prop_assert_eq!(QuickAdd::parse(&understood.to_line(), later), understood.clone());
        // Whatever the form's rules accept is a valid task.
        if let Ok(input) = understood.draft().parse() {
            prop_assert_eq!(input.due_date, understood.due_date);
            prop_assert_eq!(input.tags.len(), understood.tags.len());
        }
    }
}
