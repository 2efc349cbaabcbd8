"""A local Hugging Face Hub API server for tests.

A real HTTP server on ``127.0.0.1`` running in a background thread, so code under test
talks to it through the real ``huggingface_hub`` and ``datasets`` clients::

    with LocalHub() as hub:
        os.environ["HF_ENDPOINT"] = hub.base_url   # must happen before importing the clients
        ...

(``tests/conftest_hub.py`` does the environment dance; use its ``local_hub`` fixture.)

Storage is in memory and git-like: every commit is an immutable snapshot ``{path: Blob}``
with a parent, a title, a message and a date; branches and tags map names to commit shas
(40 hex digits, unique across :meth:`LocalHub.reset`, so client caches never mix two
servers' histories). LFS objects live in one store keyed by their sha256.

Implemented endpoints (the calls ``huggingface_hub`` 2.4 and ``datasets`` 5.2 make):

* ``POST /api/repos/create``, ``POST /api/validate-yaml``, ``GET /api/whoami-v2``
* ``GET /api/{type}s/{id}[/revision/{rev}]`` (repo info), ``GET .../refs``,
  ``GET .../tree/{rev}[/{dir}]``, ``POST .../paths-info/{rev}``, ``GET .../commits/{rev}``
* ``POST .../preupload/{rev}``, ``POST .../commit/{branch}`` (NDJSON: ``header``, ``file``,
  ``lfsFile``, ``deletedFile``, ``deletedFolder``)
* ``POST|DELETE .../tag/{rev}``, ``POST|DELETE .../branch/{name}``
* ``POST /{prefix}{id}.git/info/lfs/objects/batch`` and ``PUT /_lfs/{oid}`` (the upload href)
* ``HEAD|GET /{prefix}{id}/resolve/{rev}/{path}`` (with ``Range`` support)

Every 404 carries ``X-Error-Code`` (``RepoNotFound``, ``RevisionNotFound``,
``EntryNotFound``). Errors are JSON ``{"error": "..."}`` with the same text in
``X-Error-Message``. Pull requests (``create_pr``), Xet and space-specific APIs are not
implemented.

Test hooks: ``tokens`` (who may write where), :meth:`LocalHub.fail_next` (inject 500s),
:attr:`LocalHub.requests_log`, and the :meth:`LocalHub.repo_files` /
:meth:`LocalHub.repo_refs` inspection helpers.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import Message
from functools import cached_property
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

__all__ = ["FAULT_KINDS", "LocalHub", "HubError", "Blob", "Commit"]

REPO_TYPES = ("model", "dataset", "space")
URL_PREFIXES = {"model": "", "dataset": "datasets/", "space": "spaces/"}
DEFAULT_BRANCH = "main"

#: Kinds accepted by :meth:`LocalHub.fail_next`, each naming the request it fails.
FAULT_KINDS = frozenset({"create_repo", "preupload", "lfs_batch", "lfs_upload", "commit", "create_tag", "download"})

# Files uploaded through LFS (as the Hub's default .gitattributes does), plus any file of
# 10 MiB or more, or whose first bytes contain a NUL byte.
LFS_EXTENSIONS = (
    ".7z", ".arrow", ".bin", ".bz2", ".ckpt", ".ftz", ".gguf", ".gz", ".h5", ".joblib",
    ".lz4", ".mlmodel", ".model", ".msgpack", ".npy", ".npz", ".onnx", ".ot", ".parquet",
    ".pb", ".pickle", ".pkl", ".pt", ".pth", ".rar", ".safetensors", ".tar", ".tflite",
    ".tgz", ".wasm", ".xz", ".zip", ".zst",
)  # fmt: skip
LFS_SIZE_THRESHOLD = 10 * 1024 * 1024

_GITATTRIBUTES = "".join(f"*{ext} filter=lfs diff=lfs merge=lfs -text\n" for ext in LFS_EXTENSIONS).encode()

Tokens = Mapping[str, Iterable[str]]


# --- errors ---------------------------------------------------------------------------


class HubError(Exception):
    """An HTTP error answer: status, message, optional ``X-Error-Code`` and extras."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        *,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.body = dict(body or {})
        self.headers = dict(headers or {})


def _repo_not_found(repo_type: str, repo_id: str) -> HubError:
    return HubError(404, f"Repository Not Found: {repo_type} '{repo_id}'", "RepoNotFound")


def _revision_not_found(repo_id: str, revision: str) -> HubError:
    return HubError(404, f"Invalid rev id: {revision} (repo '{repo_id}')", "RevisionNotFound")


