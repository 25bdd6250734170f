//! The supported languages: how each is compiled and run, and which of them
//! are installed here (discovered at start-up with their versions).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

/// How one installed language compiles and runs a submission.
#[derive(Debug, Clone, Serialize)]
pub struct Language {
    /// Stable identifier: `c`, `cpp`, `python`, `javascript`, `java`, `rust`, `go`.
    pub id: &'static str,
    pub name: &'static str,
    pub version: String,
    pub extensions: &'static [&'static str],
    #[serde(skip)]
    tool: PathBuf,
    /// `java` next to `javac`.
    #[serde(skip)]
    runtime: Option<PathBuf>,
    /// Host directories the toolchain needs inside the sandbox (beyond /usr).
    #[serde(skip)]
    pub readonly_paths: Vec<PathBuf>,
}

/// A compile or run command inside the sandbox.
#[derive(Debug, Clone)]
pub struct SandboxCommand {
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
}

fn base_env() -> Vec<(String, String)> {
    vec![
        ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
        ("HOME".into(), "/tmp".into()),
        ("TMPDIR".into(), "/tmp".into()),
        ("LANG".into(), "C.UTF-8".into()),
    ]
}

impl Language {
    /// The file name the source gets in the work directory. Java needs the
    /// public class name, which is the submitted file's stem.
    pub fn source_name(&self, original: &Path) -> String {
        match self.id {
            "java" => format!("{}.java", java_class(original)),
            "c" => "main.c".into(),
            "cpp" => "main.cpp".into(),
            "python" => "main.py".into(),
            "javascript" => "main.js".into(),
            "rust" => "main.rs".into(),
            _ => "main.go".into(),
        }
    }

    /// The file name a source that comes without one (a job carries only its text) is
    /// judged as: Java's public class is then `Main`; the others ignore the name.
    pub fn unnamed_source(&self) -> &'static Path {
        Path::new(match self.id {
            "java" => "Main.java",
            _ => "main",
        })
    }

    /// Whether a run gets the source file besides the files compiling produced
    /// (languages whose compile step produces nothing always run from the source).
    /// Java's runs have always had it beside their classes.
    pub fn run_keeps_source(&self) -> bool {
        self.id == "java"
    }

    /// The compile step (for interpreted languages a syntax check), and the
    /// files it produces that the run needs (`*.ext` patterns allowed).
    pub fn compile(&self, source: &str) -> (SandboxCommand, Vec<String>) {
        let tool = self.tool.display().to_string();
        let mut env = base_env();
        let (argv, collect): (Vec<String>, Vec<&str>) = match self.id {
            "c" => (
                vec![
                    &tool,
                    "-x",
                    "c",
                    "-std=gnu17",
                    "-O2",
                    "-static",
                    "-pipe",
                    "-o",
                    "prog",
                    source,
                    "-lm",
                ]
                .into_iter()
                .map(String::from)
                .collect(),
                vec!["prog"],
            ),
            "cpp" => (
                vec![
                    &tool,
                    "-x",
                    "c++",
                    "-std=gnu++17",
                    "-O2",
                    "-static",
                    "-pipe",
                    "-o",
                    "prog",
                    source,
                ]
                .into_iter()
                .map(String::from)
                .collect(),
                vec!["prog"],
            ),
            "python" => (
                vec![tool, "-m".into(), "py_compile".into(), source.into()],
                vec![],
            ),
            "javascript" => (vec![tool, "--check".into(), source.into()], vec![]),
            "java" => (
                vec![
                    &tool,
                    "-encoding",
                    "UTF-8",
                    "-J-Xms32m",
                    "-J-Xmx512m",
                    "-J-XX:+UseSerialGC",
                    "-J-XX:ActiveProcessorCount=1",
                    source,
                ]
                .into_iter()
                .map(String::from)
                .collect(),
                vec!["*.class"],
            ),
            "rust" => (
                vec![&tool, "--edition=2021", "-O", "-o", "prog", source]
                    .into_iter()
                    .map(String::from)
                    .collect(),
                vec!["prog"],
            ),
            _ => {
                env.extend([
                    ("GOCACHE".into(), "/tmp/gocache".into()),
                    ("GOPATH".into(), "/tmp/gopath".into()),
                    ("CGO_ENABLED".into(), "0".into()),
                    ("GO111MODULE".into(), "off".into()),
                ]);
                (
                    vec![
                        tool,
                        "build".into(),
                        "-o".into(),
                        "prog".into(),
                        source.into(),
                    ],
                    vec!["prog"],
                )
            }
        };
        (
            SandboxCommand { argv, env },
            collect.into_iter().map(String::from).collect(),
        )
    }

    /// The run step. `memory_mib` sizes the JVM heap and Node's old space so
    /// that they fail like a native program at the cgroup limit.
    pub fn run(&self, source: &str, memory_mib: u64) -> SandboxCommand {
        let tool = self.tool.display().to_string();
        let argv = match self.id {
            "c" | "cpp" | "rust" | "go" => vec!["/box/prog".to_string()],
            "python" => vec![tool, source.into()],
            "javascript" => vec![
                tool,
                format!("--max-old-space-size={memory_mib}"),
                "--stack-size=65500".into(),
                source.into(),
            ],
            _ => {
                let java = self
                    .runtime
                    .as_ref()
                    .map_or_else(|| "java".to_string(), |p| p.display().to_string());
                let class = source.trim_end_matches(".java").to_string();
                vec![
                    java,
                    format!("-Xmx{memory_mib}m"),
                    "-Xss64m".into(),
                    "-XX:+UseSerialGC".into(),
                    "-XX:ActiveProcessorCount=1".into(),
                    "-XX:-UsePerfData".into(),
                    "-cp".into(),
                    ".".into(),
                    class,
                ]
            }
        };
        SandboxCommand {
            argv,
            env: base_env(),
        }
    }
}

