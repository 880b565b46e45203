import duckdb

from orchestration.publish import publish_schema


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
