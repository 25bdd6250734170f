//! Two programs connected by pipes, each in its own sandbox (the shape of an
//! interactive problem: interactor and submission): they talk, a program
//! gets the pipe as fds 0/1 and nothing more, end-of-file arrives when the
//! other side is gone, and a pair waiting on each other ends at the wall
//! limit. Every test asserts that no process of the sandbox uid is left.

use std::os::fd::AsRawFd;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use sandbox::{ExitStatus, LimitKind, Pipes, RunOutcome, RunSpec, Sandbox};

mod common;

const UID: u32 = 60999;
const SIGSEGV: i32 = 11;

/// Two sandboxes (two zygotes): two runs at once need two.
fn sandboxes() -> (MutexGuard<'static, ()>, &'static Sandbox, &'static Sandbox) {
    static LOCK: Mutex<()> = Mutex::new(());
    static PAIR: OnceLock<(Sandbox, Sandbox)> = OnceLock::new();
    let guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let (a, b) = PAIR.get_or_init(|| {
        let config = common::config(UID);
        let a = Sandbox::new(config.clone()).expect("sandbox (run as root)");
        let b = Sandbox::new(config).expect("second sandbox");
        (a, b)
    });
    (guard, a, b)
}

fn sh(script: &str, wall: Duration) -> RunSpec {
    let mut spec = RunSpec::new(["/bin/sh", "-c", script]);
    spec.limits.cpu_time = Duration::from_secs(2);
    spec.limits.wall_time = wall;
    spec
}

fn assert_nothing_left() {
    let left = testkit::processes_of_uid(UID);
    assert!(
        left.is_empty(),
        "sandbox processes left on the host: {left:?}"
    );
}

/// Runs `first` and `second` at once, `first`'s stdout into `second`'s stdin
/// and `second`'s stdout into `first`'s stdin.
fn connected(first: &RunSpec, second: &RunSpec) -> (RunOutcome, RunOutcome) {
    let (_g, a, b) = sandboxes();
    let (to_second_r, to_second_w) = sandbox::pipe().expect("pipe");
    let (to_first_r, to_first_w) = sandbox::pipe().expect("pipe");
    let out = std::thread::scope(|s| {
        let other = s.spawn(|| {
            b.run_with_pipes(
                second,
                Pipes {
                    stdin: Some(to_second_r),
                    stdout: Some(to_first_w),
                },
            )
        });
        let mine = a.run_with_pipes(
            first,
            Pipes {
                stdin: Some(to_first_r),
                stdout: Some(to_second_w),
            },
        );
        (mine, other.join().expect("thread"))
    });
    assert_nothing_left();
    (out.0.expect("first run"), out.1.expect("second run"))
}

#[test]
fn two_programs_talk_through_pipes() {
    let asker = sh(
        "echo 21; read answer; echo \"asker got $answer\" >&2",
        Duration::from_secs(10),
    );
    let doubler = sh(
        "read x; echo $((x * 2)); echo doubled >&2",
        Duration::from_secs(10),
    );
    let (a, d) = connected(&asker, &doubler);
    assert_eq!(a.status, ExitStatus::Exited(0));
    assert_eq!(d.status, ExitStatus::Exited(0));
    assert_eq!(String::from_utf8_lossy(&a.stderr), "asker got 42\n");
    assert_eq!(String::from_utf8_lossy(&d.stderr), "doubled\n");
    // A piped stdout is not captured.
    assert!(a.stdout.is_empty() && d.stdout.is_empty());
}

#[test]
fn the_pipes_are_the_only_extra_descriptors() {
    // fds 0, 1, 2 and the directory `ls` itself opens; nothing else.
    let lister = sh(
        "ls /proc/self/fd | tr '\\n' ' ' >&2; readlink /proc/self/fd/0 /proc/self/fd/1 >&2; echo 1 >&5 || echo refused >&2",
        Duration::from_secs(10),
    );
    let quiet = sh("cat >/dev/null", Duration::from_secs(10));
    let (l, q) = connected(&lister, &quiet);
    let err = String::from_utf8_lossy(&l.stderr).into_owned();
    assert!(err.starts_with("0 1 2 3 pipe:["), "{err}");
    assert!(err.contains("refused") || err.contains("Bad file"), "{err}");
    assert_eq!(q.status, ExitStatus::Exited(0));
}

#[test]
fn the_reader_sees_end_of_file_when_the_writer_dies() {
    // The writer crashes at once; the reader must not wait for its wall limit.
    let crasher = sh("kill -SEGV $$", Duration::from_secs(20));
    let reader = sh(
        "if read x; then echo \"read $x\" >&2; else echo eof >&2; fi",
        Duration::from_secs(20),
    );
    let started = Instant::now();
    let (c, r) = connected(&crasher, &reader);
    assert_eq!(c.status, ExitStatus::Signaled(SIGSEGV));
    assert_eq!(String::from_utf8_lossy(&r.stderr), "eof\n");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn programs_waiting_on_each_other_end_at_the_wall_limit() {
    let a = sh("read x", Duration::from_secs(1));
    let b = sh("read y", Duration::from_secs(3));
    let started = Instant::now();
    let (ra, rb) = connected(&a, &b);
    assert_eq!(ra.limit, Some(LimitKind::WallTime));
    // The second sees end-of-file once the first is killed, well before its own limit.
    assert_eq!(rb.limit, None, "{rb:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn only_pipe_ends_are_taken() {
    let (_g, a, _) = sandboxes();
    let file = tempfile::tempfile().expect("tempfile");
    let spec = sh("true", Duration::from_secs(5));
    let refused = a.run_with_pipes(
        &spec,
        Pipes {
            stdin: Some(file.into()),
            stdout: None,
        },
    );
    assert!(
        matches!(refused, Err(sandbox::SandboxError::InvalidSpec(_))),
        "{refused:?}"
    );
    // The write end offered as stdin is refused too.
    let (_r, w) = sandbox::pipe().expect("pipe");
    assert!(w.as_raw_fd() > 2);
    let refused = a.run_with_pipes(
        &spec,
        Pipes {
            stdin: Some(w),
            stdout: None,
        },
    );
    assert!(
        matches!(refused, Err(sandbox::SandboxError::InvalidSpec(_))),
        "{refused:?}"
    );
}