def _entry_not_found(path: str, commit: Commit | None = None) -> HubError:
    headers = {"X-Repo-Commit": commit.sha} if commit is not None else None
    return HubError(404, f"Entry not found: {path}", "EntryNotFound", headers=headers)


# --- data model -----------------------------------------------------------------------


def _git_blob_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass(frozen=True)
class Blob:
    """File content; ``lfs`` tells whether it was committed as an LFS pointer."""

    data: bytes
    lfs: bool = False

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @cached_property
    def pointer(self) -> bytes:
        return (
            f"version https://git-lfs.github.com/spec/v1\noid sha256:{self.sha256}\nsize {len(self.data)}\n"
        ).encode()

    @cached_property
    def oid(self) -> str:
        """The git blob id (of the pointer file for LFS blobs)."""
        return _git_blob_oid(self.pointer if self.lfs else self.data)

    @property
    def etag(self) -> str:
        return self.sha256 if self.lfs else self.oid

    def lfs_info(self) -> dict[str, Any] | None:
        if not self.lfs:
            return None
        return {"oid": self.sha256, "size": len(self.data), "pointerSize": len(self.pointer)}


@dataclass(frozen=True)
class Commit:
    """An immutable snapshot of a repository."""

    sha: str
    parent: str | None
    title: str
    message: str
    date: str
    author: str
    files: Mapping[str, Blob]

    def is_dir(self, path: str) -> bool:
        prefix = path.rstrip("/") + "/" if path else ""
        return any(name.startswith(prefix) for name in self.files)

    def summary(self) -> dict[str, Any]:
        return {"id": self.sha, "title": self.title, "date": self.date}


def _new_commit(parent: Commit | None, title: str, message: str, author: str, files: Mapping[str, Blob]) -> Commit:
    date = _now_iso()
    seed = f"{parent.sha if parent else ''}\n{title}\n{date}\n{uuid.uuid4()}\n"
    seed += "".join(f"{path}:{blob.oid}\n" for path, blob in sorted(files.items()))
    sha = hashlib.sha1(seed.encode()).hexdigest()
    return Commit(sha, parent.sha if parent else None, title, message, date, author, dict(files))


@dataclass
class Repo:
    repo_type: str
    repo_id: str
    private: bool
    created_at: str = field(default_factory=_now_iso)
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def namespace(self) -> str:
        return self.repo_id.split("/")[0]

    def url(self, base_url: str) -> str:
        return f"{base_url}/{URL_PREFIXES[self.repo_type]}{self.repo_id}"

    def resolve(self, revision: str) -> Commit:
        """The commit a branch, tag or full commit sha points to."""
        for prefix, refs in (("refs/heads/", self.branches), ("refs/tags/", self.tags)):
            if revision.startswith(prefix) and revision[len(prefix) :] in refs:
                return self.commits[refs[revision[len(prefix) :]]]
        sha = self.branches.get(revision) or self.tags.get(revision) or revision
        if sha not in self.commits:
            raise _revision_not_found(self.repo_id, revision)
        return self.commits[sha]

    def history(self, commit: Commit) -> Iterator[Commit]:
        current: Commit | None = commit
        while current is not None:
            yield current
            current = self.commits[current.parent] if current.parent else None

    def add_commit(self, branch: str, commit: Commit) -> None:
        self.commits[commit.sha] = commit
        self.branches[branch] = commit.sha


# --- request / response ---------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str  # raw (still percent-encoded), no query string
    query: dict[str, list[str]]
    headers: Message  # case-insensitive lookups
    body: bytes

    @cached_property
    def token(self) -> str | None:
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        return (token.strip() or None) if scheme.lower() == "bearer" else None

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"{}")
        except json.JSONDecodeError as exc:
            raise HubError(400, f"Malformed JSON body: {exc}") from exc

    def flag(self, name: str) -> bool:
        return (self.query.get(name) or ["false"])[0].lower() in ("1", "true")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        return cls(status, json.dumps(payload).encode(), all_headers)

    @classmethod
    def error(cls, error: HubError) -> Response:
        headers = {"X-Error-Message": error.message.replace("\n", " "), **error.headers}
        if error.code:
            headers["X-Error-Code"] = error.code
        return cls.json({"error": error.message, **error.body}, error.status, headers)


Handler = Callable[[Request, dict[str, str]], Response]


@dataclass(frozen=True)
class Route:
    methods: tuple[str, ...]
    pattern: re.Pattern[str]
    handler: str  # name of a HubApp method
    access: str | None = None  # "read" / "write": checked against the `repo` group
    fault: str | None = None  # kind for LocalHub.fail_next


