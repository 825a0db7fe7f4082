"""Drafts and the journal: what the user typed survives a crash, and every write can be looked up and undone.

These stores are the safety net behind editing a live account, so the tests check the bytes on disk, the file
modes, what happens to damaged files, and that names cannot escape the state directory.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from explorer.journal import (
    MASK,
    Draft,
    DraftStore,
    Journal,
    JournalEntry,
    UnsafeName,
    check_name,
    iso_time,
    lines_from_end,
    redact,
)

TOKEN = "f00dfacecafebabe0123456789abcdef"
FLOW_ID = "6500000000000000000000f1"
BASE_DOC: dict[str, Any] = {
    "_id": FLOW_ID,
    "name": "Orders",
    "disabled": False,
    "pageProcessors": [{"type": "import", "_importId": "6500000000000000000000i1"}],
    "lastModified": "2026-02-01T00:00:00.000Z",
}


class FakeClock:
    """A clock the test moves by hand, so ``saved_at`` values and their order are known."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float = 1.0) -> None:
        self.now += timedelta(seconds=seconds)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _draft(id: str = FLOW_ID, *, profile: str = "prod", kind: str = "flows", text: str = "{") -> Draft:
    return Draft(
        profile=profile,
        kind=kind,
        id=id,
        path=f"/v1/{kind}/{id}",
        base_last_modified="2026-02-01T00:00:00.000Z",
        base_document=BASE_DOC,
        text=text,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> DraftStore:
    return DraftStore(tmp_path / "state" / "drafts", clock=clock)


# --- helpers ------------------------------------------------------------------------------------------------


def test_iso_time_matches_the_api_format() -> None:
    assert iso_time(datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)) == "2026-03-04T05:06:07.890Z"
    plus_two = timezone(timedelta(hours=2))
    assert iso_time(datetime(2026, 3, 4, 7, 6, 7, tzinfo=plus_two)) == "2026-03-04T05:06:07.000Z"


@pytest.mark.parametrize("name", ["prod", "flows", FLOW_ID, "a.b-c_d", "..."])
def test_safe_names(name: str) -> None:
    assert check_name(name, "id") == name


@pytest.mark.parametrize(
    "name", ["", ".", "..", "../x", "a/b", "/abs", "a\\b", "a\x00b", "sp ace", "x" * 129]
)
def test_unsafe_names(name: str) -> None:
    with pytest.raises(UnsafeName):
        check_name(name, "id")


def test_default_locations_follow_xdg_state_home() -> None:
    env = {"XDG_STATE_HOME": "/st", "HOME": "/home/u"}
    assert DraftStore.default(env).root == Path("/st/integrator-explorer/drafts")
    assert Journal.default(env).path == Path("/st/integrator-explorer/journal.jsonl")


# --- drafts -------------------------------------------------------------------------------------------------


def test_save_and_load_round_trip(store: DraftStore) -> None:
    draft = _draft(text='{"name": "Orders (edited",\n')  # invalid JSON is exactly what must survive
    saved = store.save(draft)
    assert saved.saved_at == "2026-03-04T05:06:07.890Z"
    assert saved == Draft(**{**draft.__dict__, "saved_at": "2026-03-04T05:06:07.890Z"})
    assert store.load("prod", "flows", FLOW_ID) == saved


def test_file_layout_and_content(store: DraftStore) -> None:
    store.save(_draft(text="[1,"))
    file = store.root / "prod" / "flows" / f"{FLOW_ID}.json"
    assert store.path_for("prod", "flows", FLOW_ID) == file
    assert json.loads(file.read_bytes()) == {
        "v": 1,
        "profile": "prod",
        "kind": "flows",
        "id": FLOW_ID,
        "path": f"/v1/flows/{FLOW_ID}",
        "base_last_modified": "2026-02-01T00:00:00.000Z",
        "base_document": BASE_DOC,
        "text": "[1,",
        "saved_at": "2026-03-04T05:06:07.890Z",
    }


def test_modes_0700_directories_0600_file(store: DraftStore) -> None:
    store.save(_draft())
    assert _mode(store.root / "prod" / "flows" / f"{FLOW_ID}.json") == 0o600
    for folder in (store.root.parent, store.root, store.root / "prod", store.root / "prod" / "flows"):
        assert _mode(folder) == 0o700, folder


