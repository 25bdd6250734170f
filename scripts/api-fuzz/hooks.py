"""Schemathesis hooks for scripts/check-api-fuzz: authentication and the problem+json check.

Loaded through SCHEMATHESIS_HOOKS. The script registers a player before the run and passes
its credentials in the environment:

- FUZZ_ACCESS_TOKEN: that player's access token, sent as `Authorization: Bearer …` to
  every operation that takes the `bearer` scheme;
- FUZZ_SERVICE_TOKEN: the server's `execution.service_token`, sent to operations that
  take the `service` scheme (`POST /internal/execution/judge`);
- FUZZ_BASE_URL, FUZZ_USERNAME, FUZZ_PASSWORD: `POST /api/auth/logout` revokes the
  session it is called with, so each of its cases logs in afresh and ends a session of
  its own, never the one the other operations use.
"""

import json
import os
import re
import urllib.request

import schemathesis

PROBLEM_JSON = "application/problem+json"
CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _fresh_access_token() -> str:
    body = json.dumps(
        {"login": os.environ["FUZZ_USERNAME"], "password": os.environ["FUZZ_PASSWORD"]}
    ).encode()
    request = urllib.request.Request(
        os.environ["FUZZ_BASE_URL"] + "/api/auth/login",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["access_token"]


def _schemes(case) -> set:
    """The security schemes the operation accepts (none: it is public)."""
    requirements = case.operation.definition.raw.get("security") or []
    return {name for requirement in requirements for name in requirement}


# No caching and no retry on 401: each case gets exactly the credentials chosen here, and a
# 401 is an answer to check, not a cue to log in again.
@schemathesis.auth(refresh_interval=None, retry_on=[])
class CodeArenaAuth:
    def get(self, case, ctx):
        schemes = _schemes(case)
        if "service" in schemes:
            return os.environ["FUZZ_SERVICE_TOKEN"]
        if "bearer" in schemes:
            if case.operation.path == "/api/auth/logout":
                return _fresh_access_token()
            return os.environ["FUZZ_ACCESS_TOKEN"]
        return None

    def set(self, case, data, ctx):
        if data is None:
            return
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.check
def problem_json(ctx, response, case):
    """Every 4xx and 5xx answer is an RFC 9457 problem document with a stable `code`."""
    if response.status_code < 400:
        return None
    content_type = next(
        (values[0] for name, values in response.headers.items() if name.lower() == "content-type"),
        "",
    )
    if content_type.split(";")[0].strip().lower() != PROBLEM_JSON:
        raise AssertionError(
            f"{response.status_code} answered with Content-Type {content_type!r}, "
            f"not {PROBLEM_JSON}"
        )
    try:
        body = json.loads(response.content)
    except ValueError as e:
        raise AssertionError(f"{response.status_code} answered with a body that is not JSON: {e}")
    if not isinstance(body, dict):
        raise AssertionError(f"{response.status_code}: the problem document is not an object")
    code = body.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        raise AssertionError(f"{response.status_code}: `code` is {code!r}, not a snake_case string")
    if body.get("status") != response.status_code:
        raise AssertionError(
            f"{response.status_code}: the document's `status` is {body.get('status')!r}"
        )
    if body.get("type") != f"urn:codearena:problem:{code}":
        raise AssertionError(f"{response.status_code}: `type` is {body.get('type')!r}")
    if not isinstance(body.get("title"), str):
        raise AssertionError(f"{response.status_code}: no `title`")
    return None
