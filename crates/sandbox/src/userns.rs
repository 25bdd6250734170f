//! The zygote's user namespace when it is not started as root.
//!
//! An unprivileged process may write only one line to its new namespace's
//! `uid_map`: its own uid (the kernel asks for `CAP_SETUID` in the parent
//! namespace for anything more, `user_namespaces(7)`). With that map every
//! program of every slot runs as the service's own host uid, so they share its
//! per-uid budgets (pending signals, pipe buffers, `RLIMIT_NPROC`, inotify).
//!
//! When the administrator has delegated a subordinate range to the service's
//! user (`/etc/subuid` and `/etc/subgid`, as for rootless containers) and the
//! setuid helpers `newuidmap`/`newgidmap` are installed, the zygote maps
//! instead `0 → own uid` and `uid → start + uid`: the zygote is root of its
//! namespace, programs switch to the slot's uid as in root mode, and each slot
//! (whose uid differs) has its own host uid. Without them it falls back to the
//! single-uid map.

use std::io;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::Command;

use crate::sys::{self, ctx};

const NEWUIDMAP: &str = "/usr/bin/newuidmap";
const NEWGIDMAP: &str = "/usr/bin/newgidmap";

/// What a subordinate-id file delegates to `user` (by name or number): the
/// start of the first range that holds `0..=need` as offsets.
pub(crate) fn subordinate(text: &str, user: &str, uid: u32, need: u32) -> Option<u32> {
    text.lines().find_map(|line| {
        let mut it = line.trim().split(':');
        let (owner, start, count) = (it.next()?, it.next()?, it.next()?);
        if owner != user && owner.parse::<u32>().ok() != Some(uid) {
            return None;
        }
        let (start, count): (u32, u32) = (start.parse().ok()?, count.parse().ok()?);
        (count > need && start.checked_add(need).is_some()).then_some(start)
    })
}

/// The name of `uid` in the host's user database.
fn user_name(uid: u32) -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: an all-zero passwd is valid output space.
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: valid buffers of the given sizes.
    let r = unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut found) };
    if r != 0 || found.is_null() || pw.pw_name.is_null() {
        return None;
    }
    // SAFETY: getpwuid_r set pw_name to a NUL-terminated string in buf.
    Some(
        unsafe { std::ffi::CStr::from_ptr(pw.pw_name) }
            .to_string_lossy()
            .into_owned(),
    )
}

/// The maps to ask the helpers for, if this host delegates ranges to us.
struct Delegated {
    uid_start: u32,
    gid_start: u32,
}

fn delegated(euid: u32, uid: u32, gid: u32) -> Option<Delegated> {
    if !Path::new(NEWUIDMAP).exists() || !Path::new(NEWGIDMAP).exists() {
        return None;
    }
    let name = user_name(euid).unwrap_or_default();
    let read = |f: &str| std::fs::read_to_string(f).unwrap_or_default();
    Some(Delegated {
        uid_start: subordinate(&read("/etc/subuid"), &name, euid, uid)?,
        gid_start: subordinate(&read("/etc/subgid"), &name, euid, gid)?,
    })
}

/// Enters a new user namespace and maps it. Returns whether programs must
/// switch to `uid`/`gid` themselves (a subordinate range was mapped, the
/// zygote is root inside); `false` when the zygote itself is `uid` inside.
pub(crate) fn enter(uid: u32, gid: u32) -> io::Result<bool> {
    // SAFETY: trivial getters.
    let (euid, egid) = unsafe { (libc::geteuid(), libc::getegid()) };
    if let Some(d) = delegated(euid, uid, gid) {
        if with_helpers(&d, euid, egid, uid, gid)? {
            return Ok(true);
        }
    } else {
        unshare_user()?;
    }
    // Map our own uid to the sandbox uid: the only mapping an unprivileged
    // process may write. Inside, we hold every capability of the new
    // namespace (needed for mounts) but are not root, so exec'd programs get
    // no capabilities.
    std::fs::write("/proc/self/setgroups", "deny").map_err(ctx("write setgroups"))?;
    std::fs::write("/proc/self/uid_map", format!("{uid} {euid} 1"))
        .map_err(ctx("write uid_map"))?;
    std::fs::write("/proc/self/gid_map", format!("{gid} {egid} 1"))
        .map_err(ctx("write gid_map"))?;
    Ok(false)
}

fn unshare_user() -> io::Result<()> {
    // SAFETY: plain syscall; the zygote is single-threaded.
    sys::cvt(unsafe { libc::unshare(libc::CLONE_NEWUSER) })
        .map(drop)
        .map_err(ctx(
            "unshare user namespace (unprivileged user namespaces disabled?)",
        ))
}

/// Unshares the user namespace and has a child, still in the parent
/// namespace, run the setuid helpers on us. `Ok(false)` when the helpers
/// failed (the namespace is then still unmapped: the caller maps one uid).
fn with_helpers(d: &Delegated, euid: u32, egid: u32, uid: u32, gid: u32) -> io::Result<bool> {
    let (go_r, go_w) = sys::pipe_cloexec()?;
    // SAFETY: getpid has no preconditions.
    let zygote = unsafe { libc::getpid() }.to_string();
    let uid_map = [
        "0".to_string(),
        euid.to_string(),
        "1".to_string(),
        uid.to_string(),
        (d.uid_start + uid).to_string(),
        "1".to_string(),
    ];
    let gid_map = [
        "0".to_string(),
        egid.to_string(),
        "1".to_string(),
        gid.to_string(),
        (d.gid_start + gid).to_string(),
        "1".to_string(),
    ];
    // SAFETY: fork in a single-threaded process; the child leaves by _exit.
    let child = sys::cvt(unsafe { libc::fork() }).map_err(ctx("fork id-map helper"))?;
    if child == 0 {
        drop(go_w);
        // Wait until the parent has its new namespace (or gave up).
        let mut b = [0u8; 1];
        let ok = matches!(sys::read(go_r.as_raw_fd(), &mut b), Ok(1))
            && [(NEWUIDMAP, &uid_map), (NEWGIDMAP, &gid_map)]
                .iter()
                .all(|(helper, map)| {
                    Command::new(helper)
                        .arg(&zygote)
                        .args(map.iter())
                        .status()
                        .is_ok_and(|s| s.success())
                });
        // SAFETY: leave without running the parent's destructors.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) }
    }
    drop(go_r);
    let entered = unshare_user();
    if entered.is_ok() {
        let _ = sys::write_all(go_w.as_raw_fd(), b"g");
    }
    drop(go_w);
    let mut status = 0;
    // SAFETY: reaping our own child.
    while unsafe { libc::waitpid(child, &mut status, 0) } < 0 && sys::errno() == libc::EINTR {}
    entered?;
    // Mapped: uid 0 inside is our own host uid, so we are root in here.
    Ok(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0)
}

#[cfg(test)]
mod tests {
    use super::subordinate;

    #[test]
    fn finds_the_users_range_by_name_or_number() {
        let text = "alice:100000:65536\n1001:300000:65536\nsmall:400000:10\n";
        assert_eq!(subordinate(text, "alice", 1000, 60999), Some(100000));
        assert_eq!(subordinate(text, "bob", 1001, 60999), Some(300000));
        assert_eq!(subordinate(text, "small", 1002, 60999), None);
        assert_eq!(subordinate(text, "carol", 1003, 1), None);
        assert_eq!(subordinate("x:y:z\n::\n", "x", 1, 1), None);
    }
}
