//! The sandbox's cgroup v2 code path, run for real whatever the host's layout:
//! the `codearena-sandbox` binary starts in a private mount namespace whose
//! `/sys/fs/cgroup` is a fresh `cgroup2` mount and nothing else, so the zygote
//! finds no v1 hierarchy and takes `cgroup/v2.rs`. A v2-only host (most
//! production nodes) gives that mount every controller; on a v1 or hybrid host
//! the memory, pids and cpu controllers stay bound to their v1 hierarchies and
//! the v2 mount lacks them: the test then says why and skips (it cannot move
//! them without tearing down the host's own v1 cgroups).
//!
//! Root needed.

use std::os::unix::process::CommandExt;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_codearena-sandbox");

/// `program` in a private mount namespace whose `/sys/fs/cgroup` is a fresh
/// cgroup2 mount (on v1 and hybrid hosts a tmpfs there holds one mount per
/// hierarchy: it goes, with all of them).
fn where_only_v2_is_mounted(program: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_remove("CODEARENA_CGROUP_PARENT");
    // SAFETY: between fork and exec only async-signal-safe syscalls run.
    unsafe {
        cmd.pre_exec(|| {
            let cvt = |r: libc::c_int| {
                if r < 0 {
                    Err(std::io::Error::last_os_error())
                } else {
                    Ok(())
                }
            };
            cvt(libc::unshare(libc::CLONE_NEWNS))?;
            cvt(libc::mount(
                c"none".as_ptr(),
                c"/".as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            ))?;
            cvt(libc::umount2(c"/sys/fs/cgroup".as_ptr(), libc::MNT_DETACH))?;
            cvt(libc::mount(
                c"cgroup2".as_ptr(),
                c"/sys/fs/cgroup".as_ptr(),
                c"cgroup2".as_ptr(),
                libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                std::ptr::null(),
            ))
        });
    }
    cmd
}

/// Runs the sandbox binary with `args` where only cgroup v2 is mounted.
fn on_cgroup_v2(args: &[&str]) -> std::io::Result<Output> {
    where_only_v2_is_mounted(BIN).args(args).output()
}

/// Why this host cannot run the v2 path, if it cannot.
fn unavailable() -> Option<String> {
    // SAFETY: trivial getter.
    if unsafe { libc::geteuid() } != 0 {
        return Some("needs root".into());
    }
    let probe = match on_cgroup_v2(&["--", "/bin/true"]) {
        Ok(out) => out,
        Err(e) => return Some(format!("cannot mount cgroup2 in a mount namespace: {e}")),
    };
    let stderr = String::from_utf8_lossy(&probe.stderr).into_owned();
    if stderr.contains("sandbox unavailable") && stderr.contains("is not available") {
        return Some(format!(
            "the cgroup2 mount lacks controllers held by v1 hierarchies here: {}",
            stderr.trim()
        ));
    }
    None
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The sandbox cgroups (`codearena-sandbox-<pid>`) in the v2 hierarchy.
fn leftovers() -> String {
    where_only_v2_is_mounted("/bin/sh")
        .args([
            "-c",
            "find /sys/fs/cgroup -name 'codearena-sandbox-*' -type d 2>/dev/null",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

#[test]
fn cgroup_v2_limits_counters_and_cleanup() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED cgroup_v2_limits_counters_and_cleanup: {why}");
        return;
    }
    let before = leftovers();

    // Memory: 32 MiB, and a program that keeps 100 MB in tmpfs.
    let out = on_cgroup_v2(&[
        "--memory",
        "32",
        "--",
        "/bin/sh",
        "-c",
        "cat /proc/self/cgroup; head -c 100000000 /dev/zero > /dev/shm/x",
    ])
    .expect("run");
    let (stdout, stderr) = text(&out);
    assert!(stderr.contains("sandbox: root; cgroup v2: "), "{stderr}");
    assert!(stderr.contains("limit=Some(Memory)"), "{stderr}");
    assert_eq!(stdout, "0::/\n", "the run's cgroup namespace");

    // CPU: the run's cgroup counts the loop's time and stops it (at 1 s of
    // CPU, or at the 3 s wall limit on a machine too busy to give it 1 s).
    let out =
        on_cgroup_v2(&["--time", "1", "--", "/bin/sh", "-c", "while :; do :; done"]).expect("run");
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("limit=Some(CpuTime)") || stderr.contains("limit=Some(WallTime)"),
        "{stderr}"
    );
    assert!(!stderr.contains(" cpu=0ns "), "no CPU counted: {stderr}");

    // pids.max (64 by default, the init and Python included): of 200
    // children, fewer than 64 start; all die with the run.
    let fork = "import os\nn = 0\nfor _ in range(200):\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n    if pid == 0:\n        os.execv('/bin/sleep', ['sleep', '5'])\n    n += 1\nprint(n)\n";
    let out = on_cgroup_v2(&["--", "/usr/bin/python3", "-c", fork]).expect("run");
    let (stdout, stderr) = text(&out);
    let started: u32 = stdout.trim().parse().unwrap_or(0);
    assert!((10..64).contains(&started), "{stdout} {stderr}");

    // Every zygote removed its cgroups on exit.
    assert_eq!(leftovers(), before);
}
