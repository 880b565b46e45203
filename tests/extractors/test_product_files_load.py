"""Product files → raw: CSV, Parquet and JSON-lines usage exports, NPS responses, declared values and
feature_usage.csv; one raw row per record with its file and line; a file loaded twice is a no-op; a
changed file with the same name loads again; a malformed file is rejected naming file, line and column
while the good files land."""

from __future__ import annotations

from pathlib import Path

import duckdb
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extractors.common.http import SourceError
from extractors.common.raw_store import RawStore
from extractors.product_files.config import ProductFilesConfig
from extractors.product_files.load import load_product_files
from extractors.simulation import OrgConfig, SimulatedOrganisation

USAGE_HEADER = "date,feature_key,eligible_active_users,users_who_used\n"


@pytest.fixture(scope="module")
def org():
    return SimulatedOrganisation.generate(OrgConfig(flow_items=120))


@pytest.fixture()
def store():
    return RawStore(duckdb.connect())


def rows(store: RawStore, table: str) -> list[tuple]:
    return store.con.execute(
        f"SELECT record_id, parent_id, payload, request FROM raw.{table} ORDER BY request"
    ).fetchall()


def test_every_export_lands_one_row_per_record_with_its_file_and_line(org, store, tmp_path):
    paths = org.write_outcome_files(tmp_path)
    report = load_product_files(store, ProductFilesConfig(name="demo-product", **paths))
    truth = org.outcome_truth()
    assert report.errors == [] and len(report.files_loaded) == len(list(tmp_path.rglob("*.*")))
    assert report.landed["product_usage_daily"] == len(truth.usage)
    assert report.landed["product_nps_responses"] == truth.nps_overall.exposed.n
    assert report.landed["product_declared_values"] == len(org.outcomes.declared_values)
    assert report.landed["product_feature_usage"] == len(org.outcomes.feature_usage)
    requests = {r[3].split(" ")[1].split(".")[-1]: r[3] for r in rows(store, "product_usage_daily")}
    assert set(requests) == {"csv", "parquet", "jsonl"}
    assert " line " in requests["csv"] and " row " in requests["parquet"] and " line " in requests["jsonl"]
    # the record of a given (day, feature) is the export's, whatever the file's format
    for (key, day), (eligible, used) in list(truth.usage.items())[::97]:
        (payload,) = store.con.execute(
            "SELECT payload FROM raw.product_usage_daily WHERE record_id = ?", [f"{day.isoformat()}|{key}"]
        ).fetchall()[0]
        assert orjson.loads(payload) == {
            "date": day.isoformat(),
            "feature_key": key,
            "eligible_active_users": eligible,
            "users_who_used": used,
        }


def test_line_numbers_are_the_files_own(store, tmp_path):
    usage = tmp_path / "usage"
    usage.mkdir()
    (usage / "a.csv").write_text(USAGE_HEADER + "2026-06-01,x,10,2\n2026-06-02,x,11,3\n")
    (usage / "b.jsonl").write_text(
        '{"date": "2026-06-03", "flag_key": "x", "eligible_active_users": 5, "users_who_used": 1}\n\n'
        '{"date": "2026-06-04", "flag_key": "x", "eligible_active_users": 6, "users_who_used": 2}\n'
    )
    load_product_files(store, ProductFilesConfig(name="p", usage=usage))
    found = {r[0]: r[3] for r in rows(store, "product_usage_daily")}
    assert found == {
        "2026-06-01|x": "file usage/a.csv line 2",
        "2026-06-02|x": "file usage/a.csv line 3",
        "2026-06-03|x": "file usage/b.jsonl line 1",
        "2026-06-04|x": "file usage/b.jsonl line 3",  # the blank line 2 still counts
    }
    assert {r[1] for r in rows(store, "product_usage_daily")} == {"x"}  # flag_key read as feature_key


