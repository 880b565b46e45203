import duckdb
import pytest

from extractors.common.raw_store import LoadedFile, RawRecord, RawStore


@pytest.fixture
def store():
    return RawStore(duckdb.connect())


def rows(store, table):
    return store.con.execute(
        f"SELECT source, record_id, parent_id, payload::VARCHAR, request FROM raw.{table} ORDER BY record_id"
    ).fetchall()


def test_records_land_only_at_checkpoint(store):
    store.stage("things", "s", [RawRecord("1", {"a": 1})], request="GET /t", batch_id="b1")
    store.ensure_table("things")
    assert rows(store, "things") == []
    assert store.checkpoint() == {"things": 1}
    assert rows(store, "things") == [("s", "1", None, '{"a":1}', "GET /t")]


def test_same_record_same_content_lands_once(store):
    for batch in ("b1", "b2"):
        store.stage(
            "things",
            "s",
            [RawRecord("1", {"a": 1}), RawRecord("1", {"a": 1})],
            request="GET /t",
            batch_id=batch,
        )
        store.checkpoint()
    assert len(rows(store, "things")) == 1


def test_changed_record_lands_as_a_new_version(store):
    store.stage("things", "s", [RawRecord("1", {"a": 1})], request="r", batch_id="b")
    store.checkpoint()
    store.stage("things", "s", [RawRecord("1", {"a": 2})], request="r", batch_id="b")
    assert store.checkpoint() == {"things": 1}
    assert len(rows(store, "things")) == 2


def test_a_record_returning_to_an_earlier_state_lands_again(store):
    for version in ({"sha": "a"}, {"sha": "b"}, {"sha": "a"}):
        store.stage("refs", "s", [RawRecord("main", version)], request="r", batch_id="b")
        store.checkpoint()
    landed = store.con.execute("SELECT payload::VARCHAR FROM raw.refs ORDER BY fetched_at").fetchall()
    assert [r[0] for r in landed] == ['{"sha":"a"}', '{"sha":"b"}', '{"sha":"a"}']


def test_versions_within_one_checkpoint_keep_their_order(store):
    for version in ({"v": 1}, {"v": 1}, {"v": 2}, {"v": 1}):
        store.stage("things", "s", [RawRecord("1", version)], request="r", batch_id="b")
    assert store.checkpoint() == {"things": 3}


def test_same_id_from_another_source_is_a_different_record(store):
    store.stage("things", "s1", [RawRecord("1", {"a": 1})], request="r", batch_id="b")
    store.stage("things", "s2", [RawRecord("1", {"a": 1})], request="r", batch_id="b")
    assert store.checkpoint() == {"things": 2}


def test_cursor_moves_with_the_checkpoint_atomically(store):
    store.stage("things", "s", [RawRecord("1", {"a": 1})], request="r", batch_id="b")
    store.checkpoint({("s", "things"): "2026-01-01T00:00:00+00:00"})
    assert store.cursor("s", "things") == "2026-01-01T00:00:00+00:00"
    store.stage("things", "s", [RawRecord("2", {"a": 2})], request="r", batch_id="b")
    store.discard_pending()
    assert store.cursor("s", "things") == "2026-01-01T00:00:00+00:00"
    assert len(rows(store, "things")) == 1


def test_failed_checkpoint_rolls_back_rows_and_cursor(store, monkeypatch):
    store.stage("things", "s", [RawRecord("1", {"a": 1})], request="r", batch_id="b")
    original = store._write_cursor

    def broken(*args):
        original(*args)
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_write_cursor", broken)
    with pytest.raises(RuntimeError):
        store.checkpoint({("s", "things"): "x"})
    assert store.cursor("s", "things") is None
    assert rows(store, "things") == []


def test_parent_id_and_text_payloads(store):
    store.stage("h", "s", [RawRecord("9", '{"id":"9"}', parent_id="100")], request="r", batch_id="b")
    store.checkpoint()
    assert rows(store, "h") == [("s", "9", "100", '{"id":"9"}', "r")]


def test_file_watermarks(store):
    assert not store.file_loaded("s", "a.json", "abc")
    store.checkpoint(loaded_files=[LoadedFile("s", "a.json", "abc", "b", 3)])
    assert store.file_loaded("s", "a.json", "abc")
    assert not store.file_loaded("s", "a.json", "changed")


def test_batches_record_outcome(store):
    batch = store.start_batch("s", "jira")
    store.finish_batch(batch, "failed", 10, 4, "boom")
    assert store.con.execute(
        "SELECT status, records_received, records_landed, message FROM meta.batches"
    ).fetchall() == [("failed", 10, 4, "boom")]


def test_rejects_unsafe_table_names(store):
    with pytest.raises(ValueError):
        store.ensure_table("x; drop table y")
