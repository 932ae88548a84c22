//! Tags: short lowercase labels a user groups tasks by (`work`, `home`, `errands`).
//!
//! A tag is 1 to 32 letters, digits, `-` and `_`, stored lowercase; a task has at most
//! [`MAX_TAGS`], each once. Input is forgiving about form: a form's field takes them
//! separated by commas or spaces, each trimmed and with a leading `#` dropped
//! (`"#Work, home"`), and the API takes a list. What is refused is named.

/// Most tags one task may have.
pub const MAX_TAGS: usize = 10;
/// Longest tag, in characters.
pub const TAG_MAX_CHARS: usize = 32;

/// Why a list of tags was refused, in words that name the culprit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagError {
    /// Not letters, digits, `-` and `_`, or too long.
    Bad(String),
    TooMany(usize),
}

impl TagError {
    pub fn message(&self) -> String {
        match self {
            TagError::Bad(tag) if tag.trim().trim_start_matches('#').is_empty() => {
                format!("A tag cannot be empty: use 1 to {TAG_MAX_CHARS} letters, digits, - and _.")
            }
            TagError::Bad(tag) => {
                format!("“{tag}” is not a tag: use up to {TAG_MAX_CHARS} letters, digits, - and _.")
            }
            TagError::TooMany(n) => {
                format!("A task can have at most {MAX_TAGS} tags; this one has {n}.")
            }
        }
    }
}

/// One tag as typed, normalised: trimmed, a leading `#` dropped, lowercase. `Ok(None)` for
/// nothing at all (an empty piece between two commas).
pub fn parse_tag(raw: &str) -> Result<Option<String>, TagError> {
    let trimmed = raw.trim();
    let bare = trimmed.strip_prefix('#').unwrap_or(trimmed);
    if bare.is_empty() {
        return Ok(None);
    }
    // Composed first, so an accent typed as two code points is one letter.
    let tag = super::text::nfc(bare).to_lowercase();
    let fits = tag.chars().count() <= TAG_MAX_CHARS
        && tag
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    if fits {
        Ok(Some(tag))
    } else {
        // Named as typed (shortened), so the user finds it in what they wrote.
        let shown: String = trimmed.chars().take(40).collect();
        Err(TagError::Bad(shown))
    }
}

/// A task's tags from a list (the API): each normalised, duplicates dropped, sorted.
pub fn parse_tag_list<'a>(raw: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, TagError> {
    let mut tags = Vec::new();
    for piece in raw {
        if let Some(tag) = parse_tag(piece)? {
            tags.push(tag);
        }
    }
    tags.sort_unstable();
    tags.dedup();
    if tags.len() > MAX_TAGS {
        return Err(TagError::TooMany(tags.len()));
    }
    Ok(tags)
}

/// A task's tags from the API's list, read strictly: every item is one tag (an empty item
/// or a lone `#` is refused, not skipped), and at most [`MAX_TAGS`] items, as its schema
/// says; duplicates then merge.
pub fn parse_tag_items(items: &[String]) -> Result<Vec<String>, TagError> {
    if items.len() > MAX_TAGS {
        return Err(TagError::TooMany(items.len()));
    }
    for item in items {
        if parse_tag(item)?.is_none() {
            return Err(TagError::Bad(item.clone()));
        }
    }
    parse_tag_list(items.iter().map(String::as_str))
}

/// A task's tags from a form's one text field: separated by commas or spaces.
pub fn parse_tag_field(raw: &str) -> Result<Vec<String>, TagError> {
    parse_tag_list(raw.split(|c: char| c == ',' || c.is_whitespace()))
}

/// Tags as the form's field shows them again: `home, work`.
pub fn field_value<T: AsRef<str>>(tags: &[T]) -> String {
    let tags: Vec<&str> = tags.iter().map(AsRef::as_ref).collect();
    tags.join(", ")
}

/// Tags as a task's `tags` column stores them: sorted, separated by single spaces.
pub fn stored<T: AsRef<str>>(tags: &[T]) -> String {
    let tags: Vec<&str> = tags.iter().map(AsRef::as_ref).collect();
    tags.join(" ")
}

/// The tags of a task's `tags` column, in order.
pub fn of_stored(stored: &str) -> impl Iterator<Item = &str> {
    stored.split(' ').filter(|tag| !tag.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_unhashed_lowercased_deduplicated_and_sorted() {
        assert_eq!(
            parse_tag_field(" #Work, home  errands,,HOME #work").unwrap(),
            ["errands", "home", "work"]
        );
        assert_eq!(parse_tag_field("").unwrap(), Vec::<String>::new());
        assert_eq!(parse_tag_field(" , # ").unwrap(), Vec::<String>::new());
        assert_eq!(parse_tag_field("Café_2-b").unwrap(), ["café_2-b"]);
        assert_eq!(parse_tag_list(["Ünïcode", "x"]).unwrap(), ["x", "ünïcode"]);
    }

    #[test]
    fn a_bad_tag_is_named_as_typed() {
        assert_eq!(
            parse_tag_field("home, to-do!").unwrap_err(),
            TagError::Bad("to-do!".into())
        );
        assert!(parse_tag_field("a.b").is_err());
        assert!(
            parse_tag_list(["two words"]).is_err(),
            "a list item is one tag"
        );
        let long = "x".repeat(TAG_MAX_CHARS + 1);
        assert!(parse_tag_field(&long).is_err());
        assert!(parse_tag_field(&"x".repeat(TAG_MAX_CHARS)).is_ok());
        assert!(
            parse_tag_field("to-do!")
                .unwrap_err()
                .message()
                .contains("“to-do!”"),
            "the message names it"
        );
    }

    #[test]
    fn the_apis_list_refuses_empty_items_and_more_than_ten() {
        let items = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_tag_items(&items(&["Work", "#home", "work"])).unwrap(),
            ["home", "work"]
        );
        assert_eq!(
            parse_tag_items(&items(&[""])).unwrap_err(),
            TagError::Bad(String::new())
        );
        assert!(parse_tag_items(&items(&["#"])).is_err());
        assert_eq!(
            parse_tag_items(&items(&["a"; 11])).unwrap_err(),
            TagError::TooMany(11)
        );
        assert!(parse_tag_items(&[]).unwrap().is_empty());
    }

    #[test]
    fn at_most_ten_tags_once_duplicates_are_gone() {
        let ten: Vec<String> = (0..10).map(|i| format!("t{i}")).collect();
        assert_eq!(parse_tag_field(&ten.join(" ")).unwrap().len(), 10);
        assert_eq!(
            parse_tag_field(&format!("{} T0 t0", ten.join(" ")))
                .unwrap()
                .len(),
            10
        );
        assert_eq!(
            parse_tag_field(&format!("{} t10", ten.join(" "))).unwrap_err(),
            TagError::TooMany(11)
        );
    }
}
