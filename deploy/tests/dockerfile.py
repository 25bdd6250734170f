"""Checks of the Dockerfile and .dockerignore that need no container engine: what it copies
exists and is not ignored, it builds the web app and installs the judge's toolchains with the
project's own scripts (so the image cannot drift from what the tests use), the binary is
built locked and is the entry point, and the final user is not root.

Each check takes the repository root and raises AssertionError naming what is wrong."""

from __future__ import annotations

import fnmatch
import re
import shlex
from pathlib import Path


def instructions(repo: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    out, pending = [], ""
    for line in (repo / "Dockerfile").read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if pending and line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        word, _, rest = full.partition(" ")
        out.append((word.upper(), rest.strip()))
    assert not pending, "Dockerfile ends inside a continued line"
    return out


def stages(repo: Path) -> list[dict]:
    """Each stage: its name, base image and instructions."""
    out = []
    for word, rest in instructions(repo):
        if word == "FROM":
            parts = rest.split()
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            out.append({"name": name, "image": parts[0], "steps": []})
        else:
            assert out, f"{word} before FROM"
            out[-1]["steps"].append((word, rest))
    return out


def copy_args(rest: str) -> tuple[dict, list[str], str]:
    words = shlex.split(rest)
    flags = {w[2:].partition("=")[0]: w.partition("=")[2] for w in words if w.startswith("--")}
    paths = [w for w in words if not w.startswith("--")]
    return flags, paths[:-1], paths[-1]


def ignore_patterns(repo: Path) -> list[str]:
    lines = (repo / ".dockerignore").read_text().splitlines()
    return [x.strip() for x in lines if x.strip() and not x.startswith("#")]


def ignored(path: str, patterns: list[str]) -> bool:
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        p = pattern.strip("/")
        for prefix in prefixes:
            if fnmatch.fnmatch(prefix, p) or (p.startswith("**/") and
                                              fnmatch.fnmatch(prefix.split("/")[-1], p[3:])):
                return True
    return False


def toolchain_packages(repo: Path) -> set[str]:
    text = (repo / "scripts/install-toolchains").read_text()
    found = set(re.findall(r"need\+=\(([a-z0-9.+-]+)\)", text))
    assert len(found) >= 10, f"cannot read install-toolchains' packages: {found}"
    return found


def check_base_images_pinned(repo):
    for s in stages(repo):
        image = s["image"]
        if any(image == other["name"] for other in stages(repo)):
            continue
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        assert tag and tag != "latest", f"FROM {image}: pin a tag"


def check_copied_paths_exist_and_are_sent(repo):
    patterns = ignore_patterns(repo)
    for s in stages(repo):
        for word, rest in s["steps"]:
            if word == "ADD":
                raise AssertionError("ADD: use COPY (ADD fetches URLs and unpacks archives)")
            if word != "COPY":
                continue
            flags, sources, _ = copy_args(rest)
            if "from" in flags:
                continue
            for src in sources:
                assert (repo / src).exists(), f"COPY {src}: not in the repository"
                assert not ignored(src, patterns), f"COPY {src}: excluded by .dockerignore"


def check_web_built_by_the_script(repo):
    st = stages(repo)
    web = [s for s in st if any(w == "RUN" and "scripts/build-web" in r for w, r in s["steps"])]
    assert web, "no RUN calls scripts/build-web"
    name = web[0]["name"]
    assert name, "the web stage needs a name to copy from"
    copies = [copy_args(r) for s in st for w, r in s["steps"] if w == "COPY"]
    assert any(f.get("from") == name and any(x.endswith("web/dist") for x in src)
               and dst.rstrip("/").endswith("web/dist") for f, src, dst in copies), \
        "the binary's stage must receive web/dist from the web stage (build.rs embeds it)"
    build = [s for s in st if any(w == "RUN" and "cargo build" in r for w, r in s["steps"])]
    assert build and st.index(build[0]) > st.index(web[0]), "cargo build must follow the web"
    cargo = next(r for w, r in build[0]["steps"] if w == "RUN" and "cargo build" in r)
    for flag in ("--release", "--locked", "-p codearena"):
        assert flag in cargo, f"cargo build without {flag}"


def check_toolchains_by_the_script(repo):
    final = stages(repo)[-1]
    packages = toolchain_packages(repo)
    installed_to = None
    for word, rest in final["steps"]:
        if word == "COPY":
            flags, sources, dst = copy_args(rest)
            if sources == ["scripts/install-toolchains"] and "from" not in flags:
                installed_to = dst
    assert installed_to, "the final stage must COPY scripts/install-toolchains"
    runs = [r for w, r in final["steps"] if w == "RUN"]
    assert any(installed_to in r for r in runs), "no RUN calls the copied install-toolchains"
    for s in stages(repo):
        for word, rest in s["steps"]:
            if word != "RUN" or "install" not in rest:
                continue
            for command in re.split(r"&&|;|\|\|", rest):
                words = command.split()
                if "apt-get" in words and "install" in words or "apt" in words:
                    named = {w for w in words if not w.startswith("-")} & packages
                    assert not named, f"toolchains installed outside the script: {named}"


def check_runtime(repo):
    final = stages(repo)[-1]
    assert "bookworm" in final["image"] and "slim" in final["image"], \
        f"runtime on {final['image']}: Debian 12 slim expected (install-toolchains' Debian)"
    steps = final["steps"]
    users = [r for w, r in steps if w == "USER"]
    assert users, "no USER: the image would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), f"final USER {user}"
    last_user = max(i for i, (w, _) in enumerate(steps) if w == "USER")
    assert not [w for w, _ in steps[last_user:] if w == "RUN"], "RUN after the final USER"
    binary = problems = None
    for word, rest in steps:
        if word == "COPY":
            flags, sources, dst = copy_args(rest)
            if "from" in flags and any(s.endswith("codearena") for s in sources):
                binary = dst
            if sources == ["problems"]:
                problems = dst
    assert binary, "the binary is not copied from the build stage"
    entry = [r for w, r in steps if w == "ENTRYPOINT"]
    assert entry and entry[-1].startswith("[") and binary in entry[-1], \
        f"ENTRYPOINT {entry} is not the binary {binary} (exec form)"
    assert problems, "the problem bank (problems/) is not copied"
    env = " ".join(r for w, r in steps if w == "ENV")
    assert f"CODEARENA_BATTLE__PROBLEMS_DIR={problems}" in env, "problems_dir not the copied bank"


def check_privileges_documented(repo):
    text = (repo / "Dockerfile").read_text()
    for word in ("privileged", "CAP_SYS_ADMIN", "CAP_SETUID", "cgroup", "seccomp", "60999"):
        assert word in text, f"the Dockerfile's note on the execution role lacks {word}"
    readme = (repo / "deploy/k8s/README.md").read_text()
    for word in ("privileged", "CAP_SYS_ADMIN", "node group"):
        assert word in readme, f"deploy/k8s/README.md lacks {word}"


def check_dockerignore(repo):
    patterns = ignore_patterns(repo)
    for path in ("target", "web/node_modules", "node_modules", "data", ".git", "web/dist",
                 "deploy/k8s/overlays/eks/secrets.env"):
        assert ignored(path, patterns), f".dockerignore lets {path} in"
    for path in ("crates", "problems", "web/src", "scripts/install-toolchains", "Cargo.lock"):
        assert not ignored(path, patterns), f".dockerignore keeps {path} out"


CHECKS = [check_base_images_pinned, check_copied_paths_exist_and_are_sent,
          check_web_built_by_the_script, check_toolchains_by_the_script, check_runtime,
          check_privileges_documented, check_dockerignore]
