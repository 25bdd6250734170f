//! Public types of the sandbox: its configuration, what to run, the limits,
//! what came out, and the errors.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

const MIB: u64 = 1024 * 1024;

/// How a [`crate::Sandbox`] is set up. Fixed for the sandbox's lifetime: the
/// zygote builds the read-only root once from it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SandboxConfig {
    /// The executable that is re-executed as the zygote. It must call
    /// [`crate::enter_if_requested`] first thing in `main`. Defaults to
    /// `/proc/self/exe`.
    pub init_exe: PathBuf,
    /// The unprivileged uid and gid the sandboxed program runs as.
    pub uid: u32,
    pub gid: u32,
    /// Host paths mirrored read-only at the same place inside the sandbox
    /// (toolchains, shared libraries). Symlinks are recreated as symlinks.
    pub readonly_paths: Vec<PathBuf>,
    /// Where to create the cgroups: by default the zygote's own cgroup in
    /// each hierarchy. A relative path is taken below that cgroup, an
    /// absolute one from each hierarchy's root (a delegated subtree, e.g. for
    /// running without root). Default from `CODEARENA_CGROUP_PARENT`.
    pub cgroup_parent: Option<PathBuf>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        let mut readonly_paths: Vec<PathBuf> = [
            "/bin",
            "/sbin",
            "/lib",
            "/lib32",
            "/lib64",
            "/libx32",
            "/etc/alternatives",
            "/etc/ld.so.cache",
            "/etc/ld.so.conf",
            "/etc/ld.so.conf.d",
            "/etc/localtime",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        readonly_paths.extend(usr_without_local());
        // JVM and Debian Python keep configuration in /etc (the JDK's conf/
        // directory is a symlink farm into /etc/java-17-openjdk).
        if let Ok(entries) = std::fs::read_dir("/etc") {
            let mut extra: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("java-") || n.starts_with("python3"))
                })
                .collect();
            extra.sort();
            readonly_paths.extend(extra);
        }
        SandboxConfig {
            init_exe: PathBuf::from("/proc/self/exe"),
            uid: 60999,
            gid: 60999,
            readonly_paths,
            cgroup_parent: std::env::var_os("CODEARENA_CGROUP_PARENT").map(PathBuf::from),
        }
    }
}

/// Every entry of `/usr` but `/usr/local`: that is where a host keeps what
/// it added itself (in the image, the service binary; on a development
/// machine, databases and tools) and no judge toolchain lives there. All of
/// `/usr` if it cannot be listed.
fn usr_without_local() -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir("/usr") else {
        return vec![PathBuf::from("/usr")];
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != "local")
        .map(|e| e.path())
        .collect();
    paths.sort();
    paths
}

/// The `PATH` of [`RunSpec::new`]: `/usr/local` is not in the sandbox.
pub(crate) const DEFAULT_PATH: &str = "/usr/bin:/bin";

/// Where a program's standard input or a work-directory file comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A host file, opened by the host (a trusted path, never one the
    /// sandboxed program could have written).
    File(PathBuf),
    Bytes(Vec<u8>),
    /// Contents the host keeps in a sealed memfd (a collected file): passed by
    /// descriptor, never copied.
    Shared(crate::SharedFile),
}

/// Descriptors a program gets as its standard input and/or output instead of
/// the sandbox's own (a sealed copy of [`RunSpec::stdin`], a captured
/// stdout): the ends of pipes the caller made with [`crate::pipe`], to
/// connect a program to another one running at the same time in another
/// [`crate::Sandbox`] (an interactive problem's interactor and submission).
///
/// Only pipes are taken (anything else is refused), stdin must be a read end
/// and stdout a write end. They are moved into the run: the caller keeps no
/// copy, so the other side sees end-of-file as soon as this program and
/// whatever it started are gone. A piped stdout has no output limit (the
/// reader decides how much it takes); stderr is still captured.
#[derive(Debug, Default)]
pub struct Pipes {
    pub stdin: Option<std::os::fd::OwnedFd>,
    pub stdout: Option<std::os::fd::OwnedFd>,
}

/// A file placed in the fresh work directory before the program starts.
#[derive(Debug, Clone)]
pub struct BoxFile {
    /// A plain file name (no `/`), created in the work directory.
    pub name: String,
    pub source: Source,
    pub executable: bool,
}

/// One command to run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// `argv[0]` is an absolute path inside the sandbox, or a name looked up in
    /// the `PATH` of `env`.
    pub argv: Vec<String>,
    /// The complete environment (nothing is inherited from the host).
    pub env: Vec<(String, String)>,
    /// Standard input; `None` is `/dev/null`.
    pub stdin: Option<Source>,
    pub files: Vec<BoxFile>,
    /// Work-directory files to return after the run: exact names, or `*.ext`.
    pub collect: Vec<String>,
    /// Send stderr into the stdout pipe (and its limit), like `2>&1`.
    pub merge_stderr: bool,
    pub limits: Limits,
}

impl RunSpec {
    pub fn new<S: Into<String>>(argv: impl IntoIterator<Item = S>) -> Self {
        RunSpec {
            argv: argv.into_iter().map(Into::into).collect(),
            env: vec![
                ("PATH".into(), DEFAULT_PATH.into()),
                ("HOME".into(), "/tmp".into()),
                ("LANG".into(), "C.UTF-8".into()),
            ],
            stdin: None,
            files: Vec::new(),
            collect: Vec::new(),
            merge_stderr: false,
            limits: Limits::default(),
        }
    }
}