/// Java's class name for a submitted file: its stem.
pub fn java_class(original: &Path) -> String {
    original
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("Main")
        .to_string()
}

/// The installed languages.
#[derive(Debug, Clone, Serialize)]
pub struct Languages {
    pub languages: Vec<Language>,
}

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

/// Finds a tool: fixed Debian paths first (the sandbox mounts /usr), then
/// `PATH`. Returns the canonical path (what the sandbox must see).
fn find(candidates: &[&str], name: &str) -> Option<PathBuf> {
    find_uncanonical(candidates, name).and_then(|p| std::fs::canonicalize(p).ok())
}

/// Like [`find`] but keeps the path as found: rustup's proxies are symlinks
/// to `rustup`, which only behaves as `rustc` under that name.
fn find_uncanonical(candidates: &[&str], name: &str) -> Option<PathBuf> {
    let fixed = candidates.iter().map(PathBuf::from);
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    fixed.chain(on_path).find(|p| p.is_file())
}

/// Directories outside the default read-only set (/usr, /lib...) that hold a
/// tool, so the sandbox can mount them.
fn extra_root(tool: &Path, root: Option<PathBuf>) -> Vec<PathBuf> {
    let default = ["/usr/", "/bin/", "/lib/", "/lib64/", "/sbin/"];
    let dir = root.or_else(|| tool.parent().map(Path::to_path_buf));
    match dir {
        Some(d) if !default.iter().any(|p| d.starts_with(p)) => vec![d],
        _ => vec![],
    }
}

