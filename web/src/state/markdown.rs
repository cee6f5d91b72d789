//! The small Markdown subset lessons are written in: `#` headings,
//! paragraphs, `- ` bullet lists, fenced blocks with an info string, and
//! inline `code`, **strong** and *emphasis*. Parsed into blocks the lesson
//! view renders; anything else reads as plain text.

#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    Code(String),
    Strong(String),
    Em(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading {
        level: usize,
        text: String,
    },
    Paragraph(Vec<Inline>),
    List(Vec<Vec<Inline>>),
    /// A fenced block: its info string (`redis`, `check pane=2`) and lines.
    Fence {
        info: String,
        lines: Vec<String>,
    },
}

/// What is being gathered between blank lines.
enum Open {
    None,
    Paragraph(Vec<String>),
    List(Vec<String>),
}

impl Open {
    fn close(self, blocks: &mut Vec<Block>) {
        match self {
            Open::None => {}
            Open::Paragraph(lines) => blocks.push(Block::Paragraph(inline(&lines.join(" ")))),
            Open::List(items) => {
                blocks.push(Block::List(items.iter().map(|i| inline(i)).collect()))
            }
        }
    }
}

pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open = Open::None;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_end();
        if let Some(info) = trimmed.strip_prefix("```") {
            std::mem::replace(&mut open, Open::None).close(&mut blocks);
            let body = lines
                .by_ref()
                .take_while(|l| l.trim_end() != "```")
                .map(|l| l.trim_end().to_string())
                .collect();
            blocks.push(Block::Fence {
                info: info.trim().to_string(),
                lines: body,
            });
        } else if trimmed.is_empty() {
            std::mem::replace(&mut open, Open::None).close(&mut blocks);
        } else if let Some((level, text)) = heading(trimmed) {
            std::mem::replace(&mut open, Open::None).close(&mut blocks);
            blocks.push(Block::Heading {
                level,
                text: text.to_string(),
            });
        } else if let Some(item) = trimmed.strip_prefix("- ") {
            match &mut open {
                Open::List(items) => items.push(item.to_string()),
                _ => {
                    std::mem::replace(&mut open, Open::None).close(&mut blocks);
                    open = Open::List(vec![item.to_string()]);
                }
            }
        } else {
            match &mut open {
                Open::Paragraph(lines) => lines.push(trimmed.trim_start().to_string()),
                // An indented line continues the list item above it.
                Open::List(items) if line.starts_with(' ') => {
                    if let Some(last) = items.last_mut() {
                        last.push(' ');
                        last.push_str(trimmed.trim_start());
                    }
                }
                _ => {
                    std::mem::replace(&mut open, Open::None).close(&mut blocks);
                    open = Open::Paragraph(vec![trimmed.to_string()]);
                }
            }
        }
    }
    open.close(&mut blocks);
    blocks
}

/// `## Title` → (2, "Title").
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.len() - line.trim_start_matches('#').len();
    let text = line.get(level..)?.strip_prefix(' ')?;
    (1..=6).contains(&level).then_some((level, text.trim()))
}

/// Inline spans: `code`, **strong**, *em*; an opener without its closer
/// (or emphasis not hugging its text) is plain text.
pub fn inline(text: &str) -> Vec<Inline> {
    let mut spans = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let marker = if rest.starts_with("**") {
            "**"
        } else if c == '`' || c == '*' {
            &rest[..1]
        } else {
            ""
        };
        let closed = (!marker.is_empty())
            .then(|| rest[marker.len()..].find(marker).map(|end| (marker, end)))
            .flatten()
            .filter(|(marker, end)| {
                // Emphasis hugs its text: `2 * 3 * 4` is not emphasis.
                let inner = &rest[marker.len()..marker.len() + end];
                let hugs = !inner.starts_with(char::is_whitespace)
                    && !inner.ends_with(char::is_whitespace);
                !inner.is_empty() && (*marker == "`" || hugs)
            });
        match closed {
            Some((marker, end)) => {
                if !plain.is_empty() {
                    spans.push(Inline::Text(std::mem::take(&mut plain)));
                }
                let inner = rest[marker.len()..marker.len() + end].to_string();
                spans.push(match marker {
                    "`" => Inline::Code(inner),
                    "**" => Inline::Strong(inner),
                    _ => Inline::Em(inner),
                });
                rest = &rest[2 * marker.len() + end..];
            }
            None => {
                plain.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if !plain.is_empty() {
        spans.push(Inline::Text(plain));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_of_a_lesson() {
        let text = "# Strings\n\nA *string* holds\nbytes.\n\n- one `SET`\n- two\n  more\n\n```redis pane=2\nSET a 1\nGET a\n```\n## Next\ntext";
        assert_eq!(
            parse(text),
            vec![
                Block::Heading {
                    level: 1,
                    text: "Strings".into()
                },
                Block::Paragraph(vec![
                    Inline::Text("A ".into()),
                    Inline::Em("string".into()),
                    Inline::Text(" holds bytes.".into())
                ]),
                Block::List(vec![
                    vec![Inline::Text("one ".into()), Inline::Code("SET".into())],
                    vec![Inline::Text("two more".into())]
                ]),
                Block::Fence {
                    info: "redis pane=2".into(),
                    lines: vec!["SET a 1".into(), "GET a".into()]
                },
                Block::Heading {
                    level: 2,
                    text: "Next".into()
                },
                Block::Paragraph(vec![Inline::Text("text".into())]),
            ]
        );
    }

    #[test]
    fn unclosed_markers_are_text() {
        assert_eq!(
            inline("2 * 3 and `x and **bold**"),
            vec![
                Inline::Text("2 * 3 and `x and ".into()),
                Inline::Strong("bold".into())
            ]
        );
        assert_eq!(
            inline("é*ü*"),
            vec![Inline::Text("é".into()), Inline::Em("ü".into())]
        );
        assert_eq!(inline("**"), vec![Inline::Text("**".into())]);
        assert_eq!(inline("2 * 3 * 4"), vec![Inline::Text("2 * 3 * 4".into())]);
        assert_eq!(
            parse("```\nnever closed"),
            vec![Block::Fence {
                info: String::new(),
                lines: vec!["never closed".into()]
            }]
        );
        assert_eq!(
            parse("#nospace"),
            vec![Block::Paragraph(vec![Inline::Text("#nospace".into())])]
        );
    }
}
