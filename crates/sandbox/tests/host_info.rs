//! What a program can learn about the host and the runs beside it: `/proc`
//! files that describe the machine (its memory, load, uptime, kernel, boot id,
//! pressure), the cgroup path, the kernel's quota calls and the pending-signal
//! budget. Each test compares what the run sees with what the host has, so it
//! fails on a sandbox that shows the host's view.
//!
//! Root (or delegated cgroups) needed, like `sandbox.rs`; one sandbox, used
//! serially.

use std::sync::MutexGuard;
use std::time::Duration;

use common::sh;
use sandbox::{RunOutcome, RunSpec, Sandbox};

mod common;

/// Not the default 60999: other sandboxes on a shared machine (another
/// checkout's tests) run as that uid, and the leftover check counts by uid.
const UID: u32 = 60990;
const MIB: u64 = 1024 * 1024;

fn sandbox() -> (MutexGuard<'static, ()>, &'static Sandbox) {
    common::sandbox(UID)
}

fn run(sb: &Sandbox, spec: &RunSpec) -> RunOutcome {
    common::run(sb, spec, UID)
}

/// The files the run sees, by name: `cat` of each after a `== name` line.
fn proc_files(sb: &Sandbox, names: &[&str], memory_bytes: u64) -> Vec<(String, String)> {
    let script = format!(
        "for f in {}; do echo \"== $f\"; cat \"/proc/$f\" 2>/dev/null; done",
        names.join(" ")
    );
    let mut spec = sh(&script);
    spec.limits.memory_bytes = memory_bytes;
    let out = run(sb, &spec);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut files: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("== ") {
            files.push((name.to_string(), String::new()));
        } else if let Some((_, body)) = files.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    assert_eq!(files.len(), names.len(), "{text}");
    files
}

fn host(name: &str) -> String {
    std::fs::read_to_string(format!("/proc/{name}")).unwrap_or_default()
}

/// The value of `key` (first field after it) in a meminfo-like text.
fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
}

#[test]
fn proc_hides_the_hosts_identity_and_activity() {
    let (_g, sb) = sandbox();
    // Files that only describe the host (its kernel, boot, devices, pressure):
    // the run sees them empty.
    let hidden = [
        "cmdline",
        "version",
        "config.gz",
        "modules",
        "kallsyms",
        "vmstat",
        "diskstats",
        "interrupts",
        "pressure/cpu",
        "pressure/memory",
        "pressure/io",
        "sys/kernel/osrelease",
        "sys/kernel/random/boot_id",
    ];
    for (name, body) in proc_files(sb, &hidden, 256 * MIB) {
        assert_eq!(body, "", "/proc/{name} shows the host's: {body}");
    }
    // Unique host values must appear nowhere in what the run can read.
    let files = proc_files(sb, &["uptime", "stat", "loadavg"], 256 * MIB);
    let seen: String = files.iter().map(|(_, b)| b.as_str()).collect();
    let boot_id = host("sys/kernel/random/boot_id");
    let btime = host("stat")
        .lines()
        .find(|l| l.starts_with("btime "))
        .unwrap_or("")
        .to_string();
    for secret in [boot_id.trim(), btime.as_str()] {
        assert!(
            secret.is_empty() || !seen.contains(secret),
            "{secret} in {seen}"
        );
    }
    let (_, uptime) = &files[0];
    assert_eq!(uptime.trim(), "0.00 0.00", "/proc/uptime");
    let (_, stat) = &files[1];
    let cpus = stat.lines().filter(|l| l.starts_with("cpu")).count();
    // The run's one CPU (plus the total line); no host counters.
    assert_eq!(cpus, 2, "/proc/stat: {stat}");
    assert!(
        stat.lines()
            .filter(|l| l.starts_with("cpu"))
            .all(|l| l.split_whitespace().skip(1).all(|v| v == "0")),
        "/proc/stat: {stat}"
    );
    let (_, loadavg) = &files[2];
    assert!(
        loadavg.starts_with("0.00 0.00 0.00 "),
        "/proc/loadavg: {loadavg}"
    );
}