def test_a_file_loaded_twice_is_a_no_op_and_a_changed_one_loads_again(org, store, tmp_path):
    paths = org.write_outcome_files(tmp_path)
    config = ProductFilesConfig(name="demo-product", **paths)
    load_product_files(store, config)
    again = load_product_files(store, config)
    assert again.files_loaded == [] and again.landed == {} and len(again.files_skipped) > 5
    csv_file = next(p for p in sorted(paths["usage"].iterdir()) if p.suffix == ".csv")
    before = store.con.execute("SELECT count(*) FROM raw.product_usage_daily").fetchall()[0][0]
    with csv_file.open("a") as handle:
        handle.write("2026-10-31,a-new-feature,40,4\n")
    changed = load_product_files(store, config)
    assert changed.files_loaded == [f"usage/{csv_file.name}"]
    assert changed.landed == {"product_usage_daily": 1}  # its other records were there already
    assert store.con.execute("SELECT count(*) FROM raw.product_usage_daily").fetchall()[0][0] == before + 1
    versions = store.con.execute(
        "SELECT count(*) FROM meta.loaded_files WHERE file_name = ?", [f"usage/{csv_file.name}"]
    ).fetchall()
    assert versions == [(2,)]


def test_a_malformed_usage_file_is_rejected_by_file_line_and_column_while_good_files_land(store, tmp_path):
    usage = tmp_path / "usage"
    usage.mkdir()
    (usage / "2026-06.csv").write_text(USAGE_HEADER + "2026-06-01,x,10,2\n2026-06-02,x,1O,3\n")
    (usage / "2026-07.csv").write_text(USAGE_HEADER + "2026-07-01,x,10,2\n")
    (usage / "2026-08.csv").write_text(USAGE_HEADER + "2026-08-01,x,10,2\n")
    config = ProductFilesConfig(name="p", usage=usage)
    with pytest.raises(SourceError) as failure:
        load_product_files(store, config)
    message = str(failure.value)
    assert "1 file(s) rejected, 2 loaded" in message
    assert "usage/2026-06.csv: line 3, column 3 (eligible_active_users)" in message and '"1O"' in message
    assert sorted(r[0] for r in rows(store, "product_usage_daily")) == ["2026-07-01|x", "2026-08-01|x"]
    assert store.con.execute("SELECT status, message FROM meta.batches").fetchall()[0][0] == "failed"
    # the rejected file is not remembered: fixed, it loads
    (usage / "2026-06.csv").write_text(USAGE_HEADER + "2026-06-01,x,10,2\n2026-06-02,x,10,3\n")
    fixed = load_product_files(store, config)
    assert fixed.files_loaded == ["usage/2026-06.csv"] and fixed.landed == {"product_usage_daily": 2}


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "missing.csv",
            "date,feature_key,eligible_active_users\n2026-06-01,x,1\n",
            "usage/missing.csv: line 1: missing required column(s) users_who_used",
        ),
        (
            "short.csv",
            USAGE_HEADER + "2026-06-01,x,10\n",
            "usage/short.csv: line 2, column 4 (users_who_used): Expected Number of Columns: 4 Found: 3",
        ),
        (
            "date.csv",
            USAGE_HEADER + "2026-06-01,x,10,2\n2026-13-01,x,10,2\n",
            "usage/date.csv: line 3, column 1 (date)",
        ),
        (
            "negative.csv",
            USAGE_HEADER + "2026-06-01,x,10,-2\n",
            "usage/negative.csv: line 2, column 4 (users_who_used): '-2' is negative",
        ),
        (
            "twice.csv",
            USAGE_HEADER + "2026-06-01,x,10,2\n2026-06-01,x,11,2\n",
            "usage/twice.csv: line 3: repeats the record of line 2 (same date and feature_key)",
        ),
        ("empty.csv", "", "usage/empty.csv: line 1: the file is empty"),
        (
            "broken.jsonl",
            '{"date": "2026-06-01", "feature_key": "x", "eligible_active_users": 1, "users_who_used": 0}\n'
            '{"date": "2026-06-02", "feature_key": "x", "eligible_active_users": 1, "users_who_used": }\n',
            "usage/broken.jsonl: line 2, column 90: malformed JSON",
        ),
        (
            "typed.jsonl",
            '{"date": "2026-06-01", "feature_key": "x", "eligible_active_users": "many", '
            '"users_who_used": 0}\n',
            "usage/typed.jsonl: line 1, column 'eligible_active_users': 'many' is not a bigint",
        ),
        ("fake.parquet", "not parquet at all", "usage/fake.parquet: file: not a readable Parquet file"),
    ],
)
def test_each_kind_of_malformed_file_is_named(store, tmp_path, name, content, expected):
    usage = tmp_path / "usage"
    usage.mkdir()
    (usage / name).write_text(content)
    with pytest.raises(SourceError) as failure:
        load_product_files(store, ProductFilesConfig(name="p", usage=usage))
    assert expected in str(failure.value)


