//! Finding a table entry's tools on this host and asking them for their version.
//! A language whose tools are missing, or do not answer the probe, is not
//! installed: it is left out of the list rather than failing every submission.
//! The probes run in parallel because the JVM-based compilers take a second or
//! two each to start.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use super::Language;
use super::table::{LanguageSpec, LanguageTable, ToolSpec, VersionSpec};

/// Directories the sandbox mounts anyway.
const DEFAULT_ROOTS: [&str; 5] = ["/usr/", "/bin/", "/lib/", "/lib64/", "/sbin/"];
/// Under `/usr`, but left out of the sandbox (`SandboxConfig::default`): a toolchain there
/// is mounted on its own.
const NOT_MOUNTED: &str = "/usr/local/";

/// The installed languages of `table`, in its order.
pub(super) fn discover(table: &LanguageTable) -> Vec<Language> {
    std::thread::scope(|scope| {
        let probes: Vec<_> = table
            .languages
            .iter()
            .map(|spec| scope.spawn(move || installed(spec)))
            .collect();
        probes
            .into_iter()
            .filter_map(|probe| probe.join().ok().flatten())
            .collect()
    })
}

/// A found tool and the directory the sandbox must mount for it, if any.
struct Found {
    path: PathBuf,
    home: Option<PathBuf>,
}

fn installed(spec: &LanguageSpec) -> Option<Language> {
    let tool = find_tool(&spec.tool)?;
    let runtime = match &spec.runtime {
        Some(r) => Some(find_tool(r)?),
        None => None,
    };
    let version = probe_version(&tool.path, &spec.version)?;
    let home = tool.home.clone().unwrap_or_default();
    let mut readonly_paths: Vec<PathBuf> =
        [tool.home, runtime.as_ref().and_then(|r| r.home.clone())]
            .iter()
            .flatten()
            .filter_map(|home| outside_defaults(home))
            .collect();
    readonly_paths.extend(spec.readonly_paths.iter().filter(|p| p.exists()).cloned());
    readonly_paths.sort();
    readonly_paths.dedup();
    Some(Language {
        id: spec.id.clone(),
        name: spec.name.clone(),
        version,
        extensions: spec.extensions.clone(),
        spec: Arc::new(spec.clone()),
        tool: tool.path,
        home,
        runtime: runtime.map(|r| r.path),
        readonly_paths,
    })
}

/// The directory the sandbox must mount for a tool's home, if it is not mounted anyway.
/// Never `/usr/local` itself or one of its shared directories (`bin`, `lib`, …): they
/// hold the host's own software (the service binary, in the image), which stays out of
/// the sandbox; only a toolchain's own directory there (`/usr/local/go`) is mounted.
fn outside_defaults(dir: &Path) -> Option<PathBuf> {
    const SHARED: [&str; 9] = [
        "", "bin", "sbin", "lib", "lib64", "libexec", "share", "include", "etc",
    ];
    if let Ok(rest) = dir.strip_prefix(NOT_MOUNTED.trim_end_matches('/')) {
        let rest = rest.to_string_lossy();
        let shared = SHARED.iter().any(|s| rest == *s);
        return (!shared).then(|| dir.to_path_buf());
    }
    let mounted = DEFAULT_ROOTS.iter().any(|d| dir.starts_with(d));
    (!mounted).then(|| dir.to_path_buf())
}

/// Fixed paths first (the sandbox mounts /usr), then `PATH`.
fn find_tool(spec: &ToolSpec) -> Option<Found> {
    let on_path = spec.name.iter().flat_map(|name| {
        std::env::var_os("PATH")
            .map(|p| {
                std::env::split_paths(&p)
                    .map(|d| d.join(name))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let found = spec
        .paths
        .iter()
        .cloned()
        .chain(on_path)
        .find(|p| p.is_file())?;
    let found = if spec.canonical {
        std::fs::canonicalize(found).ok()?
    } else {
        found
    };
    if let Some(sysroot) = &spec.sysroot {
        let args: Vec<&str> = sysroot.args.iter().map(String::as_str).collect();
        let root = PathBuf::from(first_line(&output(&found, &args)?));
        let path = root.join(&sysroot.tool);
        return path.is_file().then_some(Found {
            path,
            home: Some(root),
        });
    }
    let home = found
        .ancestors()
        .nth(spec.home_levels)
        .map(Path::to_path_buf);
    Some(Found { path: found, home })
}

/// The tool's output (stdout, then stderr) when it ran and succeeded.
fn output(tool: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new(tool).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Some(text)
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

fn probe_version(tool: &Path, spec: &VersionSpec) -> Option<String> {
    let args: Vec<&str> = spec.args.iter().map(String::as_str).collect();
    version_of(&output(tool, &args)?, spec)
}

/// The version a probe's output shows, as `spec` says to read it.
pub(super) fn version_of(text: &str, spec: &VersionSpec) -> Option<String> {
    let line = match &spec.line_containing {
        Some(needle) => text.lines().find(|l| l.contains(needle.as_str()))?,
        None => text.lines().next().unwrap_or(""),
    }
    .trim();
    let version = match spec.word {
        Some(n) => line.split_whitespace().nth(n)?,
        None => line,
    };
    Some(spec.format.replace("{version}", version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_toolchain_under_usr_local_is_mounted_on_its_own() {
        assert_eq!(
            outside_defaults(Path::new("/usr/local/go")),
            Some(PathBuf::from("/usr/local/go"))
        );
        assert_eq!(
            outside_defaults(Path::new("/opt/kotlinc")),
            Some(PathBuf::from("/opt/kotlinc"))
        );
        assert_eq!(outside_defaults(Path::new("/usr/lib/jvm/java-17")), None);
        assert_eq!(outside_defaults(Path::new("/usr/localx")), None);
        // The host's own software there stays out, whatever a tool's home says.
        for shared in [
            "/usr/local",
            "/usr/local/",
            "/usr/local/bin",
            "/usr/local/lib",
        ] {
            assert_eq!(outside_defaults(Path::new(shared)), None, "{shared}");
        }
    }
}
