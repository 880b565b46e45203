"""The DORA summary per service: the latest complete month with its performance levels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb


@dataclass(frozen=True)
class ServiceDora:
    service: str
    period_start: date
    deployment_count: int
    median_deployment_days_per_week: float | None
    lead_time_median_hours: float | None
    lead_time_n: int
    change_fail_rate: float | None
    change_fail_n: int
    recovery_median_hours: float | None
    recovery_n: int
    deployment_rework_rate: float | None
    deployment_frequency_level_2023: str | None
    lead_time_level_2023: str | None
    change_fail_level_2023: str | None
    recovery_level_2023: str | None
    deployment_frequency_level_2021: str | None = None
    lead_time_level_2021: str | None = None
    change_fail_level_2021: str | None = None
    recovery_level_2021: str | None = None
    is_period_complete: bool = True
    dora_min_n: int = 5


def read_latest_month(con: duckdb.DuckDBPyConnection) -> list[ServiceDora]:
    """Each service's most recent complete month (or its latest month when none is complete)."""
    rows = con.execute("""
        SELECT service, period_start, deployment_count, median_deployment_days_per_week,
               lead_time_median_hours, lead_time_n, change_fail_rate, change_fail_n,
               recovery_median_hours, recovery_n, deployment_rework_rate,
               deployment_frequency_level_2023, lead_time_level_2023, change_fail_level_2023,
               recovery_level_2023, deployment_frequency_level_2021, lead_time_level_2021,
               change_fail_level_2021, recovery_level_2021, is_period_complete, dora_min_n
        FROM marts.dora_metrics
        WHERE period_grain = 'month'
        QUALIFY row_number() OVER (
            PARTITION BY service ORDER BY is_period_complete DESC, period_start DESC) = 1
        ORDER BY service = '*', service""").fetchall()
    return [ServiceDora(*row) for row in rows]


def _value(value: float | None, fmt: str, level: str | None = None, n: int | None = None) -> str:
    text = "—" if value is None else format(value, fmt)
    if n is not None:
        text += f" (n={n})"
    return f"{text} [{level}]" if level else text


def _pct(rate: float | None) -> float | None:
    return None if rate is None else 100 * rate


def format_dora_table(services: list[ServiceDora]) -> str:
    lines = []
    for s in services:
        days = _value(s.median_deployment_days_per_week, ".1f", s.deployment_frequency_level_2023)
        rows = [
            ("deployments", f"{s.deployment_count}, median {days} deployment days per week"),
            (
                "change lead time median",
                _value(s.lead_time_median_hours, ",.1f", s.lead_time_level_2023, s.lead_time_n) + " h",
            ),
            (
                "change fail rate",
                _value(_pct(s.change_fail_rate), ".1f", s.change_fail_level_2023, s.change_fail_n) + " %",
            ),
            (
                "recovery time median",
                _value(s.recovery_median_hours, ",.1f", s.recovery_level_2023, s.recovery_n) + " h",
            ),
            ("deployment rework rate", _value(_pct(s.deployment_rework_rate), ".1f") + " %"),
        ]
        name = "all services" if s.service == "*" else s.service
        lines.append(f"{name} — {s.period_start:%B %Y}")
        lines += [f"  {label:<25}{text}" for label, text in rows]
    return "\n".join(lines)


@dataclass(frozen=True)
class DoraTile:
    """One metric of one service, as the report's tile shows it."""

    metric: str
    value: str
    detail: str
    level_2023: str | None
    level_2021: str | None
    n: int | None = None
    min_n: int | None = None


def _hours(hours: float | None) -> str:
    if hours is None:
        return "—"
    return f"{hours / 24:,.1f} days" if hours >= 48 else f"{hours:,.1f} h"


def dora_tiles(s: ServiceDora) -> list[DoraTile]:
    """Deployment frequency, change lead time, change fail rate, recovery time (each with its 2023
    and 2021 level) and the deployment rework rate (no level) of one service's month."""
    days = s.median_deployment_days_per_week
    rate = _pct(s.change_fail_rate)
    rework = _pct(s.deployment_rework_rate)
    return [
        DoraTile(
            "Deployment frequency",
            "—" if days is None else f"{days:.1f} days/week",
            f"median deployment days per week; {s.deployment_count} deployments",
            s.deployment_frequency_level_2023,
            s.deployment_frequency_level_2021,
        ),
        DoraTile(
            "Change lead time",
            _hours(s.lead_time_median_hours),
            "median, first commit → production",
            s.lead_time_level_2023,
            s.lead_time_level_2021,
            s.lead_time_n,
            s.dora_min_n,
        ),
        DoraTile(
            "Change fail rate",
            "—" if rate is None else f"{rate:.1f} %",
            "deployments that caused a failure",
            s.change_fail_level_2023,
            s.change_fail_level_2021,
            s.change_fail_n,
            s.dora_min_n,
        ),
        DoraTile(
            "Recovery time",
            _hours(s.recovery_median_hours),
            "median, deployment → incident resolved",
            s.recovery_level_2023,
            s.recovery_level_2021,
            s.recovery_n,
            s.dora_min_n,
        ),
        DoraTile(
            "Deployment rework rate",
            "—" if rework is None else f"{rework:.1f} %",
            "unplanned fix deployments (no DORA band)",
            None,
            None,
        ),
    ]
