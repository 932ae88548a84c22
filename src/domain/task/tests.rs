//! The task rules' unit tests.

use super::*;

fn draft(title: &str, priority: &str, due: &str) -> TaskDraft {
    TaskDraft {
        title: title.into(),
        description: String::new(),
        priority: priority.into(),
        due_date: due.into(),
        repeat: String::new(),
        tags: String::new(),
    }
}

#[test]
fn a_drafts_tags_are_normalised_and_a_bad_one_is_named() {
    let mut d = draft("Pay rent", "", "");
    d.tags = " #Home, bills  home".into();
    assert_eq!(d.parse().unwrap().tags, ["bills", "home"]);
    d.tags = "home, no way!".into();
    let errors = d.parse().unwrap_err();
    assert!(
        errors.tags.as_deref().unwrap().contains("“way!”"),
        "{errors:?}"
    );
    assert!(errors.title.is_none());
}

#[test]
fn a_good_draft_parses_with_trimmed_title_and_default_priority() {
    let input = draft("  Buy milk ", "", "2026-12-31").parse().unwrap();
    assert_eq!(input.title, "Buy milk");
    assert_eq!(input.priority, Priority::Medium);
    assert_eq!(input.due_date, NaiveDate::from_ymd_opt(2026, 12, 31));
}

#[test]
fn each_bad_field_is_named() {
    let errors = draft("   ", "urgent", "31/12/2026").parse().unwrap_err();
    assert!(errors.title.is_some() && errors.priority.is_some() && errors.due_date.is_some());
    let long = "é".repeat(201);
    assert!(draft(&long, "low", "").parse().unwrap_err().title.is_some());
    assert!(draft(&"é".repeat(200), "low", "").parse().is_ok());
    assert!(
        draft("nul \0", "low", "")
            .parse()
            .unwrap_err()
            .title
            .is_some()
    );
}

#[test]
fn a_repeating_task_needs_a_due_date_and_a_known_rule() {
    let mut monthly = draft("Pay rent", "", "");
    monthly.repeat = "monthly".into();
    let errors = monthly.parse().unwrap_err();
    assert_eq!(errors.due_date, Some("A repeating task needs a due date."));
    monthly.due_date = "2027-01-31".into();
    assert_eq!(monthly.parse().unwrap().repeat, Repeat::Monthly);
    monthly.repeat = "fortnightly".into();
    assert!(monthly.parse().unwrap_err().repeat.is_some());
    assert_eq!(draft("Once", "", "").parse().unwrap().repeat, Repeat::None);
}

#[test]
fn search_patterns_escape_wildcards() {
    let filter = TaskFilter {
        q: Some(r"50%_off\".into()),
        ..TaskFilter::default()
    };
    assert_eq!(filter.like_pattern().unwrap(), r"%50\%\_off\\%");
}
