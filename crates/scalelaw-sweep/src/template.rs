//! Text templates with `{name}` placeholders for scale parameters.
//!
//! A placeholder is `{` + identifier + `}`. Braces around anything that is not an
//! identifier (`awk '{print $1}'`) are left as written, and `{{` and `}}` stand for a
//! literal `{` and `}`, so `{{n}}` gives the text `{n}`.

use thiserror::Error;

use crate::param::{is_identifier, Point};

/// A placeholder that names no scale parameter.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown placeholder {{{name}}} in '{template}': the scale parameters are {known}; \
     add it with -p {name}=VALUES, or write {{{{{name}}}}} for a literal {{{name}}}"
)]
pub struct UnknownPlaceholder {
    pub name: String,
    pub template: String,
    pub known: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Placeholder(String),
}

/// A parsed template, ready to be filled in at each point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    pieces: Vec<Piece>,
}

impl Template {
    /// Parses `source`. Braces that form no placeholder are kept as plain text, so any
    /// string is a valid template.
    pub fn parse(source: &str) -> Self {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut rest = source;
        while let Some(c) = rest.chars().next() {
            if rest.starts_with("{{") || rest.starts_with("}}") {
                text.push(c);
                rest = &rest[2..];
                continue;
            }
            if c == '{' {
                if let Some(close) = rest.find('}') {
                    let name = &rest[1..close];
                    if is_identifier(name) {
                        if !text.is_empty() {
                            pieces.push(Piece::Text(std::mem::take(&mut text)));
                        }
                        pieces.push(Piece::Placeholder(name.to_string()));
                        rest = &rest[close + 1..];
                        continue;
                    }
                }
            }
            text.push(c);
            rest = &rest[c.len_utf8()..];
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Template {
            source: source.to_string(),
            pieces,
        }
    }

    /// Returns the template as the user wrote it.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Returns the placeholder names in order of appearance.
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|piece| match piece {
            Piece::Placeholder(name) => Some(name.as_str()),
            Piece::Text(_) => None,
        })
    }

    /// Checks that every placeholder names one of `names`.
    pub fn check(&self, names: &[&str]) -> Result<(), UnknownPlaceholder> {
        for name in self.placeholders() {
            if !names.contains(&name) {
                let known = if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                };
                return Err(UnknownPlaceholder {
                    name: name.to_string(),
                    template: self.source.clone(),
                    known,
                });
            }
        }
        Ok(())
    }

    /// Fills in the template at `point`. A placeholder the point does not set is kept as
    /// written, which [`Template::check`] rules out beforehand.
    pub fn render(&self, point: &Point) -> String {
        let mut out = String::with_capacity(self.source.len());
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Placeholder(name) => match point.get(name) {
                    Some(value) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                },
            }
        }
        out
    }
}

/// Error from [`split_words`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unterminated quote in command '{0}'; close the quote, or pass --shell to run it with a shell"
)]
pub struct UnterminatedQuote(pub String);

/// Splits a command line into words as a POSIX shell does for quoting only: single
/// quotes, double quotes (with `\"` and `\\` escapes) and backslash escapes.
/// No expansion, globbing, pipes or redirections take place.
pub fn split_words(line: &str) -> Result<Vec<String>, UnterminatedQuote> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(UnterminatedQuote(line.to_string())),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(UnterminatedQuote(line.to_string())),
                        },
                        Some(c) => word.push(c),
                        None => return Err(UnterminatedQuote(line.to_string())),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(pairs: &[(&str, &str)]) -> Point {
        Point(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn render_fills_placeholders() {
        let template = Template::parse("bench --threads {n} --size {size}x{n}");
        let at = point(&[("n", "4"), ("size", "100")]);
        assert_eq!(template.render(&at), "bench --threads 4 --size 100x4");
    }

    #[test]
    fn non_identifier_braces_kept() {
        let template = Template::parse("awk '{print $1}' {n}");
        assert_eq!(template.render(&point(&[("n", "2")])), "awk '{print $1}' 2");
        assert!(template.check(&["n"]).is_ok());
    }

    #[test]
    fn doubled_braces_are_literal() {
        let template = Template::parse("echo {{n}} {n}");
        assert_eq!(template.render(&point(&[("n", "7")])), "echo {n} 7");
        assert_eq!(template.placeholders().collect::<Vec<_>>(), ["n"]);
    }

    #[test]
    fn unknown_placeholder_rejected() {
        let template = Template::parse("run {m}");
        let err = template.check(&["n"]).unwrap_err();
        assert_eq!(err.name, "m");
        let message = err.to_string();
        assert!(message.contains("-p m=VALUES"), "{message}");
        assert!(message.contains("{{m}}"), "{message}");
    }

    #[test]
    fn split_words_handles_quotes() {
        let words = split_words(r#"sh -c 'echo "a b"' "x \"y\"" z\ w"#).unwrap();
        assert_eq!(words, ["sh", "-c", "echo \"a b\"", "x \"y\"", "z w"]);
    }

    #[test]
    fn split_words_keeps_empty_quoted() {
        assert_eq!(split_words("a '' b").unwrap(), ["a", "", "b"]);
    }

    #[test]
    fn split_words_unterminated_quote() {
        assert!(split_words("echo 'oops").is_err());
        assert!(split_words("echo \"oops").is_err());
    }
}
