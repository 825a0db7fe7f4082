"""Celigo's schemas: installing (bundles, YAML, a download from a stand-in server), field docs and checks."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from explorer.services import schema_files
from explorer.services.json_cursor import line_of, path_at
from explorer.services.schema_check import SchemaChecker
from explorer.services.schema_tree import build_tree
from explorer.services.schemas import NOT_PUBLISHED, SchemaLibrary, infer_kind
from tests.helpers.repo_stand_in import RepoStandIn, yaml_tree

CONNECTION: dict[str, Any] = {
    "_id": "6571b82412ab69b81933e9c5", "name": "Shop", "type": "http",
    "http": {"mediaType": "json", "baseURI": "https://shop.example/api",
             "auth": {"type": "token", "token": {"token": "******", "location": "header"}}},
    "createdAt": "2026-01-01T00:00:00.000Z", "lastModified": "2026-01-02T00:00:00.000Z",
}


@pytest.fixture
def library(installed_schemas: Path) -> SchemaLibrary:
    return SchemaLibrary(installed_schemas)


# --- installing ---------------------------------------------------------------------------------------------


def test_install_from_bundles_says_what_it_installed(schemas_source: Path, tmp_path: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    result = schema_files.install_from(schemas_source, tmp_path / "s", lambda *a: calls.append(a))
    assert result.commit == schema_files.PINNED_COMMIT
    assert result.files == {"connections": 20, "exports": 26, "flows": 11, "imports": 20}
    assert calls and calls[-1][0] == calls[-1][1] == 4
    assert schema_files.installed(tmp_path / "s") == result


def test_install_from_yaml_directory_gives_the_same_trees(schemas_source: Path, tmp_path: Path) -> None:
    from_bundles = schema_files.install_from(schemas_source, tmp_path / "a").directory
    clone = yaml_tree(schemas_source, tmp_path / "clone")
    from_yaml = schema_files.install_from(clone, tmp_path / "b").directory
    for kind in schema_files.KINDS:
        assert schema_files.read_kind(from_yaml, kind) == schema_files.read_kind(from_bundles, kind)


def test_install_from_something_else_keeps_nothing_half_done(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(schema_files.SchemaInstallError, match="no schema files for connections"):
        schema_files.install_from(tmp_path / "empty", tmp_path / "s")
    assert schema_files.installed(tmp_path / "s") is None


def test_download_fetches_every_file_at_the_pinned_commit(repo_server: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(schema_files.BASE_URL_ENV, repo_server)
    progress: list[int] = []
    result = schema_files.download(tmp_path / "s", lambda done, total, path: progress.append(done))
    total = sum(len(paths) for paths in schema_files.REPO_PATHS.values())
    assert progress == list(range(1, total + 1))
    assert len(RepoStandIn.seen) == total
    assert all(path.startswith(f"/{schema_files.PINNED_COMMIT}/skills/") for path in RepoStandIn.seen)
    assert result.source == f"{repo_server}/{schema_files.PINNED_COMMIT}"
    library = SchemaLibrary(tmp_path / "s")
    assert library.check("connections", CONNECTION) == []


def test_a_failed_download_keeps_the_previous_install(repo_server: str, schemas_source: Path,
                                                      tmp_path: Path) -> None:
    before = schema_files.install_from(schemas_source, tmp_path / "s")
    del RepoStandIn.files[f"{schema_files.PINNED_COMMIT}/{schema_files.REPO_PATHS['imports'][-1]}"]
    with pytest.raises(schema_files.SchemaInstallError, match="HTTP 404"):
        schema_files.download(tmp_path / "s", base_url=repo_server)
    assert schema_files.installed(tmp_path / "s") == before


# --- docs -------------------------------------------------------------------------------------------------


def test_docs_of_nested_keys(library: SchemaLibrary) -> None:
    auth = library.field_doc("connections", ["http", "auth", "type"])
    assert auth is not None and auth.known
    assert auth.types == ("string",) and "token" in auth.allowed and "basic" in auth.allowed
    assert auth.first_sentence.startswith("Authentication method for this connection.")
    line = auth.one_line()
    assert line.startswith("http.auth.type · string · one of custom, basic, token")
    # The issue names it netsuite.restlets.recordType; Celigo's export schema calls the object `restlet`.
    record = library.field_doc("exports", ["netsuite", "restlet", "recordType"])
    assert record is not None and record.known and record.types == ("string",)
    assert "record type" in record.description
    step = library.field_doc("flows", ["pageProcessors", 0, "type"])
    assert step is not None and set(step.allowed) == {"export", "import"}


def test_unknown_fields_say_so(library: SchemaLibrary) -> None:
    doc = library.field_doc("connections", ["http", "auth", "tokn"])
    assert doc is not None and not doc.known
    assert doc.one_line() == f"http.auth.tokn · {NOT_PUBLISHED}"
    assert library.field_doc("integrations", ["name"]) is None  # no schema for this kind at all


# --- checks -------------------------------------------------------------------------------------------------


def test_enum_and_type_problems_at_the_right_line(library: SchemaLibrary) -> None:
    doc = copy.deepcopy(CONNECTION)
    doc["http"]["auth"]["type"] = "tokn"
    doc["http"]["auth"]["token"]["location"] = 7
    text = json.dumps(doc, indent=2)
    problems = {(p.where, p.code): p for p in library.check("connections", doc)}
    assert set(problems) == {("http.auth.type", "enum"), ("http.auth.token.location", "type"),
                             ("http.auth.token.location", "enum")}
    lines = text.split("\n")
    assert '"type": "tokn"' in lines[line_of(text, problems["http.auth.type", "enum"].path) or 0]
    assert '"location": 7' in lines[line_of(text, problems["http.auth.token.location", "type"].path) or 0]
    assert "is not one of" in problems["http.auth.type", "enum"].message


def test_unknown_and_required(library: SchemaLibrary) -> None:
    doc = copy.deepcopy(CONNECTION)
    doc["http"]["auth"]["tokn"] = {}
    del doc["http"]["auth"]["token"]["location"]
    found = {(p.where, p.code) for p in library.check("connections", doc)}
    assert found == {("http.auth.tokn", "unknown"), ("http.auth.token", "required")}


def test_unresolved_refs_accept_anything(library: SchemaLibrary) -> None:
    # aiDescription points at ../../../common/schemas/ai-description.yml, which Celigo did not publish;
    # the flow's FlowBase is unpublished too, so its top level is open.
    export = {"name": "x", "adaptorType": "HTTPExport", "aiDescription": [1, {"any": "thing"}], "extra": 1}
    assert library.check("exports", export) == []
    flow = {"name": "f", "schedule": 5, "whatever": {"a": 1}, "pageProcessors": [{"type": "import"}]}
    assert [p.where for p in library.check("flows", flow)] == ["pageProcessors[0]"]  # _importId is required
    doc = library.field_doc("exports", ["aiDescription", "summary"])
    assert doc is not None and not doc.known


def test_checker_agrees_with_jsonschema(library: SchemaLibrary) -> None:
    """jsonschema is the reference; the compiled checker must find the same type/enum/required problems."""
    import jsonschema

    tree = library.tree("connections")
    assert tree is not None
    broken = copy.deepcopy(CONNECTION)
    broken["http"]["mediaType"] = 3
    broken["http"]["auth"]["type"] = "nope"
    broken["http"]["auth"]["token"].pop("location")
    broken["netsuite"] = {"wsdlVersion": "2023.2", "authType": True}
    for doc in (CONNECTION, broken):
        reference = {(tuple(e.absolute_path), e.validator) for e in
                     jsonschema.Draft202012Validator(tree).iter_errors(doc)}
        ours = {(p.path, p.code) for p in SchemaChecker(tree).check(doc) if p.code != "unknown"}
        assert {(path, {"type": "type", "enum": "enum", "required": "required"}[code])
                for path, code in ours} == reference


def test_no_schemas_installed(tmp_path: Path) -> None:
    library = SchemaLibrary(tmp_path / "nothing")
    assert not library.available
    assert library.check("connections", {"type": 1}) == []
    assert library.field_doc("connections", ["type"]) is None
    assert "iox schemas update" in library.how_to_get()


def test_loading_is_lazy(schemas_source: Path, tmp_path: Path) -> None:
    library = SchemaLibrary(tmp_path / "s")  # nothing there yet: building the library reads nothing
    schema_files.install_from(schemas_source, tmp_path / "s")
    assert library.available and library.field_doc("flows", ["routers", 0, "routeRecordsTo"]) is not None


def test_infer_kind() -> None:
    assert infer_kind(CONNECTION) == "connections"
    assert infer_kind({"adaptorType": "NetSuiteExport"}) == "exports"
    assert infer_kind({"adaptorType": "HTTPImport"}) == "imports"
    assert infer_kind({"name": "f", "pageGenerators": []}) == "flows"
    assert infer_kind({"name": "?"}) is None and infer_kind([]) is None


def test_a_built_tree_holds_no_refs(installed_schemas: Path) -> None:
    for kind in schema_files.KINDS:
        files = schema_files.read_kind(installed_schemas, kind)
        assert files is not None
        assert '"$ref"' not in json.dumps(build_tree(kind, files))


# --- the cursor ---------------------------------------------------------------------------------------------

TEXT = """{
  "name": "x",
  "http": { "auth": {
      "type": "token",
      "token": {"location": "header"}
  } },
  "pp": [ {"type": "import"}, 3 ]
}"""


@pytest.mark.parametrize(("line", "column", "parts"), [
    (1, 0, ("name",)), (3, 15, ("http", "auth", "type")), (4, 30, ("http", "auth", "token", "location")),
    (4, 7, ("http", "auth", "token")), (6, 12, ("pp", 0, "type")), (0, 0, None),
])
def test_path_at_cursor(line: int, column: int, parts: tuple[Any, ...] | None) -> None:
    assert path_at(TEXT, line, column) == parts


def test_path_at_cursor_in_broken_text() -> None:
    assert path_at('{"http": {"auth": {"type": "tok', 0, 30) == ("http", "auth", "type")
