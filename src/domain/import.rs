//! Reading an import: a CSV with the export's columns (see `web::tasks::export`), each row
//! checked by the same rules as the task form, every problem named by row and column.
//!
//! Only `title` is required; the columns may come in any order, an unknown one is refused by
//! name (a typo would otherwise drop a column's data without a word). A cell the export
//! guarded against spreadsheet formulas (`'=SUM(A1)`) loses exactly that one `'`, so an
//! export imported back reads the same. Rows are numbered as a spreadsheet shows them: the
//! header is row 1, the first task row 2.

use chrono::{DateTime, Utc};

use super::task::{TaskDraft, TaskInput};

/// The columns an import reads: the export's, in the export's order.
pub const COLUMNS: [&str; 9] = [
    "title",
    "description",
    "is_completed",
    "priority",
    "due_date",
    "tags",
    "repeat",
    "created_at",
    "updated_at",
];

/// The most task rows one import takes.
pub const MAX_ROWS: usize = 10_000;
/// The largest file one import takes, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Problems listed at most: past this many, the file has a systematic fault and the first
/// ones say what it is.
const MAX_LISTED: usize = 200;

/// A cell that starts with one of these could run as a spreadsheet formula: the export writes
/// it after a `'` (as it does a cell that starts with `'` itself, so that taking one off is
/// always right).
pub const FORMULA_STARTS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// One task row, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub input: TaskInput,
    pub is_completed: bool,
    /// When the file says (an export does); otherwise the moment of the import.
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// One problem: where (row, and the column when it is one cell's) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// As a spreadsheet numbers it: 1 is the header.
    pub row: usize,
    /// The column at fault; empty when the whole row is.
    pub field: String,
    pub detail: String,
}

impl RowError {
    fn new(row: usize, field: &str, detail: impl Into<String>) -> Self {
        Self {
            row,
            field: field.to_owned(),
            detail: detail.into(),
        }
    }
}

/// Why a file is not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportProblem {
    /// More than [`MAX_ROWS`] rows or [`MAX_BYTES`] bytes (413).
    TooLarge,
    /// Rows or the header that cannot be imported, each named (422). Nothing is imported.
    Invalid(Vec<RowError>),
}

/// A checked file: every row, or every problem.
pub fn read(file: &[u8]) -> Result<Vec<ImportRow>, ImportProblem> {
    if file.len() > MAX_BYTES {
        return Err(ImportProblem::TooLarge);
    }
    let file = file.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(file);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(file);
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => {
            return Err(invalid(
                1,
                "",
                "The file is empty: it needs a header row with at least a title column.",
            ));
        }
        Some(Err(_)) => return Err(invalid(1, "", "The header row cannot be read as CSV.")),
        Some(Ok(header)) => header,
    };
    let columns = read_header(&header)?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (index, record) in records.enumerate() {
        let row = index + 2;
        if index >= MAX_ROWS {
            return Err(ImportProblem::TooLarge);
        }
        match record {
            Ok(record) => match read_row(row, &columns, &record) {
                Ok(task) => rows.push(task),
                Err(mut problems) => errors.append(&mut problems),
            },
            Err(_) => errors.push(RowError::new(
                row,
                "",
                "This row cannot be read as CSV (check its quotes).",
            )),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        errors.truncate(MAX_LISTED);
        Err(ImportProblem::Invalid(errors))
    }
}

fn invalid(row: usize, field: &str, detail: &str) -> ImportProblem {
    ImportProblem::Invalid(vec![RowError::new(row, field, detail)])
}

/// Where each known column is in the file.
fn read_header(header: &csv::ByteRecord) -> Result<Vec<&'static str>, ImportProblem> {
    let mut columns = Vec::new();
    let mut errors = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(name) else {
            errors.push(RowError::new(
                1,
                "",
                format!("Column {} has a name that is not UTF-8 text.", i + 1),
            ));
            continue;
        };
        let name = name.trim();
        match COLUMNS.iter().find(|known| **known == name) {
            Some(known) if columns.contains(known) => {
                errors.push(RowError::new(1, known, "This column appears twice."));
            }
            Some(known) => columns.push(*known),
            None => {
                let shown: String = name.chars().take(40).collect();
                errors.push(RowError::new(
                    1,
                    &shown,
                    format!(
                        "Unknown column \"{shown}\": the columns are {}.",
                        COLUMNS.join(", ")
                    ),
                ));
            }
        }
    }
    if !columns.contains(&"title") && errors.is_empty() {
        errors.push(RowError::new(1, "title", "The title column is required."));
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(ImportProblem::Invalid(errors))
    }
}

/// A cell as the export meant it: one `'` before a formula's first character taken off.
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

