"""``streamgauge.yml`` → typed settings. Secrets never live here: only the *names* of the
environment variables that hold them.

Relative paths resolve against the configuration file's folder. Without a file, streamgauge runs
with defaults and no sources (``make demo`` writes its own file for the simulated organisation).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from extractors.common.http import SourceError
from extractors.common.quality import QualitySettings
from extractors.git.config import DEFAULT_REF_PREFIXES, GitSourceConfig
from extractors.github.config import GitHubSourceConfig
from extractors.jira.config import DEFAULT_FIELDS, JiraSourceConfig
from extractors.launchdarkly.config import LaunchDarklySourceConfig
from extractors.pagerduty.config import PagerDutySourceConfig
from extractors.product_files.config import ProductFilesConfig

CONFIG_ENV = "STREAMGAUGE_CONFIG"
SOURCE_KINDS = frozenset(
    {"jira", "jira_export", "git", "github", "pagerduty", "launchdarkly", "product_files"}
)
DEFAULT_CONFIG = Path("streamgauge.yml")
DEFAULT_FRESHNESS_HOURS = 24.0  # a source with no successful batch for this long raises its freshness check
# DuckDB spills to disk past this instead of growing to 80 % of the RAM; dbt's profile reads the
# same variable with the same default (dbt_project/profiles.yml)
MEMORY_LIMIT_ENV = "STREAMGAUGE_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "4GB"


def duckdb_config() -> dict[str, str]:
    """Settings for a writing connection to the working database (``duckdb.connect(config=...)``)."""
    return {"memory_limit": os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT}


class ConfigError(ValueError):
    """The configuration file is wrong; the message says where."""


@dataclass(frozen=True)
class WarehouseSettings:
    data_dir: Path
    timezone: str = "UTC"
    as_of: datetime | None = None

    @property
    def working_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def published_path(self) -> Path:
        return self.data_dir / "streamgauge.duckdb"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"


@dataclass(frozen=True)
class FlowSettings:
    flow_item_level: str = "story"
    lead_time_window_days: int = 90
    target_lead_time_days: float | None = None


@dataclass(frozen=True)
class JiraExportConfig:
    name: str
    path: Path


@dataclass(frozen=True)
class Settings:
    warehouse: WarehouseSettings
    flow: FlowSettings = field(default_factory=FlowSettings)
    mappings_dir: Path | None = None
    jira: tuple[JiraSourceConfig, ...] = ()
    jira_exports: tuple[JiraExportConfig, ...] = ()
    git: tuple[GitSourceConfig, ...] = ()
    github: tuple[GitHubSourceConfig, ...] = ()
    pagerduty: tuple[PagerDutySourceConfig, ...] = ()
    launchdarkly: tuple[LaunchDarklySourceConfig, ...] = ()
    product_files: tuple[ProductFilesConfig, ...] = ()
    quality: QualitySettings = field(default_factory=QualitySettings)
    freshness_hours: Mapping[str, float] = field(default_factory=dict)  # by source name
    source_file: Path | None = None

    def history_horizons(self) -> dict[str, str]:
        return {j.name: j.history_horizon.isoformat() for j in self.jira if j.history_horizon}


def _timestamp(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError as exc:
            raise ConfigError(f"{where}: {value!r} is not an ISO date or timestamp") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _section(raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: `{key}` must be a mapping")
    return value


def _check_keys(entry: Mapping[str, Any], cls: type, where: str) -> None:
    known = set(cls.__dataclass_fields__)
    unknown = set(entry) - known
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}; expected some of {sorted(known)}")


def _jira(entry: Mapping[str, Any], where: str) -> JiraSourceConfig:
    _check_keys(entry, JiraSourceConfig, where)
    for required in ("name", "base_url"):
        if not entry.get(required):
            raise ConfigError(f"{where}: `{required}` is required")
    values = dict(entry)
    values["projects"] = tuple(values.get("projects") or ())
    values["fields"] = tuple(values.get("fields") or DEFAULT_FIELDS)
    values["history_horizon"] = _timestamp(values.get("history_horizon"), f"{where}.history_horizon")
    return JiraSourceConfig(**values)


def _jira_export(entry: Mapping[str, Any], base_dir: Path, where: str) -> JiraExportConfig:
    _check_keys(entry, JiraExportConfig, where)
    if not entry.get("name") or not entry.get("path"):
        raise ConfigError(f"{where}: `name` and `path` are required")
    return JiraExportConfig(name=str(entry["name"]), path=(base_dir / str(entry["path"])).resolve())


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ConfigError(f"{where}: expected a list")
    return tuple(str(item) for item in value)


def _entries(sources: Mapping[str, Any], key: str, where: str) -> list[tuple[str, Mapping[str, Any]]]:
    """``sources.<key>`` as (location, entry) pairs; it must be a list of mappings."""
    value = sources.get(key) or []
    if not isinstance(value, list):
        raise ConfigError(f"{where}: `sources.{key}` must be a list of connections")
    for i, entry in enumerate(value):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: sources.{key}[{i}] must be a mapping")
    return [
        (f"{where}: sources.{key}[{i}]", {k: v for k, v in entry.items() if k != "freshness_hours"})
        for i, entry in enumerate(value)
    ]


def _freshness_hours(sources: Mapping[str, Any], where: str) -> dict[str, float]:
    """``freshness_hours`` of every source (any kind takes it), by name."""
    hours = {}
    for kind in sorted(SOURCE_KINDS):
        for i, entry in enumerate(sources.get(kind) or []):
            value = (
                entry.get("freshness_hours", DEFAULT_FRESHNESS_HOURS) if isinstance(entry, Mapping) else None
            )
            if not isinstance(value, int | float) or value <= 0:
                raise ConfigError(f"{where}: sources.{kind}[{i}].freshness_hours must be a positive number")
            hours[str(entry.get("name"))] = float(value)
    return hours


def _git(entry: Mapping[str, Any], base_dir: Path, where: str) -> GitSourceConfig:
    _check_keys(entry, GitSourceConfig, where)
    for required in ("name", "path", "repository"):
        if not entry.get(required):
            raise ConfigError(f"{where}: `{required}` is required")
    values = dict(entry)
    values["path"] = (base_dir / Path(str(values["path"])).expanduser()).resolve()
    values["repository"] = str(values["repository"])
    prefixes = _strings(values.get("ref_prefixes"), f"{where}.ref_prefixes")
    values["ref_prefixes"] = prefixes or DEFAULT_REF_PREFIXES
    return GitSourceConfig(**values)


def _github(entry: Mapping[str, Any], where: str) -> GitHubSourceConfig:
    _check_keys(entry, GitHubSourceConfig, where)
    for required in ("name", "repositories"):
        if not entry.get(required):
            raise ConfigError(f"{where}: `{required}` is required")
    values = dict(entry)
    values["repositories"] = _strings(values["repositories"], f"{where}.repositories")
    values["history_start"] = _timestamp(values.get("history_start"), f"{where}.history_start")
    try:
        return GitHubSourceConfig(**values)
    except SourceError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def _pagerduty(entry: Mapping[str, Any], where: str) -> PagerDutySourceConfig:
    _check_keys(entry, PagerDutySourceConfig, where)
    if not entry.get("name"):
        raise ConfigError(f"{where}: `name` is required")
    values = dict(entry)
    values["service_ids"] = _strings(values.get("service_ids"), f"{where}.service_ids")
    values["history_start"] = _timestamp(values.get("history_start"), f"{where}.history_start")
    return PagerDutySourceConfig(**values)


def _launchdarkly(entry: Mapping[str, Any], where: str) -> LaunchDarklySourceConfig:
    _check_keys(entry, LaunchDarklySourceConfig, where)
    for required in ("name", "project_key"):
        if not entry.get(required):
            raise ConfigError(f"{where}: `{required}` is required")
    values = dict(entry)
    values["environments"] = _strings(values.get("environments"), f"{where}.environments")
    values["history_start"] = _timestamp(values.get("history_start"), f"{where}.history_start")
    try:
        return LaunchDarklySourceConfig(**values)
    except SourceError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def _product_files(entry: Mapping[str, Any], base_dir: Path, where: str) -> ProductFilesConfig:
    _check_keys(entry, ProductFilesConfig, where)
    if not entry.get("name"):
        raise ConfigError(f"{where}: `name` is required")
    kinds = ("usage", "nps", "declared_values", "feature_usage")
    if not any(entry.get(kind) for kind in kinds):
        raise ConfigError(f"{where}: name at least one of {', '.join(kinds)} (a folder or a file)")
    values: dict[str, Any] = {"name": str(entry["name"])}
    for kind in kinds:
        if entry.get(kind):
            values[kind] = (base_dir / Path(str(entry[kind])).expanduser()).resolve()
    return ProductFilesConfig(**values)


def parse_settings(raw: Mapping[str, Any], base_dir: Path, source_file: Path | None = None) -> Settings:
    where = str(source_file or "configuration")
    warehouse = _section(raw, "warehouse", where)
    flow = _section(raw, "flow", where)
    sources = _section(raw, "sources", where)
    quality = _section(raw, "quality", where)
    unknown = set(raw) - {"warehouse", "flow", "sources", "mappings_dir", "quality"}
    if unknown:
        raise ConfigError(f"{where}: unknown top-level key(s) {sorted(unknown)}")
    unknown_sources = set(sources) - SOURCE_KINDS
    if unknown_sources:
        raise ConfigError(
            f"{where}: unknown source kind(s) {sorted(unknown_sources)} under `sources`; "
            f"expected some of {sorted(SOURCE_KINDS)}"
        )
    mappings_dir = raw.get("mappings_dir")
    _check_keys(flow, FlowSettings, f"{where}: flow")
    _check_keys(warehouse, WarehouseSettings, f"{where}: warehouse")
    _check_keys(quality, QualitySettings, f"{where}: quality")
    return Settings(
        warehouse=WarehouseSettings(
            data_dir=(base_dir / warehouse.get("data_dir", "data")).resolve(),
            timezone=str(warehouse.get("timezone", "UTC")),
            as_of=_timestamp(warehouse.get("as_of"), f"{where}: warehouse.as_of"),
        ),
        flow=FlowSettings(**flow),
        mappings_dir=(base_dir / mappings_dir).resolve() if mappings_dir else None,
        jira=tuple(_jira(entry, at) for at, entry in _entries(sources, "jira", where)),
        jira_exports=tuple(
            _jira_export(entry, base_dir, at) for at, entry in _entries(sources, "jira_export", where)
        ),
        git=tuple(_git(entry, base_dir, at) for at, entry in _entries(sources, "git", where)),
        github=tuple(_github(entry, at) for at, entry in _entries(sources, "github", where)),
        pagerduty=tuple(_pagerduty(entry, at) for at, entry in _entries(sources, "pagerduty", where)),
        launchdarkly=tuple(
            _launchdarkly(entry, at) for at, entry in _entries(sources, "launchdarkly", where)
        ),
        product_files=tuple(
            _product_files(entry, base_dir, at) for at, entry in _entries(sources, "product_files", where)
        ),
        quality=QualitySettings(**quality),
        freshness_hours=_freshness_hours(sources, where),
        source_file=source_file,
    )


def load_settings(path: Path | str | None = None) -> Settings:
    """Read the configuration named by ``path``, ``$STREAMGAUGE_CONFIG`` or ``./streamgauge.yml``."""
    chosen = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)
    if not chosen.exists():
        if path or os.environ.get(CONFIG_ENV):
            raise ConfigError(f"configuration file {chosen} does not exist")
        return parse_settings({}, Path.cwd())
    try:
        raw = yaml.safe_load(chosen.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{chosen}: not valid YAML: {exc}") from exc
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{chosen}: the top level must be a mapping")
    return parse_settings(raw, chosen.parent.resolve(), chosen.resolve())