/// Resource limits of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// CPU time of all processes together (user + system).
    pub cpu_time: Duration,
    pub wall_time: Duration,
    /// Memory including page cache, tmpfs files and swap.
    pub memory_bytes: u64,
    /// Processes and threads alive at once.
    pub max_processes: u32,
    /// Standard output beyond this ends the run (output limit exceeded).
    pub stdout_bytes: u64,
    /// Standard error beyond this is discarded.
    pub stderr_bytes: u64,
    /// Largest file the program may write (RLIMIT_FSIZE).
    pub file_size_bytes: u64,
    pub open_files: u32,
    pub stack_bytes: u64,
    /// Size of the work directory tmpfs (and of /tmp, and /dev/shm each).
    pub work_dir_bytes: u64,
    /// Total size of the files returned by `collect`.
    pub collect_bytes: u64,
    /// CPUs the run may use at once (cgroup CPU quota).
    pub cpus: u32,
}

impl Default for Limits {
    /// The platform defaults: 10 s, 256 MB.
    fn default() -> Self {
        Limits {
            cpu_time: Duration::from_secs(10),
            wall_time: Duration::from_secs(20),
            memory_bytes: 256 * MIB,
            max_processes: 64,
            stdout_bytes: 64 * MIB,
            stderr_bytes: 64 * 1024,
            file_size_bytes: 64 * MIB,
            open_files: 256,
            stack_bytes: 256 * MIB,
            work_dir_bytes: 256 * MIB,
            collect_bytes: 256 * MIB,
            cpus: 1,
        }
    }
}

impl Limits {
    /// Refuses zero and absurd limits before anything runs.
    pub fn validate(&self) -> Result<(), SandboxError> {
        let bad = |what: &str| {
            Err(SandboxError::InvalidSpec(format!(
                "limit {what} is out of range"
            )))
        };
        if self.cpu_time < Duration::from_millis(1) || self.cpu_time > Duration::from_secs(3600) {
            return bad("cpu_time (1 ms ..= 1 h)");
        }
        if self.wall_time < Duration::from_millis(1) || self.wall_time > Duration::from_secs(7200) {
            return bad("wall_time (1 ms ..= 2 h)");
        }
        if self.memory_bytes < 4 * MIB || self.memory_bytes > 64 * 1024 * MIB {
            return bad("memory_bytes (4 MiB ..= 64 GiB)");
        }
        if self.max_processes == 0 || self.max_processes > 4096 {
            return bad("max_processes (1 ..= 4096)");
        }
        if self.stdout_bytes > 4096 * MIB || self.stderr_bytes > 4096 * MIB {
            return bad("stdout_bytes/stderr_bytes (..= 4 GiB)");
        }
        if self.file_size_bytes == 0 || self.file_size_bytes > 64 * 1024 * MIB {
            return bad("file_size_bytes (1 ..= 64 GiB)");
        }
        if self.open_files < 8 || self.open_files > 65536 {
            return bad("open_files (8 ..= 65536)");
        }
        if self.stack_bytes < 64 * 1024 || self.stack_bytes > 64 * 1024 * MIB {
            return bad("stack_bytes (64 KiB ..= 64 GiB)");
        }
        if self.work_dir_bytes < MIB || self.work_dir_bytes > 64 * 1024 * MIB {
            return bad("work_dir_bytes (1 MiB ..= 64 GiB)");
        }
        if self.collect_bytes > 64 * 1024 * MIB {
            return bad("collect_bytes (..= 64 GiB)");
        }
        if self.cpus == 0 || self.cpus > 1024 {
            return bad("cpus (1 ..= 1024)");
        }
        Ok(())
    }
}

/// How the program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExitStatus {
    Exited(i32),
    Signaled(i32),
}

impl ExitStatus {
    pub fn success(self) -> bool {
        self == ExitStatus::Exited(0)
    }
}

/// The limit that ended (or, for CPU time, was exceeded by) the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LimitKind {
    CpuTime,
    WallTime,
    /// The cgroup's OOM killer fired.
    Memory,
    /// Standard output exceeded its limit.
    Output,
    /// A file write exceeded RLIMIT_FSIZE.
    FileSize,
}

/// A work-directory file returned by `collect`.
#[derive(Debug, Clone)]
pub struct CollectedFile {
    pub name: String,
    /// In a sealed memfd, not on the heap (see [`crate::SharedFile`]).
    pub contents: crate::SharedFile,
    pub executable: bool,
}

/// What came out of one run.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub status: ExitStatus,
    pub cpu_time: Duration,
    pub wall_time: Duration,
    /// When the program ended, on the machine's monotonic clock (CLOCK_MONOTONIC,
    /// the same for every sandbox here): which of two connected runs ended first.
    pub ended: Duration,
    /// Peak memory of the run's cgroup.
    pub peak_memory_bytes: u64,
    pub limit: Option<LimitKind>,
    /// Kills by the cgroup OOM killer during this run.
    pub oom_kills: u64,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub stdout_truncated: bool,
    pub stderr_truncated: bool,
    pub collected: Vec<CollectedFile>,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// Isolation cannot be set up here; nothing was run.
    #[error("sandbox unavailable: {0}")]
    Unavailable(String),
    #[error("invalid run specification: {0}")]
    InvalidSpec(String),
    /// The command could not be started inside the sandbox (e.g. not found).
    #[error("could not start the command in the sandbox: {0}")]
    Exec(String),
    #[error("sandbox failure: {0}")]
    Internal(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl SandboxError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> SandboxError {
        let context = context.into();
        move |source| SandboxError::Io { context, source }
    }
}