def test_parquet_values_that_do_not_cast_are_named_by_row_and_column(store, tmp_path):
    usage = tmp_path / "usage"
    usage.mkdir()
    table = pa.table(
        {
            "Date": ["2026-06-01", "2026-06-02"],
            "flag_key": ["x", "x"],
            "eligible_active_users": ["10", "ten"],
            "users_who_used": [1, 2],
        }
    )
    pq.write_table(table, usage / "u.parquet")
    with pytest.raises(
        SourceError, match=r"usage/u.parquet: row 2, column 3 \(eligible_active_users\): 'ten'"
    ):
        load_product_files(store, ProductFilesConfig(name="p", usage=usage))


def test_nps_scores_and_timestamps_are_checked(store, tmp_path):
    nps = tmp_path / "nps.csv"
    nps.write_text(
        "respondent_id,score,submitted_at\nr1,9,2026-06-01T10:00:00Z\nr2,11,2026-06-01T11:00:00Z\n"
    )
    with pytest.raises(
        SourceError, match=r"nps/nps.csv: line 3, column 2 \(score\): '11' is not a score from 0 to 10"
    ):
        load_product_files(store, ProductFilesConfig(name="p", nps=nps))
    nps.write_text("respondent_id,score,submitted_at\nr1,9,yesterday\n")
    with pytest.raises(
        SourceError, match=r"line 2, column 3 \(submitted_at\): 'yesterday' is not an ISO 8601"
    ):
        load_product_files(store, ProductFilesConfig(name="p", nps=nps))
    nps.write_text(
        "Respondent_ID , Score,Submitted_At,feature_key,comment\nr1,9,2026-06-01T10:00:00+02:00,f1,great\n"
    )
    load_product_files(store, ProductFilesConfig(name="p", nps=nps))
    ((record_id, parent_id, payload, request),) = rows(store, "product_nps_responses")
    assert (record_id, parent_id, request) == (
        "r1|2026-06-01T10:00:00+02:00",
        "f1",
        "file nps/nps.csv line 2",
    )
    assert orjson.loads(payload) == {
        "respondent_id": "r1",
        "score": 9,
        "submitted_at": "2026-06-01T10:00:00+02:00",
        "flag_key": "f1",
    }


def test_a_missing_folder_is_reported_and_the_others_still_load(store, tmp_path):
    (tmp_path / "feature_usage.csv").write_text("key,adoption_pct,nps_gain\nPAY-1,12.5,3\n")
    config = ProductFilesConfig(
        name="p", usage=tmp_path / "nowhere", feature_usage=tmp_path / "feature_usage.csv"
    )
    with pytest.raises(SourceError, match="usage files: .*nowhere does not exist"):
        load_product_files(store, config)
    assert [r[0] for r in rows(store, "product_feature_usage")] == ["PAY-1"]


def test_no_configured_file_is_an_error(store):
    with pytest.raises(SourceError, match="no folder or file configured"):
        load_product_files(store, ProductFilesConfig(name="p"))


def test_a_folder_without_files_lands_nothing(store, tmp_path: Path):
    (tmp_path / "usage").mkdir()
    report = load_product_files(store, ProductFilesConfig(name="p", usage=tmp_path / "usage"))
    assert report.files_loaded == [] and report.landed == {}
