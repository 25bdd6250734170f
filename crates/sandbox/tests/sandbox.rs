//! End-to-end tests of the sandbox: isolation, limits, measurements, and
//! hostile programs. Every test asserts what a run must report and that
//! nothing escaped or was left behind (no process of the sandbox uid on the
//! host, fresh tmpfs for the next run).
//!
//! They need root (or delegated cgroups) and run serially through one
//! sandbox, whose zygote is this crate's `codearena-sandbox` binary.

use std::path::PathBuf;
use std::sync::MutexGuard;
use std::time::Duration;

use sandbox::{
    BoxFile, ExitStatus, LimitKind, Limits, RunOutcome, RunSpec, Sandbox, SandboxError, Source,
};

mod common;

use common::sh;

const UID: u32 = 60999;

fn sandbox() -> (MutexGuard<'static, ()>, &'static Sandbox) {
    common::sandbox(UID)
}

fn python(code: &str) -> RunSpec {
    let mut spec = RunSpec::new(["/usr/bin/python3", "-c", code]);
    spec.limits.cpu_time = Duration::from_secs(5);
    spec.limits.wall_time = Duration::from_secs(10);
    spec
}

fn run(sb: &Sandbox, spec: &RunSpec) -> RunOutcome {
    common::run(sb, spec, UID)
}

fn stdout(out: &RunOutcome) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn assert_nothing_left() {
    common::assert_nothing_left(UID);
}

#[test]
fn runs_a_command_and_measures_it() {
    let (_g, sb) = sandbox();
    let mut spec = sh("read x; echo \"got $x\"; echo oops >&2; exit 3");
    spec.stdin = Some(Source::Bytes(b"42\n".to_vec()));
    let out = run(sb, &spec);
    assert_eq!(stdout(&out), "got 42\n");
    assert_eq!(out.stderr, b"oops\n");
    assert_eq!(out.status, ExitStatus::Exited(3));
    assert_eq!(out.limit, None);
    assert!(out.wall_time > Duration::ZERO && out.wall_time < Duration::from_secs(4));
    assert!(out.peak_memory_bytes > 0);
}

#[test]
fn runs_as_an_unprivileged_user_in_a_minimal_root() {
    let (_g, sb) = sandbox();
    let out = run(
        sb,
        &sh(
            "id -u; id -g; hostname; echo $$; ls /; ls -A /box /tmp /dev/shm; \
             test -e /work || echo no-work; test -e /root || echo no-root; test -e /etc/shadow || echo no-shadow; \
             cat /proc/1/environ 2>/dev/null || echo no-environ; env | sort",
        ),
    );
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], UID.to_string());
    assert_eq!(lines[1], UID.to_string());
    assert_eq!(lines[2], "codearena");
    // The program is PID 2 of its own PID namespace (1 is the run's init).
    assert_eq!(lines[3], "2");
    for expected in ["no-work", "no-root", "no-shadow", "no-environ"] {
        assert!(lines.contains(&expected), "{expected} missing in {text}");
    }
    // The environment is exactly the one given; nothing of the host's.
    assert!(!text.contains("CARGO"), "host environment leaked: {text}");
    assert!(lines.contains(&"HOME=/tmp"));
}

#[test]
fn every_run_gets_fresh_tmp_shm_and_work_dir() {
    let (_g, sb) = sandbox();
    let out = run(
        sb,
        &sh(
            "echo a > /tmp/left; echo b > /dev/shm/left; echo c > /box/left; mkfifo /tmp/fifo; ls -A /tmp /dev/shm /box",
        ),
    );
    assert!(stdout(&out).contains("left"));
    let out = run(
        sb,
        &sh("ls -A /tmp /dev/shm /box | grep -v ':$' | grep -v '^$' || echo clean"),
    );
    assert_eq!(stdout(&out), "clean\n");
}

#[test]
fn root_file_system_is_read_only() {
    let (_g, sb) = sandbox();
    let out = run(
        sb,
        &sh(
            "touch /usr/x 2>/dev/null && echo wrote-usr; touch /etc/x 2>/dev/null && echo wrote-etc; \
                           touch /x 2>/dev/null && echo wrote-root; echo done",
        ),
    );
    assert_eq!(stdout(&out), "done\n");
}

