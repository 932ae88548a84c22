//! How views read and write their URLs.

use super::*;
use crate::error::AppError;

fn parse(query: &str) -> Result<ListView, AppError> {
    let raw: RawView = serde_urlencoded::from_str(query).unwrap();
    ListView::parse(&raw.with_tags_of(query))
}

#[test]
fn tags_repeat_are_normalised_and_written_back_sorted_once() {
    let view = parse("tag=Work&status=open&tag=%23home&tag=work").unwrap();
    assert_eq!(view.tags(), ["home", "work"]);
    assert_eq!(view.href(), "/tasks?status=open&tag=home&tag=work");
    assert_eq!(
        parse(view.href().trim_start_matches("/tasks?")).unwrap(),
        view
    );
    assert_eq!(
        ListView::from_form(&view.query()),
        view,
        "a write form carries them back"
    );
    assert_eq!(view.href_without_tag("home"), "/tasks?status=open&tag=work");
    assert_eq!(
        view.href_with_tag("errands"),
        "/tasks?status=open&tag=errands&tag=home&tag=work"
    );
    assert_eq!(view.href_with_tag("home"), view.first_href());
    // A tag that cannot be one: the API refuses it, the dashboard says and drops it.
    assert!(parse("tag=a.b").is_err());
    let raw: RawView = serde_urlencoded::from_str("").unwrap();
    let (view, ignored) = ListView::parse_lenient(&raw.with_tags_of("tag=a.b&tag=ok"));
    assert_eq!((view.tags(), ignored.len()), (&["ok".to_owned()][..], 1));
    let many: Vec<String> = (0..11).map(|i| format!("tag=t{i:02}")).collect();
    let raw: RawView = serde_urlencoded::from_str("").unwrap();
    let (view, ignored) = ListView::parse_lenient(&raw.with_tags_of(&many.join("&")));
    assert_eq!((view.tags().len(), ignored.len()), (10, 1));
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