def test_save_overwrites_and_leaves_no_temp_files(store: DraftStore, clock: FakeClock) -> None:
    store.save(_draft(text="first"))
    clock.tick()
    store.save(_draft(text="second"))
    loaded = store.load("prod", "flows", FLOW_ID)
    assert loaded is not None
    assert (loaded.text, loaded.saved_at) == ("second", "2026-03-04T05:06:08.890Z")
    assert [p.name for p in (store.root / "prod" / "flows").iterdir()] == [f"{FLOW_ID}.json"]


def test_failed_save_keeps_the_previous_draft(store: DraftStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.save(_draft(text="typed before the disk filled up"))

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        store.save(_draft(text="newer"))
    monkeypatch.undo()
    loaded = store.load("prod", "flows", FLOW_ID)
    assert loaded is not None and loaded.text == "typed before the disk filled up"
    assert [p.name for p in (store.root / "prod" / "flows").iterdir()] == [f"{FLOW_ID}.json"]


def test_large_text_round_trips(store: DraftStore) -> None:
    big_doc = {"_id": FLOW_ID, "rows": [{"n": i, "s": 'é✓"\\' * 3} for i in range(25_000)]}
    text = json.dumps(big_doc, indent=2)[:-1]  # ~2 MB and invalid (missing the closing brace)
    assert len(text) > 2_000_000
    store.save(
        Draft(
            profile="prod",
            kind="flows",
            id=FLOW_ID,
            path="/v1/flows/x",
            base_last_modified=None,
            base_document=big_doc,
            text=text,
        )
    )
    loaded = store.load("prod", "flows", FLOW_ID)
    assert loaded is not None
    assert loaded.text == text
    assert loaded.base_document == big_doc
    assert loaded.base_last_modified is None


def test_lone_surrogates_in_the_editor_text_survive(store: DraftStore) -> None:
    store.save(_draft(text="broken \ud800 pair"))
    loaded = store.load("prod", "flows", FLOW_ID)
    assert loaded is not None and loaded.text == "broken \ud800 pair"


def test_load_missing_is_none(store: DraftStore) -> None:
    assert store.load("prod", "flows", FLOW_ID) is None
    assert store.quarantined == []


def test_discard(store: DraftStore) -> None:
    store.save(_draft())
    assert store.discard("prod", "flows", FLOW_ID) is True
    assert store.load("prod", "flows", FLOW_ID) is None
    assert store.discard("prod", "flows", FLOW_ID) is False


@pytest.mark.parametrize(
    "content",
    [
        b'{"v": 1, "profile": "prod", "kind": "flows", "id": "6500000000000000000000f1", "text": "{"',  # torn
        b"\x00\x00\x00",
        b"\xff\xfe not utf-8",
        b"[]",
        b'{"v": 1, "profile": "prod", "kind": "flows"}',
        json.dumps({**_draft().to_json(), "saved_at": "x", "text": 5}).encode(),
        json.dumps({**_draft().to_json(), "saved_at": "x", "base_last_modified": 3}).encode(),
        json.dumps(
            {**_draft(id="6500000000000000000000f2").to_json(), "saved_at": "x"}
        ).encode(),  # wrong file
    ],
)
def test_corrupt_draft_is_moved_aside_not_lost(store: DraftStore, content: bytes) -> None:
    file = store.path_for("prod", "flows", FLOW_ID)
    file.parent.mkdir(parents=True)
    file.write_bytes(content)
    assert store.load("prod", "flows", FLOW_ID) is None
    moved = file.with_name(f"{FLOW_ID}.json.corrupt-20260304T050607890000Z")
    assert store.quarantined == [moved]
    assert moved.read_bytes() == content
    assert not file.exists()
    assert store.list() == []


def test_second_corrupt_file_at_the_same_instant_gets_its_own_name(store: DraftStore) -> None:
    file = store.path_for("prod", "flows", FLOW_ID)
    file.parent.mkdir(parents=True)
    for content in (b"one", b"two"):
        file.write_bytes(content)
        assert store.load("prod", "flows", FLOW_ID) is None
    assert [p.read_bytes() for p in store.quarantined] == [b"one", b"two"]
    assert store.quarantined[1].name.endswith("Z-1")


def test_draft_from_a_newer_version_is_left_alone(store: DraftStore) -> None:
    file = store.path_for("prod", "flows", FLOW_ID)
    file.parent.mkdir(parents=True)
    file.write_text(json.dumps({"v": 2, "anything": "new"}), encoding="utf-8")
    assert store.load("prod", "flows", FLOW_ID) is None
    assert file.exists()
    assert store.quarantined == []


def test_list_newest_first_and_by_profile(store: DraftStore, clock: FakeClock) -> None:
    store.save(_draft("a1", kind="flows"))
    clock.tick()
    store.save(_draft("c1", kind="connections", profile="sandbox"))
    clock.tick()
    store.save(_draft("e1", kind="exports"))
    assert [(d.profile, d.kind, d.id) for d in store.list()] == [
        ("prod", "exports", "e1"),
        ("sandbox", "connections", "c1"),
        ("prod", "flows", "a1"),
    ]
    assert [d.id for d in store.list("prod")] == ["e1", "a1"]
    assert store.list("nobody") == []


def test_list_skips_corrupt_temp_and_foreign_files(store: DraftStore) -> None:
    store.save(_draft("good"))
    folder = store.root / "prod" / "flows"
    (folder / "bad.json").write_text("{", encoding="utf-8")
    (folder / ".good.json.abc123.tmp").write_text("half a draft from a kill -9", encoding="utf-8")
    (folder / "notes.txt").write_text("hello", encoding="utf-8")
    (store.root / "stray-file").write_text("x", encoding="utf-8")
    (store.root / "bad name").mkdir()
    assert [d.id for d in store.list()] == ["good"]
    assert [p.name.split(".corrupt-")[0] for p in store.quarantined] == ["bad.json"]


def test_list_of_an_empty_store(tmp_path: Path) -> None:
    assert DraftStore(tmp_path / "never-created").list() == []


@pytest.mark.parametrize(
    ("profile", "kind", "id"),
    [
        ("..", "flows", "x"),
        ("prod", "..", "x"),
        ("prod", "flows", ".."),
        ("prod", "flows", "../../../escape"),
        ("prod", "flows", "a/b"),
        ("prod", "flows/../..", "x"),
        ("/etc", "flows", "x"),
        ("prod", "flows", "x\x00y"),
        ("prod", "flows", ""),
    ],
)
def test_path_traversal_is_rejected_everywhere(
    store: DraftStore, tmp_path: Path, profile: str, kind: str, id: str
) -> None:
    draft = Draft(
        profile=profile, kind=kind, id=id, path="/v1/x", base_last_modified=None, base_document={}, text=""
    )
    with pytest.raises(UnsafeName):
        store.save(draft)
    with pytest.raises(UnsafeName):
        store.load(profile, kind, id)
    with pytest.raises(UnsafeName):
        store.discard(profile, kind, id)
    assert sorted(p.name for p in tmp_path.rglob("*")) == []


def test_list_rejects_an_unsafe_profile(store: DraftStore) -> None:
    with pytest.raises(UnsafeName):
        store.list("../..")


def test_unsafe_name_error_does_not_echo_raw_nul(store: DraftStore) -> None:
    with pytest.raises(UnsafeName) as caught:
        store.load("prod", "flows", "x\x00y")
    assert "\x00" not in str(caught.value)


def test_new_instance_sees_drafts_after_a_crash(store: DraftStore, tmp_path: Path) -> None:
    # A real kill -9 right after the save: no atexit, no flush of Python-level buffers.
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from explorer.journal import Draft, DraftStore\n"
        "store = DraftStore(Path(sys.argv[1]))\n"
        "store.save(Draft(profile='prod', kind='imports', id='i1', path='/v1/imports/i1',\n"
        "                 base_last_modified='2026-01-01T00:00:00.000Z', base_document={'_id': 'i1'},\n"
        '                 text=\'{"name": "half-typed\'))\n'
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(store.root)], capture_output=True, timeout=60)
    assert result.returncode == -signal.SIGKILL, result.stderr
    restored = DraftStore(store.root).load("prod", "imports", "i1")
    assert restored is not None
    assert restored.text == '{"name": "half-typed'
    assert restored.base_document == {"_id": "i1"}
    assert restored.base_last_modified == "2026-01-01T00:00:00.000Z"
    assert [d.id for d in DraftStore(store.root).list()] == ["i1"]


