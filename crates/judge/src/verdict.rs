//! Verdicts, with the short codes contest systems use.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    #[serde(rename = "AC")]
    Accepted,
    #[serde(rename = "WA")]
    WrongAnswer,
    #[serde(rename = "TLE")]
    TimeLimitExceeded,
    #[serde(rename = "MLE")]
    MemoryLimitExceeded,
    #[serde(rename = "RTE")]
    RunTimeError,
    #[serde(rename = "OLE")]
    OutputLimitExceeded,
    #[serde(rename = "CE")]
    CompileError,
    /// Internal error: a fault of the judge or the package, never the
    /// submitter's.
    #[serde(rename = "IE")]
    InternalError,
}

impl Verdict {
    pub const ALL: [Verdict; 8] = [
        Verdict::Accepted,
        Verdict::WrongAnswer,
        Verdict::TimeLimitExceeded,
        Verdict::MemoryLimitExceeded,
        Verdict::RunTimeError,
        Verdict::OutputLimitExceeded,
        Verdict::CompileError,
        Verdict::InternalError,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Verdict::Accepted => "AC",
            Verdict::WrongAnswer => "WA",
            Verdict::TimeLimitExceeded => "TLE",
            Verdict::MemoryLimitExceeded => "MLE",
            Verdict::RunTimeError => "RTE",
            Verdict::OutputLimitExceeded => "OLE",
            Verdict::CompileError => "CE",
            Verdict::InternalError => "IE",
        }
    }

    pub fn from_code(code: &str) -> Option<Verdict> {
        Verdict::ALL
            .into_iter()
            .find(|v| v.code().eq_ignore_ascii_case(code))
    }

    /// The verdict a `submissions/<dir>/` folder expects, as in
    /// problemtools' verifyproblem. `rejected` (any rejection) is `None`.
    pub fn from_submission_dir(dir: &str) -> Option<Verdict> {
        Some(match dir {
            "accepted" => Verdict::Accepted,
            "wrong_answer" => Verdict::WrongAnswer,
            "time_limit_exceeded" => Verdict::TimeLimitExceeded,
            "memory_limit_exceeded" => Verdict::MemoryLimitExceeded,
            "run_time_error" => Verdict::RunTimeError,
            "output_limit_exceeded" => Verdict::OutputLimitExceeded,
            "compile_error" => Verdict::CompileError,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_codes_round_trip() {
        for v in Verdict::ALL {
            let json = serde_json::to_string(&v).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", v.code()));
            assert_eq!(serde_json::from_str::<Verdict>(&json).ok(), Some(v));
            assert_eq!(Verdict::from_code(v.code()), Some(v));
        }
        assert_eq!(
            Verdict::from_submission_dir("time_limit_exceeded"),
            Some(Verdict::TimeLimitExceeded)
        );
        assert_eq!(Verdict::from_submission_dir("rejected"), None);
    }
}
