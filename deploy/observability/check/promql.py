"""Metric names in a PromQL expression, for comparing what rules and dashboards use with
what the services export. Not a full parser: a tokenizer that drops what cannot be a
metric name — string literals, label matchers `{…}`, ranges and durations `[…]`, the
label lists of `by`/`without`/`on`/`ignoring`/`group_left`/`group_right`, numbers,
Grafana variables (`$__rate_interval`), keywords and operators — and keeps identifiers
that are not called like functions. `{__name__="x"}` counts as x."""

import re

KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "and", "or", "unless", "offset", "atan2", "inf", "nan",
}
AGGREGATIONS = {
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
    "bottomk", "topk", "quantile", "limitk", "limit_ratio",
}
LABEL_LISTS = {"by", "without", "on", "ignoring", "group_left", "group_right"}

TOKEN = re.compile(
    r"""
    (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<variable>\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>(?:0x[0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)(?:[smhdwy]|ms)*)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<open>[({\[])
  | (?P<close>[)}\]])
  | (?P<space>\s+)
  | (?P<other>[^\s])
    """,
    re.VERBOSE,
)

CLOSING = {"(": ")", "{": "}", "[": "]"}


class PromQLError(ValueError):
    pass


def tokens(expr):
    out = []
    for m in TOKEN.finditer(expr):
        kind = m.lastgroup
        if kind != "space":
            out.append((kind, m.group()))
    return out


def metric_names(expr):
    """The set of metric names `expr` selects."""
    toks = tokens(expr)
    names = set()
    i = 0
    stack = []
    while i < len(toks):
        kind, text = toks[i]
        if kind == "open":
            if text == "{":
                # Label matchers: only __name__="…" names a metric.
                end = _matching(toks, i)
                inner = toks[i + 1:end]
                for j, (k, t) in enumerate(inner):
                    if (
                        k == "ident" and t == "__name__" and j + 2 < len(inner)
                        and inner[j + 1][1] == "=" and inner[j + 2][0] == "string"
                    ):
                        names.add(inner[j + 2][1][1:-1])
                i = end + 1
                continue
            if text == "[":
                i = _matching(toks, i) + 1
                continue
            stack.append(text)
        elif kind == "close":
            if not stack or CLOSING[stack.pop()] != text:
                raise PromQLError(f"unbalanced {text!r} in {expr!r}")
        elif kind == "ident":
            lower = text.lower()
            following = toks[i + 1] if i + 1 < len(toks) else (None, None)
            if lower in LABEL_LISTS and following[1] == "(":
                i = _matching(toks, i + 1) + 1
                continue
            if lower in KEYWORDS:
                pass
            elif following[1] == "(":
                pass  # a function or an aggregation
            elif text in AGGREGATIONS and following[0] == "ident" and following[1].lower() in ("by", "without"):
                pass  # `sum by (…) (…)`
            else:
                names.add(text)
        i += 1
    if stack:
        raise PromQLError(f"unclosed {stack[-1]!r} in {expr!r}")
    return names


def _matching(toks, i):
    opener = toks[i][1]
    depth = 0
    for j in range(i, len(toks)):
        if toks[j][0] == "open" and toks[j][1] == opener:
            depth += 1
        elif toks[j][0] == "close" and toks[j][1] == CLOSING[opener]:
            depth -= 1
            if depth == 0:
                return j
    raise PromQLError(f"unclosed {opener!r}")


# Names Prometheus makes itself (per target, per rule), never exported by a service.
PROMETHEUS_MADE = {
    "up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds", "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling", "scrape_series_added",
}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def exported_names(exposition):
    """Names a Prometheus text exposition defines, with their `# TYPE` (or "untyped"):
    every sample's name, and each histogram's or summary's base name."""
    names = {}
    for line in exposition.splitlines():
        if line.startswith("# TYPE "):
            parts = line.split()
            if len(parts) >= 4:
                names[parts[2]] = parts[3]
        elif line and not line.startswith("#"):
            names.setdefault(re.split(r"[{\s]", line, maxsplit=1)[0], "untyped")
    return names


def unknown_names(used, exported):
    """The names in `used` that neither the services export (`exported`: name → type)
    nor Prometheus makes; a histogram's or summary's `_bucket`, `_sum`, `_count` count as
    its base name."""
    missing = set()
    for name in used:
        if name in PROMETHEUS_MADE or name in exported:
            continue
        base = next((name[: -len(s)] for s in HISTOGRAM_SUFFIXES if name.endswith(s)), None)
        if base is not None and exported.get(base) in ("histogram", "summary"):
            continue
        missing.add(name)
    return missing