_API_REPO = r"/api/(?P<type>models|datasets|spaces)/(?P<repo>[^/]+/[^/]+)"
_GIT_REPO = r"/(?:(?P<prefix>datasets|spaces)/)?(?P<repo>[^/]+/[^/]+)"
_REV = r"(?P<rev>[^/]+)"


def _route(methods: str, pattern: str, handler: str, access: str | None = None, fault: str | None = None) -> Route:
    return Route(tuple(methods.split("|")), re.compile(pattern + r"/?\Z"), handler, access, fault)


ROUTES = (
    _route("POST", r"/api/repos/create", "create_repo", fault="create_repo"),
    _route("POST", r"/api/validate-yaml", "validate_yaml"),
    _route("GET", r"/api/whoami-v2", "whoami"),
    _route("GET", _API_REPO + r"(?:/revision/" + _REV + ")?", "repo_info", "read"),
    _route("GET", _API_REPO + r"/refs", "list_refs", "read"),
    _route("GET", _API_REPO + r"/tree/" + _REV + r"(?:/(?P<path>.+?))?", "tree", "read"),
    _route("POST", _API_REPO + r"/paths-info/" + _REV, "paths_info", "read"),
    _route("GET", _API_REPO + r"/commits/" + _REV, "list_commits", "read"),
    _route("POST", _API_REPO + r"/preupload/" + _REV, "preupload", "write", "preupload"),
    _route("POST", _API_REPO + r"/commit/" + _REV, "commit", "write", "commit"),
    _route("POST|DELETE", _API_REPO + r"/tag/" + _REV, "tag", "write", "create_tag"),
    _route("POST|DELETE", _API_REPO + r"/branch/" + _REV, "branch", "write"),
    _route("POST", _GIT_REPO + r"\.git/info/lfs/objects/batch", "lfs_batch", "write", "lfs_batch"),
    _route("PUT", r"/_lfs/(?P<oid>[0-9a-f]{64})", "lfs_upload", fault="lfs_upload"),
    _route("GET|HEAD", _GIT_REPO + r"/resolve/" + _REV + r"/(?P<path>.+)", "resolve", "read", "download"),
)


def _repo_type_of(groups: Mapping[str, str | None]) -> str:
    if groups.get("type"):
        return str(groups["type"])[:-1]  # "datasets" -> "dataset"
    return {"datasets": "dataset", "spaces": "space"}.get(groups.get("prefix") or "", "model")


def _is_lfs_candidate(path: str, size: int, sample: bytes) -> bool:
    return path.lower().endswith(LFS_EXTENSIONS) or size >= LFS_SIZE_THRESHOLD or b"\0" in sample


def _card_data(commit: Commit) -> dict[str, Any] | None:
    """The YAML metadata block of the README of ``commit``, if any."""
    readme = commit.files.get("README.md")
    if readme is None:
        return None
    try:
        return _front_matter(readme.data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError, ValueError):
        return None


def _front_matter(text: str) -> dict[str, Any] | None:
    """Parse a ``---`` YAML block at the top of ``text``; ValueError/YAMLError if malformed."""
    match = re.match(r"\A---\s*\n(.*?\n)?---\s*(\n|\Z)", text, re.DOTALL)
    if match is None:
        return None
    data = yaml.safe_load(match.group(1) or "")
    if data is not None and not isinstance(data, dict):
        raise ValueError("the metadata block must be a YAML mapping")
    return data


