//! Conditional requests on one task (RFC 9110, 13.1.1): a task's `ETag` is its version, and
//! `If-Match` on a write makes it happen only at that version (412 otherwise), the HTTP way
//! of saying what the JSON `version` field says.

use actix_web::{
    HttpRequest, HttpResponse,
    http::header::{self, HeaderValue},
};

use crate::error::AppError;

/// What `If-Match` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `*`: any current version.
    Any,
    /// One of these versions (strong tags only: a weak tag never matches).
    Versions(Vec<i64>),
}

impl IfMatch {
    /// The request's `If-Match`, if it sent one. Tags we never made match nothing; a value
    /// that is not a list of entity tags is a 400.
    pub fn of(req: &HttpRequest) -> Result<Option<Self>, AppError> {
        let values: Vec<&str> = req
            .headers()
            .get_all(header::IF_MATCH)
            .map(|v| v.to_str().unwrap_or("\u{0}"))
            .collect();
        if values.is_empty() {
            return Ok(None);
        }
        let mut versions = Vec::new();
        for tag in values.iter().flat_map(|v| v.split(',')).map(str::trim) {
            if tag == "*" {
                return Ok(Some(IfMatch::Any));
            }
            let opaque = tag.strip_prefix("W/").unwrap_or(tag);
            let inner = opaque
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .filter(|t| !t.contains('"'))
                .ok_or_else(|| {
                    AppError::BadRequest(
                        "If-Match must list entity tags as ETag sends them, like \"3\", or be *."
                            .into(),
                    )
                })?;
            if !tag.starts_with("W/")
                && let Ok(version) = inner.parse::<i64>()
            {
                versions.push(version);
            }
        }
        Ok(Some(IfMatch::Versions(versions)))
    }

    /// True when a task at `version` meets the condition.
    pub fn matches(&self, version: i64) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Versions(versions) => versions.contains(&version),
        }
    }

    /// True when the condition names versions (so the write must find the one it read).
    pub fn pins_version(&self) -> bool {
        matches!(self, IfMatch::Versions(_))
    }
}

/// `ETag: "<version>"` on an answer that shows one task.
pub fn tag(mut response: HttpResponse, version: i64) -> HttpResponse {
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn parse(value: &str) -> Result<Option<IfMatch>, AppError> {
        IfMatch::of(
            &TestRequest::default()
                .insert_header((header::IF_MATCH, value))
                .to_http_request(),
        )
    }

    #[test]
    fn if_match_reads_strong_tags_and_star_and_refuses_garbage() {
        assert_eq!(parse("\"3\"").unwrap(), Some(IfMatch::Versions(vec![3])));
        assert_eq!(
            parse("\"3\", \"4\"").unwrap(),
            Some(IfMatch::Versions(vec![3, 4]))
        );
        assert_eq!(parse("W/\"3\"").unwrap(), Some(IfMatch::Versions(vec![])));
        assert_eq!(parse("\"abc\"").unwrap(), Some(IfMatch::Versions(vec![])));
        assert_eq!(parse("*").unwrap(), Some(IfMatch::Any));
        assert!(parse("3").is_err());
        assert_eq!(
            IfMatch::of(&TestRequest::default().to_http_request()).unwrap(),
            None
        );
    }
}
