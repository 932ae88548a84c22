//! Quick add: one line that says a whole task. `Pay rent tomorrow #home !high` is a task
//! titled "Pay rent", due tomorrow, tagged `home`, of high priority.
//!
//! Understood, as whole words and in any case: `#tag` (starting with a letter: `#42` is a
//! number, not a tag), `!high`, `!medium`, `!low`, `today`,
//! `tomorrow`, a weekday's name (the next one after today), `YYYY-MM-DD`, and
//! `every day|week|month|year`. Everything else is the title, its words in their order.
//!
//! Nothing is guessed: one due date, one priority and one repeat are taken, the first of each
//! kind in the line, and a second one stays in the title as typed (`Call today not tomorrow`
//! is due today, titled "Call not tomorrow"), as does a `#` word that is not a tag. A repeat
//! without a date starts today, since a repeating task needs one. What was understood is
//! shown before it is saved (see [`QuickAdd::to_line`]); whether it is a valid task is the
//! full form's question ([`QuickAdd::draft`]), so both answer with the same errors.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::{
    calendar::ShortDate,
    repeat::Repeat,
    tags,
    task::{Priority, TaskDraft, parse_due_date},
};

/// What one line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickAdd {
    /// The words that are not understood, in their order, one space apart.
    pub title: String,
    pub due_date: Option<NaiveDate>,
    pub priority: Option<Priority>,
    pub repeat: Repeat,
    /// Normalised, each once, in the order first written.
    pub tags: Vec<String>,
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

/// One word's meaning, if it has one.
enum Word {
    Due(NaiveDate),
    Priority(Priority),
    Tag(String),
}

/// The due date, priority or tag `word` says, on `today`.
fn understand(word: &str, today: NaiveDate) -> Option<Word> {
    if let Some(tag) = word.strip_prefix('#') {
        // "#" alone or "#bad!" is not a tag, and neither is "#42": a number after `#` is far
        // more often an issue or a ticket ("Review pull request #42") than a tag. They stay
        // in the title.
        if !tag.starts_with(char::is_alphabetic) {
            return None;
        }
        return match tags::parse_tag(tag) {
            Ok(Some(tag)) => Some(Word::Tag(tag)),
            _ => None,
        };
    }
    let lower = word.to_lowercase();
    let priority = match lower.as_str() {
        "!high" => Some(Priority::High),
        "!medium" => Some(Priority::Medium),
        "!low" => Some(Priority::Low),
        _ => None,
    };
    if let Some(priority) = priority {
        return Some(Word::Priority(priority));
    }
    let due = match lower.as_str() {
        "today" => Some(today),
        "tomorrow" => today.checked_add_days(Days::new(1)),
        _ => match WEEKDAYS.iter().find(|(name, _)| *name == lower) {
            Some((_, day)) => {
                let ahead =
                    (day.num_days_from_monday() + 6 - today.weekday().num_days_from_monday()) % 7
                        + 1;
                today.checked_add_days(Days::new(u64::from(ahead)))
            }
            None => parse_due_date(word),
        },
    };
    // A date outside the years a task may be due in is not understood.
    due.and_then(|d| parse_due_date(&d.format("%Y-%m-%d").to_string()))
        .map(Word::Due)
}

/// The units of `every <unit>` and the repeat each says.
const UNITS: [(&str, Repeat); 4] = [
    ("day", Repeat::Daily),
    ("week", Repeat::Weekly),
    ("month", Repeat::Monthly),
    ("year", Repeat::Yearly),
];

/// The repeat `every <unit>` says.
fn every(unit: &str) -> Option<Repeat> {
    UNITS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(unit))
        .map(|&(_, repeat)| repeat)
}

impl QuickAdd {
    /// What `line` says, on the user's `today`. Never fails: a line that says no valid task
    /// (no title, too many tags) is refused by [`QuickAdd::draft`]'s checks.
    pub fn parse(line: &str, today: NaiveDate) -> Self {
        let mut due_date = None;
        let mut priority = None;
        let mut tags: Vec<String> = Vec::new();
        // Words first, then the repeat among what is left: `every` reads the next word not
        // understood, so what stays in the title never holds an `every <unit>` still to be
        // read (and the line [`QuickAdd::to_line`] writes reads back the same).
        let mut rest = Vec::new();
        for word in line.split_whitespace() {
            match understand(word, today) {
                Some(Word::Due(date)) if due_date.is_none() => due_date = Some(date),
                Some(Word::Priority(p)) if priority.is_none() => priority = Some(p),
                Some(Word::Tag(tag)) => {
                    if !tags.contains(&tag) {
                        tags.push(tag);
                    }
                }
                _ => rest.push(word),
            }
        }
        let mut repeat = Repeat::None;
        if let Some(at) = rest
            .windows(2)
            .position(|pair| pair[0].eq_ignore_ascii_case("every") && every(pair[1]).is_some())
        {
            repeat = every(rest[at + 1]).unwrap_or_default();
            rest.drain(at..at + 2);
            // A repeating task needs a due date: without one it starts today.
            due_date = due_date.or(Some(today));
        }
        Self {
            title: rest.join(" "),
            due_date,
            priority,
            repeat,
            tags,
        }
    }