fn read_row(
    row: usize,
    columns: &[&'static str],
    record: &csv::ByteRecord,
) -> Result<ImportRow, Vec<RowError>> {
    if record.len() != columns.len() {
        return Err(vec![RowError::new(
            row,
            "",
            format!(
                "This row has {} cells; the header has {}.",
                record.len(),
                columns.len()
            ),
        )]);
    }
    let mut errors = Vec::new();
    let mut draft = TaskDraft::default();
    let (mut done, mut created, mut updated) = ("", None, None);
    let mut cells = Vec::with_capacity(columns.len());
    for (column, raw) in columns.iter().zip(record.iter()) {
        match std::str::from_utf8(raw) {
            Ok(cell) => cells.push((*column, unguard(cell).to_owned())),
            Err(_) => errors.push(RowError::new(row, column, "This cell is not UTF-8 text.")),
        }
    }
    for (column, cell) in &cells {
        match *column {
            "title" => draft.title.clone_from(cell),
            "description" => draft.description.clone_from(cell),
            "priority" => draft.priority.clone_from(cell),
            "due_date" => draft.due_date.clone_from(cell),
            "repeat" => draft.repeat.clone_from(cell),
            "tags" => draft.tags.clone_from(cell),
            "is_completed" => done = cell.as_str(),
            "created_at" => created = moment(row, column, cell, &mut errors),
            _ => updated = moment(row, column, cell, &mut errors),
        }
    }
    let is_completed = match done.trim().to_ascii_lowercase().as_str() {
        "" | "false" => false,
        "true" => true,
        _ => {
            errors.push(RowError::new(row, "is_completed", "Write true or false."));
            false
        }
    };
    match draft.parse() {
        Ok(input) if errors.is_empty() => Ok(ImportRow {
            input,
            is_completed,
            created_at: created,
            // A change cannot come before the task was made.
            updated_at: updated.max(created),
        }),
        outcome => {
            if let Err(refused) = outcome {
                errors.extend(
                    refused
                        .fields()
                        .into_iter()
                        .map(|(field, detail)| RowError::new(row, field, detail)),
                );
            }
            errors.sort_by_key(|e| COLUMNS.iter().position(|c| *c == e.field));
            Err(errors)
        }
    }
}

/// A timestamp cell: RFC 3339 (as the export writes it), or empty.
fn moment(
    row: usize,
    column: &str,
    cell: &str,
    errors: &mut Vec<RowError>,
) -> Option<DateTime<Utc>> {
    let cell = cell.trim();
    if cell.is_empty() {
        return None;
    }
    match DateTime::parse_from_rfc3339(cell) {
        Ok(at) => Some(at.to_utc()),
        Err(_) => {
            errors.push(RowError::new(
                row,
                column,
                "Write a date and time as RFC 3339, e.g. 2026-12-02T09:30:00Z.",
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{repeat::Repeat, task::Priority};

    fn problems(file: &str) -> Vec<RowError> {
        match read(file.as_bytes()) {
            Err(ImportProblem::Invalid(errors)) => errors,
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn only_the_title_is_required_and_columns_come_in_any_order() {
        let rows = read(b"priority,title\r\nhigh,Pay rent\r\n,\"Call, then write\"\r\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].input.title, "Pay rent");
        assert_eq!(rows[0].input.priority, Priority::High);
        assert_eq!(rows[1].input.title, "Call, then write");
        assert_eq!(rows[1].input.priority, Priority::Medium);
        assert!(!rows[1].is_completed);
        assert_eq!(rows[1].created_at, None);
    }

    #[test]
    fn every_column_is_read() {
        let file = "\u{feff}title,description,is_completed,priority,due_date,tags,repeat,created_at,updated_at\n\
                    Rent,\"two\nlines\",true,low,2027-01-31,home bills,monthly,2026-01-01T10:00:00Z,2026-02-01T10:00:00.5Z\n";
        let rows = read(file.as_bytes()).unwrap();
        let row = &rows[0];
        assert_eq!(row.input.description.as_deref(), Some("two\nlines"));
        assert!(row.is_completed);
        assert_eq!(row.input.repeat, Repeat::Monthly);
        assert_eq!(row.input.tags, ["bills", "home"]);
        assert_eq!(
            row.created_at.unwrap().to_rfc3339(),
            "2026-01-01T10:00:00+00:00"
        );
        assert_eq!(row.updated_at.unwrap().timestamp_subsec_millis(), 500);
    }

    #[test]
    fn the_exports_formula_guard_is_taken_off_once() {
        assert_eq!(unguard("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(unguard("''quoted"), "'quoted");
        assert_eq!(unguard("'-5"), "-5");
        assert_eq!(unguard("'plain"), "'plain");
        assert_eq!(unguard("=raw"), "=raw");
    }

    #[test]
    fn each_problem_is_named_by_row_and_column() {
        let errors = problems(
            "title,due_date,priority,is_completed\nok,,,\n,2026-02-30,urgent,maybe\nfine,,,\n",
        );
        let named: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.field.as_str())).collect();
        assert_eq!(
            named,
            [
                (3, "title"),
                (3, "is_completed"),
                (3, "priority"),
                (3, "due_date")
            ]
        );
    }

    #[test]
    fn the_header_is_checked_by_name() {
        let errors = problems("title,colour\nx,red\n");
        assert_eq!((errors[0].row, errors[0].field.as_str()), (1, "colour"));
        assert!(errors[0].detail.contains("Unknown column \"colour\""));
        assert_eq!(problems("description\nx\n")[0].field, "title");
        assert_eq!(
            problems("title,title\nx,y\n")[0].detail,
            "This column appears twice."
        );
        assert_eq!(problems("")[0].row, 1);
        let short = problems("title,priority\nx\n");
        assert_eq!((short[0].row, short[0].field.as_str()), (2, ""));
    }

    #[test]
    fn too_many_rows_or_bytes_are_refused_whole() {
        let mut file = String::from("title\n");
        for i in 0..=MAX_ROWS {
            file.push_str(&format!("t{i}\n"));
        }
        assert_eq!(read(file.as_bytes()), Err(ImportProblem::TooLarge));
        let rows = file
            .lines()
            .take(MAX_ROWS + 1)
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(read(rows.as_bytes()).unwrap().len(), MAX_ROWS);
        assert_eq!(
            read(&vec![b'a'; MAX_BYTES + 1]),
            Err(ImportProblem::TooLarge)
        );
    }
}
