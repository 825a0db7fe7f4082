"""A loopback HTTP server standing in for the schema repository's raw-file host, and a YAML copy of the
shared bundles (what a clone of the repository holds). Tests only: nothing here reaches the internet."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import yaml

from explorer.services import schema_files


def yaml_tree(bundles: Path, into: Path) -> Path:
    """The bundles written back as the repository's YAML files (what a clone of celigo/ai holds)."""
    for bundle in bundles.glob("*.json"):
        for entry in json.loads(bundle.read_text())["files"].values():
            target = into / entry["x-repoPath"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(yaml.safe_dump(entry["content"], allow_unicode=True), encoding="utf-8")
    return into


class RepoStandIn(http.server.BaseHTTPRequestHandler):
    """Serves ``/<commit>/<repo path>`` as raw YAML, like the repository's raw-file host."""

    files: ClassVar[dict[str, bytes]] = {}
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        body = self.files.get(self.path.lstrip("/"))
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        self.wfile.write(body or b"404: Not Found")

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serving_repo(bundles: Path, tmp: Path) -> Iterator[str]:
    """Serve the bundles as the repository's YAML files on 127.0.0.1; yields the base URL."""
    clone = yaml_tree(bundles, tmp / "clone")
    RepoStandIn.files = {f"{schema_files.PINNED_COMMIT}/{p.relative_to(clone).as_posix()}": p.read_bytes()
                         for p in clone.rglob("*.yml")}
    RepoStandIn.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RepoStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
