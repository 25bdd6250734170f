//! User-namespace mode (the sandbox started by an unprivileged user) with a
//! subordinate uid range: each slot's programs get a host uid of their own
//! (`start + slot uid`), not the service's, as root mode gives them. Without a
//! range (or without `newuidmap`) the zygote can map only its own uid; that
//! fallback is `sandbox::unprivileged_user_with_delegated_cgroups_runs_in_a_user_namespace`.
//!
//! Root needed (to delegate cgroups and a subordinate range to `nobody`, as
//! an administrator would), a cgroup v1 layout, `setpriv` and `newuidmap`.

use std::path::{Path, PathBuf};

mod common;

const UID: u32 = 60999;
const NOBODY: u32 = 65534;
/// The range this test delegates to nobody, unless it already has one.
const START: u32 = 300_000;

/// Cgroup directories delegated to nobody (v1: memory, pids, cpu, cpuacct).
struct Delegated(Vec<PathBuf>);

impl Delegated {
    fn create() -> Option<Delegated> {
        let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        let mut dirs = Vec::new();
        for line in own.lines() {
            let mut it = line.splitn(3, ':');
            let (_, ctrls, path) = (it.next(), it.next().unwrap_or(""), it.next().unwrap_or("/"));
            for c in ["memory", "pids", "cpu", "cpuacct"] {
                if ctrls.split(',').any(|x| x == c) {
                    dirs.push(PathBuf::from(format!(
                        "/sys/fs/cgroup/{c}{}/codearena-test-subuid",
                        path.trim_end_matches('/')
                    )));
                }
            }
        }
        if dirs.len() != 4 {
            return None;
        }
        for d in &dirs {
            std::fs::create_dir_all(d).expect("create delegated cgroup");
            let files = std::fs::read_dir(d).into_iter().flatten().flatten();
            for f in std::iter::once(d.clone()).chain(files.map(|e| e.path())) {
                let c = std::ffi::CString::new(f.to_string_lossy().as_bytes()).unwrap_or_default();
                // SAFETY: chown on a path we just created.
                unsafe { libc::chown(c.as_ptr(), NOBODY, NOBODY) };
            }
        }
        Some(Delegated(dirs))
    }
}

impl Drop for Delegated {
    fn drop(&mut self) {
        for d in &self.0 {
            let _ = std::fs::remove_dir(d);
        }
    }
}

/// A line added to /etc/subuid or /etc/subgid for nobody, removed on drop (the file
/// removed too if the test created it); nothing to undo when nobody had a range already.
struct Subordinate {
    file: &'static str,
    /// The line the test added; `None` when it added nothing.
    added: Option<String>,
    created: bool,
}

impl Subordinate {
    /// nobody's start in `file`: its own range, or [`START`] added for the test.
    fn delegate(file: &'static str) -> (Subordinate, u32) {
        let before = std::fs::read_to_string(file).ok();
        let existing = before.as_deref().unwrap_or("").lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            let ours = f.first().is_some_and(|o| *o == "nobody" || *o == "65534");
            let big = f.get(2).and_then(|c| c.parse::<u32>().ok()) > Some(UID);
            (ours && big).then(|| f.get(1).and_then(|s| s.parse().ok()))?
        });
        let unchanged = Subordinate {
            file,
            added: None,
            created: false,
        };
        if let Some(start) = existing {
            return (unchanged, start);
        }
        let mut text = before.clone().unwrap_or_default();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        let line = format!("nobody:{START}:65536");
        text.push_str(&line);
        text.push('\n');
        std::fs::write(file, text).expect("delegate a subordinate range");
        let added = Subordinate {
            added: Some(line),
            created: before.is_none(),
            ..unchanged
        };
        (added, START)
    }
}

impl Drop for Subordinate {
    /// Takes out the added line only, keeping whatever else changed in the file meanwhile.
    fn drop(&mut self) {
        let Some(line) = &self.added else { return };
        let Ok(text) = std::fs::read_to_string(self.file) else {
            return;
        };
        let kept: String = text
            .lines()
            .filter(|l| l != line)
            .map(|l| format!("{l}\n"))
            .collect();
        if self.created && kept.is_empty() {
            let _ = std::fs::remove_file(self.file);
        } else {
            let _ = std::fs::write(self.file, kept);
        }
    }
}

#[test]
fn each_slot_uid_is_a_host_uid_of_its_own_without_root() {
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let missing = ["/usr/bin/newuidmap", "/usr/bin/newgidmap"]
        .into_iter()
        .find(|p| !Path::new(p).exists());
    // SAFETY: trivial getter.
    let root = unsafe { libc::geteuid() } == 0;
    let (Some(setpriv), None, true) = (setpriv, missing, root) else {
        eprintln!("SKIPPED: needs root, setpriv and newuidmap/newgidmap (Debian: uidmap)");
        return;
    };
    let Some(_cgroups) = Delegated::create() else {
        eprintln!("SKIPPED: needs the cgroup v1 layout (memory, pids, cpu, cpuacct)");
        return;
    };
    let (_subuid, uid_start) = Subordinate::delegate("/etc/subuid");
    let (_subgid, gid_start) = Subordinate::delegate("/etc/subgid");

    let out = std::process::Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_codearena-sandbox"))
        .args([
            "--memory",
            "32",
            "--",
            "/bin/sh",
            "-c",
            "cat /proc/self/mountinfo; echo ==; id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; touch /box/mine && stat -c %u /box/mine; \
             awk '/MemTotal/ { print $2 }' /proc/meminfo; wc -c < /proc/cmdline; \
             python3 -c 'import os; print(os.sysconf(\"SC_PHYS_PAGES\") * os.sysconf(\"SC_PAGE_SIZE\"))'; \
             head -c 100000000 /dev/zero > /dev/shm/x",
        ])
        .env("CODEARENA_CGROUP_PARENT", "codearena-test-subuid")
        .output()
        .expect("setpriv");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("sandbox: user namespace"), "{stderr}");
    // The root's directories are overlays here too (kernel 5.11 or later):
    // the mount table does not show the host's disk.
    assert!(stderr.contains("read-only overlays"), "{stderr}");
    assert!(!stderr.contains("refused"), "{stderr}");
    let Some((mountinfo, stdout)) = stdout.split_once("==\n") else {
        panic!("{stdout}\n{stderr}");
    };
    common::assert_hides_host_disk(mountinfo);
    let lines: Vec<Vec<&str>> = stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    let (uid, gid) = (UID.to_string(), UID.to_string());
    let expected: Vec<Vec<String>> = vec![
        vec![uid.clone()],
        vec![gid.clone()],
        vec!["0".into(), NOBODY.to_string(), "1".into()],
        vec![uid.clone(), (uid_start + UID).to_string(), "1".into()],
        vec!["0".into(), NOBODY.to_string(), "1".into()],
        vec![gid, (gid_start + UID).to_string(), "1".into()],
        vec![uid],
        // The run's /proc, as in root mode (host_info.rs).
        vec!["32768".into()],
        vec!["0".into()],
        // sysinfo(2), answered by the init (run/notify.rs).
        vec![(32u64 << 20).to_string()],
    ];
    assert_eq!(lines, expected, "{stdout}\n{stderr}");
    assert!(stderr.contains("limit=Some(Memory)"), "{stderr}");
}
