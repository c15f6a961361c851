//! Reading a data file into a table of text cells: tidy CSV (RFC 4180, header line
//! first) or JSON Lines (one JSON object per line, keys are column names).
//!
//! Cells stay text, so `--where` compares the text in the file. Numbers are parsed
//! later, where the column's role is known and an error can name it.

use std::path::Path;

use anyhow::{bail, Context};

/// The file formats the reader accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    JsonLines,
}

impl FileFormat {
    pub fn id(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::JsonLines => "jsonl",
        }
    }
}

/// A file's contents as text cells, one row per data line.
#[derive(Debug, Clone)]
pub struct Table {
    pub format: FileFormat,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Line number in the file (1-based) of each row, for messages.
    pub lines: Vec<usize>,
}

impl Table {
    /// Position of the column named `name`, ignoring ASCII case when no column
    /// matches exactly.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name).or_else(|| {
            self.columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(name))
        })
    }

    /// Formats the column names, quoted and comma-separated, for messages.
    pub fn column_list(&self) -> String {
        quoted_list(&self.columns)
    }
}

/// Joins names as `a`, `b`, `c` for messages.
pub fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads `path` as CSV or JSON Lines, chosen by extension (`.jsonl`, `.ndjson`,
/// `.json`) or, for other names, by whether the first character is `{`.
pub fn read_table(path: &Path) -> anyhow::Result<Table> {
    let bytes = std::fs::read(path).with_context(|| match path.try_exists() {
        Ok(false) => format!(
            "data file {} not found; check the path (it is relative to the current directory)",
            path.display()
        ),
        _ => format!("cannot read data file {}", path.display()),
    })?;
    let text = decode_utf8(path, bytes)?;
    // Spreadsheet programs often start UTF-8 files with a byte order mark, which would
    // otherwise become part of the first column's name.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.trim().is_empty() {
        bail!(
            "{} is empty: expected a header line with column names and at least one data row",
            path.display()
        );
    }

    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = match extension.as_deref() {
        Some("jsonl" | "ndjson" | "json") => FileFormat::JsonLines,
        Some("csv" | "tsv" | "txt") => FileFormat::Csv,
        _ if text.trim_start().starts_with('{') => FileFormat::JsonLines,
        _ => FileFormat::Csv,
    };
    let table = match format {
        FileFormat::Csv => parse_csv(path, text)?,
        FileFormat::JsonLines => parse_json_lines(path, text)?,
    };
    if table.rows.is_empty() {
        bail!(
            "{} has column names ({}) but no data rows; add at least one row per measured point",
            path.display(),
            table.column_list()
        );
    }
    Ok(table)
}

fn decode_utf8(path: &Path, bytes: Vec<u8>) -> anyhow::Result<String> {
    String::from_utf8(bytes).map_err(|err| {
        let valid = err.utf8_error().valid_up_to();
        let bytes = err.as_bytes();
        let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
        let column = valid
            - bytes[..valid]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        anyhow::anyhow!(
            "{} is not UTF-8 text: invalid byte 0x{:02x} at line {line}, column {column}; \
             save the file as UTF-8 (for example with `iconv -f latin1 -t utf-8`)",
            path.display(),
            bytes[valid]
        )
    })
}