# --- redaction ----------------------------------------------------------------------------------------------


def test_redact_masks_a_known_secret_everywhere() -> None:
    doc: dict[str, Any] = {
        "_id": "c1",
        "http": {"auth": {"token": {"token": TOKEN}}, "headers": [{"name": "X", "value": f"Bearer {TOKEN}"}]},
        TOKEN: "as a key",
        "tuple": (TOKEN, 1, None, True),
    }
    assert redact(doc, [TOKEN]) == {
        "_id": "c1",
        "http": {"auth": {"token": {"token": MASK}}, "headers": [{"name": "X", "value": f"Bearer {MASK}"}]},
        MASK: "as a key",
        "tuple": [MASK, 1, None, True],
    }
    assert doc["http"]["auth"]["token"]["token"] == TOKEN  # the original is not touched


def test_redact_leaves_server_masks_and_ignores_short_secrets() -> None:
    doc = {"http": {"auth": {"token": {"token": "******"}}}, "name": "abc"}
    assert redact(doc, [TOKEN, "abc", ""]) == doc
    assert redact(doc, []) is doc


# --- journal ------------------------------------------------------------------------------------------------


def _entry(n: int, **changes: Any) -> JournalEntry:
    base = JournalEntry(
        time=f"2026-03-04T05:06:{n:02d}.000Z",
        profile="prod",
        method="PUT",
        path=f"/v1/flows/{FLOW_ID}",
        status=200,
        before={"name": f"v{n}"},
        after={"name": f"v{n + 1}"},
        kind="flows",
        resource_id=FLOW_ID,
    )
    return JournalEntry(**{**base.__dict__, **changes})


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "state" / "journal.jsonl")


