"""The simulated organisation as the pipeline's sources: its APIs on loopback, its Git clones on disk
and a ``streamgauge.yml`` pointing at both. Used by ``streamgauge demo`` and the pipeline tests."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import logging
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import yaml

from extractors.common.raw_store import utc_now
from extractors.simulation import FaultPlan, SimulatedApis, SimulatedOrganisation
from extractors.simulation.corruption import CORRUPTIONS, EXPORT_NAME, CorruptionPlan
from orchestration.dbt import DBT_PROJECT_DIR

log = logging.getLogger("streamgauge.demo")
SHIPPED_MAPPINGS = DBT_PROJECT_DIR / "seeds" / "mappings"

# Credentials the simulated APIs accept; they exist only for the demo and are not secrets.
DEMO_SECRETS = {
    "JIRA_EMAIL": "demo@streamgauge.example",
    "JIRA_API_TOKEN": "demo-jira-token-not-a-secret",
    "GITHUB_TOKEN": "demo-github-token-not-a-secret",
    "PAGERDUTY_TOKEN": "demo-pagerduty-token-not-a-secret",
    "LD_API_TOKEN": "demo-launchdarkly-token-not-a-secret",
}
DEMO_REPOSITORIES = {"demo-git-payments": "acme/payments-service", "demo-git-mobile": "acme/mobile-app"}
DEMO_PAGERDUTY_SERVICES = ["PPAY001", "PMOB001"]


@contextlib.contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the block, restoring what was there before."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def demo_api_credentials() -> dict[str, object]:
    return {
        "jira": (DEMO_SECRETS["JIRA_EMAIL"], DEMO_SECRETS["JIRA_API_TOKEN"]),
        "github": DEMO_SECRETS["GITHUB_TOKEN"],
        "pagerduty": DEMO_SECRETS["PAGERDUTY_TOKEN"],
        "launchdarkly": DEMO_SECRETS["LD_API_TOKEN"],
    }


def demo_config(
    base_url: Mapping[str, str],
    repositories: Mapping[str, Path],
    product_files: Mapping[str, Path],
    *,
    history_start: datetime,
    as_of: datetime,
    timezone: str,
    mappings_dir: Path | None = None,
    jira_export: Path | None = None,
) -> dict:
    """The configuration of the simulated organisation's sources (credentials by variable name only)."""
    config: dict = {
        "warehouse": {"data_dir": ".", "timezone": timezone, "as_of": as_of.astimezone(UTC).isoformat()},
        "flow": {"lead_time_window_days": 90, "target_lead_time_days": 20},
        "sources": {
            "jira": [
                {
                    "name": "demo-jira",
                    "base_url": base_url["jira"],
                    "projects": ["PAY", "MOB", "PLAT"],
                    "email_env": "JIRA_EMAIL",
                    "token_env": "JIRA_API_TOKEN",
                }
            ],
            "git": [
                {"name": name, "path": str(repositories[repository]), "repository": repository}
                for name, repository in DEMO_REPOSITORIES.items()
            ],
            "github": [
                {
                    "name": "demo-github",
                    "base_url": base_url["github"],
                    "repositories": list(DEMO_REPOSITORIES.values()),
                    "token_env": "GITHUB_TOKEN",
                    "history_start": history_start.isoformat(),
                }
            ],
            "pagerduty": [
                {
                    "name": "demo-pagerduty",
                    "base_url": base_url["pagerduty"],
                    "token_env": "PAGERDUTY_TOKEN",
                    "service_ids": DEMO_PAGERDUTY_SERVICES,
                    "history_start": history_start.isoformat(),
                }
            ],
            "launchdarkly": [
                {
                    "name": "demo-launchdarkly",
                    "base_url": base_url["launchdarkly"],
                    "project_key": "acme",
                    "token_env": "LD_API_TOKEN",
                }
            ],
            "product_files": [
                {"name": "demo-product", **{kind: str(path) for kind, path in product_files.items()}}
            ],
        },
    }
    if mappings_dir:
        config["mappings_dir"] = str(mappings_dir)
    if jira_export:
        config["sources"]["jira_export"] = [{"name": EXPORT_NAME, "path": str(jira_export)}]
    return config


