"""The product-analytics and survey files streamgauge loads, and what each record must hold.

==================  ==============================  ==================================================
kind                raw table                       columns (required in bold in the docs)
==================  ==============================  ==================================================
``usage``           ``raw.product_usage_daily``     date, feature_key (or flag_key),
                                                    eligible_active_users, users_who_used
``nps``             ``raw.product_nps_responses``   respondent_id, score (0–10), submitted_at (ISO 8601
                                                    with offset); optional response_id, flag_key (or
                                                    feature_key: the feature the respondent saw)
``declared_values`` ``raw.product_declared_values`` issue_key; optional value_usd,
                                                    cost_of_delay_usd_per_week, credit_weight
``feature_usage``   ``raw.product_feature_usage``   key (a flag key or an issue key), adoption_pct
                                                    (0–100); optional nps_gain
==================  ==============================  ==================================================

Column names are matched ignoring case and surrounding blanks; other columns are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # DuckDB type; TIMESTAMP_ISO is text that must read as a timestamp with an offset
    required: bool = True
    aliases: tuple[str, ...] = ()
    check: str | None = None  # a condition on the value, `{c}` standing for it
    problem: str = ""  # what a failed check means

    @property
    def read_type(self) -> str:
        return "VARCHAR" if self.sql_type == "TIMESTAMP_ISO" else self.sql_type

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class FileKind:
    kind: str
    table: str
    extensions: tuple[str, ...]
    columns: tuple[Column, ...]
    record_id: str  # SQL over the typed columns
    parent_id: str


USAGE = FileKind(
    "usage",
    "product_usage_daily",
    (".csv", ".parquet", ".jsonl", ".ndjson"),
    (
        Column("date", "DATE"),
        Column(
            "feature_key", "VARCHAR", aliases=("flag_key",), check="length(trim({c})) > 0", problem="is empty"
        ),
        Column("eligible_active_users", "BIGINT", check="{c} >= 0", problem="is negative"),
        Column("users_who_used", "BIGINT", check="{c} >= 0", problem="is negative"),
    ),
    record_id="strftime(date, '%Y-%m-%d') || '|' || trim(feature_key)",
    parent_id="trim(feature_key)",
)
NPS = FileKind(
    "nps",
    "product_nps_responses",
    (".csv",),
    (
        Column("response_id", "VARCHAR", required=False),
        Column("respondent_id", "VARCHAR", check="length(trim({c})) > 0", problem="is empty"),
        Column("score", "INTEGER", check="{c} BETWEEN 0 AND 10", problem="is not a score from 0 to 10"),
        Column("submitted_at", "TIMESTAMP_ISO"),
        Column("flag_key", "VARCHAR", required=False, aliases=("feature_key",)),
    ),
    record_id="coalesce(nullif(trim(response_id), ''), trim(respondent_id) || '|' || trim(submitted_at))",
    parent_id="nullif(trim(flag_key), '')",
)
DECLARED_VALUES = FileKind(
    "declared_values",
    "product_declared_values",
    (".csv",),
    (
        Column("issue_key", "VARCHAR", check="length(trim({c})) > 0", problem="is empty"),
        Column("value_usd", "DOUBLE", required=False),
        Column(
            "cost_of_delay_usd_per_week", "DOUBLE", required=False, check="{c} >= 0", problem="is negative"
        ),
        Column("credit_weight", "DOUBLE", required=False, check="{c} >= 0", problem="is negative"),
    ),
    record_id="upper(trim(issue_key))",
    parent_id="NULL",
)
FEATURE_USAGE = FileKind(
    "feature_usage",
    "product_feature_usage",
    (".csv",),
    (
        Column("key", "VARCHAR", check="length(trim({c})) > 0", problem="is empty"),
        Column("adoption_pct", "DOUBLE", check="{c} BETWEEN 0 AND 100", problem="is not a percentage"),
        Column(
            "nps_gain",
            "DOUBLE",
            required=False,
            check="{c} BETWEEN -200 AND 200",
            problem="is not an NPS difference",
        ),
    ),
    record_id="trim(key)",
    parent_id="NULL",
)
KINDS: dict[str, FileKind] = {k.kind: k for k in (USAGE, NPS, DECLARED_VALUES, FEATURE_USAGE)}
PRODUCT_TABLES = tuple(k.table for k in KINDS.values())