def test_record_and_read_back_newest_first(journal: Journal) -> None:
    entries = [_entry(1), _entry(2, note="undo"), _entry(3, status=None, after=None)]
    for entry in entries:
        assert journal.record(entry) == entry
    assert journal.entries() == entries[::-1]
    assert journal.corrupt_lines == 0


def test_one_json_line_per_entry(journal: Journal) -> None:
    journal.record(_entry(1))
    journal.record(_entry(2))
    lines = journal.path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    assert [json.loads(line)["time"] for line in lines[:-1]] == [
        "2026-03-04T05:06:01.000Z",
        "2026-03-04T05:06:02.000Z",
    ]
    assert json.loads(lines[0]) == {
        "time": "2026-03-04T05:06:01.000Z",
        "profile": "prod",
        "method": "PUT",
        "path": f"/v1/flows/{FLOW_ID}",
        "status": 200,
        "before": {"name": "v1"},
        "after": {"name": "v2"},
        "kind": "flows",
        "resource_id": FLOW_ID,
        "note": None,
        "server": None,
        "account": None,
        "not_taken": [],
    }


def test_journal_modes(journal: Journal) -> None:
    journal.record(_entry(1))
    assert _mode(journal.path) == 0o600
    assert _mode(journal.path.parent) == 0o700


def test_journal_tightens_a_loose_file(journal: Journal) -> None:
    journal.record(_entry(1))
    os.chmod(journal.path, 0o644)
    journal.record(_entry(2))
    assert _mode(journal.path) == 0o600


def test_filters(journal: Journal) -> None:
    journal.record(_entry(1))
    journal.record(_entry(2, profile="sandbox"))
    journal.record(_entry(3, path="/v1/imports/i1", kind="imports", resource_id="i1"))
    assert [e.time[17:19] for e in journal.entries(profile="prod")] == ["03", "01"]
    assert [e.time[17:19] for e in journal.entries(path=f"/v1/flows/{FLOW_ID}")] == ["02", "01"]
    assert [e.time[17:19] for e in journal.entries(profile="prod", path="/v1/imports/i1")] == ["03"]
    assert journal.entries(profile="nobody") == []


