//! Markdown statements as LaTeX, for the legacy format (problemtools and Kattis read
//! only `problem.<lang>.tex` there). Covers what statements use: paragraphs, headings
//! (`\section*`), emphasis, inline and block code, lists, quotes, tables, links,
//! images (`\illustration`) and `$…$` / `$$…$$` math, which is passed through as
//! written.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Escapes text for LaTeX's text mode.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            '$' => out.push_str("\\$"),
            '&' => out.push_str("\\&"),
            '#' => out.push_str("\\#"),
            '%' => out.push_str("\\%"),
            '_' => out.push_str("\\_"),
            '^' => out.push_str("\\^{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '<' => out.push_str("\\textless{}"),
            '>' => out.push_str("\\textgreater{}"),
            '|' => out.push_str("\\textbar{}"),
            c => out.push(c),
        }
    }
    out
}

/// The statement `name` and its Markdown `source` as a LaTeX statement body.
pub(super) fn markdown_to_latex(name: &str, source: &str) -> String {
    let mut out = format!("\\problemname{{{}}}\n\n", escape(name));
    let options = Options::ENABLE_TABLES | Options::ENABLE_MATH | Options::ENABLE_STRIKETHROUGH;
    // Table cells: separators go between cells, `\\` after each row.
    let mut cell = 0usize;
    let mut in_code_block = false;
    let mut link: Option<String> = None;
    for event in Parser::new_ext(source, options) {
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph => {}
                Tag::Heading { level, .. } => out.push_str(match level {
                    HeadingLevel::H1 | HeadingLevel::H2 => "\\section*{",
                    _ => "\\subsection*{",
                }),
                Tag::BlockQuote(_) => out.push_str("\\begin{quote}\n"),
                Tag::CodeBlock(_) => {
                    out.push_str("\\begin{verbatim}\n");
                    in_code_block = true;
                }
                Tag::List(Some(_)) => out.push_str("\\begin{enumerate}\n"),
                Tag::List(None) => out.push_str("\\begin{itemize}\n"),
                Tag::Item => out.push_str("\\item "),
                Tag::Emphasis => out.push_str("\\emph{"),
                Tag::Strong => out.push_str("\\textbf{"),
                Tag::Strikethrough => {}
                Tag::Link { dest_url, .. } => link = Some(dest_url.to_string()),
                // `\illustration{width}{file}{caption}`: the alt text is the caption.
                Tag::Image { dest_url, .. } => {
                    out.push_str(&format!("\\illustration{{0.4}}{{{}}}{{", escape(&dest_url)))
                }
                Tag::Table(alignments) => {
                    let cols = "l".repeat(alignments.len().max(1));
                    out.push_str(&format!("\\begin{{tabular}}{{{cols}}}\n"));
                }
                Tag::TableHead | Tag::TableRow => cell = 0,
                Tag::TableCell => {
                    if cell > 0 {
                        out.push_str(" & ");
                    }
                    cell += 1;
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph => out.push_str("\n\n"),
                TagEnd::Heading(_) => out.push_str("}\n\n"),
                TagEnd::BlockQuote(_) => out.push_str("\\end{quote}\n\n"),
                TagEnd::CodeBlock => {
                    out.push_str("\\end{verbatim}\n\n");
                    in_code_block = false;
                }
                TagEnd::List(true) => out.push_str("\\end{enumerate}\n\n"),
                TagEnd::List(false) => out.push_str("\\end{itemize}\n\n"),
                TagEnd::Item => out.push('\n'),
                TagEnd::Emphasis | TagEnd::Strong => out.push('}'),
                TagEnd::Link => {
                    if let Some(url) = link.take() {
                        out.push_str(&format!(" (\\texttt{{{}}})", escape(&url)));
                    }
                }
                TagEnd::Image => out.push_str("}\n"),
                TagEnd::TableHead | TagEnd::TableRow => out.push_str(" \\\\\n"),
                TagEnd::Table => out.push_str("\\end{tabular}\n\n"),
                _ => {}
            },
            Event::Text(text) if in_code_block => out.push_str(&text),
            Event::Text(text) => out.push_str(&escape(&text)),
            Event::Code(code) => out.push_str(&format!("\\texttt{{{}}}", escape(&code))),
            Event::InlineMath(math) => out.push_str(&format!("${math}$")),
            Event::DisplayMath(math) => out.push_str(&format!("\n\\[{math}\\]\n")),
            Event::SoftBreak => out.push('\n'),
            Event::HardBreak => out.push_str("\\\\\n"),
            Event::Rule => out.push_str("\\medskip\\hrule\\medskip\n\n"),
            _ => {}
        }
    }
    out.trim_end().to_string() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_become_latex_with_math_kept() {
        let md = "Read $n$ ($1 \\le n \\le 10^5$) & print _it_ **now**.\n\n\
                  ## Input\n\n- one `line_with` 100%\n- two\n\n$$x^2$$\n";
        let tex = markdown_to_latex("Two # Bells", md);
        assert!(tex.starts_with("\\problemname{Two \\# Bells}\n\n"), "{tex}");
        assert!(
            tex.contains("Read $n$ ($1 \\le n \\le 10^5$) \\& print \\emph{it} \\textbf{now}."),
            "{tex}"
        );
        assert!(tex.contains("\\section*{Input}"), "{tex}");
        assert!(
            tex.contains("\\begin{itemize}\n\\item one \\texttt{line\\_with} 100\\%"),
            "{tex}"
        );
        assert!(tex.contains("\\[x^2\\]"), "{tex}");
    }

    #[test]
    fn code_blocks_are_verbatim() {
        let tex = markdown_to_latex("X", "```\na_b {c}\n```\n");
        assert!(
            tex.contains("\\begin{verbatim}\na_b {c}\n\\end{verbatim}"),
            "{tex}"
        );
    }
}
