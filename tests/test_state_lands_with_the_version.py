"""What the next run relies on lands with the version it describes: a version that fails its
blocking checks changes nothing the next run starts from."""

from __future__ import annotations

from pathlib import Path

import pytest

from dhr_etl.changes import Verdict, check_for_changes, last_published
from dhr_etl.sample.site import LibrarySite
from dhr_etl.settings import load_settings
from dhr_etl.transform.registry import published_registry
from tests.conftest import REFERENCE_ID, orphan_a_csp, query, run_nightly

pytestmark = pytest.mark.usefixtures("fast_crawl")
NEW_BODY = "Borsetshire Widget Trust"
NEW_NAME = ("new name since the last run", NEW_BODY)


def test_a_name_first_seen_in_a_version_that_fails_its_checks_is_still_new_when_a_version_is_published(
        sample_site: LibrarySite, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DHR_SOURCE", sample_site.base_url)
    first = run_nightly()
    assert first.success
    db = data_dir / "warehouse.duckdb"
    registry_before = published_registry(data_dir).read_bytes()

    page = sample_site.pages[REFERENCE_ID]
    assert b"<td>Refuge</td></tr>" in page.content
    page.content = page.content.replace(b"<td>Refuge</td></tr>", f"<td>{NEW_BODY}</td></tr>".encode())
    page.last_modified += 60
    with monkeypatch.context() as broken:
        orphan_a_csp(broken)
        assert not run_nightly().success
    # Nothing the next run starts from has moved: the registry, and the record of the live version,
    # by which the change is still a change.
    assert published_registry(data_dir).read_bytes() == registry_before
    assert last_published(load_settings()).run_id == first.run_id
    check = check_for_changes(load_settings())
    assert check.verdict is Verdict.CHANGED and "new, changed or removed pages" in check.reason

    published = run_nightly()
    assert published.success
    assert NEW_NAME in query(db, "SELECT kind, addressed_as FROM v_resolution_review")
    assert NEW_BODY in published_registry(data_dir).read_text()  # now it is known: the next run will not flag it
    assert run_nightly().success
    assert NEW_NAME not in query(db, "SELECT kind, addressed_as FROM v_resolution_review")