def test_missing_journal_is_empty(journal: Journal) -> None:
    assert journal.entries() == []
    assert journal.last_put("prod", "/v1/flows/x") is None
    assert not journal.path.exists()


def test_corrupt_lines_are_skipped_and_counted(journal: Journal) -> None:
    journal.record(_entry(1))
    with journal.path.open("ab") as handle:
        handle.write(b"not json at all\n")
        handle.write(b'{"time": "t", "profile": "prod"}\n')  # valid JSON, not an entry
        handle.write(b'{"time":"t","profile":"p","method":"PUT","path":"/x","status":"200"}\n')
        handle.write(b"\xff\xfe\n")
        handle.write(b"\n")
    journal.record(_entry(2))
    assert [e.time for e in journal.entries()] == ["2026-03-04T05:06:02.000Z", "2026-03-04T05:06:01.000Z"]
    assert journal.corrupt_lines == 4


def test_torn_last_line_does_not_swallow_the_next_entry(journal: Journal) -> None:
    journal.record(_entry(1))
    with journal.path.open("ab") as handle:
        handle.write(b'{"time": "2026-03-04T05:06:02.000Z", "profile": "pr')  # crash mid-write
    assert [e.time[17:19] for e in journal.entries()] == ["01"]
    assert journal.corrupt_lines == 1
    journal.record(_entry(3))
    assert [e.time[17:19] for e in journal.entries()] == ["03", "01"]
    assert journal.corrupt_lines == 1


def test_unserialisable_entry_is_refused_and_the_file_is_unchanged(journal: Journal) -> None:
    journal.record(_entry(1))
    before = journal.path.read_bytes()
    with pytest.raises(TypeError):
        journal.record(_entry(2, after={"when": datetime(2026, 1, 1, tzinfo=UTC)}))
    assert journal.path.read_bytes() == before


def test_last_put_is_the_newest_successful_put_of_that_resource(journal: Journal) -> None:
    path = f"/v1/flows/{FLOW_ID}"
    journal.record(_entry(1))  # the one to undo, in the end
    journal.record(_entry(2, profile="sandbox"))  # other account
    journal.record(_entry(3, path="/v1/flows/other"))  # other resource
    journal.record(_entry(4, status=422))  # refused: changed nothing
    journal.record(_entry(5, status=None))  # no answer: unknown
    journal.record(_entry(6, method="POST"))  # not a PUT
    journal.record(_entry(7, before=None))  # nothing to restore
    found = journal.last_put("prod", path)
    assert found is not None
    assert (found.time, found.before) == ("2026-03-04T05:06:01.000Z", {"name": "v1"})
    journal.record(_entry(8, method="put", status=204))
    found = journal.last_put("prod", path)
    assert found is not None and found.before == {"name": "v8"}
    assert journal.last_put("prod", "/v1/flows/never") is None


def test_last_put_skips_a_corrupt_tail(journal: Journal) -> None:
    journal.record(_entry(1))
    with journal.path.open("ab") as handle:
        handle.write(b"garbage\n")
    found = journal.last_put("prod", f"/v1/flows/{FLOW_ID}")
    assert found is not None and found.time == "2026-03-04T05:06:01.000Z"
    assert journal.corrupt_lines == 1


def test_large_documents_across_read_chunks(journal: Journal) -> None:
    # Each line is bigger than the 1 MiB read chunk, so lines are stitched across chunk boundaries.
    docs = [{"_id": f"d{n}", "blob": chr(ord("a") + n) * 1_300_000} for n in range(3)]
    for n, doc in enumerate(docs):
        journal.record(_entry(n, before=doc, after={"_id": f"d{n}"}))
    assert [e.before for e in journal.entries()] == docs[::-1]
    found = journal.last_put("prod", f"/v1/flows/{FLOW_ID}")
    assert found is not None and found.before == docs[2]


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64])
def test_reverse_line_reader_at_any_chunk_size(tmp_path: Path, chunk_size: int) -> None:
    file = tmp_path / "lines"
    file.write_bytes(b"one\ntwo\n\nthree-is-longer\nlast-without-newline")
    assert list(lines_from_end(file, chunk_size)) == [
        b"last-without-newline",
        b"three-is-longer",
        b"",
        b"two",
        b"one",
    ]


