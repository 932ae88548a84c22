//! How views read and write their URLs.

use super::*;
use crate::error::AppError;

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

#[test]
fn the_sort_select_names_sort_and_direction_in_one_value() {
    let view = parse("order=title-desc&status=open").unwrap();
    assert_eq!(view.order(), "title-desc");
    assert_eq!(view.href(), "/tasks?status=open&sort=title&dir=desc");
    assert_eq!(parse("order=created-desc").unwrap().href(), "/tasks");
    // It stands for sort and dir: a link's own sort is overridden by the form's choice.
    assert_eq!(
        parse("sort=due&order=priority-asc").unwrap().order(),
        "priority-asc"
    );
    for bad in [
        "order=title",
        "order=title-",
        "order=-asc",
        "order=evil-asc",
        "order=title-up",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
}
