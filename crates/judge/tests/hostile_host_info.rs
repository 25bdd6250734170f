//! Hostile submissions that spy on the host or reach its shared budgets through
//! the kernel, judged against `aplusb` (1 s, 256 MiB). Like `hostile.rs`, each
//! prints the right answer only when it found nothing (or was refused), so AC
//! means "nothing leaked"; on a sandbox without the defence the answer is wrong.

mod common;

use common::{judge, judge_source, problem};
use judge::Verdict;

fn assert_accepted(file: &str, code: &str) {
    let (_g, j) = judge();
    let r = judge_source(j, &problem("aplusb"), file, code);
    assert_eq!(
        r.verdict,
        Verdict::Accepted,
        "{file}: {:?} {:?} {:?}",
        r.message,
        r.compile.as_ref().map(|c| &c.output),
        r.tests.first().map(|t| &t.message)
    );
}

const PY_SUM: &str = "a, b = map(int, input().split())\nprint(a + b)\n";

/// Python: `scan(names, secrets)` prints `LEAK name secret` for each secret found in a
/// readable `/proc/<name>`.
const PY_SCAN: &str = r#"def scan(names, secrets):
    for name in names:
        try:
            text = open("/proc/" + name).read()
        except OSError:
            continue
        for s in secrets:
            if s in text:
                print("LEAK", name, s)
"#;

fn host(name: &str) -> String {
    std::fs::read_to_string(format!("/proc/{name}")).unwrap_or_default()
}

#[test]
fn proc_tells_nothing_of_the_host() {
    // Values unique to this host (its boot, kernel command line, memory, boot
    // time) that a submission must not find in any /proc file it can read.
    let boot_id = host("sys/kernel/random/boot_id").trim().to_string();
    let cmdline = host("cmdline").trim().to_string();
    let mem_total = host("meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .map(|v| v.trim().to_string())
        .unwrap_or_default();
    let btime = host("stat")
        .lines()
        .find(|l| l.starts_with("btime "))
        .unwrap_or_default()
        .to_string();
    let secrets: Vec<&str> = [&boot_id, &cmdline, &mem_total, &btime]
        .into_iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(
        secrets.len(),
        4,
        "this host's /proc lacks a value to look for"
    );
    let code = format!(
        r#"secrets = {secrets:?}
names = ["cmdline", "version", "meminfo", "stat", "loadavg", "uptime", "vmstat", "diskstats",
         "interrupts", "softirqs", "pressure/cpu", "pressure/memory", "pressure/io",
         "sys/kernel/osrelease", "sys/kernel/random/boot_id", "self/cgroup", "self/mountinfo",
         "mounts"]
scan(names, secrets + ["codearena-sandbox"])
mem = [l for l in open("/proc/meminfo") if l.startswith("MemTotal:")]
if mem != ["MemTotal:         262144 kB\n"]:
    print("MEMTOTAL", mem)
"#
    );
    assert_accepted("spy.py", &format!("{PY_SCAN}{code}{PY_SUM}"));
}

#[test]
fn the_mount_table_tells_nothing_of_the_hosts_disk() {
    // The toolchains' directories were bind mounts of the host's disk, so
    // every mountinfo line named its device number, source and options, and
    // statvfs told the disk's size. They are read-only overlays now.
    let disk = testkit::HostDisk::of("/usr/lib");
    let secrets = disk.telltales();
    let code = format!(
        r#"import os
scan(["self/mountinfo", "mounts", "self/mountstats"], {secrets:?})
for path in ["/usr/lib", "/usr/bin", "/etc/ld.so.cache"]:
    if os.statvfs(path).f_blocks == {blocks}:
        print("LEAK statvfs", path)
"#,
        blocks = disk.blocks
    );
    assert_accepted("spy.py", &format!("{PY_SCAN}{code}{PY_SUM}"));
}

#[test]
fn quotactl_fd_is_refused_like_quotactl() {
    // quotactl_fd (x86_64 443) reaches the same quota code as quotactl, which
    // the filter refuses; a filter that knew only the older call let it through.
    let code = r#"#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/quota.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
    long long a, b;
    int fd = open(".", O_RDONLY | O_DIRECTORY);
    if (syscall(SYS_quotactl, QCMD(Q_SYNC, USRQUOTA), "/box", 0, 0) != -1 || errno != EPERM) return 1;
    if (syscall(443, fd, QCMD(Q_SYNC, USRQUOTA), 0, 0) != -1 || errno != EPERM) return 2;
    if (syscall(443, fd, QCMD(Q_GETFMT, USRQUOTA), 0, 0) != -1 || errno != EPERM) return 3;
    scanf("%lld %lld", &a, &b);
    printf("%lld\n", a + b);
}"#;
    assert_accepted("quota.c", code);
}

#[test]
fn queued_signals_are_capped_per_run() {
    // Every queued signal is counted against its uid's RLIMIT_SIGPENDING; in
    // user-namespace mode that is the service's own uid. A run may queue a few
    // hundred, not the host's default (tens of thousands).
    let code = r#"#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
    long long a, b;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &set, 0);
    union sigval v = { 0 };
    long queued = 0;
    while (sigqueue(getpid(), SIGRTMIN, v) == 0)
        if (++queued > 100000) break;
    if (errno != EAGAIN || queued > 1024) return 1;
    scanf("%lld %lld", &a, &b);
    printf("%lld\n", a + b);
}"#;
    assert_accepted("sigqueue.c", code);
}

#[test]
fn sysinfo_tells_the_runs_memory_and_no_load() {
    // sysinfo(2) answers what /proc/meminfo and /proc/loadavg no longer tell:
    // the run's init answers it with the run's limit (256 MiB here), zero
    // load and the run's uptime.
    let code = r#"#include <stdio.h>
#include <sys/sysinfo.h>
int main(void) {
    long long a, b;
    struct sysinfo si;
    if (sysinfo(&si) != 0) return 1;
    if ((unsigned long long)si.totalram * si.mem_unit != 256ULL << 20) return 2;
    if (si.loads[0] || si.loads[1] || si.loads[2]) return 3;
    if (si.uptime > 60 || si.totalswap) return 4;
    scanf("%lld %lld", &a, &b);
    printf("%lld\n", a + b);
}"#;
    assert_accepted("sysinfo.c", code);
}
