from datetime import UTC, datetime, timedelta, timezone

import duckdb
import pytest

from orchestration.publish import Publication, publish_schema


def test_publish_copies_tables_with_comments_and_replaces_atomically(tmp_path):
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    con.execute(
        "CREATE SCHEMA marts; CREATE TABLE marts.a AS SELECT 1 AS x; CREATE TABLE marts.b AS SELECT 2 AS y"
    )
    con.execute("COMMENT ON TABLE marts.a IS 'table doc'; COMMENT ON COLUMN marts.a.x IS 'column doc'")
    target = tmp_path / "streamgauge.duckdb"
    assert [(t.name, t.rows) for t in publish_schema(con, target)] == [("a", 1), ("b", 1)]

    reader = duckdb.connect(str(target), read_only=True)
    con.execute("CREATE OR REPLACE TABLE marts.a AS SELECT 3 AS x")
    publish_schema(con, target)
    assert reader.execute("SELECT x FROM marts.a").fetchall() == [(1,)]  # an open reader keeps its snapshot
    reader.close()  # DuckDB shares one instance per file within a process; other processes see the new file
    fresh = duckdb.connect(str(target), read_only=True)
    assert fresh.execute("SELECT x FROM marts.a").fetchall() == [(3,)]
    assert fresh.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'a'").fetchall() == [
        (None,)
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "streamgauge.duckdb",
        "work.duckdb",
        "work.duckdb.wal",
    ]


def test_comments_survive_publication(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts; CREATE TABLE marts.a AS SELECT 1 AS x")
    con.execute("COMMENT ON TABLE marts.a IS 'table doc'; COMMENT ON COLUMN marts.a.x IS 'column doc'")
    publish_schema(con, tmp_path / "p.duckdb")
    reader = duckdb.connect(str(tmp_path / "p.duckdb"), read_only=True)
    assert reader.execute("SELECT comment FROM duckdb_tables()").fetchone()[0] == "table doc"
    assert (
        reader.execute("SELECT comment FROM duckdb_columns() WHERE column_name = 'x'").fetchone()[0]
        == "column doc"
    )


def test_the_publication_table_names_the_publication_and_counts_every_mart(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts; CREATE TABLE marts.a AS SELECT range AS x FROM range(3)")
    con.execute("CREATE TABLE marts.b AS SELECT 1 AS y WHERE false")
    publication = Publication(
        as_of=datetime(2026, 11, 1, 12, tzinfo=UTC),
        run_id="run-1",
        publication_id="pub-1",
        published_at=datetime(2026, 11, 1, 14, 30, tzinfo=timezone(timedelta(hours=2))),
    )
    publish_schema(con, tmp_path / "p.duckdb", publication=publication)
    reader = duckdb.connect(str(tmp_path / "p.duckdb"), read_only=True)
    assert reader.execute("SELECT * FROM marts.publication ORDER BY mart").fetchall() == [
        ("pub-1", datetime(2026, 11, 1, 12, 30), datetime(2026, 11, 1, 12), "run-1", "a", 3),
        ("pub-1", datetime(2026, 11, 1, 12, 30), datetime(2026, 11, 1, 12), "run-1", "b", 0),
    ]
    assert reader.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'publication' AND comment IS NOT NULL"
    ).fetchone() == (6,)


def test_each_publication_gets_a_new_id(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts; CREATE TABLE marts.a AS SELECT 1 AS x")
    ids = set()
    for _ in range(2):
        publish_schema(con, tmp_path / "p.duckdb")
        with duckdb.connect(str(tmp_path / "p.duckdb"), read_only=True) as reader:
            ids.add(reader.execute("SELECT DISTINCT publication_id FROM marts.publication").fetchone()[0])
    assert len(ids) == 2


def test_a_mart_may_not_take_the_publication_tables_name(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts; CREATE TABLE marts.publication AS SELECT 1 AS x")
    with pytest.raises(ValueError, match="reserved"):
        publish_schema(con, tmp_path / "p.duckdb")
    assert not (tmp_path / "p.duckdb").exists()
