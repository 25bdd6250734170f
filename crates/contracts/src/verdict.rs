//! The verdict on a submission or a run, one type for the judge and the services. It
//! crosses every boundary (reports, job results, events) as its short code, `AC`, `WA`,
//! `TLE` …; the rules that decide a verdict live in the judge.

use serde::{Deserialize, Serialize};

/// Verdict codes, as contests write them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// Internal error: a fault of the platform or the package, never the
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

    /// The short code contests write, as serialised.
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

    /// The verdict with this code, in any case.
    pub fn from_code(code: &str) -> Option<Verdict> {
        Verdict::ALL
            .into_iter()
            .find(|v| v.code().eq_ignore_ascii_case(code))
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
            assert_eq!(v.to_string(), v.code());
        }
        assert_eq!(
            serde_json::from_str::<Verdict>("\"Accepted\"").ok(),
            None,
            "only the codes are on the wire"
        );
    }
}