def write_demo_mappings(org: SimulatedOrganisation, folder: Path) -> Path:
    """The shipped mappings, with the flag ↔ issue links this organisation needs (they depend on its
    size and seed)."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(SHIPPED_MAPPINGS, folder)
    with (folder / "flag_issue_links.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["source", "flag_key", "issue_key", "description"])
        writer.writeheader()
        writer.writerows(org.flag_issue_link_rows())
    return folder


@contextlib.contextmanager
def simulated_sources(
    org: SimulatedOrganisation,
    data_dir: Path,
    *,
    as_of: datetime | None = None,
    mappings_dir: Path | None = None,
    corruption: CorruptionPlan | None = None,
    faults: Mapping[str, FaultPlan] | None = None,
) -> Iterator[Path]:
    """Serve ``org`` on loopback, write its Git clones and a configuration; yield the configuration's path.

    The demo credentials are in the environment for the duration of the block. ``corruption`` makes the
    sources serve one kind of bad data; ``faults`` (per source) throttle or fail them, or lift the
    simulated GitHub's 5,000 requests per hour.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    moment = as_of or org.clock
    repositories = org.write_git_repositories(data_dir / "repos", moment)
    product_files = org.write_outcome_files(data_dir / "product", moment)
    mappings_dir = mappings_dir or write_demo_mappings(org, data_dir / "mappings")
    apis = SimulatedApis(org, credentials=demo_api_credentials(), faults=faults, corruption=corruption)
    export = corruption.write_export(data_dir / EXPORT_NAME) if corruption else None
    with apis.serve() as server, environment(DEMO_SECRETS):
        config = demo_config(
            {source: server.base_url(source) for source in ("jira", "github", "pagerduty", "launchdarkly")},
            repositories,
            product_files,
            history_start=org.config.start - timedelta(days=30),
            as_of=moment,
            timezone=org.config.user_timezone,
            mappings_dir=mappings_dir,
            jira_export=export,
        )
        path = data_dir / "streamgauge.yml"
        path.write_text(
            "# Written for the simulated organisation (streamgauge demo / tests).\n"
            + yaml.safe_dump(config, sort_keys=False)
        )
        yield path


def corrupted_demo(
    org: SimulatedOrganisation, data_dir: Path, kind: str, run_job: Callable[[Path], bool]
) -> int:
    """``streamgauge demo --corrupt <kind>``: publish a good run if nothing is published yet, run again with
    the sources serving ``kind`` of bad data, show the failing checks' lines and that the published
    marts were kept. 0 when the gate held."""
    plan = CorruptionPlan(kind)
    published = data_dir / "streamgauge.duckdb"
    if not published.exists():
        log.info("nothing published in %s yet: publishing a good run first", data_dir)
        with simulated_sources(org, data_dir) as config_path:
            if not run_job(config_path):
                log.error("the good run failed; no corruption was tried")
                return 1
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    log.info("running again with corrupted sources: %s", CORRUPTIONS[kind])
    started = utc_now()
    with simulated_sources(org, data_dir, corruption=plan) as config_path:
        passed = run_job(config_path)
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        held = con.execute(
            """SELECT source, table_name, count(*), any_value(reason) FROM quarantine.records
               WHERE quarantined_at >= ? GROUP BY ALL ORDER BY ALL""",
            [started],
        ).fetchall()
    for source, table, count, reason in held:
        log.info("quarantined: %d record(s) of %s from %s, e.g. %s", count, table, source, reason)
    kept = hashlib.sha256(published.read_bytes()).hexdigest() == before
    with duckdb.connect(str(published), read_only=True) as con:
        items = con.execute("SELECT count(*) FROM marts.flow_items").fetchone()[0]
    if passed or not kept:
        log.error(
            "the corrupted run was not stopped by the gates (published marts %s)", "kept" if kept else "lost"
        )
        return 1
    log.info(
        "the gates held: the previously published marts in %s were kept byte for byte (sha256 %s…) and "
        "still answer (%d flow items)",
        published,
        before[:12],
        items,
    )
    return 0
