//! Output formats shared by every command that prints results.

/// How results are printed.
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