    /// The task as the full form would send it, to be checked by [`TaskDraft::parse`]: a
    /// quick add is refused for exactly what the form refuses.
    pub fn draft(&self) -> TaskDraft {
        TaskDraft {
            title: self.title.clone(),
            description: String::new(),
            priority: self
                .priority
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            due_date: self
                .due_date
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            repeat: self.repeat.as_str().to_owned(),
            tags: tags::field_value(&self.tags),
        }
    }

    /// What was understood besides the title, each as a short phrase ("due Dec 3, 2026",
    /// "high priority", "#home", "repeats weekly"), in that order: the preview under the field
    /// and the message after a quick add without JavaScript say these.
    pub fn understood(&self) -> Vec<String> {
        let mut said = Vec::new();
        if let Some(due) = self.due_date {
            said.push(format!("due {}", ShortDate(due)));
        }
        if let Some(priority) = self.priority {
            said.push(format!("{} priority", priority.as_str()));
        }
        said.extend(self.tags.iter().map(|tag| format!("#{tag}")));
        if self.repeat != Repeat::None {
            said.push(self.repeat.phrase().to_lowercase());
        }
        said
    }

    /// The task `form` asks for when its title field was written as a quick add: what the
    /// line understood fills the fields the form left at their defaults (a field set in "More
    /// options" wins over the line), and the line's tags join the form's.
    pub fn over(&self, form: &TaskDraft) -> TaskDraft {
        let line = self.draft();
        let unset = |field: &str, default: &str| field.trim().is_empty() || field == default;
        let pick = |field: &String, default: &str, from_line: String| {
            if unset(field, default) && !from_line.is_empty() {
                from_line
            } else {
                field.clone()
            }
        };
        let tags = match (form.tags.trim().is_empty(), line.tags.is_empty()) {
            (_, true) => form.tags.clone(),
            (true, false) => line.tags,
            (false, false) => format!("{}, {}", form.tags.trim(), line.tags),
        };
        TaskDraft {
            title: line.title,
            description: form.description.clone(),
            priority: pick(&form.priority, "medium", line.priority),
            due_date: pick(&form.due_date, "", line.due_date),
            repeat: pick(&form.repeat, "none", line.repeat),
            tags,
        }
    }

    /// A line that says exactly this, what was understood first (`2026-12-03 !high #home
    /// every week Pay rent`): [`QuickAdd::parse`] reads it back the same on any day.
    pub fn to_line(&self) -> String {
        let mut words: Vec<String> = Vec::new();
        if let Some(due) = self.due_date {
            words.push(due.format("%Y-%m-%d").to_string());
        }
        if let Some(priority) = self.priority {
            words.push(format!("!{}", priority.as_str()));
        }
        words.extend(self.tags.iter().map(|tag| format!("#{tag}")));
        if let Some((unit, _)) = UNITS.iter().find(|&&(_, r)| r == self.repeat) {
            words.push(format!("every {unit}"));
        }
        if !self.title.is_empty() {
            words.push(self.title.clone());
        }
        words.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        parse_due_date(s).unwrap()
    }

    // 2026-12-02 is a Wednesday.
    const TODAY: &str = "2026-12-02";

    fn parse(line: &str) -> QuickAdd {
        QuickAdd::parse(line, day(TODAY))
    }

    #[test]
    fn the_issues_example() {
        let q = parse("Pay rent tomorrow #home !high");
        assert_eq!(q.title, "Pay rent");
        assert_eq!(q.due_date, Some(day("2026-12-03")));
        assert_eq!(q.priority, Some(Priority::High));
        assert_eq!(q.tags, ["home"]);
        assert_eq!(q.repeat, Repeat::None);
    }