#[test]
fn cpu_loop_hits_the_cpu_limit() {
    let (_g, sb) = sandbox();
    let mut spec = sh("while :; do :; done");
    spec.limits.cpu_time = Duration::from_millis(500);
    let out = run(sb, &spec);
    assert_eq!(out.limit, Some(LimitKind::CpuTime));
    assert!(
        out.cpu_time >= Duration::from_millis(500),
        "{:?}",
        out.cpu_time
    );
    assert!(
        out.cpu_time < Duration::from_millis(1500),
        "{:?}",
        out.cpu_time
    );
}

#[test]
fn sleep_hits_the_wall_limit() {
    let (_g, sb) = sandbox();
    let mut spec = sh("sleep 60");
    spec.limits.wall_time = Duration::from_millis(500);
    let out = run(sb, &spec);
    assert_eq!(out.limit, Some(LimitKind::WallTime));
    assert_eq!(out.status, ExitStatus::Signaled(libc::SIGKILL));
    assert!(out.cpu_time < Duration::from_millis(200));
}

#[test]
fn memory_bomb_is_killed_by_the_cgroup_oom_killer() {
    let (_g, sb) = sandbox();
    let mut spec = python("a = []\nwhile True: a.append(bytearray(1 << 20))");
    spec.limits.memory_bytes = 64 << 20;
    let out = run(sb, &spec);
    assert_eq!(out.limit, Some(LimitKind::Memory));
    assert!(out.oom_kills >= 1);
    assert!(
        out.peak_memory_bytes >= 60 << 20 && out.peak_memory_bytes <= 64 << 20,
        "{}",
        out.peak_memory_bytes
    );
}

#[test]
fn memory_in_tmpfs_counts_too() {
    let (_g, sb) = sandbox();
    let mut spec = sh("head -c 100000000 /dev/zero > /dev/shm/big && echo survived");
    spec.limits.memory_bytes = 32 << 20;
    let out = run(sb, &spec);
    assert_eq!(stdout(&out), "");
    assert!(out.oom_kills >= 1);
    assert!(out.peak_memory_bytes <= 32 << 20);
}

#[test]
fn endless_stdout_hits_the_output_limit() {
    let (_g, sb) = sandbox();
    let mut spec = sh("yes");
    spec.limits.stdout_bytes = 1 << 20;
    let out = run(sb, &spec);
    assert_eq!(out.limit, Some(LimitKind::Output));
    assert!(out.stdout_truncated);
    assert_eq!(out.stdout.len(), 1 << 20);
}

#[test]
fn stderr_flood_is_truncated_not_fatal() {
    let (_g, sb) = sandbox();
    let mut spec = sh("head -c 5000000 /dev/zero >&2; echo fine");
    spec.limits.stderr_bytes = 1000;
    let out = run(sb, &spec);
    assert_eq!(out.limit, None);
    assert_eq!(stdout(&out), "fine\n");
    assert!(out.stderr_truncated);
    assert_eq!(out.stderr.len(), 1000);
}

#[test]
fn huge_file_hits_the_file_size_limit() {
    let (_g, sb) = sandbox();
    let mut spec = sh("exec head -c 100000000 /dev/zero > /box/huge");
    spec.limits.file_size_bytes = 1 << 20;
    let out = run(sb, &spec);
    assert_eq!(out.limit, Some(LimitKind::FileSize));
    assert_eq!(out.status, ExitStatus::Signaled(libc::SIGXFSZ));
}

#[test]
fn shell_fork_bomb_is_contained_and_cleaned_up() {
    let (_g, sb) = sandbox();
    // The bomb's members do not wait for their background jobs, so `wait`
    // alone can return before the bomb reaches the limit and the test would
    // prove nothing. The main shell stays for a second, long enough for the
    // bomb to run into the process limit ("Cannot fork"); its own `sleep`
    // may be the fork that fails.
    let mut spec = sh("bomb() { bomb | bomb & }; bomb; sleep 1");
    spec.limits.max_processes = 32;
    spec.limits.wall_time = Duration::from_secs(3);
    let out = run(sb, &spec);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Contained: the bomb hit the process limit, or was still going at a
    // time limit and was killed with the run.
    assert!(
        stderr.contains("fork")
            || matches!(out.limit, Some(LimitKind::WallTime | LimitKind::CpuTime)),
        "{:?} {:?} {stderr}",
        out.limit,
        out.status
    );
}

#[test]
fn background_processes_die_with_the_run() {
    let (_g, sb) = sandbox();
    let out = run(sb, &sh("sleep 1000 & sleep 1000 & echo started"));
    assert_eq!(stdout(&out), "started\n");
    assert_eq!(out.status, ExitStatus::Exited(0));
}

