//! What the sandbox's test binaries share: one sandbox per binary, used serially, running
//! as the binary's own uid, and the check that no process of that uid outlives a run.

#![allow(dead_code)] // each test binary uses its own part

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use sandbox::{RunOutcome, RunSpec, Sandbox, SandboxConfig};

/// The configuration of the tests' sandboxes: this build's init binary, uid and gid `uid`.
pub fn config(uid: u32) -> SandboxConfig {
    SandboxConfig {
        init_exe: PathBuf::from(env!("CARGO_BIN_EXE_codearena-sandbox")),
        uid,
        gid: uid,
        ..SandboxConfig::default()
    }
}

/// The binary's one sandbox (made on first use, as `uid`) and the lock that keeps its
/// tests one at a time.
pub fn sandbox(uid: u32) -> (MutexGuard<'static, ()>, &'static Sandbox) {
    static LOCK: Mutex<()> = Mutex::new(());
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    let guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let sb = SANDBOX.get_or_init(|| {
        Sandbox::new(config(uid))
            .expect("the sandbox must be available for these tests (run as root)")
    });
    (guard, sb)
}

/// `/bin/sh -c script` with 2 s of CPU and 4 s of wall time.
pub fn sh(script: &str) -> RunSpec {
    let mut spec = RunSpec::new(["/bin/sh", "-c", script]);
    spec.limits.cpu_time = Duration::from_secs(2);
    spec.limits.wall_time = Duration::from_secs(4);
    spec
}

/// No process of the sandbox uid may survive a run on the host.
pub fn assert_nothing_left(uid: u32) {
    let left = testkit::processes_of_uid(uid);
    assert!(
        left.is_empty(),
        "sandbox processes left on the host: {left:?}"
    );
}

/// Runs `spec`, then checks that nothing of it is left.
pub fn run(sb: &Sandbox, spec: &RunSpec, uid: u32) -> RunOutcome {
    let out = sb.run(spec).expect("run");
    assert_nothing_left(uid);
    out
}

/// Checks that a run's `/proc/self/mountinfo` or `/proc/mounts` (`text`) does not show
/// the host's disk under `/usr/bin`: not its device, source or options.
pub fn assert_hides_host_disk(text: &str) {
    for telltale in testkit::HostDisk::of("/usr/bin").telltales() {
        assert!(!text.contains(&telltale), "{telltale:?} in\n{text}");
    }
}
