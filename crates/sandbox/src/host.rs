//! The host side: [`Sandbox`] owns one zygote process and sends it runs.
//!
//! The host never touches the sandbox's file system: inputs go over as open
//! descriptors, and outputs (stdout, stderr, collected files) come back
//! through in-memory files the host created, so no path the program could
//! have planted is ever followed here.

use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::protocol::{self, Hello, HelloReply, RunReply, RunRequest};
use crate::shared_file::SharedFile;
use crate::spec::{CollectedFile, Pipes, RunOutcome, RunSpec, SandboxConfig, SandboxError, Source};
use crate::sys;
use crate::zygote::ZYGOTE_ENV;

/// A sandbox with one pre-forked zygote. Runs are serialised per `Sandbox`;
/// create one per worker for parallelism.
pub struct Sandbox {
    config: SandboxConfig,
    zygote: Mutex<Option<Zygote>>,
    description: String,
}

struct Zygote {
    child: Child,
    sock: UnixStream,
    _root: tempfile::TempDir,
}

impl Drop for Zygote {
    fn drop(&mut self) {
        // EOF on its socket makes the zygote clean up its cgroups and exit.
        let _ = self.sock.shutdown(std::net::Shutdown::Both);
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(1))
                }
                _ => break,
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Name prefix of the empty host directories the zygotes mount their roots
/// on (in their own mount namespaces), followed by the owner's pid.
const ROOT_PREFIX: &str = "codearena-sandbox-root-";

/// Removes root directories left by processes that are gone (a process
/// killed before it could drop its `Sandbox`). They are empty on the host;
/// `remove_dir` removes nothing else and follows no symlink.
fn remove_stale_roots() {
    let tmp = std::env::temp_dir();
    for e in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(ROOT_PREFIX)
            .and_then(|r| r.split('-').next())
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        // SAFETY: signal 0 only checks whether the process exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0 || sys::errno() == libc::EPERM;
        if !alive {
            let _ = std::fs::remove_dir(e.path());
        }
    }
}

fn spawn(config: &SandboxConfig) -> Result<(Zygote, String), SandboxError> {
    let (host, zyg) = UnixStream::pair().map_err(SandboxError::io("socketpair"))?;
    remove_stale_roots();
    let root = tempfile::Builder::new()
        .prefix(&format!("{ROOT_PREFIX}{}-", std::process::id()))
        .tempdir()
        .map_err(SandboxError::io("create zygote root directory"))?;
    let child = Command::new(&config.init_exe)
        .env_clear()
        .env(ZYGOTE_ENV, "1")
        .stdin(Stdio::from(OwnedFd::from(zyg)))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(SandboxError::io(format!(
            "start zygote {}",
            config.init_exe.display()
        )))?;
    let z = Zygote {
        child,
        sock: host,
        _root: root,
    };
    let hello = Hello {
        uid: config.uid,
        gid: config.gid,
        readonly_paths: config.readonly_paths.clone(),
        root_dir: z._root.path().to_path_buf(),
        cgroup_parent: config.cgroup_parent.clone(),
    };
    let fd = z.sock.as_raw_fd();
    protocol::send(fd, &hello, &[]).map_err(SandboxError::io("send zygote configuration"))?;
    z.sock
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(SandboxError::io("socket timeout"))?;
    match protocol::recv::<HelloReply>(fd) {
        Ok(Some((
            HelloReply::Ready {
                cgroup,
                user_namespace,
                layers,
            },
            _,
        ))) => {
            let mode = if user_namespace {
                "user namespace"
            } else {
                "root"
            };
            Ok((z, format!("{mode}; {cgroup}; {layers}")))
        }
        Ok(Some((HelloReply::Unavailable(why), _))) => Err(SandboxError::Unavailable(why)),
        Ok(None) => Err(SandboxError::Unavailable(format!(
            "the zygote exited during start-up: does {} call sandbox::enter_if_requested() first thing in main?",
            config.init_exe.display()
        ))),
        Err(e) => Err(SandboxError::Unavailable(format!(
            "no answer from the zygote: {e}"
        ))),
    }
}

/// An open descriptor for a source: host files are opened read-only, bytes go
/// into an in-memory file, shared files are duplicated (never copied).
fn source_fd(src: &Source) -> Result<OwnedFd, SandboxError> {
    match src {
        Source::File(p) => std::fs::File::open(p)
            .map(OwnedFd::from)
            .map_err(SandboxError::io(format!("open {}", p.display()))),
        Source::Bytes(b) => {
            let fd = sys::memfd("input", false).map_err(SandboxError::io("memfd"))?;
            let mut f = std::fs::File::from(fd);
            f.write_all(b).map_err(SandboxError::io("write memfd"))?;
            Ok(OwnedFd::from(f))
        }
        Source::Shared(file) => file
            .descriptor()
            .map_err(SandboxError::io("dup shared file")),
    }
}

