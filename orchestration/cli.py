"""``streamgauge`` — run the pipeline, the demo and the summary from a terminal.

streamgauge demo              simulated organisation → warehouse → published marts → summary
streamgauge run               the main job against streamgauge.yml (your real sources)
streamgauge summary           print the summary of the published marts
streamgauge docs              regenerate the README's mart reference from the dbt docs
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from orchestration.config import CONFIG_ENV, Settings, load_settings

log = logging.getLogger("streamgauge")

DEMO_CREDENTIALS = {"JIRA_EMAIL": "demo@streamgauge.example", "JIRA_API_TOKEN": "demo-token-not-a-secret"}


def _configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s  %(message)s", "%H:%M:%S"))
    root = logging.getLogger("streamgauge")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False


@contextlib.contextmanager
def _environment(values: dict[str, str]):
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


def run_main_job(config_path: Path, *, verbose: bool = False) -> bool:
    """Materialise every asset in-process against ``config_path``; True when everything succeeded."""
    import dagster as dg

    with _environment({CONFIG_ENV: str(config_path)}):
        from orchestration.definitions import defs

        job = defs().resolve_job_def("streamgauge_main")
        # Progress comes through the `streamgauge` loggers; Dagster's own console log and dbt's raw
        # event stream (which dagster-dbt echoes to stdout) are shown only with --verbose.
        level = "DEBUG" if verbose else "CRITICAL"
        with contextlib.ExitStack() as stack:
            if not verbose:
                stack.enter_context(contextlib.redirect_stdout(stack.enter_context(open(os.devnull, "w"))))
            result = job.execute_in_process(
                instance=dg.DagsterInstance.ephemeral(),
                run_config={"loggers": {"console": {"config": {"log_level": level}}}},
                raise_on_error=False,
            )
    for event in result.all_events:
        if event.is_step_failure:
            log.error(
                "step %s failed: %s",
                event.step_key,
                event.step_failure_data.error.message.strip() if event.step_failure_data.error else "",
            )
    return result.success


def write_demo_config(
    data_dir: Path, jira_base_url: str, as_of: datetime, timezone: str, mappings_dir: Path | None = None
) -> Path:
    config = {
        "warehouse": {"data_dir": ".", "timezone": timezone, "as_of": as_of.astimezone(UTC).isoformat()},
        "flow": {"lead_time_window_days": 90, "target_lead_time_days": 20},
        "sources": {
            "jira": [
                {
                    "name": "demo-jira",
                    "base_url": jira_base_url,
                    "projects": ["PAY", "MOB", "PLAT"],
                    "email_env": "JIRA_EMAIL",
                    "token_env": "JIRA_API_TOKEN",
                }
            ]
        },
    }
    if mappings_dir:
        config["mappings_dir"] = str(mappings_dir)
    path = data_dir / "streamgauge.yml"
    path.write_text(
        "# Written by `streamgauge demo` for the simulated organisation.\n"
        + yaml.safe_dump(config, sort_keys=False)
    )
    return path


def print_summary(settings: Settings) -> None:
    import duckdb

    from orchestration.reporting.lead_time import (
        format_lead_time_table,
        read_lead_time_by_stage,
        render_lead_time_bar,
        widest_stage,
    )

    published = settings.warehouse.published_path
    with duckdb.connect(str(published), read_only=True) as con:
        counts = con.execute("""
            SELECT table_name, estimated_size FROM duckdb_tables() WHERE schema_name = 'marts'
            ORDER BY table_name""").fetchall()
        stages = read_lead_time_by_stage(con)
        window = con.execute(
            "SELECT min(window_start_at), min(window_end_at) FROM marts.lead_time_by_stage"
        ).fetchone()
    print(f"\nPublished marts ({published}):")
    for name, rows in counts:
        print(f"  marts.{name:<24}{rows:>10,} rows")
    if window[0]:
        print(f"\nLead time by stage, items completed {window[0]:%Y-%m-%d} … {window[1]:%Y-%m-%d}:")
    print(format_lead_time_table(stages))
    widest = widest_stage(stages)
    if widest:
        print(
            f"\nPrime delay: {widest.stage} — {widest.pct_of_lead_time:.0f} % of the lead time "
            "of completed items "
            f"({widest.mean_hours_per_item / 24:.1f} days per item on average)."
        )
    png = settings.warehouse.reports_dir / "lead_time_by_stage.png"
    if not png.exists():
        render_lead_time_bar(stages, png, settings.flow.target_lead_time_days)
    print(f"Lead-time bar: {png}")


def demo(args: argparse.Namespace) -> int:
    from extractors.simulation import OrgConfig, SimulatedApis, SimulatedOrganisation

    data_dir = Path(args.data_dir).resolve()
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    started = time.monotonic()
    log.info(
        "generating the simulated organisation: %d teams, %d flow items, seed %d",
        args.teams,
        args.items,
        args.seed,
    )
    org = SimulatedOrganisation.generate(OrgConfig(seed=args.seed, teams=args.teams, flow_items=args.items))
    apis = SimulatedApis(
        org, credentials={"jira": (DEMO_CREDENTIALS["JIRA_EMAIL"], DEMO_CREDENTIALS["JIRA_API_TOKEN"])}
    )
    with apis.serve() as server, _environment(DEMO_CREDENTIALS):
        log.info("simulated Jira Cloud API listening on %s", server.base_url("jira"))
        config_path = write_demo_config(
            data_dir, server.base_url("jira"), org.clock, org.config.user_timezone
        )
        ok = run_main_job(config_path, verbose=args.verbose)
    if not ok:
        log.error("the pipeline failed; the published marts were left as they were")
        return 1
    print_summary(load_settings(config_path))
    log.info("demo finished in %.0f s", time.monotonic() - started)
    return 0


def run(args: argparse.Namespace) -> int:
    config_path = Path(args.config or os.environ.get(CONFIG_ENV) or "streamgauge.yml").resolve()
    if not config_path.exists():
        log.error("no configuration at %s (see README, 'Pointing it at your Jira')", config_path)
        return 2
    return 0 if run_main_job(config_path, verbose=args.verbose) else 1


def summary(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    if not settings.warehouse.published_path.exists():
        log.error("nothing published yet at %s", settings.warehouse.published_path)
        return 2
    print_summary(settings)
    return 0


def docs(args: argparse.Namespace) -> int:
    from orchestration.dbt import REPO_ROOT, ensure_manifest
    from orchestration.reporting.mart_reference import update_readme

    changed = update_readme(REPO_ROOT / "README.md", ensure_manifest())
    log.info("README.md mart reference %s", "updated" if changed else "already current")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamgauge", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug output from every step")
    commands = parser.add_subparsers(dest="command", required=True)

    p_demo = commands.add_parser(
        "demo", help="run everything on the simulated organisation and print a summary"
    )
    p_demo.add_argument(
        "--data-dir", default="data/demo", help="where the demo warehouse goes (default: %(default)s)"
    )
    p_demo.add_argument("--seed", type=int, default=7, help="simulation seed (default: %(default)s)")
    p_demo.add_argument(
        "--items", type=int, default=1500, help="flow items to simulate (default: %(default)s)"
    )
    p_demo.add_argument("--teams", type=int, default=3, help="teams / Jira projects (default: %(default)s)")
    p_demo.set_defaults(handler=demo)

    p_run = commands.add_parser("run", help="run the main job once against your configuration")
    p_run.add_argument("--config", help=f"configuration file (default: ${CONFIG_ENV} or ./streamgauge.yml)")
    p_run.set_defaults(handler=run)

    p_summary = commands.add_parser("summary", help="print the summary of the published marts")
    p_summary.add_argument(
        "--config", help=f"configuration file (default: ${CONFIG_ENV} or ./streamgauge.yml)"
    )
    p_summary.set_defaults(handler=summary)

    p_docs = commands.add_parser(
        "docs", help="regenerate the README's mart reference from the dbt model docs"
    )
    p_docs.set_defaults(handler=docs)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