#[test]
fn python_fork_bomb_is_contained() {
    let (_g, sb) = sandbox();
    let mut spec = python("import os\nwhile True:\n    try: os.fork()\n    except OSError: pass");
    spec.limits.max_processes = 32;
    spec.limits.cpu_time = Duration::from_secs(1);
    spec.limits.wall_time = Duration::from_secs(2);
    let out = run(sb, &spec);
    assert!(
        matches!(out.limit, Some(LimitKind::WallTime | LimitKind::CpuTime)),
        "{:?}",
        out.limit
    );
}

#[test]
fn no_network_at_all() {
    let (_g, sb) = sandbox();
    let code = r#"
import socket
for host, port in [("1.1.1.1", 53), ("127.0.0.1", 5432), ("127.0.0.1", 6379), ("127.0.0.1", 5672), ("169.254.169.254", 80)]:
    try:
        s = socket.create_connection((host, port), timeout=1)
        print("CONNECTED", host, port)
    except OSError as e:
        print("blocked", e.errno)
try:
    socket.socket(socket.AF_UNIX).close()
    print("unix ok")
except OSError as e:
    print("unix", e)
"#;
    let out = run(sb, &python(code));
    let text = stdout(&out);
    assert!(!text.contains("CONNECTED"), "{text}");
    assert_eq!(text.matches("blocked").count(), 5, "{text}");
    assert!(text.contains("unix ok"), "{text}");
}

#[test]
fn ptrace_namespaces_and_mounts_are_refused() {
    let (_g, sb) = sandbox();
    let code = r#"
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
print("traceme", libc.ptrace(0, 0, 0, 0))
print("attach1", libc.ptrace(16, 1, 0, 0))
print("unshare", libc.unshare(0x20000000 | 0x10000000))
print("mount", libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))
print("chroot", libc.chroot(b"/tmp"))
print("setuid0", libc.setuid(0))
print("kill1", libc.kill(1, 9))
"#;
    let out = run(sb, &python(code));
    let text = stdout(&out);
    for line in text.lines() {
        assert!(line.ends_with(" -1"), "{text}");
    }
    assert_eq!(text.lines().count(), 7, "{text}");
}

#[test]
fn kill_minus_one_only_reaches_the_run() {
    let (_g, sb) = sandbox();
    let code = "import os, signal, subprocess\np = subprocess.Popen(['sleep', '100'])\nos.kill(-1, signal.SIGKILL)\nprint('child', p.wait())\nprint('still here')";
    let out = run(sb, &python(code));
    assert_eq!(stdout(&out), "child -9\nstill here\n");
    // The zygote and this process are alive: the next run works.
    let out = run(sb, &sh("echo next"));
    assert_eq!(stdout(&out), "next\n");
}

#[test]
fn stdin_is_a_sealed_copy() {
    let (_g, sb) = sandbox();
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("input.txt");
    std::fs::write(&input, "original\n").expect("write");
    let mut spec = python(
        "import os\ntry:\n    f = open('/proc/self/fd/0', 'w'); f.write('HACKED'); f.close(); print('wrote')\nexcept OSError as e: print('refused')\nprint(open('/proc/self/fd/0').read().strip())",
    );
    spec.stdin = Some(Source::File(input.clone()));
    let out = run(sb, &spec);
    assert!(stdout(&out).contains("refused"), "{}", stdout(&out));
    assert_eq!(
        std::fs::read_to_string(&input).ok().as_deref(),
        Some("original\n")
    );
}

#[test]
fn files_in_and_out_without_following_links() {
    let (_g, sb) = sandbox();
    let mut spec = sh(
        "cat in.txt > copy.txt; cp in.txt exe; chmod +x exe; ln -s /etc/passwd link; \
                       ln -s /proc/1/environ out; mkfifo pipe; mkdir dir; echo x > dir/nested",
    );
    spec.files = vec![BoxFile {
        name: "in.txt".into(),
        source: Source::Bytes(b"payload".to_vec()),
        executable: false,
    }];
    spec.collect = vec![
        "copy.txt".into(),
        "exe".into(),
        "link".into(),
        "out".into(),
        "pipe".into(),
        "dir".into(),
    ];
    let out = run(sb, &spec);
    let names: Vec<&str> = out.collected.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["copy.txt", "exe"]);
    assert_eq!(out.collected[0].contents, b"payload");
    assert!(!out.collected[0].executable);
    assert!(out.collected[1].executable);
}