fn parse_csv(path: &Path, text: &str) -> anyhow::Result<Table> {
    let delimiter = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"))
    {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let columns: Vec<String> = reader
        .headers()
        .with_context(|| format!("cannot read the header line of {}", path.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    check_column_names(path, &columns)?;

    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| csv_error(path, text, &columns, err))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        // The reader's own line count skips blank lines, so count newlines up to the
        // record's byte offset instead.
        let offset = record.position().map_or(0, |p| p.byte() as usize);
        lines.push(line_at(text, offset));
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(Table {
        format: FileFormat::Csv,
        columns,
        rows,
        lines,
    })
}

/// Line number (1-based) of the first non-blank line at or after byte `offset` in
/// `text` (a record's position includes the blank lines before it).
fn line_at(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    let mut offset = offset.min(bytes.len());
    while offset < bytes.len() && matches!(bytes[offset], b'\n' | b'\r') {
        offset += 1;
    }
    bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

fn csv_error(path: &Path, text: &str, columns: &[String], err: csv::Error) -> anyhow::Error {
    match err.kind() {
        csv::ErrorKind::UnequalLengths { pos, len, .. } => anyhow::anyhow!(
            "{} line {}: the row has {len} fields but the header has {} ({}); \
             every row needs one value per column (leave a value empty to mark it missing)",
            path.display(),
            pos.as_ref().map_or(0, |p| line_at(text, p.byte() as usize)),
            columns.len(),
            quoted_list(columns)
        ),
        _ => anyhow::anyhow!("{}: invalid CSV: {err}", path.display()),
    }
}

fn check_column_names(path: &Path, columns: &[String]) -> anyhow::Result<()> {
    if let Some(position) = columns.iter().position(String::is_empty) {
        bail!(
            "{}: column {} of the header line has no name; the first line must name every column",
            path.display(),
            position + 1
        );
    }
    for (i, name) in columns.iter().enumerate() {
        if columns[..i].contains(name) {
            bail!(
                "{}: the header names column `{name}` twice; rename one of them",
                path.display()
            );
        }
    }
    Ok(())
}

fn parse_json_lines(path: &Path, text: &str) -> anyhow::Result<Table> {
    let mut columns: Vec<String> = Vec::new();
    let mut objects = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(trimmed).with_context(|| {
            format!(
                "{} line {line_number} is not valid JSON; a JSON Lines file has one JSON \
                 object per line",
                path.display()
            )
        })?;
        let serde_json::Value::Object(object) = value else {
            bail!(
                "{} line {line_number} is JSON but not an object; each line must be an object \
                 such as {{\"workers\": 4, \"throughput\": 812.5}}",
                path.display()
            );
        };
        let mut flat = Vec::new();
        flatten("", &object, &mut flat);
        for (key, _) in &flat {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
        objects.push((line_number, flat));
    }

    let mut rows = Vec::with_capacity(objects.len());
    let mut lines = Vec::with_capacity(objects.len());
    for (line_number, object) in objects {
        let row = columns
            .iter()
            .map(|column| {
                object
                    .iter()
                    .find(|(key, _)| key == column)
                    .map_or_else(String::new, |(_, cell)| cell.clone())
            })
            .collect();
        rows.push(row);
        lines.push(line_number);
    }
    Ok(Table {
        format: FileFormat::JsonLines,
        columns,
        rows,
        lines,
    })
}

/// Collects the cells of a JSON object, naming the values of nested objects by their
/// dotted path (`{"point": {"workers": 4}}` gives the column `point.workers`).
fn flatten(
    prefix: &str,
    object: &serde_json::Map<String, serde_json::Value>,
    out: &mut Vec<(String, String)>,
) {
    for (key, value) in object {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            serde_json::Value::Object(inner) => flatten(&name, inner, out),
            other => out.push((name, json_cell(other))),
        }
    }
}

/// Text of one JSON value as a cell: strings unquoted, `null` and missing keys empty,
/// nested values as compact JSON.
fn json_cell(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_union_of_keys() {
        let text = "{\"n\": 1, \"x\": 2.5}\n\n{\"n\": 2, \"status\": \"ok\"}\n";
        let table = parse_json_lines(Path::new("t.jsonl"), text).unwrap();
        assert_eq!(table.columns, ["n", "x", "status"]);
        assert_eq!(table.rows[0], ["1", "2.5", ""]);
        assert_eq!(table.rows[1], ["2", "", "ok"]);
        assert_eq!(table.lines, [1, 3]);
    }

    #[test]
    fn json_lines_flatten_nested_objects() {
        let text = "{\"point\": {\"workers\": 4}, \"metrics\": {\"throughput\": 9.5}}\n";
        let table = parse_json_lines(Path::new("t.jsonl"), text).unwrap();
        assert_eq!(table.columns, ["point.workers", "metrics.throughput"]);
        assert_eq!(table.rows[0], ["4", "9.5"]);
    }

    #[test]
    fn csv_records_line_numbers() {
        let text = "n,x\n1,2\n\n3,4\n";
        let table = parse_csv(Path::new("t.csv"), text).unwrap();
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.lines, [2, 4]);
    }

    #[test]
    fn csv_ragged_row_names_line() {
        let text = "n,x\n1,2\n3\n";
        let err = parse_csv(Path::new("t.csv"), text).unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
    }

    #[test]
    fn utf8_error_names_line_and_column() {
        let err = decode_utf8(Path::new("t.csv"), b"n,x\n1,\xff\n".to_vec()).unwrap_err();
        assert!(err.to_string().contains("line 2, column 3"), "{err}");
    }
}
