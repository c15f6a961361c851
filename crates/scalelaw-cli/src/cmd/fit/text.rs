//! Rendering the fit document as terminal text or GitHub-flavoured Markdown.

use super::document::Block;

/// Renders the document as plain text: series headings underlined, law headings
/// indented once, tables and lines indented below them.
pub fn render(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(1, title) => {
                out.push('\n');
                out.push_str(title);
                out.push('\n');
                out.push_str(&"=".repeat(title.chars().count()));
                out.push('\n');
            }
            Block::Heading(_, title) => {
                out.push('\n');
                out.push_str(title);
                out.push('\n');
            }
            Block::Line(line) => {
                out.push_str("  ");
                out.push_str(line);
                out.push('\n');
            }
            Block::Bullets(items) => {
                for item in items {
                    out.push_str("  - ");
                    out.push_str(item);
                    out.push('\n');
                }
            }
            Block::Table(table) => out.push_str(&table.to_text(2)),
        }
    }
    out
}

/// Renders the document as Markdown: `#` and `##` headings, paragraphs, lists and
/// tables, each separated by a blank line.
pub fn render_markdown(blocks: &[Block]) -> String {
    let mut parts: Vec<String> = Vec::with_capacity(blocks.len());
    for block in blocks {
        let part = match block {
            Block::Heading(level, title) => {
                format!("{} {title}", "#".repeat(usize::from(*level)))
            }
            Block::Line(line) => line.clone(),
            Block::Bullets(items) => items
                .iter()
                .map(|item| format!("- {item}"))
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Table(table) => table.to_markdown().trim_end().to_string(),
        };
        parts.push(part);
    }
    let mut out = parts.join("\n\n");
    out.push('\n');
    out
}