def _parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end_exclusive)`` of a ``bytes=a-b`` header; HubError 416 if unsatisfiable."""
    if not header:
        return None
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if first == "":  # suffix range: the last N bytes
        start, end = max(size - int(last or 0), 0), size
    else:
        start, end = int(first), min(int(last) + 1, size) if last else size
    if start >= size or start >= end:
        unsatisfiable = {"Content-Range": f"bytes */{size}"}
        raise HubError(416, f"Range not satisfiable: {header} (size {size})", headers=unsatisfiable)
    return start, end


# --- the application ------------------------------------------------------------------


class HubApp:
    """State and request handling of a :class:`LocalHub` (no sockets involved)."""

    repos: dict[tuple[str, str], Repo]
    lfs_objects: dict[str, bytes]  # sha256 -> content
    pending_lfs: dict[str, int]  # sha256 -> size announced through the batch API
    faults: dict[str, list[int]]  # kind -> statuses to answer, in order
    tokens: dict[str, frozenset[str]] | None

    def __init__(self, base_url: Callable[[], str], tokens: Tokens | None) -> None:
        self._base_url = base_url
        self._initial_tokens = tokens
        self._lock = threading.RLock()
        self.requests_log: list[tuple[str, str]] = []
        self.reset()

    # --- state --------------------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            self.repos = {}
            self.lfs_objects = {}
            self.pending_lfs = {}
            self.faults = {}
            self.tokens = _freeze_tokens(self._initial_tokens)
            self.requests_log.clear()

    def fail_next(self, kind: str, count: int, status: int) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"Unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        with self._lock:
            self.faults.setdefault(kind, []).extend([status] * count)

    def _take_fault(self, kind: str | None) -> int | None:
        with self._lock:
            queue = self.faults.get(kind or "")
            return queue.pop(0) if queue else None

    def get_repo(self, repo_type: str, repo_id: str) -> Repo:
        repo = self.repos.get((repo_type, repo_id))
        if repo is None:
            raise _repo_not_found(repo_type, repo_id)
        return repo

    # --- dispatch -----------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        with self._lock:
            self.requests_log.append((request.method, unquote(request.path)))
        try:
            route, groups = self._match(request)
            status = self._take_fault(route.fault)
            if status is not None:
                raise HubError(status, f"LocalHub: injected failure ({route.fault})")
            with self._lock:
                self._authorize(request, route, groups)
                handler: Handler = getattr(self, f"_route_{route.handler}")
                return handler(request, groups)
        except HubError as error:
            return Response.error(error)

    def _match(self, request: Request) -> tuple[Route, dict[str, str]]:
        for route in ROUTES:
            match = route.pattern.match(request.path)
            if match is None:
                continue
            if request.method not in route.methods:
                raise HubError(405, f"Method {request.method} not allowed on {request.path}")
            groups = {key: unquote(value) for key, value in match.groupdict().items() if value is not None}
            return route, groups
        raise HubError(404, f"LocalHub: no route for {request.method} {request.path}", "RepoNotFound")

    # --- auth ---------------------------------------------------------------------

    def _authorize(self, request: Request, route: Route, groups: Mapping[str, str]) -> None:
        if route.access is None or "repo" not in groups:
            return
        repo_type, repo_id = _repo_type_of(groups), groups["repo"]
        what = f"{repo_type} '{repo_id}'"
        if route.access == "write":
            self._check_write(request.token, repo_id.split("/")[0], what)
            return
        self._check_token(request.token, what)
        repo = self.repos.get((repo_type, repo_id))
        if repo is not None and repo.private and not self._may_write(request.token, repo.namespace):
            raise _repo_not_found(repo_type, repo_id)

    def _check_token(self, token: str | None, what: str) -> None:
        if self.tokens is not None and token is not None and token not in self.tokens:
            raise HubError(
                401,
                f"Invalid credentials in Authorization header (request for {what})",
                headers={"X-Error-Message": "Invalid credentials in Authorization header"},
            )

    def _check_write(self, token: str | None, namespace: str, what: str) -> None:
        if self.tokens is None:
            return
        if token is None:
            raise HubError(401, f"Authentication required to write to {what}")
        self._check_token(token, what)
        if not self._may_write(token, namespace):
            raise HubError(403, f"You don't have the rights to write to {what} (namespace '{namespace}')")

    def _may_write(self, token: str | None, namespace: str) -> bool:
        if self.tokens is None:
            return True
        allowed = self.tokens.get(token or "")
        return allowed is not None and (namespace in allowed or "*" in allowed)

    def _user_name(self, token: str | None) -> str:
        allowed = sorted((self.tokens or {}).get(token or "", ()))
        return next((name for name in allowed if name != "*"), "user")

    # --- account & repo creation --------------------------------------------------

    def _route_whoami(self, request: Request, groups: dict[str, str]) -> Response:
        if request.token is None:
            raise HubError(401, "Authentication required (no token)")
        self._check_token(request.token, "whoami")
        name = self._user_name(request.token)
        orgs = sorted((self.tokens or {}).get(request.token, frozenset()) - {name, "*"})
        return Response.json(
            {
                "type": "user",
                "name": name,
                "fullname": name,
                "orgs": [{"name": org, "type": "org"} for org in orgs],
                "auth": {"type": "access_token", "accessToken": {"displayName": "local", "role": "write"}},
            }
        )

    def _route_create_repo(self, request: Request, groups: dict[str, str]) -> Response:
        payload = request.json()
        repo_type = payload.get("type") or "model"
        if repo_type not in REPO_TYPES:
            raise HubError(400, f"Invalid repo type {repo_type!r}")
        namespace = payload.get("organization") or self._user_name(request.token)
        repo_id = f"{namespace}/{payload.get('name', '')}"
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo_id):
            raise HubError(400, f"Invalid repo name {repo_id!r}")
        self._check_write(request.token, namespace, f"{repo_type} '{repo_id}'")
        existing = self.repos.get((repo_type, repo_id))
        if existing is not None:
            url = existing.url(self._base_url())
            raise HubError(409, f"You already created this {repo_type} repo: {repo_id}", body={"url": url})
        repo = Repo(repo_type, repo_id, private=payload.get("visibility") == "private" or bool(payload.get("private")))
        initial = _new_commit(None, "initial commit", "", namespace, {".gitattributes": Blob(_GITATTRIBUTES)})
        repo.add_commit(DEFAULT_BRANCH, initial)
        self.repos[(repo_type, repo_id)] = repo
        return Response.json({"url": repo.url(self._base_url()), "name": repo_id, "id": repo_id})

    def _route_validate_yaml(self, request: Request, groups: dict[str, str]) -> Response:
        content = request.json().get("content") or ""
        try:
            _front_matter(content)
        except (yaml.YAMLError, ValueError) as exc:
            message = f"Invalid YAML metadata: {exc}"
            return Response.json({"error": message, "errors": [{"message": message}], "warnings": []}, 400)
        return Response.json({"errors": [], "warnings": []})

    # --- read API -----------------------------------------------------------------

    def _resolve(self, groups: Mapping[str, str]) -> tuple[Repo, Commit]:
        repo = self.get_repo(_repo_type_of(groups), groups["repo"])
        return repo, repo.resolve(groups.get("rev") or DEFAULT_BRANCH)

    def _route_repo_info(self, request: Request, groups: dict[str, str]) -> Response:
        repo, commit = self._resolve(groups)
        with_blobs = request.flag("blobs")
        siblings = [self._sibling(path, blob, with_blobs) for path, blob in sorted(commit.files.items())]
        info: dict[str, Any] = {
            "id": repo.repo_id,
            "_id": hashlib.sha1(repo.repo_id.encode()).hexdigest()[:24],
            "author": repo.namespace,
            "sha": commit.sha,
            "private": repo.private,
            "gated": False,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": [],
            "createdAt": repo.created_at,
            "lastModified": commit.date,
            "siblings": siblings,
        }
        card = _card_data(commit)
        if card is not None:
            info["cardData"] = card
        if repo.repo_type == "model":
            info["modelId"] = repo.repo_id
        return Response.json(info)

    @staticmethod
    def _sibling(path: str, blob: Blob, with_blobs: bool) -> dict[str, Any]:
        if not with_blobs:
            return {"rfilename": path}
        lfs = blob.lfs_info()
        return {
            "rfilename": path,
            "size": len(blob.data),
            "blobId": blob.oid,
            "lfs": {"size": lfs["size"], "sha256": lfs["oid"], "pointerSize": lfs["pointerSize"]} if lfs else None,
        }

    def _route_list_refs(self, request: Request, groups: dict[str, str]) -> Response:
        repo = self.get_repo(_repo_type_of(groups), groups["repo"])

        def refs(kind: str, names: Mapping[str, str]) -> list[dict[str, str]]:
            return [{"name": n, "ref": f"refs/{kind}/{n}", "targetCommit": sha} for n, sha in sorted(names.items())]

        branches, tags = refs("heads", repo.branches), refs("tags", repo.tags)
        return Response.json({"branches": branches, "tags": tags, "converts": [], "pullRequests": []})

    def _route_list_commits(self, request: Request, groups: dict[str, str]) -> Response:
        repo, commit = self._resolve(groups)
        items = [{**c.summary(), "message": c.message, "authors": [{"user": c.author}]} for c in repo.history(commit)]
        return Response.json(items)

    def _route_tree(self, request: Request, groups: dict[str, str]) -> Response:
        repo, commit = self._resolve(groups)
        directory = groups.get("path", "").strip("/")
        if directory and not commit.is_dir(directory):
            raise _entry_not_found(directory, commit)
        prefix = directory + "/" if directory else ""
        recursive, expand = request.flag("recursive"), request.flag("expand")
        paths: set[str] = set()
        for name in commit.files:
            if not name.startswith(prefix):
                continue
            parts = name[len(prefix) :].split("/")
            depth = len(parts) if recursive else 1
            paths.update(prefix + "/".join(parts[: i + 1]) for i in range(depth))
        entries = [self._entry(repo, commit, path, expand) for path in sorted(paths)]
        return Response.json(entries)

    def _route_paths_info(self, request: Request, groups: dict[str, str]) -> Response:
        repo, commit = self._resolve(groups)
        form = parse_qs(request.body.decode(), keep_blank_values=True)
        if not form and request.body.strip().startswith(b"{"):
            form = {key: value if isinstance(value, list) else [str(value)] for key, value in request.json().items()}
        expand = (form.get("expand") or ["false"])[0].lower() == "true"
        paths = [path.strip("/") for path in form.get("paths", [])]
        found = [path for path in paths if path and (path in commit.files or commit.is_dir(path))]
        return Response.json([self._entry(repo, commit, path, expand) for path in found])

    def _entry(self, repo: Repo, commit: Commit, path: str, expand: bool) -> dict[str, Any]:
        blob = commit.files.get(path)
        if blob is None:
            entry: dict[str, Any] = {"type": "directory", "oid": _tree_oid(commit, path), "size": 0, "path": path}
        else:
            entry = {"type": "file", "oid": blob.oid, "size": len(blob.data), "path": path}
            if blob.lfs:
                entry["lfs"] = blob.lfs_info()
        if expand:
            entry["lastCommit"] = _last_commit(repo, commit, path).summary()
        return entry

    # --- downloads ----------------------------------------------------------------

    def _route_resolve(self, request: Request, groups: dict[str, str]) -> Response:
        repo, commit = self._resolve(groups)
        blob = commit.files.get(groups["path"])
        if blob is None:
            raise _entry_not_found(groups["path"], commit)
        headers = {
            "X-Repo-Commit": commit.sha,
            "ETag": f'"{blob.etag}"',
            "Accept-Ranges": "bytes",
            "Content-Type": "application/octet-stream",
        }
        if blob.lfs:
            headers.update({"X-Linked-Etag": f'"{blob.sha256}"', "X-Linked-Size": str(len(blob.data))})
        span = _parse_range(request.headers.get("Range"), len(blob.data))
        if span is None:
            return Response(200, blob.data, headers)
        start, end = span
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{len(blob.data)}"
        return Response(206, blob.data[start:end], headers)

    # --- uploads ------------------------------------------------------------------

    def _route_preupload(self, request: Request, groups: dict[str, str]) -> Response:
        repo, commit = self._resolve(groups)
        answers = []
        for item in request.json().get("files", []):
            path, size = item["path"], int(item.get("size", 0))
            sample = base64.b64decode(item.get("sample") or "")
            lfs = _is_lfs_candidate(path, size, sample)
            existing = commit.files.get(path)
            oid = (existing.sha256 if lfs else existing.oid) if existing is not None else None
            answers.append({"path": path, "uploadMode": "lfs" if lfs else "regular", "shouldIgnore": False, "oid": oid})
        return Response.json({"files": answers})

    def _route_lfs_batch(self, request: Request, groups: dict[str, str]) -> Response:
        self.get_repo(_repo_type_of(groups), groups["repo"])
        payload = request.json()
        if payload.get("operation", "upload") != "upload":
            raise HubError(400, "LocalHub only supports LFS uploads through the batch API")
        objects = []
        for item in payload.get("objects", []):
            oid, size = str(item["oid"]), int(item["size"])
            answer: dict[str, Any] = {"oid": oid, "size": size, "authenticated": True}
            if oid not in self.lfs_objects:  # a stored object gets no "actions" at all
                self.pending_lfs[oid] = size
                answer["actions"] = {"upload": {"href": f"{self._base_url()}/_lfs/{oid}", "header": {}}}
            objects.append(answer)
        return Response.json({"transfer": "basic", "objects": objects, "hash_algo": "sha256"})

    def _route_lfs_upload(self, request: Request, groups: dict[str, str]) -> Response:
        oid = groups["oid"]
        if oid in self.lfs_objects and hashlib.sha256(request.body).hexdigest() == oid:
            return Response(200)  # the same object twice in one commit (identical files): stored once, as on the Hub
        if oid not in self.pending_lfs:
            raise HubError(404, f"No pending LFS upload for {oid}", "EntryNotFound")
        if hashlib.sha256(request.body).hexdigest() != oid or len(request.body) != self.pending_lfs[oid]:
            raise HubError(400, f"LFS upload does not match oid {oid} / size {self.pending_lfs[oid]}")
        self.lfs_objects[oid] = request.body
        del self.pending_lfs[oid]
        return Response(200)

    def _route_commit(self, request: Request, groups: dict[str, str]) -> Response:
        repo = self.get_repo(_repo_type_of(groups), groups["repo"])
        if request.flag("create_pr"):
            raise HubError(400, "LocalHub does not implement pull requests (create_pr)")
        branch = groups["rev"].removeprefix("refs/heads/")
        if branch not in repo.branches:
            raise _revision_not_found(repo.repo_id, groups["rev"])
        head = repo.commits[repo.branches[branch]]
        header, operations = _parse_ndjson_commit(request.body)
        parent = header.get("parentCommit")
        if parent and parent != head.sha:
            raise HubError(412, f"Parent commit {parent} is not the head of '{branch}' ({head.sha})")
        files = dict(head.files)
        for key, value in operations:
            self._apply_operation(files, key, value, head)
        author = self._user_name(request.token)
        commit = _new_commit(head, header.get("summary") or "", header.get("description") or "", author, files)
        repo.add_commit(branch, commit)
        url = f"{repo.url(self._base_url())}/commit/{commit.sha}"
        return Response.json({"success": True, "commitOid": commit.sha, "commitUrl": url, "hookOutput": ""})

    def _apply_operation(self, files: dict[str, Blob], key: str, value: Mapping[str, Any], head: Commit) -> None:
        path = str(value.get("path", "")).strip("/")
        if key == "file":
            content = str(value["content"])
            files[path] = Blob(base64.b64decode(content) if value.get("encoding") == "base64" else content.encode())
        elif key == "lfsFile":
            oid = value["oid"]
            if oid not in self.lfs_objects:
                raise HubError(400, f"LFS object {oid} for '{path}' was never uploaded")
            files[path] = Blob(self.lfs_objects[oid], lfs=True)
        elif key == "deletedFile":
            if files.pop(path, None) is None:
                raise _entry_not_found(f"{path}: A file with this name doesn't exist", head)
        elif key == "deletedFolder":
            for name in [n for n in files if n.startswith(path + "/")]:
                del files[name]
        else:
            raise HubError(400, f"Unknown commit operation {key!r}")

    # --- refs ---------------------------------------------------------------------

    def _route_tag(self, request: Request, groups: dict[str, str]) -> Response:
        repo = self.get_repo(_repo_type_of(groups), groups["repo"])
        if request.method == "DELETE":
            if repo.tags.pop(groups["rev"], None) is None:
                raise _revision_not_found(repo.repo_id, groups["rev"])
            return Response.json({})
        tag = str(request.json().get("tag") or "")
        if not tag:
            raise HubError(400, "Missing 'tag' in request body")
        if tag in repo.tags:
            raise HubError(409, f"Tag '{tag}' already exists on {repo.repo_type} '{repo.repo_id}'")
        repo.tags[tag] = repo.resolve(groups["rev"]).sha
        return Response.json({})

    def _route_branch(self, request: Request, groups: dict[str, str]) -> Response:
        repo = self.get_repo(_repo_type_of(groups), groups["repo"])
        name = groups["rev"]
        if request.method == "DELETE":
            if name == DEFAULT_BRANCH or repo.branches.pop(name, None) is None:
                raise _revision_not_found(repo.repo_id, name)
            return Response.json({})
        if name in repo.branches:
            raise HubError(409, f"Branch '{name}' already exists on {repo.repo_type} '{repo.repo_id}'")
        start = request.json().get("startingPoint") or DEFAULT_BRANCH
        repo.branches[name] = repo.resolve(start).sha
        return Response.json({})


def _freeze_tokens(tokens: Tokens | None) -> dict[str, frozenset[str]] | None:
    return None if tokens is None else {token: frozenset(spaces) for token, spaces in tokens.items()}


def _parse_ndjson_commit(body: bytes) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    header: dict[str, Any] | None = None
    operations: list[tuple[str, dict[str, Any]]] = []
    for line in body.splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise HubError(400, f"Malformed NDJSON commit line: {exc}") from exc
        if item.get("key") == "header":
            header = item.get("value") or {}
        else:
            operations.append((str(item.get("key")), item.get("value") or {}))
    if header is None:
        raise HubError(400, "Commit payload has no header line")
    return header, operations


def _tree_oid(commit: Commit, directory: str) -> str:
    prefix = directory + "/"
    listing = "".join(f"{p}:{b.oid}\n" for p, b in sorted(commit.files.items()) if p.startswith(prefix))
    return hashlib.sha1(listing.encode()).hexdigest()


def _path_signature(commit: Commit, path: str) -> str | None:
    blob = commit.files.get(path)
    if blob is not None:
        return blob.oid
    return _tree_oid(commit, path) if commit.is_dir(path) else None


def _last_commit(repo: Repo, commit: Commit, path: str) -> Commit:
    """The oldest ancestor of ``commit`` in which ``path`` already had its current content."""
    signature = _path_signature(commit, path)
    last = commit
    for ancestor in repo.history(commit):
        if _path_signature(ancestor, path) != signature:
            break
        last = ancestor
    return last


# --- HTTP plumbing --------------------------------------------------------------------


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    app: HubApp


class _HTTPHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real Hub
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence per-request logging."""

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._serve()

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve()

    def do_POST(self) -> None:  # noqa: N802
        self._serve()

    def do_PUT(self) -> None:  # noqa: N802
        self._serve()

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve()

    def _serve(self) -> None:
        url = urlsplit(self.path)
        request = Request(self.command, url.path, parse_qs(url.query), self.headers, self._read_body())
        try:
            response = self.server.app.handle(request)
        except Exception as exc:  # a bug in the fake: answer 500 with the reason, keep serving
            response = Response.error(HubError(500, f"LocalHub internal error: {exc!r}"))
        self._write(response)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline().strip():  # trailers
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()  # CRLF after each chunk

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)


