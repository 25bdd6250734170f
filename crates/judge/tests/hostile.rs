//! The hostile-program suite: submissions that try to exhaust, escape or
//! spy, judged against the `aplusb` example package (1 s, 256 MiB). Each test
//! asserts the verdict and, through `judge_source`, that no process of the
//! sandbox survives. Programs that probe for leaks print the right answer
//! only when they found nothing, so AC means "nothing leaked".

mod common;

use common::{judge, judge_source, packages, problem};
use judge::{Problem, Verdict};

fn verdict(file: &str, code: &str) -> judge::Report {
    let (_g, j) = judge();
    judge_source(j, &problem("aplusb"), file, code)
}

const PY_SUM: &str = "a, b = map(int, input().split())\nprint(a + b)\n";

#[test]
fn cpu_loop_is_tle() {
    let r = verdict(
        "loop.c",
        "int main(void) { volatile unsigned long x = 0; for (;;) x++; }",
    );
    assert_eq!(r.verdict, Verdict::TimeLimitExceeded);
    assert!(
        r.tests[0].time_ms >= 1000 && r.tests[0].time_ms < 2000,
        "{}",
        r.tests[0].time_ms
    );
}

#[test]
fn sleep_is_tle() {
    let r = verdict("sleep.py", "import time\ntime.sleep(60)\n");
    assert_eq!(r.verdict, Verdict::TimeLimitExceeded);
    assert!(r.tests[0].wall_ms >= 2000, "{}", r.tests[0].wall_ms);
}

#[test]
fn c_fork_bomb_is_contained() {
    let r = verdict(
        "bomb.c",
        "#include <unistd.h>\nint main(void) { for (;;) fork(); }",
    );
    assert_eq!(r.verdict, Verdict::TimeLimitExceeded);
}

#[test]
fn python_fork_bomb_is_contained() {
    let r = verdict(
        "bomb.py",
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
    );
    assert_eq!(r.verdict, Verdict::TimeLimitExceeded);
}

#[test]
fn shell_fork_bomb_from_c_is_contained() {
    let code = r#"#include <stdlib.h>
int main(void) { return system("bomb() { bomb | bomb & }; bomb; sleep 100"); }"#;
    let r = verdict("shbomb.c", code);
    assert_eq!(r.verdict, Verdict::TimeLimitExceeded);
}

#[test]
fn java_thread_bomb_is_rte() {
    let code = r#"public class Threads {
    public static void main(String[] args) throws Exception {
        while (true) {
            Thread t = new Thread(() -> { try { Thread.sleep(100000); } catch (InterruptedException e) { } });
            // Daemon threads: when creating one fails, the error ends the JVM.
            t.setDaemon(true);
            t.start();
        }
    }
}"#;
    let r = verdict("Threads.java", code);
    assert_eq!(
        r.verdict,
        Verdict::RunTimeError,
        "{:?}",
        r.tests.first().and_then(|t| t.message.clone())
    );
}

#[test]
fn go_thread_bomb_is_rte() {
    let code = r#"package main

import (
	"runtime"
	"syscall"
	"time"
)

func main() {
	for {
		go func() {
			runtime.LockOSThread()
			syscall.Syscall(syscall.SYS_PAUSE, 0, 0, 0)
		}()
		time.Sleep(time.Millisecond)
	}
}
"#;
    let r = verdict("threads.go", code);
    assert_eq!(
        r.verdict,
        Verdict::RunTimeError,
        "{:?}",
        r.tests.first().and_then(|t| t.message.clone())
    );
}

#[test]
fn memory_bomb_is_mle() {
    let code = "#include <stdlib.h>\n#include <string.h>\nint main(void) { for (;;) { char *p = malloc(1 << 20); memset(p, 1, 1 << 20); } }";
    let r = verdict("hog.c", code);
    assert_eq!(r.verdict, Verdict::MemoryLimitExceeded);
    assert!(r.tests[0].memory_bytes <= 256 << 20);
}

#[test]
fn java_starts_under_256_mib() {
    let code = std::fs::read_to_string(packages().join("aplusb/submissions/accepted/Sum.java"))
        .unwrap_or_default();
    let r = verdict("Sum.java", &code);
    assert_eq!(r.verdict, Verdict::Accepted, "{:?}", r);
    assert_eq!(r.memory_limit_bytes, 256 << 20);
}

#[test]
fn endless_stdout_is_ole() {
    let r = verdict("spam.py", "while True:\n    print('3' * 100)\n");
    assert_eq!(r.verdict, Verdict::OutputLimitExceeded);
}

