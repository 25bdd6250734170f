//! Problem statements, kept as their Markdown or LaTeX source (PDF by path
//! only).

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{FormatVersion, ProblemError, io_err};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StatementFormat {
    Markdown,
    Latex,
    Pdf,
}

#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub language: String,
    pub format: StatementFormat,
    pub path: PathBuf,
    /// The source text (Markdown or LaTeX); empty for PDF.
    #[serde(skip)]
    pub source: String,
}
pub(super) fn load_statements(
    dir: &Path,
    format: FormatVersion,
) -> Result<Vec<Statement>, ProblemError> {
    let mut out = Vec::new();
    let dirs: &[&str] = match format {
        FormatVersion::Legacy => &["problem_statement", "statement"],
        _ => &["statement", "problem_statement"],
    };
    for d in dirs {
        let p = dir.join(d);
        let Ok(entries) = std::fs::read_dir(&p) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for f in files {
            let Some(name) = f.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(rest) = name.strip_prefix("problem.") else {
                continue;
            };
            let (language, ext) = match rest.rsplit_once('.') {
                Some((lang, ext)) => (lang.to_string(), ext),
                None => ("en".to_string(), rest), // legacy problem.tex
            };
            let format = match ext {
                "md" => StatementFormat::Markdown,
                "tex" => StatementFormat::Latex,
                "pdf" => StatementFormat::Pdf,
                _ => continue,
            };
            let source = if format == StatementFormat::Pdf {
                String::new()
            } else {
                std::fs::read_to_string(&f).map_err(io_err(&f))?
            };
            out.push(Statement {
                language,
                format,
                path: f,
                source,
            });
        }
        if !out.is_empty() {
            break;
        }
    }
    Ok(out)
}
