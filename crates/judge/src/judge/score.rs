//! The score of a scoring problem from its test results.

use std::collections::HashMap;

use super::TestResult;
use crate::problem::{FormatVersion, Problem, TestGroup, TestNode};
use crate::verdict::Verdict;

/// The score of a scoring problem from its test results (see docs/judge.md):
/// legacy packages sum (or take the minimum of, with `grader_flags: min`)
/// `accept_score` per accepted case; newer ones give `secret` a `max_score`
/// (default 100) split over its children, where a subgroup earns its share
/// only when all its cases pass.
pub(super) fn score(problem: &Problem, tests: &[TestResult]) -> f64 {
    let by_name: HashMap<&str, &TestResult> = tests.iter().map(|t| (t.name.as_str(), t)).collect();
    if problem.format == FormatVersion::Legacy {
        legacy_score(&problem.secret, &by_name)
    } else {
        let max = problem.secret.settings.max_score.unwrap_or(100.0);
        fraction(&problem.secret, &by_name, true) * max
    }
}

fn passed(r: Option<&&TestResult>) -> bool {
    r.is_some_and(|r| r.verdict == Verdict::Accepted)
}

fn legacy_score(g: &TestGroup, by_name: &HashMap<&str, &TestResult>) -> f64 {
    let scores: Vec<f64> = g
        .children
        .iter()
        .map(|c| match c {
            TestNode::Case(t) => {
                let r = by_name.get(t.name.as_str());
                if passed(r) {
                    r.and_then(|r| r.score)
                        .unwrap_or(g.settings.accept_score.unwrap_or(1.0))
                } else {
                    0.0
                }
            }
            TestNode::Group(sub) => legacy_score(sub, by_name),
        })
        .collect();
    match g.settings.score_aggregation.as_deref() {
        // An empty group scores 0, not infinity.
        Some("min") => scores.into_iter().reduce(f64::min).unwrap_or(0.0),
        _ => scores.into_iter().sum(),
    }
}

/// Fraction (0..=1) of a group's maximum score earned.
fn fraction(g: &TestGroup, by_name: &HashMap<&str, &TestResult>, is_secret: bool) -> f64 {
    let default_agg = if is_secret { "sum" } else { "pass-fail" };
    let agg = g
        .settings
        .score_aggregation
        .as_deref()
        .unwrap_or(default_agg);
    let parts: Vec<(f64, f64)> = g
        .children
        .iter()
        .map(|c| match c {
            TestNode::Case(t) => (
                1.0,
                if passed(by_name.get(t.name.as_str())) {
                    1.0
                } else {
                    0.0
                },
            ),
            TestNode::Group(sub) => (
                sub.settings.max_score.unwrap_or(1.0),
                fraction(sub, by_name, false),
            ),
        })
        .collect();
    if parts.is_empty() {
        return 0.0;
    }
    match agg {
        "pass-fail" => {
            if parts.iter().all(|(_, f)| *f >= 1.0) {
                1.0
            } else {
                0.0
            }
        }
        "min" => parts.iter().map(|(_, f)| *f).fold(1.0, f64::min),
        _ => {
            let total: f64 = parts.iter().map(|(w, _)| w).sum();
            if total <= 0.0 {
                0.0
            } else {
                parts.iter().map(|(w, f)| w * f).sum::<f64>() / total
            }
        }
    }
}
