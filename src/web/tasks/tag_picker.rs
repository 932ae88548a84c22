//! The filter form's tag picker: a box for each of the user's tags, with how many tasks
//! carry it. Read for a whole page (the filter form is outside the table region) and for a
//! write's answer, which may have added or removed a tag (see
//! [`super::dashboard::DashboardPage::tags_oob`]).

use super::view::ListView;
use crate::store::{Store, TagCount};

/// One box of the filter form's tag picker.
pub struct TagChoice {
    pub name: String,
    /// How many of the user's tasks carry it.
    pub count: i64,
    /// The view filters by it.
    pub checked: bool,
}

/// The filter form's tag picker: the user's tags with their counts, ticked where the view
/// filters by them (a tag the view names that no task carries any more is listed too, so
/// it can be unticked).
pub async fn tag_choices(
    store: &Store,
    user_id: i64,
    view: &ListView,
) -> Result<Vec<TagChoice>, sqlx::Error> {
    Ok(choices(store.tag_counts(user_id).await?, view))
}

/// The picker's boxes for the user's tags `counts` (see [`tag_choices`]).
pub fn choices(counts: Vec<TagCount>, view: &ListView) -> Vec<TagChoice> {
    let mut choices: Vec<TagChoice> = counts
        .into_iter()
        .map(|tag| TagChoice {
            checked: view.has_tag(&tag.name),
            name: tag.name,
            count: tag.count,
        })
        .collect();
    for tag in view.tags() {
        if !choices.iter().any(|c| &c.name == tag) {
            choices.push(TagChoice {
                name: tag.clone(),
                count: 0,
                checked: true,
            });
        }
    }
    choices.sort_by(|a, b| a.name.cmp(&b.name));
    choices
}