# --- public facade --------------------------------------------------------------------


class LocalHub:
    """A Hub-API server on ``127.0.0.1`` for tests (see the module docstring).

    Args:
        tokens: token -> namespaces it may write (``"*"`` = all). ``None`` (default): no auth
            checks at all. Otherwise an unknown token gets 401 on every repo request, a
            missing token 401 on writes, and a known token writing outside its namespaces 403.
        port: port to bind (0 = a free one).
    """

    def __init__(self, tokens: Tokens | None = None, port: int = 0) -> None:
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.app = HubApp(lambda: self.base_url, tokens)

    # --- lifecycle ----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (the value for ``HF_ENDPOINT``)."""
        port = self._server.server_address[1] if self._server is not None else self._port
        return f"http://127.0.0.1:{port}"

    def start(self) -> LocalHub:
        if self._server is not None:
            return self
        self._server = _Server(("127.0.0.1", self._port), _HTTPHandler)
        self._server.app = self.app
        self._thread = threading.Thread(target=self._server.serve_forever, name="LocalHub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    def __enter__(self) -> LocalHub:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- test hooks ---------------------------------------------------------------

    def reset(self) -> None:
        """Forget all repos, LFS objects, pending faults and the request log; restore ``tokens``."""
        self.app.reset()

    @property
    def tokens(self) -> dict[str, frozenset[str]] | None:
        return self.app.tokens

    @tokens.setter
    def tokens(self, tokens: Tokens | None) -> None:
        self.app.tokens = _freeze_tokens(tokens)

    def fail_next(self, kind: str, count: int = 1, status: int = 500) -> None:
        """Answer ``status`` to the next ``count`` requests of ``kind``, before touching any state.

        Kinds: ``commit`` (the commit POST), ``lfs_upload`` (the LFS PUT), ``lfs_batch``,
        ``preupload``, ``create_repo``, ``create_tag``, ``download`` (resolve HEAD/GET).
        Note that ``huggingface_hub`` retries some requests on 5xx (LFS PUT, preupload,
        LFS batch: up to 5 retries with backoff), so a single failure there is absorbed.
        """
        self.app.fail_next(kind, count, status)

    @property
    def requests_log(self) -> list[tuple[str, str]]:
        """``(method, path)`` of every request received, path decoded, without query string."""
        return self.app.requests_log

    def repo_files(self, repo_id: str, revision: str = DEFAULT_BRANCH, repo_type: str = "model") -> dict[str, bytes]:
        """Content of every file of ``repo_id`` at ``revision`` (branch, tag or sha)."""
        with self.app._lock:
            commit = self.app.get_repo(repo_type, repo_id).resolve(revision)
            return {path: blob.data for path, blob in commit.files.items()}

    def repo_refs(self, repo_id: str, repo_type: str = "model") -> dict[str, dict[str, str]]:
        """``{"branches": {name: sha}, "tags": {name: sha}}`` of ``repo_id``."""
        with self.app._lock:
            repo = self.app.get_repo(repo_type, repo_id)
            return {"branches": dict(repo.branches), "tags": dict(repo.tags)}

    def commit_titles(self, repo_id: str, revision: str = DEFAULT_BRANCH, repo_type: str = "model") -> list[str]:
        """Titles of the commits reachable from ``revision``, newest first."""
        with self.app._lock:
            repo = self.app.get_repo(repo_type, repo_id)
            return [commit.title for commit in repo.history(repo.resolve(revision))]
