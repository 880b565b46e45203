"""The outcome side's files, as the organisation's analytics and survey tools export them:

* ``usage/usage-YYYY-MM.{csv,parquet,jsonl}`` — the daily usage export per feature, one file per
  month in turn as CSV, Parquet and JSON lines (``date, feature_key, eligible_active_users,
  users_who_used``; the JSON lines name the key ``flag_key``), complete days only;
* ``nps/nps-responses.csv`` — survey responses (``response_id, respondent_id, score, submitted_at,
  flag_key``; ``flag_key`` empty when the survey tool knows no exposure);
* ``declared_values.csv`` — per item: ``issue_key, value_usd, cost_of_delay_usd_per_week,
  credit_weight``;
* ``feature_usage.csv`` — the hand-built ``key, adoption_pct, nps_gain``.

A file is rewritten only when its content changed, so an export that did not move keeps its checksum.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from extractors.simulation.outcomes.model import OutcomeModel, date_of_day
from extractors.simulation.timeutil import from_ms

USAGE_FORMATS = ("csv", "parquet", "jsonl")
USAGE_COLUMNS = ("date", "feature_key", "eligible_active_users", "users_who_used")
USAGE_SCHEMA = pa.schema(
    [
        ("date", pa.date32()),
        ("feature_key", pa.string()),
        ("eligible_active_users", pa.int64()),
        ("users_who_used", pa.int64()),
    ]
)


def iso_ms(ms: int) -> str:
    moment = from_ms(int(ms))
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def usage_format(year: int, month: int) -> str:
    return USAGE_FORMATS[(year * 12 + month - 1) % len(USAGE_FORMATS)]


def usage_rows(model: OutcomeModel, as_of_ms: int) -> list[tuple[int, str, int, int]]:
    """``(day, feature key, eligible, used)`` of every complete day, ordered by day and key."""
    rows = []
    for key, series in model.usage.items():
        cut = series.rows_until(as_of_ms)
        rows.extend(
            zip(
                series.days[cut].tolist(),
                [key] * (cut.stop or 0),
                series.eligible[cut].tolist(),
                series.used[cut].tolist(),
                strict=True,
            )
        )
    return sorted(rows, key=lambda r: (r[0], r[1]))


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == content:
        return
    path.write_bytes(content)


def _csv(header: tuple[str, ...], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def write_usage(model: OutcomeModel, folder: Path, as_of_ms: int) -> list[Path]:
    by_month: dict[tuple[int, int], list[tuple[int, str, int, int]]] = {}
    for row in usage_rows(model, as_of_ms):
        day = date_of_day(row[0])
        by_month.setdefault((day.year, day.month), []).append(row)
    written = []
    for (year, month), rows in sorted(by_month.items()):
        kind = usage_format(year, month)
        path = folder / f"usage-{year:04d}-{month:02d}.{kind}"
        dates = [date_of_day(r[0]) for r in rows]
        if kind == "csv":
            content = _csv(
                USAGE_COLUMNS, [(d.isoformat(), r[1], r[2], r[3]) for d, r in zip(dates, rows, strict=True)]
            )
        elif kind == "jsonl":
            content = b"".join(
                orjson.dumps(
                    {
                        "date": d.isoformat(),
                        "flag_key": r[1],
                        "eligible_active_users": r[2],
                        "users_who_used": r[3],
                    }
                )
                + b"\n"
                for d, r in zip(dates, rows, strict=True)
            )
        else:
            table = pa.table(
                [
                    pa.array(dates, pa.date32()),
                    pa.array([r[1] for r in rows], pa.string()),
                    pa.array([r[2] for r in rows], pa.int64()),
                    pa.array([r[3] for r in rows], pa.int64()),
                ],
                schema=USAGE_SCHEMA,
            )
            sink = io.BytesIO()
            pq.write_table(table, sink, compression="zstd")
            content = sink.getvalue()
        _write(path, content)
        written.append(path)
    return written


def nps_rows(model: OutcomeModel, as_of_ms: int) -> list[tuple[str, str, int, str, str]]:
    nps = model.nps
    count = nps.count_until(as_of_ms)
    rows = []
    for n in range(count):
        exposure = int(nps.exposure[n])
        rows.append(
            (
                f"R{n + 1:07d}",
                f"resp-{int(nps.respondent[n]):05d}",
                int(nps.score[n]),
                iso_ms(int(nps.submitted_ms[n])),
                model.flags[exposure].key if exposure >= 0 else "",
            )
        )
    return rows


def write_outcome_files(model: OutcomeModel, root: Path, as_of_ms: int) -> dict[str, Path]:
    """Write the exports as of ``as_of_ms`` under ``root``; returns where each kind lives (the
    folders and files a ``product_files`` source names)."""
    root = Path(root)
    usage = root / "usage"
    usage.mkdir(parents=True, exist_ok=True)
    write_usage(model, usage, as_of_ms)
    nps = root / "nps"
    _write(
        nps / "nps-responses.csv",
        _csv(
            ("response_id", "respondent_id", "score", "submitted_at", "flag_key"), nps_rows(model, as_of_ms)
        ),
    )
    declared = root / "declared_values.csv"
    _write(
        declared,
        _csv(
            ("issue_key", "value_usd", "cost_of_delay_usd_per_week", "credit_weight"),
            [
                (
                    d.issue_key,
                    _number(d.value_usd),
                    _number(d.cost_of_delay_usd_per_week),
                    _number(d.credit_weight),
                )
                for d in model.declared_values
            ],
        ),
    )
    feature_usage = root / "feature_usage.csv"
    _write(
        feature_usage,
        _csv(
            ("key", "adoption_pct", "nps_gain"),
            [(r.key, _number(r.adoption_pct), _number(r.nps_gain)) for r in model.feature_usage],
        ),
    )
    return {"usage": usage, "nps": nps, "declared_values": declared, "feature_usage": feature_usage}