impl Languages {
    /// Looks for each supported toolchain and asks it for its version.
    pub fn discover() -> Languages {
        let mut languages = Vec::new();
        let mut add = |id,
                       name,
                       extensions,
                       tool: PathBuf,
                       version: Option<String>,
                       runtime,
                       readonly_paths| {
            if let Some(version) = version {
                languages.push(Language {
                    id,
                    name,
                    version,
                    extensions,
                    tool,
                    runtime,
                    readonly_paths,
                });
            }
        };
        if let Some(gcc) = find(&["/usr/bin/gcc"], "gcc") {
            let v = output(&gcc, &["-dumpfullversion"]).map(|v| format!("gcc {}", first_line(&v)));
            add(
                "c",
                "C",
                &["c"],
                gcc.clone(),
                v,
                None,
                extra_root(&gcc, None),
            );
        }
        if let Some(gpp) = find(&["/usr/bin/g++"], "g++") {
            let v = output(&gpp, &["-dumpfullversion"]).map(|v| format!("g++ {}", first_line(&v)));
            add(
                "cpp",
                "C++",
                &["cpp", "cc", "cxx", "c++"],
                gpp.clone(),
                v,
                None,
                extra_root(&gpp, None),
            );
        }
        if let Some(py) = find(&["/usr/bin/python3"], "python3") {
            let v = output(&py, &["--version"]).map(|v| first_line(&v));
            add(
                "python",
                "Python 3",
                &["py"],
                py.clone(),
                v,
                None,
                extra_root(&py, None),
            );
        }
        if let Some(node) = find(&["/usr/bin/node", "/usr/bin/nodejs"], "node") {
            let v = output(&node, &["--version"]).map(|v| format!("Node.js {}", first_line(&v)));
            add(
                "javascript",
                "JavaScript",
                &["js"],
                node.clone(),
                v,
                None,
                extra_root(&node, None),
            );
        }
        if let (Some(javac), Some(java)) = (
            find(&["/usr/bin/javac"], "javac"),
            find(&["/usr/bin/java"], "java"),
        ) {
            let v = output(&javac, &["-version"]).map(|v| first_line(&v));
            let home = javac.parent().and_then(Path::parent).map(Path::to_path_buf);
            add(
                "java",
                "Java",
                &["java"],
                javac.clone(),
                v,
                Some(java),
                extra_root(&javac, home),
            );
        }
        if let Some(rustc) = find_uncanonical(&[], "rustc") {
            // rustup installs a proxy; use the real compiler in the sysroot.
            let sysroot =
                output(&rustc, &["--print", "sysroot"]).map(|s| PathBuf::from(first_line(&s)));
            if let Some(sysroot) = sysroot {
                let real = sysroot.join("bin/rustc");
                let v = output(&real, &["--version"]).map(|v| first_line(&v));
                add(
                    "rust",
                    "Rust",
                    &["rs"],
                    real.clone(),
                    v,
                    None,
                    extra_root(&real, Some(sysroot)),
                );
            }
        }
        if let Some(go) = find(&["/usr/bin/go", "/usr/lib/go/bin/go"], "go") {
            // "go version go1.19.8 linux/amd64" -> "go1.19.8"
            let v = output(&go, &["version"]).map(|v| {
                first_line(&v)
                    .split_whitespace()
                    .nth(2)
                    .unwrap_or("go")
                    .to_string()
            });
            let goroot = go.parent().and_then(Path::parent).map(Path::to_path_buf);
            add(
                "go",
                "Go",
                &["go"],
                go.clone(),
                v,
                None,
                extra_root(&go, goroot),
            );
        }
        Languages { languages }
    }

    pub fn get(&self, id: &str) -> Option<&Language> {
        let id = id.to_ascii_lowercase();
        let alias = match id.as_str() {
            "c++" | "cxx" => "cpp",
            "python3" | "py" => "python",
            "js" | "node" | "nodejs" => "javascript",
            "rs" => "rust",
            "golang" => "go",
            other => other,
        };
        self.languages.iter().find(|l| l.id == alias)
    }

    /// The language a file's extension names.
    pub fn for_file(&self, path: &Path) -> Option<&Language> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        self.languages
            .iter()
            .find(|l| l.extensions.contains(&ext.as_str()))
    }

    /// Every extra host directory the installed toolchains need.
    pub fn readonly_paths(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = self
            .languages
            .iter()
            .flat_map(|l| l.readonly_paths.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn language(id: &'static str) -> Language {
        Language {
            id,
            name: id,
            version: String::new(),
            extensions: &[],
            tool: PathBuf::from("/usr/bin/true"),
            runtime: None,
            readonly_paths: Vec::new(),
        }
    }

    #[test]
    fn a_source_without_a_name_is_saved_as_the_language_needs() {
        let java = language("java");
        assert_eq!(java.source_name(java.unnamed_source()), "Main.java");
        assert_eq!(java.source_name(Path::new("Sum.java")), "Sum.java");
        let c = language("c");
        assert_eq!(c.source_name(c.unnamed_source()), "main.c");
    }
}
