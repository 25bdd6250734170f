//! Compiles the built web app (`web/dist`, from `npm run build` in `web/`) into the binary:
//! writes `$OUT_DIR/web_assets.rs`, a slice of `crate::web::Asset` whose bytes come from
//! `include_bytes!` of each file. Without `web/dist/index.html` the slice is empty, and the
//! binary serves a page saying how to build the web app (see `src/web.rs`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let web = manifest.join("../../web");
    let dist = web.join("dist");
    // Cargo scans a watched directory recursively, and reruns this script on every build
    // while a watched path is missing. So: the dist directory when it exists; until then
    // `web/`, where it will appear (its sources and node_modules are scanned too, but only
    // while nothing is built).
    if dist.is_dir() {
        println!("cargo:rerun-if-changed={}", dist.display());
    } else if web.is_dir() {
        println!("cargo:rerun-if-changed={}", web.display());
    }

    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        collect(&dist, &dist, &mut files)?;
        files.sort();
    } else {
        println!(
            "cargo:warning=web/dist/index.html not found: this binary serves a page saying \
             the web app is not built (scripts/build-web builds it)"
        );
    }

    let mut table = String::from("&[\n");
    for (path, file) in &files {
        writeln!(
            table,
            "    crate::web::Asset {{ path: {path:?}, bytes: include_bytes!({:?}) }},",
            file.display().to_string()
        )?;
    }
    table.push_str("]\n");
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("web_assets.rs");
    std::fs::write(out, table)?;
    Ok(())
}

/// Every file under `dir`, as (`/` + its path from `root`, its absolute path).
fn collect(
    root: &Path,
    dir: &Path,
    files: &mut Vec<(String, PathBuf)>,
) -> Result<(), Box<dyn std::error::Error>> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, files)?;
            continue;
        }
        let relative = path.strip_prefix(root)?;
        let Some(name) = relative.to_str() else {
            println!("cargo:warning=skipping {}: not UTF-8", path.display());
            continue;
        };
        let absolute = std::fs::canonicalize(&path)?;
        files.push((format!("/{}", name.replace('\\', "/")), absolute));
    }
    Ok(())
}