#[test]
fn huge_file_is_ole() {
    let code = r#"#include <stdio.h>
#include <string.h>
int main(void) {
    static char block[1 << 16];
    memset(block, 'x', sizeof block);
    FILE *f = fopen("/tmp/huge", "w");
    for (;;) fwrite(block, 1, sizeof block, f);
}"#;
    let r = verdict("huge.c", code);
    assert_eq!(r.verdict, Verdict::OutputLimitExceeded);
}

#[test]
fn files_left_in_tmp_and_shm_are_gone_for_the_next_run() {
    let (_g, j) = judge();
    let p = problem("aplusb");
    let plant = "import os\nfor d in ['/tmp', '/dev/shm', '.']:\n    open(os.path.join(d, 'planted'), 'w').write('x')\n";
    let r = judge_source(j, &p, "plant.py", &format!("{plant}{PY_SUM}"));
    assert_eq!(r.verdict, Verdict::Accepted);
    let check = "import os\nfor d in ['/tmp', '/dev/shm', '.']:\n    if os.path.exists(os.path.join(d, 'planted')): print('LEAK')\n";
    let r = judge_source(j, &p, "check.py", &format!("{check}{PY_SUM}"));
    assert_eq!(r.verdict, Verdict::Accepted);
}

#[test]
fn no_network() {
    let code = r#"import socket
for host, port in [("1.1.1.1", 53), ("127.0.0.1", 5432), ("127.0.0.1", 6379), ("127.0.0.1", 5672), ("169.254.169.254", 80)]:
    try:
        socket.create_connection((host, port), timeout=0.5)
        print("CONNECTED")
    except OSError:
        pass
"#;
    let r = verdict("net.py", &format!("{code}{PY_SUM}"));
    assert_eq!(r.verdict, Verdict::Accepted, "{:?}", r.tests);
}

#[test]
fn secrets_are_out_of_reach() {
    let answer = packages().join("aplusb/data/secret/01.ans");
    // A toolchain directory the language table mounts (GHC's package db in
    // /var/lib/ghc) makes its parent exist, holding that directory and nothing else.
    let toolchains: Vec<String> = {
        let (_g, j) = judge();
        j.languages()
            .readonly_paths()
            .iter()
            .map(|p| p.display().to_string())
            .collect()
    };
    let code = format!(
        r#"import glob, os
toolchains = {toolchains:?}
paths = ["/etc/shadow", "/proc/1/environ", "/proc/1/root/etc/hostname", {answer:?}, "/work", "/run", "/var/lib", "/root/.cargo", "/home"]
paths += glob.glob("/tmp/codearena-sandbox-root-*") + glob.glob("/proc/[0-9]*/environ")
for p in paths:
    try:
        with open(p) as f:
            if p != "/proc/self/environ" and not p.startswith("/proc/" + str(os.getpid())):
                print("READ", p)
    except (OSError, IsADirectoryError):
        if os.path.isdir(p) and not all(os.path.join(p, e) in toolchains for e in os.listdir(p)):
            print("DIR", p)
if set(os.environ) - {{"PATH", "HOME", "TMPDIR", "LANG", "PWD", "LC_CTYPE"}}:
    print("ENV", sorted(os.environ))
"#
    );
    let r = verdict("spy.py", &format!("{code}{PY_SUM}"));
    assert_eq!(
        r.verdict,
        Verdict::Accepted,
        "{:?}",
        r.tests.first().and_then(|t| t.message.clone())
    );
}

#[test]
fn kill_everything_only_kills_the_run() {
    let code = "import os, signal\ntry:\n    os.kill(-1, signal.SIGKILL)\nexcept ProcessLookupError:\n    pass\n";
    let r = verdict("killall.py", &format!("{code}{PY_SUM}"));
    assert_eq!(r.verdict, Verdict::Accepted);
    // The judge (and its zygote) survived: judging still works.
    let r = verdict("sum.py", PY_SUM);
    assert_eq!(r.verdict, Verdict::Accepted);
}

#[test]
fn ptrace_is_refused() {
    let code = r#"#include <stdio.h>
#include <sys/ptrace.h>
int main(void) {
    long long a, b;
    if (ptrace(PTRACE_TRACEME, 0, 0, 0) != -1) return 1;
    if (ptrace(PTRACE_ATTACH, 1, 0, 0) != -1) return 1;
    scanf("%lld %lld", &a, &b);
    printf("%lld\n", a + b);
}"#;
    assert_eq!(verdict("trace.c", code).verdict, Verdict::Accepted);
}

