"""Every CODEARENA_* variable the manifests set (ConfigMaps, container env, the
secrets.env.example files) must name a setting the program has: the services refuse unknown
keys (`deny_unknown_fields`), so a misspelt one would stop every pod at start.

The settings are read from the Rust source: the sections of `Settings`
(crates/codearena/src/settings.rs) and the `pub` fields of each section's struct."""

from __future__ import annotations

import re
from pathlib import Path

def struct_fields(repo: Path, name: str) -> set[str]:
    for path in sorted((repo / "crates").glob("*/src/**/*.rs")):
        text = path.read_text()
        m = re.search(rf"pub struct {name} \{{(.*?)\n\}}", text, re.S)
        if m:
            return set(re.findall(r"^\s*pub (\w+):", m.group(1), re.M))
    raise AssertionError(f"struct {name} not found under crates/")


def known_settings(repo: Path) -> dict[str, set[str]]:
    text = (repo / "crates/codearena/src/settings.rs").read_text()
    m = re.search(r"pub struct Settings \{(.*?)\n\}", text, re.S)
    assert m, "struct Settings not found in crates/codearena/src/settings.rs"
    sections = re.findall(r"pub (\w+): (?:[\w:]+::)?(\w+),", m.group(1))
    assert len(sections) >= 10, f"cannot read Settings' sections: {sections}"
    return {section: struct_fields(repo, ty) for section, ty in sections}


def used_keys(docs: list[dict], repo: Path, overlay: str) -> set[str]:
    keys = set()
    for d in docs:
        if d.get("kind") == "ConfigMap":
            keys |= set(d.get("data") or {})
        if d.get("kind") in ("Deployment", "StatefulSet"):
            for c in d["spec"]["template"]["spec"]["containers"]:
                keys |= {e["name"] for e in c.get("env", [])}
    example = repo / f"deploy/k8s/overlays/{overlay}/secrets.env.example"
    for line in example.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            keys.add(line.partition("=")[0])
    return {k for k in keys if k.startswith("CODEARENA_")}


def check_settings_exist(docs, overlay, repo):
    known = known_settings(repo)
    unknown = []
    for key in sorted(used_keys(docs, repo, overlay)):
        parts = key.removeprefix("CODEARENA_").lower().split("__")
        if not (len(parts) == 2 and parts[1] in known.get(parts[0], set())):
            unknown.append(key)
    assert not unknown, f"{overlay}: no such setting: {unknown}"
