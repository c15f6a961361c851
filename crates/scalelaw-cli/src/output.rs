//! Output formats shared by every command that prints results: the `--format` value,
//! number formatting, and a small table type that prints as aligned text, Markdown
//! or CSV.

use std::io::IsTerminal;

/// Output format of results.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// Aligned columns for a terminal
    #[default]
    Table,
    /// Stable JSON documented in docs/json-output.md
    Json,
    /// Comma-separated values
    Csv,
    /// GitHub-flavoured Markdown tables
    Markdown,
}

/// Returns whether standard output is a terminal, where plots and other extras for
/// readers are drawn.
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Formats a number for tables: whole numbers as integers, others with 4 significant
/// digits, and a value that is not finite as its own text (`NaN`, `inf`).
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e12 {
        // Whole numbers (scale values, counts) print without a misleading ".000".
        return format!("{}", value as i64);
    }
    sig(value, 4)
}

/// Formats a confidence level as a percentage: 0.95 as `95%`, 0.995 as `99.5%`.
pub fn percent(level: f64) -> String {
    let text = format!("{:.3}", level * 100.0);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// Formats a number with `digits` significant digits, switching to exponent form for
/// very large or small magnitudes.
pub fn sig(value: f64, digits: usize) -> String {
    scalelaw::stats::format_sig(value, digits)
}

/// Formats an optional number, `-` when absent.
pub fn optional(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), number)
}

/// Formats an interval as `[lower, upper]`, `-` when absent.
pub fn interval(value: Option<(f64, f64)>) -> String {
    match value {
        Some((lower, upper)) => format!("[{}, {}]", number(lower), number(upper)),
        None => "-".to_string(),
    }
}

/// Converts a number to JSON, giving `null` for a value that is not finite because JSON
/// has no NaN or infinity. Callers that can produce `null` this way document why.
pub fn json_number(value: f64) -> serde_json::Value {
    serde_json::Number::from_f64(value).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// Column alignment in text and Markdown tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table of text cells that prints as aligned text, Markdown or CSV.
#[derive(Clone, Debug, Default)]
pub struct Table {
    headers: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Creates a table with these column headers, every column aligned right until
    /// [`Table::align`] changes it.
    pub fn new(headers: &[&str]) -> Self {
        Self {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            align: vec![Align::Right; headers.len()],
            rows: Vec::new(),
        }
    }

    /// Sets the alignment of column `index`.
    pub fn align(mut self, index: usize, align: Align) -> Self {
        self.align[index] = align;
        self
    }

    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.headers.len(), "one cell per column");
        self.rows.push(row);
    }

    /// Renders aligned columns separated by two spaces, each line indented by `indent`.
    pub fn to_text(&self, indent: usize) -> String {
        let widths = self.widths();
        let pad = " ".repeat(indent);
        let mut out = String::new();
        let mut line = |cells: &[String]| {
            let mut text = pad.clone();
            for (k, cell) in cells.iter().enumerate() {
                if k > 0 {
                    text.push_str("  ");
                }
                let fill = widths[k] - cell.chars().count();
                match self.align[k] {
                    Align::Left if k + 1 == cells.len() => text.push_str(cell),
                    Align::Left => {
                        text.push_str(cell);
                        text.push_str(&" ".repeat(fill));
                    }
                    Align::Right => {
                        text.push_str(&" ".repeat(fill));
                        text.push_str(cell);
                    }
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line(&self.headers);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(&rule);
        for row in &self.rows {
            line(row);
        }
        out
    }

    /// Renders a GitHub-flavoured Markdown table.
    pub fn to_markdown(&self) -> String {
        // A bare `*` would start emphasis, and a `|` would end the cell.
        let escape = |cell: &str| cell.replace('|', "\\|").replace('*', "\\*");
        let mut out = String::new();
        out.push_str(&format!(
            "| {} |\n",
            self.headers
                .iter()
                .map(|h| escape(h))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        let rule: Vec<&str> = self
            .align
            .iter()
            .map(|a| match a {
                Align::Left => ":---",
                Align::Right => "---:",
            })
            .collect();
        out.push_str(&format!("| {} |\n", rule.join(" | ")));
        for row in &self.rows {
            out.push_str(&format!(
                "| {} |\n",
                row.iter()
                    .map(|c| escape(c))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
        }
        out
    }

    /// Writes the header and rows as CSV records.
    pub fn write_csv<W: std::io::Write>(&self, writer: &mut csv::Writer<W>) -> csv::Result<()> {
        writer.write_record(&self.headers)?;
        for row in &self.rows {
            writer.write_record(row)?;
        }
        Ok(())
    }

    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        widths
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_table_aligns_numbers_right() {
        let mut table = Table::new(&["name", "value"]).align(0, Align::Left);
        table.push(vec!["alpha".into(), "0.02773".into()]);
        table.push(vec!["gamma".into(), "90.00".into()]);
        let text = table.to_text(0);
        assert_eq!(
            text,
            "name     value\n-----  -------\nalpha  0.02773\ngamma    90.00\n"
        );
    }

    #[test]
    fn markdown_escapes_pipes() {
        let mut table = Table::new(&["a"]);
        table.push(vec!["x|y".into()]);
        table.push(vec!["1*".into()]);
        let markdown = table.to_markdown();
        assert!(markdown.contains("x\\|y"), "{markdown}");
        assert!(markdown.contains("1\\*"), "{markdown}");
    }

    #[test]
    fn json_number_maps_nan_to_null() {
        assert_eq!(json_number(f64::NAN), serde_json::Value::Null);
        assert_eq!(json_number(1.5), serde_json::json!(1.5));
    }
}
