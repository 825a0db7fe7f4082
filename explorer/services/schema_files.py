"""Celigo's published resource schemas on this machine: where they come from, how they are installed.

Why a download and not a copy in the package: the schemas are Celigo's text (MIT, © Celigo, Inc.), published
as YAML in the public ``celigo/ai`` repository, which syncs them from Celigo's API specs. ``iox`` does not
ship them: ``iox schemas update`` fetches the files at :data:`PINNED_COMMIT` (a commit, so what is checked is
what was reviewed), or installs a local copy (``--from``: a directory of those YAML files, or JSON bundles).
Either way they land in ``$XDG_CACHE_HOME/integrator-explorer/schemas/`` as one JSON file per resource kind,
the form :mod:`explorer.services.schemas` reads fast (no YAML parse at run time).

The raw-file base URL can be replaced with ``$IOX_SCHEMAS_BASE_URL``: the tests point it at a loopback HTTP
server standing in for the repository.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from explorer.config import cache_dir, ensure_private_dir

PINNED_COMMIT = "082ce7fda20c533ddefb85d3326260f320aafe64"
"""The commit of ``celigo/ai`` whose schema files ``iox schemas update`` fetches."""
REPOSITORY = "celigo/ai"
DEFAULT_BASE_URL = "https://raw.githubusercontent.com/celigo/ai"
"""Raw files are ``{base}/{commit}/{path}``."""
BASE_URL_ENV = "IOX_SCHEMAS_BASE_URL"
"""Replaces :data:`DEFAULT_BASE_URL` (tests: a loopback server standing in for the repository)."""

KINDS = ("connections", "exports", "flows", "imports")
"""The resource kinds with published schemas, as the API's plural path segments."""

_FOLDERS = {
    "connections": "skills/configuring-connections/references/schemas",
    "exports": "skills/configuring-exports/references/schemas",
    "flows": "skills/building-flows/references/schemas",
    "imports": "skills/configuring-imports/references/schemas",
}
_NAMES = {
    "connections": "as2 dynamodb filesystem ftp http jdbc jwt mcp mongodb netsuite oauth rdbms request "
                   "response rest s3 salesforce ssl van wrapper",
    "exports": "as2 clone-request clone-response delta distributed dynamodb file filesystem ftp group-by "
               "http jdbc mock-output mongodb netsuite once preview-request preview-response rdbms request "
               "response s3 salesforce test webhook wrapper",
    "flows": "branch clone-request clone-response overrides-helper overrides page-generator page-processor "
             "request response-mapping response router",
    "imports": "aiagent as2 clone-request clone-response dynamodb file filesystem ftp guardrail http jdbc "
               "mongodb netsuite netsuitedistributed rdbms request response s3 salesforce wrapper",
}
REPO_PATHS: dict[str, tuple[str, ...]] = {
    kind: tuple(f"{_FOLDERS[kind]}/{name}.yml" for name in _NAMES[kind].split()) for kind in KINDS
}
"""Every schema file fetched, per kind (the ``x-repoPath`` of each file)."""

MANIFEST = "manifest.json"
HOW_TO_GET = "run `iox schemas update` to download them (`iox schemas update --from PATH` for a local copy)"
"""What every "no schemas installed" message tells the user to do."""


class SchemaInstallError(Exception):
    """The schemas could not be installed; the message says what and why (nothing was changed)."""


@dataclass(frozen=True)
class InstalledSchemas:
    """What ``iox schemas`` shows: where, from which commit and source, how many files per kind."""

    directory: Path
    commit: str
    source: str
    installed_at: str
    files: dict[str, int]


Progress = Callable[[int, int, str], None]
"""``(done, total, path)`` after each file."""