fn read_sink(fd: OwnedFd) -> Result<Vec<u8>, SandboxError> {
    let mut f = std::fs::File::from(fd);
    let mut out = Vec::new();
    f.seek(SeekFrom::Start(0))
        .map_err(SandboxError::io("seek output"))?;
    f.read_to_end(&mut out)
        .map_err(SandboxError::io("read output"))?;
    Ok(out)
}

/// Longest name a collect record may announce (file names are at most 255 bytes).
const MAX_COLLECTED_NAME: usize = 4096;

/// Fills `buf` from `fd` at `*offset` and moves past it.
fn read_exact_at(fd: RawFd, offset: &mut u64, buf: &mut [u8]) -> Result<(), SandboxError> {
    let mut done = 0;
    while done < buf.len() {
        let at = libc::off_t::try_from(*offset + done as u64)
            .map_err(|_| SandboxError::Internal("malformed collected files".into()))?;
        let rest = &mut buf[done..];
        // SAFETY: rest is valid for its length.
        let n = unsafe { libc::pread(fd, rest.as_mut_ptr().cast(), rest.len(), at) };
        match n {
            n if n > 0 => done += n as usize,
            0 => return Err(SandboxError::Internal("malformed collected files".into())),
            _ => {
                let e = std::io::Error::last_os_error();
                if e.kind() != std::io::ErrorKind::Interrupted {
                    return Err(SandboxError::io("read collected files")(e));
                }
            }
        }
    }
    *offset += buf.len() as u64;
    Ok(())
}

fn read_field<const N: usize>(fd: RawFd, offset: &mut u64) -> Result<[u8; N], SandboxError> {
    let mut buf = [0u8; N];
    read_exact_at(fd, offset, &mut buf)?;
    Ok(buf)
}

/// Parses the collect stream written by the run's init
/// (`[u32 name length][name][u8 executable][u64 size][contents]` records) without
/// reading the contents: each file is copied by the kernel into a sealed memfd of its
/// own ([`SharedFile`]), and the stream's pages are freed as it goes, so the host's
/// memory does not grow with what was collected. The data is produced by trusted code,
/// but sizes are still checked rather than trusted.
fn parse_collected(fd: OwnedFd) -> Result<Vec<CollectedFile>, SandboxError> {
    let bad = || SandboxError::Internal("malformed collected files".into());
    let total = std::fs::File::from(fd.try_clone().map_err(SandboxError::io("dup collect"))?)
        .metadata()
        .map_err(SandboxError::io("stat collected files"))?
        .len();
    let raw = fd.as_raw_fd();
    let mut out = Vec::new();
    let mut offset = 0u64;
    while offset < total {
        let name_len = u32::from_le_bytes(read_field::<4>(raw, &mut offset)?) as usize;
        if name_len > MAX_COLLECTED_NAME {
            return Err(bad());
        }
        let mut name = vec![0u8; name_len];
        read_exact_at(raw, &mut offset, &mut name)?;
        let name = String::from_utf8(name).map_err(|_| bad())?;
        let executable = read_field::<1>(raw, &mut offset)?[0] != 0;
        let size = u64::from_le_bytes(read_field::<8>(raw, &mut offset)?);
        if size > total - offset {
            return Err(bad());
        }
        let contents = SharedFile::move_range(raw, offset, size)
            .map_err(SandboxError::io("copy a collected file"))?;
        offset += size;
        out.push(CollectedFile {
            name,
            contents,
            executable,
        });
    }
    Ok(out)
}

impl Sandbox {
    /// Starts the zygote. Fails with [`SandboxError::Unavailable`] when the
    /// isolation cannot be set up; nothing ever runs unsandboxed.
    pub fn new(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        let (z, description) = spawn(&config)?;
        Ok(Sandbox {
            config,
            zygote: Mutex::new(Some(z)),
            description,
        })
    }

    /// How the sandbox isolates (root or user namespace; cgroup version and
    /// path).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Runs one command; blocks until it has finished.
    pub fn run(&self, spec: &RunSpec) -> Result<RunOutcome, SandboxError> {
        self.run_with_pipes(spec, Pipes::default())
    }