#[test]
fn meminfo_shows_the_runs_memory_limit() {
    let (_g, sb) = sandbox();
    let host_total = field(&host("meminfo"), "MemTotal:")
        .unwrap_or("")
        .to_string();
    for mib in [64, 200] {
        let files = proc_files(sb, &["meminfo"], mib * MIB);
        let (_, meminfo) = &files[0];
        let kib = (mib * 1024).to_string();
        assert_eq!(field(meminfo, "MemTotal:"), Some(kib.as_str()), "{meminfo}");
        assert!(field(meminfo, "MemAvailable:").is_some(), "{meminfo}");
        assert_eq!(field(meminfo, "SwapTotal:"), Some("0"), "{meminfo}");
        assert!(
            !meminfo.contains(&format!(" {host_total} kB")),
            "the host's MemTotal in {meminfo}"
        );
    }
}

#[test]
fn proc_sys_is_read_only_and_the_cgroup_path_is_the_runs_own() {
    let (_g, sb) = sandbox();
    let out = run(
        sb,
        &sh(
            "awk '$5 == \"/proc/sys\" { print $6 }' /proc/self/mountinfo; echo ==; cat /proc/self/cgroup",
        ),
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (sys, cgroup) = text.split_once("==\n").unwrap_or((&text, ""));
    assert!(
        sys.lines()
            .next()
            .is_some_and(|o| o.split(',').any(|f| f == "ro")),
        "/proc/sys mount options: {text}"
    );
    // A cgroup namespace rooted at the run's cgroup: no host path, no zygote pid.
    assert!(!cgroup.is_empty(), "{text}");
    for line in cgroup.lines() {
        assert!(line.ends_with(":/"), "/proc/self/cgroup: {cgroup}");
    }
}

#[test]
fn mount_table_does_not_reveal_the_hosts_memory() {
    // /dev's nodes used to be bind mounts of the host's devtmpfs, whose
    // `size=` option (half the host's RAM by default) every process could read
    // in its mountinfo. Root builds them as device nodes on the root's tmpfs.
    let (_g, sb) = sandbox();
    let out = run(
        sb,
        &sh(
            "cat /proc/self/mountinfo /proc/self/mounts; head -c 4 /dev/zero | wc -c; echo x > /dev/null && echo null-ok",
        ),
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!text.contains("devtmpfs"), "{text}");
    assert!(text.ends_with("4\nnull-ok\n"), "{text}");
}

#[test]
fn mount_table_does_not_reveal_the_hosts_disk() {
    // The toolchain directories used to be bind mounts of the host's disk:
    // every line of /proc/self/mountinfo named its device (`254:0`,
    // `/dev/vda`), file system and options (or, in a container, the image's
    // layer paths), and statfs told the disk's size and free space. They are
    // read-only overlays now, files like ld.so.cache are copies, and the
    // overlays' statfs is the root's own small tmpfs.
    let (_g, sb) = sandbox();
    let out = run(
        sb,
        &sh(
            "cat /proc/self/mountinfo; echo ==; cat /proc/self/mounts; echo ==; \
             stat -f -c %b /usr/bin /usr/lib /; echo ==; wc -c < /etc/ld.so.cache; \
             python3 -c 'print(6 * 7)'",
        ),
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let parts: Vec<&str> = text.split("==\n").collect();
    assert_eq!(parts.len(), 4, "{text}");
    common::assert_hides_host_disk(parts[0]);
    common::assert_hides_host_disk(parts[1]);
    assert!(parts[0].contains(" - overlay overlay "), "{text}");
    let blocks: Vec<&str> = parts[2].lines().collect();
    assert_eq!(blocks.len(), 3, "{text}");
    assert!(
        blocks.iter().all(|b| *b == blocks[2]),
        "statfs differs from the root's: {text}"
    );
    assert_ne!(
        blocks[0],
        testkit::HostDisk::of("/usr/bin").blocks.to_string(),
        "the host disk's size: {text}"
    );
    let cache = std::fs::metadata("/etc/ld.so.cache")
        .map(|m| m.len())
        .unwrap_or(0);
    assert_eq!(parts[3], format!("{cache}\n42\n"), "{text}");
}

#[test]
fn a_directory_overlayfs_refuses_is_bound_and_the_start_up_line_says_so() {
    // Where the kernel will not build an overlay (procfs as a layer here; any
    // directory in a user namespace before Linux 5.11), that directory is a
    // bind mount, as before overlays, and the sandbox says the host's disk
    // shows: runs work either way. The others stay overlays.
    let (_g, _) = sandbox();
    let mut config = common::config(UID - 1);
    config.readonly_paths.insert(0, "/proc/sys/kernel".into());
    let sb = Sandbox::new(config).expect("sandbox");
    let description = sb.description().to_string();
    if !description.contains("refused") {
        eprintln!("SKIPPED: this kernel takes procfs as an overlay layer: {description}");
        return;
    }
    assert!(
        description
            .contains("read-only overlays, 1 bind mount (overlayfs refused: /proc/sys/kernel: ")
            && description.ends_with("the host's disk shows in mountinfo)"),
        "{description}"
    );
    let out = common::run(
        &sb,
        &sh("cat /proc/self/mountinfo; echo ==; python3 -c 'print(6 * 7)'"),
        UID - 1,
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let Some((mountinfo, rest)) = text.split_once("==\n") else {
        panic!("{text}");
    };
    common::assert_hides_host_disk(mountinfo);
    assert_eq!(rest, "42\n", "{description}");
}

#[test]
fn usr_local_is_not_in_the_sandbox() {
    // The host's own additions live there (the service binary in the image;
    // databases and tools on a development machine): `/usr/local/bin` here
    // holds git and PostgreSQL. None of it may be visible or on the PATH.
    let (_g, sb) = sandbox();
    let out = run(
        sb,
        &sh("ls -A /usr/local 2>/dev/null; echo \"PATH=$PATH\"; test -d /usr/bin && echo usr-bin"),
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(text, "PATH=/usr/bin:/bin\nusr-bin\n");
}

#[test]
fn clocks_start_near_zero_not_at_the_hosts_boot() {
    // CLOCK_BOOTTIME and CLOCK_MONOTONIC count from the host's boot: its
    // uptime, the same as /proc/uptime told. A time namespace per run starts
    // them at the run.
    let host_uptime: f64 = host("uptime")
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    if host_uptime < 120.0 {
        eprintln!("SKIPPED: the host booted {host_uptime} s ago, too recently to tell");
        return;
    }
    let (_g, sb) = sandbox();
    let code =
        "import time\nprint(int(time.clock_gettime(time.CLOCK_BOOTTIME)), int(time.monotonic()))";
    let mut spec = RunSpec::new(["/usr/bin/python3", "-c", code]);
    spec.limits.wall_time = Duration::from_secs(10);
    let out = run(sb, &spec);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let secs: Vec<u64> = text
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    assert_eq!(secs.len(), 2, "{text}");
    assert!(secs.iter().all(|s| *s < 60), "the run's clocks: {text}");
}

#[test]
fn sysinfo_tells_the_runs_memory_not_the_hosts() {
    // sysinfo(2) is /proc/meminfo, /proc/loadavg and /proc/uptime in one
    // call (glibc's sysconf(_SC_PHYS_PAGES) and the JVM use it): the run gets
    // its own memory limit, zero load and its own uptime.
    let (_g, sb) = sandbox();
    let code = r#"import ctypes, os, struct
buf = ctypes.create_string_buffer(112)
rc = ctypes.CDLL(None, use_errno=True).sysinfo(buf)
uptime, l1, l2, l3, total, free = struct.unpack_from("lLLLLL", buf.raw)
unit = struct.unpack_from("I", buf.raw, 104)[0]
print(rc, uptime < 60, l1 + l2 + l3, total * unit, free * unit <= total * unit)
print(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
"#;
    let mut spec = RunSpec::new(["/usr/bin/python3", "-c", code]);
    spec.limits.memory_bytes = 200 * MIB;
    spec.limits.wall_time = Duration::from_secs(10);
    let out = run(sb, &spec);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let limit = (200 * MIB).to_string();
    assert_eq!(
        text,
        format!("0 True 0 {limit} True\n{limit}\n"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
