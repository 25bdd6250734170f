"""The offline checks of CodeArena's deployment (scripts/check-deploy runs this):

1. render deploy/k8s/overlays/{minikube,eks} (and deploy/observability/k8s when it exists)
   with `kubectl kustomize`, and validate every document against the Kubernetes schemas
   (kubernetes-validate, strict: unknown fields fail);
2. the NetworkPolicies: the flows they allow, computed, equal the expected table
   (netpol.py), and the evaluator's own tests (test_netpol.py);
3. what a platform team checks beyond the schemas (manifests.py), and that every
   CODEARENA_* variable set is a setting of the program (settings.py);
4. the Dockerfile and .dockerignore (dockerfile.py).

Prints one line per check and a summary; exits 1 when any check fails.
Usage: run.py --kubectl PATH [--also-kubectl PATH] [--kubernetes-version 1.30.0]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import traceback
from pathlib import Path

import kubernetes_validate
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dockerfile  # noqa: E402
import manifests  # noqa: E402
import netpol  # noqa: E402
import settings  # noqa: E402
import test_netpol  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
OVERLAYS = ["minikube", "eks"]
OBSERVABILITY = "deploy/observability/k8s"

results: list[tuple[str, str | None]] = []


def check(name: str, fn, *args) -> bool:
    try:
        fn(*args)
    except AssertionError as e:
        results.append((name, str(e) or "assertion failed"))
    except Exception as e:  # a crash in a check is a failure too, with where it happened
        tb = traceback.extract_tb(e.__traceback__)[-1]
        results.append((name, f"{type(e).__name__}: {e} ({Path(tb.filename).name}:{tb.lineno})"))
    else:
        results.append((name, None))
    status = "ok  " if results[-1][1] is None else "FAIL"
    print(f"{status} {name}" + ("" if results[-1][1] is None else f": {results[-1][1]}"))
    return results[-1][1] is None


def render(kubectl: str, directory: str) -> list[dict]:
    out = subprocess.run([kubectl, "kustomize", str(REPO / directory)], capture_output=True,
                         text=True)
    if out.returncode != 0:
        raise AssertionError(f"kubectl kustomize {directory}: {out.stderr.strip()}")
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def validate(docs: list[dict], version: str) -> None:
    errors = []
    for d in docs:
        what = f"{d.get('kind')}/{d.get('metadata', {}).get('name')}"
        try:
            kubernetes_validate.validate(d, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            path = "/".join(str(p) for p in e.path)
            errors.append(f"{what}: {path}: {e.message}")
        except (kubernetes_validate.SchemaNotFoundError,
                kubernetes_validate.InvalidSchemaError) as e:
            errors.append(f"{what}: no schema ({e})")
    assert not errors, "; ".join(errors)


def same_rendering(a: list[dict], b: list[dict]) -> None:
    """The same documents, but for generated names' hash suffixes (each kustomize version
    hashes differently) and empty labels or annotations (kustomize v2 leaves them after a
    ConfigMap merge)."""
    def key(docs):
        texts = []
        for d in docs:
            meta = {k: v for k, v in d["metadata"].items()
                    if not (k in ("labels", "annotations") and v == {})}
            texts.append(json.dumps({**d, "metadata": meta}, sort_keys=True))
        for d in docs:
            name = d["metadata"]["name"]
            if d.get("kind") in ("ConfigMap", "Secret") and re.fullmatch(r".+-[a-z0-9]{10}", name):
                texts = [t.replace(f'"{name}"', f'"{name[:-11]}-<hash>"') for t in texts]
        return sorted(texts)
    ka, kb = key(a), key(b)
    if ka != kb:
        only = sorted(set(ka) ^ set(kb))
        raise AssertionError(f"{len(only)} documents differ, e.g. {only[0][:300]}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kubectl", required=True)
    ap.add_argument("--also-kubectl", help="a second kubectl whose rendering must agree")
    ap.add_argument("--kubernetes-version", default="1.30.0")
    args = ap.parse_args()

    rendered: dict[str, list[dict]] = {}
    dirs = [f"deploy/k8s/overlays/{o}" for o in OVERLAYS]
    if (REPO / OBSERVABILITY / "kustomization.yaml").exists():
        dirs.append(OBSERVABILITY)
    else:
        print(f"note: {OBSERVABILITY} does not exist yet; not rendered")
    for d in dirs:
        name = d.split("/")[-1] if d != OBSERVABILITY else "observability"

        def do_render(d=d, name=name):
            rendered[name] = render(args.kubectl, d)
            assert rendered[name], f"{d} renders nothing"
        if check(f"render {d}", do_render):
            check(f"schemas {d} (Kubernetes {args.kubernetes_version}, strict)", validate,
                  rendered[name], args.kubernetes_version)
            if args.also_kubectl:
                check(f"same rendering with {args.also_kubectl}", lambda d=d, name=name:
                      same_rendering(rendered[name], render(args.also_kubectl, d)))
    if "observability" in rendered:
        def observability_namespace():
            outside = {d["metadata"].get("namespace") for d in rendered["observability"]
                       if d.get("kind") != "Namespace"} - {"codearena-observability", None}
            assert not outside, f"objects outside codearena-observability: {outside}"
        check("observability objects in codearena-observability", observability_namespace)

    for overlay in OVERLAYS:
        if overlay not in rendered:
            continue
        docs = rendered[overlay]

        def flows(docs=docs, overlay=overlay):
            extra, missing = netpol.compare(docs, overlay)
            problems = [f"allowed, not expected: {' -> '.join(f[:2])} {f[2]}" for f in
                        sorted(extra)]
            problems += [f"expected, not allowed: {' -> '.join(f[:2])} {f[2]}" for f in
                         sorted(missing)]
            assert not problems, "; ".join(problems)
            print(f"  {overlay}: {len(netpol.allowed_flows(docs, overlay))} flows allowed, "
                  "as expected")
        check(f"network flows {overlay} = the spec's table + documented additions", flows)
        for fn in manifests.CHECKS + [settings.check_settings_exist]:
            check(f"{fn.__name__.removeprefix('check_')} {overlay}", fn, docs, overlay, REPO)

    if "minikube" in rendered:
        for fn in test_netpol.TESTS:
            check(f"evaluator: {fn.__name__.removeprefix('test_')}", fn, rendered["minikube"])

    for fn in dockerfile.CHECKS:
        check(f"dockerfile: {fn.__name__.removeprefix('check_')}", fn, REPO)

    failed = [r for r in results if r[1] is not None]
    print(f"\ncheck-deploy: {len(results) - len(failed)} passed, {len(failed)} failed")
    for name, why in failed:
        print(f"  FAILED {name}: {why}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
