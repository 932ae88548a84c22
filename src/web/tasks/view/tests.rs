//! How views read and write their URLs.

use super::*;

fn parse(query: &str) -> Result<ListView, AppError> {
    ListView::parse(&serde_urlencoded::from_str(query).unwrap())
}

#[test]
fn the_default_view_is_newest_first_and_has_a_bare_url() {
    let view = parse("").unwrap();
    assert_eq!(view, ListView::default());
    assert_eq!(view.href(), "/tasks");
}

#[test]
fn a_view_round_trips_through_its_canonical_url() {
    let view =
        parse("q=milk+%26+eggs&status=open&priority=high&sort=due&dir=desc&size=50").unwrap();
    let again = parse(view.href().trim_start_matches("/tasks?")).unwrap();
    assert_eq!(view, again);
    assert_eq!(
        view.sort_href("due"),
        "/tasks?q=milk+%26+eggs&status=open&priority=high&sort=due&size=50"
    );
}

#[test]
fn unknown_values_are_refused_with_a_reason() {
    for query in [
        "sort=evil",
        "status=x",
        "priority=urgent",
        "dir=up",
        "size=7",
        "after=zzz",
        "after=a&before=b",
        "q=%00",
    ] {
        assert!(
            matches!(parse(query), Err(AppError::BadRequest(_))),
            "{query}"
        );
    }
}

#[test]
fn a_filter_chip_links_to_the_view_without_it_from_the_first_page() {
    let view = parse("q=milk&status=open&priority=high&sort=due&size=50&page=last").unwrap();
    assert_eq!(
        view.href_without(Filter::Search),
        "/tasks?status=open&priority=high&sort=due&size=50"
    );
    assert_eq!(
        view.href_without(Filter::Status),
        "/tasks?q=milk&priority=high&sort=due&size=50"
    );
    assert_eq!(
        view.href_without(Filter::Priority),
        "/tasks?q=milk&status=open&sort=due&size=50"
    );
}
