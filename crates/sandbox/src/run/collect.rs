//! Collecting work files after the program is gone: the init streams the
//! requested files of `/box` back to the host, without following links.

use std::io;
use std::os::fd::{AsRawFd, RawFd};

use super::Plan;
use crate::sys::{self, ctx};

fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_prefix('*') {
        Some(suffix) => name.ends_with(suffix) && name.len() > suffix.len(),
        None => pattern == name,
    }
}

/// Streams the requested work files to the collect sink as
/// `[u32 name length][name][u8 executable][u64 size][contents]` records.
/// Nothing else runs in the namespace any more; links are not followed and
/// only regular files are taken.
pub(super) fn collect(plan: &Plan, boxfd: RawFd) -> io::Result<bool> {
    if plan.req.collect.is_empty() {
        return Ok(false);
    }
    let mut budget = plan.req.limits.collect_bytes;
    let mut truncated = false;
    let mut names = Vec::new();
    // SAFETY: fdopendir takes ownership of a duplicate of boxfd.
    let dir = unsafe { libc::fdopendir(libc::dup(boxfd)) };
    if dir.is_null() {
        return Err(io::Error::last_os_error()).map_err(ctx("open /box"));
    }
    loop {
        // SAFETY: dir is a valid DIR*.
        let ent = unsafe { libc::readdir(dir) };
        if ent.is_null() {
            break;
        }
        // SAFETY: d_name is NUL-terminated.
        let name = unsafe { std::ffi::CStr::from_ptr((*ent).d_name.as_ptr()) };
        if let Ok(n) = name.to_str()
            && plan.req.collect.iter().any(|p| matches(p, n))
        {
            names.push(n.to_string());
        }
    }
    // SAFETY: closing the DIR* we opened.
    unsafe { libc::closedir(dir) };
    names.sort();
    for name in names {
        let Ok(fd) = sys::openat(
            boxfd,
            &sys::cstr(&name)?,
            libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK,
            0,
        ) else {
            continue;
        };
        // SAFETY: zeroed stat is valid output space.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: fstat on our fd.
        sys::cvt(unsafe { libc::fstat(fd.as_raw_fd(), &mut st) })?;
        if st.st_mode & libc::S_IFMT != libc::S_IFREG {
            continue;
        }
        let size = st.st_size as u64;
        if size > budget {
            truncated = true;
            continue;
        }
        budget -= size;
        let mut header = Vec::new();
        header.extend_from_slice(&(name.len() as u32).to_le_bytes());
        header.extend_from_slice(name.as_bytes());
        header.push(u8::from(st.st_mode & 0o111 != 0));
        header.extend_from_slice(&size.to_le_bytes());
        sys::write_all(plan.collect_sink, &header)?;
        let (copied, _) = sys::copy_fd(fd.as_raw_fd(), plan.collect_sink, size)?;
        if copied != size {
            return Err(io::Error::other(format!(
                "{name} changed size while collected"
            )));
        }
    }
    Ok(truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collect_patterns() {
        assert!(matches("*.class", "Main.class"));
        assert!(matches("*.class", "Main$1.class"));
        assert!(!matches("*.class", ".class"));
        assert!(!matches("*.class", "Main.java"));
        assert!(matches("prog", "prog"));
        assert!(!matches("prog", "prog2"));
    }
}