def schema_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_CACHE_HOME/integrator-explorer/schemas`` (``~/.cache/...``): it can be fetched again."""
    return cache_dir(environ) / "schemas"


def installed(directory: Path) -> InstalledSchemas | None:
    """What is installed in ``directory``, or None (nothing, or an unreadable manifest)."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        files = {kind: int(count) for kind, count in manifest["files"].items()}
        return InstalledSchemas(directory, str(manifest["commit"]), str(manifest["source"]),
                                str(manifest["installedAt"]), files)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def read_kind(directory: Path, kind: str) -> dict[str, Any] | None:
    """The installed files of one kind, ``{x-repoPath: content}``; None when that kind is not installed."""
    try:
        data = json.loads((directory / f"{kind}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# --- installing ---------------------------------------------------------------------------------------------


def kind_of_path(repo_path: str) -> str | None:
    """The kind a repository path belongs to (by its folder), or None for a file that is not a schema."""
    for kind, folder in _FOLDERS.items():
        if repo_path.startswith(folder + "/") and repo_path.endswith((".yml", ".yaml")):
            return kind
    return None


def _write(directory: Path, by_kind: Mapping[str, Mapping[str, Any]], commit: str,
           source: str) -> InstalledSchemas:
    missing = [kind for kind in KINDS if not by_kind.get(kind)]
    if missing:
        raise SchemaInstallError(f"no schema files for {', '.join(missing)} in {source}")
    ensure_private_dir(directory)
    # Each file is written whole then renamed, the manifest last: a crash leaves the last install readable.
    for kind in KINDS:
        _atomic_write(directory / f"{kind}.json", json.dumps(dict(by_kind[kind]), ensure_ascii=False))
    files = {kind: len(by_kind[kind]) for kind in KINDS}
    manifest = {"commit": commit, "source": source, "repository": REPOSITORY,
                "installedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "files": files}
    _atomic_write(directory / MANIFEST, json.dumps(manifest, indent=2))
    result = installed(directory)
    assert result is not None
    return result


def _atomic_write(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def install_from(source: Path, directory: Path, progress: Progress | None = None) -> InstalledSchemas:
    """Install a local copy: JSON bundles (``{"_source", "files": {name: {"x-repoPath", "content"}}}``) or a
    directory of the YAML files (laid out as in the repository, or anywhere below ``source``)."""
    source = source.expanduser()
    if not source.exists():
        raise SchemaInstallError(f"{source} does not exist")
    candidates = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    by_kind: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    commit = "unknown"
    bundles = [p for p in candidates if p.suffix == ".json"]
    yamls = [p for p in candidates if p.suffix in (".yml", ".yaml")]
    total = len(bundles) + len(yamls)
    for done, path in enumerate(bundles, 1):
        commit = _read_bundle(path, by_kind) or commit
        if progress:
            progress(done, total, str(path))
    for done, path in enumerate(yamls, len(bundles) + 1):
        rel = path.relative_to(source).as_posix() if source.is_dir() else path.name
        repo_path = _repo_path_for(rel)
        if repo_path is not None:
            by_kind[kind_of_path(repo_path) or ""][repo_path] = _parse_yaml(path.read_bytes(), str(path))
        if progress:
            progress(done, total, str(path))
    return _write(directory, by_kind, commit, f"local copy {source}")


def _read_bundle(path: Path, by_kind: dict[str, dict[str, Any]]) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SchemaInstallError(f"cannot read {path}: {error}") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return None  # some other JSON file: not a bundle
    for entry in files.values():
        if not isinstance(entry, dict):
            continue
        repo_path = str(entry.get("x-repoPath", ""))
        kind = kind_of_path(repo_path)
        if kind is not None and isinstance(entry.get("content"), dict):
            by_kind[kind][repo_path] = entry["content"]
    source = data.get("_source")
    return str(source["commit"]) if isinstance(source, dict) and "commit" in source else None


def _repo_path_for(relative: str) -> str | None:
    """Match a local YAML file to its repository path: the whole relative path, else folder + file name."""
    if kind_of_path(relative):
        return relative
    parts = relative.split("/")
    for folder in _FOLDERS.values():
        skill = folder.split("/")[1]  # configuring-connections, building-flows, ...
        if skill in parts:
            return f"{folder}/{parts[-1]}"
    return None


def _parse_yaml(raw: bytes, where: str) -> dict[str, Any]:
    import yaml  # imported here: only installing needs a YAML parser

    try:
        content = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise SchemaInstallError(f"{where} is not valid YAML: {error}") from None
    if not isinstance(content, dict):
        raise SchemaInstallError(f"{where} is not a schema file (its top level is not a mapping)")
    return content


def download(directory: Path, progress: Progress | None = None, *, commit: str = PINNED_COMMIT,
             base_url: str | None = None, transport: httpx.BaseTransport | None = None,
             timeout_s: float = 30.0) -> InstalledSchemas:
    """Fetch every file of :data:`REPO_PATHS` at ``commit`` and install them (all or nothing)."""
    base = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    paths = [(kind, path) for kind in KINDS for path in REPO_PATHS[kind]]
    by_kind: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    with httpx.Client(timeout=timeout_s, transport=transport, follow_redirects=True) as http:
        for done, (kind, path) in enumerate(paths, 1):
            url = f"{base}/{commit}/{path}"
            try:
                response = http.get(url)
            except httpx.HTTPError as error:
                raise SchemaInstallError(f"cannot fetch {url}: {type(error).__name__}: {error}") from None
            if response.status_code != 200:
                raise SchemaInstallError(f"cannot fetch {url}: HTTP {response.status_code}")
            by_kind[kind][path] = _parse_yaml(response.content, url)
            if progress:
                progress(done, len(paths), path)
    return _write(directory, by_kind, commit, f"{base}/{commit}")


def iter_documents(directory: Path) -> Iterable[tuple[str, dict[str, Any]]]:
    """``(kind, files)`` for each installed kind."""
    for kind in KINDS:
        files = read_kind(directory, kind)
        if files is not None:
            yield kind, files