    #[test]
    fn weekdays_are_the_next_one_after_today() {
        assert_eq!(parse("x thursday").due_date, Some(day("2026-12-03")));
        assert_eq!(parse("x Wednesday").due_date, Some(day("2026-12-09")));
        assert_eq!(parse("x TUESDAY").due_date, Some(day("2026-12-08")));
        assert_eq!(parse("x monday").due_date, Some(day("2026-12-07")));
    }

    #[test]
    fn the_first_of_a_kind_is_taken_and_a_second_stays_in_the_title() {
        let q = parse("Call today not tomorrow !low !high");
        assert_eq!(q.due_date, Some(day(TODAY)));
        assert_eq!(q.priority, Some(Priority::Low));
        assert_eq!(q.title, "Call not tomorrow !high");
    }

    #[test]
    fn words_that_are_not_understood_stay_as_typed() {
        let q = parse("Fix C# parser # now #bad! #42 #-x 2026-02-30 !urgent");
        assert_eq!(
            q.title,
            "Fix C# parser # now #bad! #42 #-x 2026-02-30 !urgent"
        );
        assert_eq!(q.due_date, None);
        assert!(q.tags.is_empty());
    }

    #[test]
    fn tags_are_normalised_and_kept_once() {
        assert_eq!(parse("a #Work #home #work").tags, ["work", "home"]);
    }

    #[test]
    fn a_repeat_starts_today_unless_a_date_is_given() {
        let q = parse("Water plants every week");
        assert_eq!((q.repeat, q.due_date), (Repeat::Weekly, Some(day(TODAY))));
        assert_eq!(q.title, "Water plants");
        let q = parse("Pay rent EVERY Month 2027-01-01");
        assert_eq!(
            (q.repeat, q.due_date),
            (Repeat::Monthly, Some(day("2027-01-01")))
        );
        assert_eq!(q.title, "Pay rent");
        // "every" before anything else is a word of the title.
        assert_eq!(parse("every other day").repeat, Repeat::None);
    }

    #[test]
    fn what_no_task_may_be_is_refused_by_the_forms_rules() {
        let errors = parse("tomorrow #home").draft().parse().unwrap_err();
        assert!(errors.title.is_some());
        let many: String = (0..11).map(|i| format!(" #t{i}")).collect();
        let errors = parse(&format!("x{many}")).draft().parse().unwrap_err();
        assert!(errors.tags.is_some());
        let input = parse("Pay rent tomorrow #home !high every month")
            .draft()
            .parse()
            .unwrap();
        assert_eq!(input.repeat, Repeat::Monthly);
        assert_eq!(input.due_date, Some(day("2026-12-03")));
    }

    #[test]
    fn what_was_understood_is_said_in_short() {
        let q = parse("Pay rent tomorrow #home !high every month");
        assert_eq!(
            q.understood(),
            [
                "due Dec 3, 2026",
                "high priority",
                "#home",
                "repeats monthly"
            ]
        );
        assert!(parse("Just a title").understood().is_empty());
    }

    #[test]
    fn fields_set_in_more_options_win_over_the_line() {
        let q = parse("Pay rent tomorrow #home !high every week");
        let form = TaskDraft {
            title: "ignored: the line is the title".into(),
            description: "notes".into(),
            priority: "low".into(),
            due_date: String::new(),
            repeat: "none".into(),
            tags: "bills".into(),
        };
        let merged = q.over(&form);
        assert_eq!(merged.title, "Pay rent");
        assert_eq!(merged.description, "notes");
        assert_eq!(merged.priority, "low");
        assert_eq!(merged.due_date, "2026-12-03");
        assert_eq!(merged.repeat, "weekly");
        assert_eq!(merged.tags, "bills, home");
        // A form at its defaults takes everything the line says.
        let merged = q.over(&TaskDraft {
            priority: "medium".into(),
            repeat: "none".into(),
            ..TaskDraft::default()
        });
        assert_eq!(merged, q.draft());
    }

    #[test]
    fn dates_past_the_last_allowed_are_not_understood() {
        let q = QuickAdd::parse("x tomorrow", day("9998-12-31"));
        assert_eq!((q.title.as_str(), q.due_date), ("x tomorrow", None));
    }

    #[test]
    fn the_line_it_writes_reads_back_the_same() {
        let q = parse("Pay rent tomorrow #home !high every month and then today #home");
        assert_eq!(q.title, "Pay rent and then today");
        assert_eq!(QuickAdd::parse(&q.to_line(), day("2030-01-01")), q);
    }
}