    /// [`Sandbox::run`] with the caller's pipes as the program's stdin and/or
    /// stdout (see [`Pipes`]). The descriptors are handed to the zygote and
    /// closed here before this waits for the run, so the other end sees
    /// end-of-file when the program is gone. `spec.stdin` must be `None` when
    /// `stdio.stdin` is given; `merge_stderr` cannot go into a piped stdout.
    pub fn run_with_pipes(&self, spec: &RunSpec, stdio: Pipes) -> Result<RunOutcome, SandboxError> {
        spec.limits.validate()?;
        if stdio.stdin.is_some() && spec.stdin.is_some() {
            return Err(SandboxError::InvalidSpec(
                "both a stdin source and a stdin pipe".into(),
            ));
        }
        if stdio.stdout.is_some() && spec.merge_stderr {
            return Err(SandboxError::InvalidSpec(
                "merge_stderr with a piped stdout".into(),
            ));
        }
        if let Some(fd) = &stdio.stdin {
            sys::check_pipe_end(fd.as_raw_fd(), false)
                .map_err(|e| SandboxError::InvalidSpec(format!("stdin: {e}")))?;
        }
        if let Some(fd) = &stdio.stdout {
            sys::check_pipe_end(fd.as_raw_fd(), true)
                .map_err(|e| SandboxError::InvalidSpec(format!("stdout: {e}")))?;
        }
        if spec.argv.is_empty() {
            return Err(SandboxError::InvalidSpec("empty argv".into()));
        }
        if spec.files.len() > protocol::MAX_WORK_FILES {
            return Err(SandboxError::InvalidSpec(format!(
                "at most {} work files",
                protocol::MAX_WORK_FILES
            )));
        }
        for f in &spec.files {
            if f.name.is_empty()
                || f.name == "."
                || f.name == ".."
                || f.name.contains('/')
                || f.name.contains('\0')
            {
                return Err(SandboxError::InvalidSpec(format!(
                    "invalid work file name {:?}",
                    f.name
                )));
            }
        }
        if spec
            .argv
            .iter()
            .chain(spec.env.iter().map(|(k, _)| k))
            .any(|s| s.contains('\0'))
            || spec
                .env
                .iter()
                .any(|(k, v)| k.contains('=') || v.contains('\0'))
        {
            return Err(SandboxError::InvalidSpec(
                "NUL or '=' in argv/environment".into(),
            ));
        }

        let stdout_pipe = stdio.stdout.is_some();
        let stdin_pipe = stdio.stdin.is_some();
        let stdout = match stdio.stdout {
            Some(pipe) => pipe,
            None => sys::memfd("stdout", false).map_err(SandboxError::io("memfd"))?,
        };
        let stderr = sys::memfd("stderr", false).map_err(SandboxError::io("memfd"))?;
        let collect = sys::memfd("collect", false).map_err(SandboxError::io("memfd"))?;
        let stdin = match stdio.stdin {
            Some(pipe) => Some(pipe),
            None => spec.stdin.as_ref().map(source_fd).transpose()?,
        };
        let files = spec
            .files
            .iter()
            .map(|f| source_fd(&f.source))
            .collect::<Result<Vec<_>, _>>()?;
        let mut fds: Vec<RawFd> = vec![stdout.as_raw_fd(), stderr.as_raw_fd(), collect.as_raw_fd()];
        fds.extend(stdin.iter().map(AsRawFd::as_raw_fd));
        fds.extend(files.iter().map(AsRawFd::as_raw_fd));
        let req = RunRequest {
            argv: spec.argv.clone(),
            env: spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            has_stdin: stdin.is_some(),
            stdin_pipe,
            stdout_pipe,
            files: spec
                .files
                .iter()
                .map(|f| (f.name.clone(), f.executable))
                .collect(),
            collect: spec.collect.clone(),
            merge_stderr: spec.merge_stderr,
            limits: spec.limits,
        };

        let mut guard = self.zygote.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let (z, _) = spawn(&self.config)?;
            *guard = Some(z);
        }
        let Some(z) = guard.as_mut() else {
            return Err(SandboxError::Internal("no zygote".into()));
        };
        let sock = z.sock.as_raw_fd();
        // The zygote enforces the wall limit itself; this only guards
        // against a wedged zygote.
        let patience = spec.limits.wall_time + Duration::from_secs(30);
        let sent = z
            .sock
            .set_read_timeout(Some(patience))
            .and_then(|()| protocol::send(sock, &req, &fds));
        // The zygote has its own copies now. Our copies of the caller's pipes
        // must go before waiting: the other side sees end-of-file only when
        // every write end is closed.
        drop(stdin);
        let stdout = if stdout_pipe { None } else { Some(stdout) };
        let reply = sent.and_then(|()| protocol::recv::<RunReply>(sock));
        let reply = match reply {
            Ok(Some((reply, _))) => reply,
            Ok(None) | Err(_) => {
                // Replace the zygote on the next run.
                *guard = None;
                return Err(SandboxError::Internal(match reply {
                    Err(e) => format!("zygote did not answer: {e}"),
                    _ => "zygote exited".into(),
                }));
            }
        };
        drop(guard);

        let r = match reply {
            RunReply::Done(r) => r,
            RunReply::ExecFailed(e) => return Err(SandboxError::Exec(e)),
            RunReply::Failed(e) => return Err(SandboxError::Internal(e)),
        };
        let collected = parse_collected(collect)?;
        Ok(RunOutcome {
            status: r.status,
            cpu_time: Duration::from_nanos(r.cpu_ns),
            wall_time: Duration::from_nanos(r.wall_ns),
            ended: Duration::from_nanos(r.ended_ns),
            peak_memory_bytes: r.peak_memory_bytes,
            limit: r.limit,
            oom_kills: r.oom_kills,
            stdout: stdout.map(read_sink).transpose()?.unwrap_or_default(),
            stderr: read_sink(stderr)?,
            stdout_truncated: r.stdout_truncated,
            stderr_truncated: r.stderr_truncated,
            collected,
        })
    }
}