#[test]
fn planted_symlinks_do_not_touch_host_files() {
    let (_g, sb) = sandbox();
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "keep").expect("write");
    let script = format!(
        "ln -s {} /box/victim; ln -s / /box/root; ln -s {} /tmp/v; echo planted",
        victim.display(),
        dir.path().display()
    );
    let mut spec = sh(&script);
    spec.collect = vec!["victim".into(), "root".into()];
    let out = run(sb, &spec);
    assert_eq!(stdout(&out), "planted\n");
    assert!(out.collected.is_empty());
    assert_eq!(
        std::fs::read_to_string(&victim).ok().as_deref(),
        Some("keep")
    );
}

#[test]
fn missing_command_is_an_exec_error() {
    let (_g, sb) = sandbox();
    match sb.run(&RunSpec::new(["/no/such/program"])) {
        Err(SandboxError::Exec(msg)) => assert!(msg.contains("/no/such/program"), "{msg}"),
        other => panic!("expected an exec error, got {other:?}"),
    }
    assert_nothing_left();
}

#[test]
fn zero_and_absurd_limits_are_refused_before_running() {
    let (_g, sb) = sandbox();
    let cases: [fn(&mut Limits); 7] = [
        |l| l.cpu_time = Duration::ZERO,
        |l| l.wall_time = Duration::from_secs(100_000),
        |l| l.memory_bytes = 0,
        |l| l.memory_bytes = 1 << 50,
        |l| l.max_processes = 0,
        |l| l.file_size_bytes = 0,
        |l| l.cpus = 0,
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let marker = dir.path().join("ran");
    for set in cases {
        let mut spec = RunSpec::new(["/bin/touch", marker.to_str().unwrap_or("/x")]);
        set(&mut spec.limits);
        assert!(matches!(sb.run(&spec), Err(SandboxError::InvalidSpec(_))));
    }
    assert!(!marker.exists());
}

#[test]
fn unprivileged_user_without_cgroups_is_refused_not_run_unsandboxed() {
    // As nobody, with no delegated cgroup, the sandbox must refuse clearly.
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(setpriv) = setpriv else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let marker = dir.path().join("ran");
    let out = std::process::Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_codearena-sandbox"))
        .args(["--", "/bin/touch"])
        .arg(&marker)
        .env_remove("CODEARENA_CGROUP_PARENT")
        .output()
        .expect("setpriv");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("sandbox unavailable"), "{stderr}");
    assert!(!marker.exists());
}

#[test]
fn unprivileged_user_with_delegated_cgroups_runs_in_a_user_namespace() {
    // Delegate a cgroup subtree to nobody (as an administrator would), then
    // run as nobody: isolation comes from a user namespace.
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let mut dirs = Vec::new();
    for line in own.lines() {
        let mut it = line.splitn(3, ':');
        let (_, ctrls, path) = (it.next(), it.next().unwrap_or(""), it.next().unwrap_or("/"));
        for c in ["memory", "pids", "cpu", "cpuacct"] {
            if ctrls.split(',').any(|x| x == c) {
                dirs.push(PathBuf::from(format!(
                    "/sys/fs/cgroup/{c}{}/codearena-test-nobody",
                    path.trim_end_matches('/')
                )));
            }
        }
    }
    // This layout is cgroup v1's (as on this project's machines).
    let (Some(setpriv), 4) = (setpriv, dirs.len()) else {
        return;
    };
    let _g = sandbox().0;
    for d in &dirs {
        std::fs::create_dir_all(d).expect("create delegated cgroup");
        for f in std::iter::once(d.clone()).chain(
            std::fs::read_dir(d)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path()),
        ) {
            let c = std::ffi::CString::new(f.to_string_lossy().as_bytes()).unwrap_or_default();
            // SAFETY: chown on a path we just created.
            unsafe { libc::chown(c.as_ptr(), 65534, 65534) };
        }
    }
    let out = std::process::Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_codearena-sandbox"))
        .args([
            "--memory",
            "32",
            "--",
            "/bin/sh",
            "-c",
            "id -u; cat /proc/self/uid_map; head -c 100000000 /dev/zero > /dev/shm/x",
        ])
        .env("CODEARENA_CGROUP_PARENT", "codearena-test-nobody")
        .output()
        .expect("setpriv");
    for d in &dirs {
        let _ = std::fs::remove_dir(d);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("sandbox: user namespace"), "{stderr}");
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some(UID.to_string().as_str()), "{stdout}");
    let map: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
    assert_eq!(map, [UID.to_string().as_str(), "65534", "1"]);
    assert!(stderr.contains("limit=Some(Memory)"), "{stderr}");
}