#[test]
fn host_wide_and_per_user_kernel_budgets_are_out_of_reach() {
    // Native AIO contexts come from one budget for the whole host (fs.aio-max-nr), and
    // inotify instances from one per host uid: a run must not be able to take either.
    let code = r#"#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
    long long a, b;
    unsigned long ctx = 0;
    if (syscall(SYS_io_setup, 1024, &ctx) != -1 || errno != ENOSYS) return 1;
    if (syscall(SYS_inotify_init1, 0) != -1 || errno != ENOSYS) return 2;
    if (syscall(458, 0, 0, 0, 0) != -1 || errno != ENOSYS) return 3; /* listmount */
    if (syscall(500, 0, 0, 0) != -1 || errno != ENOSYS) return 4;    /* not yet reviewed */
    scanf("%lld %lld", &a, &b);
    printf("%lld\n", a + b);
}"#;
    let r = verdict("budgets.c", code);
    assert_eq!(r.verdict, Verdict::Accepted, "{:?}", r.tests.first());
}

#[test]
fn java_with_too_many_classes_is_a_compile_error_not_an_internal_one() {
    let classes: String = (0..80)
        .map(|i| format!("    static class C{i} {{}}\n"))
        .collect();
    let code = format!(
        "public class Many {{\n{classes}    public static void main(String[] a) {{}}\n}}\n"
    );
    let r = verdict("Many.java", &code);
    assert_eq!(r.verdict, Verdict::CompileError, "{:?}", r.message);
    assert!(r.message.unwrap_or_default().contains("files"));
}

#[test]
fn symlinks_planted_in_the_work_dir_are_harmless() {
    let victim_dir = tempfile::tempdir().expect("tempdir");
    let victim = victim_dir.path().join("keep.txt");
    std::fs::write(&victim, "keep").expect("write");
    let code = format!(
        r#"import os
for name, target in [("prog", "/etc/passwd"), ("victim", {victim:?}), ("root", "/"), ("judgemessage.txt", "/proc/1/environ")]:
    try:
        if os.path.lexists(name): os.remove(name)
        os.symlink(target, name)
    except OSError:
        pass
try:
    os.link("/etc/passwd", "hard")
except OSError:
    pass
"#
    );
    let r = verdict("links.py", &format!("{code}{PY_SUM}"));
    assert_eq!(r.verdict, Verdict::Accepted);
    assert_eq!(
        std::fs::read_to_string(&victim).ok().as_deref(),
        Some("keep")
    );
}

#[test]
fn including_dev_random_is_a_compile_error() {
    let r = verdict(
        "random.c",
        "#include \"/dev/random\"\nint main(void) { return 0; }\n",
    );
    assert_eq!(r.verdict, Verdict::CompileError);
}

#[test]
fn gigabytes_of_compiler_errors_are_a_compile_error() {
    let code = "#define A a=;a=;a=;a=;a=;a=;a=;a=;a=;a=;\n#define B A A A A A A A A A A\n#define C B B B B B B B B B B\n\
                #define D C C C C C C C C C C\n#define E D D D D D D D D D D\nint main() { int a; E E E E E E E E E E }\n";
    let r = verdict("flood.cpp", code);
    assert_eq!(r.verdict, Verdict::CompileError);
    let compile = r.compile.expect("compile result");
    assert!(compile.output.len() <= 70_000, "{}", compile.output.len());
    assert!(r.message.unwrap_or_default().contains("output limit"));
}

#[test]
fn deep_recursion_is_fine() {
    let code = r#"#include <stdio.h>
long long depth(long long n) { volatile char pad[64]; pad[0] = 0; return n == 0 ? pad[0] : 1 + depth(n - 1); }
int main(void) {
    long long a, b;
    scanf("%lld %lld", &a, &b);
    printf("%lld\n", a + b + depth(1000000) - 1000000);
}"#;
    let r = verdict("deep.c", code);
    assert_eq!(
        r.verdict,
        Verdict::Accepted,
        "{:?}",
        r.tests.first().and_then(|t| t.message.clone())
    );
}

#[test]
fn zero_or_absurd_limits_are_refused_before_running() {
    for limits in [
        "time_limit: 0",
        "time_limit: -1",
        "memory: 0",
        "memory: 100000000",
        "time_limit: 1e9",
        "output: 0",
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path();
        std::fs::create_dir_all(p.join("data/secret")).expect("mkdir");
        std::fs::write(p.join("data/secret/1.in"), "1 2\n").expect("write");
        std::fs::write(p.join("data/secret/1.ans"), "3\n").expect("write");
        std::fs::write(
            p.join("problem.yaml"),
            format!(
                "problem_format_version: 2023-07-draft\nname: x\nuuid: u\nlimits:\n  {limits}\n"
            ),
        )
        .expect("write");
        let err = Problem::load(p)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("limits."), "{limits}: {err}");
    }
}