def test_concurrent_appends_do_not_interleave(journal: Journal) -> None:
    def writer(worker: int) -> None:
        for n in range(25):
            journal.record(_entry(n, profile=f"w{worker}", after={"pad": "x" * 5000}))

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = journal.entries()
    assert journal.corrupt_lines == 0
    assert len(entries) == 100
    for worker in range(4):
        mine = [e.time for e in entries if e.profile == f"w{worker}"]
        assert mine == sorted(mine, reverse=True) and len(mine) == 25


def test_record_scrubs_the_token_from_everything_it_stores(journal: Journal) -> None:
    entry = _entry(
        1,
        before={"http": {"auth": {"token": {"token": "******"}}}},
        after={"http": {"auth": {"token": {"token": TOKEN}}}},
        note=f"pasted {TOKEN}",
    )
    stored = journal.record(entry, secrets=[TOKEN])
    assert TOKEN.encode() not in journal.path.read_bytes()
    assert stored.after == {"http": {"auth": {"token": {"token": MASK}}}}
    assert stored.before == {"http": {"auth": {"token": {"token": "******"}}}}
    assert stored.note == f"pasted {MASK}"
    assert journal.entries() == [stored]


def test_record_finds_a_secret_that_json_escapes(journal: Journal) -> None:
    secret = 'p@ss"w\\ord-é-1234'
    stored = journal.record(_entry(1, after={"password": secret, secret: 1}), secrets=[secret])
    assert stored.after == {"password": MASK, MASK: 1}
    on_disk = json.loads(journal.path.read_bytes())
    assert secret not in json.dumps(on_disk, ensure_ascii=False)
    assert on_disk["after"] == {"password": MASK, MASK: 1}


@pytest.mark.parametrize("chunk_size", [1, 4, 1 << 20])
def test_reverse_line_reader_with_trailing_newline_and_empty_file(tmp_path: Path, chunk_size: int) -> None:
    file = tmp_path / "lines"
    file.write_bytes(b"a\n" + b"x" * 50 + b"\n")
    assert list(lines_from_end(file, chunk_size)) == [b"", b"x" * 50, b"a"]
    file.write_bytes(b"")
    assert list(lines_from_end(file, chunk_size)) == []


def test_deeply_nested_garbage_is_a_corrupt_line_not_a_crash(journal: Journal, store: DraftStore) -> None:
    journal.record(_entry(1))
    with journal.path.open("ab") as handle:
        handle.write(b"[" * 200_000 + b"\n")
    assert len(journal.entries()) == 1
    assert journal.corrupt_lines == 1
    file = store.path_for("prod", "flows", FLOW_ID)
    file.parent.mkdir(parents=True)
    file.write_bytes(b"[" * 200_000)
    assert store.load("prod", "flows", FLOW_ID) is None
    assert len(store.quarantined) == 1


def test_server_account_and_unknown_keys_survive_a_round_trip(journal: Journal) -> None:
    """Entries carry the server and account; keys a newer version (or a batch write) adds are kept."""
    entry = replace(_entry(1), server="https://api.eu.integrator.io/v1/", account="6571a573b52c2f5d2063016c",
                    not_taken=("name", "pageProcessors[0].responseMapping"))
    journal.record(entry)
    line = json.loads(journal.path.read_bytes())
    assert line["server"] == "https://api.eu.integrator.io/v1/"
    assert line["account"] == "6571a573b52c2f5d2063016c"
    assert line["not_taken"] == ["name", "pageProcessors[0].responseMapping"]
    newer = {**line, "time": "2026-03-04T05:06:09.000Z", "group": {"ids": ["a", "b"]}}
    with journal.path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(newer) + "\n")
    read = journal.entries()[0]
    assert read.extra == {"group": {"ids": ["a", "b"]}}
    assert read.to_json()["group"] == {"ids": ["a", "b"]}
    journal.record(read)
    assert json.loads(journal.path.read_bytes().split(b"\n")[-2])["group"] == {"ids": ["a", "b"]}
