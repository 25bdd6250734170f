//! The judging process's own memory, however large the compiled program: a C program
//! of 192 MiB (initialised data) is compiled, collected and run on every test, and the
//! peak resident memory of this process (`VmHWM`, reset first) grows by less than
//! 64 MiB. The collected program stays in a sealed memfd, passed to each run by
//! descriptor; it is never read into this process.
//!
//! A test binary of its own with a single test: `VmHWM` is the whole process's peak, so
//! no other test may run beside it.

mod common;

use common::{judge, judge_source, problem};
use judge::Verdict;

const MIB: u64 = 1 << 20;

/// A field of `/proc/self/status` in bytes (`VmHWM`, `VmRSS`).
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
    kib * 1024
}

#[test]
fn a_huge_compiled_program_does_not_grow_the_judges_memory() {
    let (_guard, judge) = judge();
    let problem = problem("aplusb");
    // Start the zygote and warm up everything else before measuring.
    let warm = judge_source(
        judge,
        &problem,
        "warm.c",
        "#include <stdio.h>\nint main(void) { long long a, b; scanf(\"%lld %lld\", &a, &b); printf(\"%lld\\n\", a + b); }\n",
    );
    assert_eq!(warm.verdict, Verdict::Accepted);

    let code = "#include <stdio.h>\n\
                char big[192 << 20] = {1};\n\
                int main(void) { long long a, b; scanf(\"%lld %lld\", &a, &b); printf(\"%lld\\n\", a + b + big[0] - 1); }\n";
    // "5" resets the peak resident size to the current one.
    std::fs::write("/proc/self/clear_refs", "5").expect("reset VmHWM");
    let before = status_bytes("VmRSS");
    let report = judge_source(judge, &problem, "big.c", code);
    let growth = status_bytes("VmHWM").saturating_sub(before);
    eprintln!(
        "peak resident growth: {} MiB ({} tests, verdict {:?})",
        growth / MIB,
        report.tests.len(),
        report.verdict
    );
    assert_eq!(
        report.verdict,
        Verdict::Accepted,
        "{:?} {:?}",
        report.message,
        report.compile.map(|c| c.output)
    );
    assert!(
        growth < 64 * MIB,
        "the judging process grew by {} MiB for a 192 MiB program",
        growth / MIB
    );
}
