"""``streamgauge`` — run the pipeline, the demo and the summary from a terminal.

streamgauge demo              simulated organisation → warehouse → published marts → summary
streamgauge run               the main job against streamgauge.yml (your real sources)
streamgauge summary           print the summary of the published marts
streamgauge docs              regenerate the README's mart reference from the dbt docs
streamgauge bench            speed and peak memory at several simulated sizes, with baselines
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import sys
import time
from pathlib import Path

from extractors.simulation.corruption import CORRUPTIONS
from orchestration.bench.sizes import BASE_FLOW_ITEMS
from orchestration.config import CONFIG_ENV, Settings, load_settings
from orchestration.demo import corrupted_demo, environment, simulated_sources

log = logging.getLogger("streamgauge")


def _configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s  %(message)s", "%H:%M:%S"))
    root = logging.getLogger("streamgauge")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False


def _error_chain(error) -> str:
    """A Dagster error and its causes, one message per line (the root cause is what a user acts on)."""
    messages = []
    while error is not None:
        messages.append(error.message.strip())
        error = error.cause
    return "\n  caused by: ".join(messages)


def run_main_job(
    config_path: Path,
    *,
    verbose: bool = False,
    instance=None,
    groups: tuple[str, ...] = (),
    full_refresh: bool = False,
) -> bool:
    """Materialise every asset (or those of ``groups``) in-process against ``config_path`` on
    ``instance`` (default: an ephemeral one); ``full_refresh`` rebuilds the incremental models from
    all raw data. True when everything succeeded."""
    import dagster as dg

    with environment({CONFIG_ENV: str(config_path)}):
        from orchestration.definitions import defs

        definitions = defs()
        job = definitions.resolve_job_def("streamgauge_main")
        selection = (
            sorted(dg.AssetSelection.groups(*groups).resolve(definitions.resolve_asset_graph()))
            if groups
            else None
        )
        # Progress comes through the `streamgauge` loggers; Dagster's own console log and dbt's raw
        # event stream (which dagster-dbt echoes to stdout) are shown only with --verbose.
        level = "DEBUG" if verbose else "CRITICAL"
        with contextlib.ExitStack() as stack:
            if not verbose:
                stack.enter_context(contextlib.redirect_stdout(stack.enter_context(open(os.devnull, "w"))))
            result = job.execute_in_process(
                instance=instance or dg.DagsterInstance.ephemeral(),
                run_config={
                    "loggers": {"console": {"config": {"log_level": level}}},
                    **({"ops": {"dbt_models": {"config": {"full_refresh": True}}}} if full_refresh else {}),
                },
                raise_on_error=False,
                asset_selection=selection,
            )
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data.error:
            log.error("step %s failed: %s", event.step_key, _error_chain(event.step_failure_data.error))
    return result.success


def _has_table(con, name: str) -> bool:
    return (
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = ?", [name]
        ).fetchone()[0]
        > 0
    )


def print_summary(settings: Settings) -> None:
    import duckdb

    from orchestration.reporting.dora import format_dora_table, read_latest_month
    from orchestration.reporting.lead_time import (
        format_lead_time_table,
        read_lead_time_by_stage,
        render_lead_time_bar,
        widest_stage,
    )
    from orchestration.reporting.report import REPORT_FILE, write_report

    published = settings.warehouse.published_path
    with duckdb.connect(str(published), read_only=True) as con:
        counts = con.execute("""
            SELECT table_name, estimated_size FROM duckdb_tables()
            WHERE schema_name = 'marts' AND table_name <> 'publication'
            ORDER BY table_name""").fetchall()
        publication = con.execute(
            "SELECT any_value(publication_id), any_value(as_of), any_value(published_at) "
            "FROM marts.publication"
        ).fetchone()
        stages = read_lead_time_by_stage(con)
        window = con.execute(
            "SELECT min(window_start_at), min(window_end_at) FROM marts.lead_time_by_stage"
        ).fetchone()
        outcome_lines = _outcome_summary(con, {name for name, _ in counts})
    print(f"\nPublished marts ({published}):")
    publication_id, as_of, published_at = publication
    as_of_text = f"as of {as_of:%Y-%m-%d %H:%M} UTC" if as_of else "as_of unknown"
    print(f"  publication {publication_id}, {as_of_text}, published {published_at:%Y-%m-%d %H:%M:%S} UTC")
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
    with duckdb.connect(str(published), read_only=True) as con:
        dora = read_latest_month(con) if _has_table(con, "dora_metrics") else []
    if dora:
        print("\nDORA per service (2023 performance levels in brackets):")
        print(format_dora_table(dora))
    png = settings.warehouse.reports_dir / "lead_time_by_stage.png"
    if not png.exists():
        render_lead_time_bar(stages, png, settings.flow.target_lead_time_days)
    print(f"Lead-time bar: {png}")
    for line in outcome_lines:
        print(line)
    report = settings.warehouse.reports_dir / REPORT_FILE
    if not report.exists():  # drawn by the reports asset; a summary of an older publication draws it here
        write_report(published, report, target_lead_time_days=settings.flow.target_lead_time_days)
    print(f"\nValue-stream report (open it in a browser): {report}")


def _outcome_summary(con, marts: set[str]) -> list[str]:
    """The ROI top 10 (marts.feature_outcomes) and the stages that steal the most time yet deliver
    the least impact (marts.outcome_stage_impact); nothing when those marts are absent or empty."""
    if not {"feature_outcomes", "outcome_stage_impact"} <= marts:
        return []
    top = con.execute("""
        SELECT roi_rank, issue_key, coalesce(flag_keys, '(no flag: released by deployment)'),
               lead_time_hours, adoption_pct, credited_adoption_points, roi_per_hour, is_small_sample,
               credit_method
        FROM marts.feature_outcomes WHERE roi_rank <= 10 ORDER BY roi_rank""").fetchall()
    if not top:
        return []
    ranked, small, unreleased = con.execute("""
        SELECT count(roi_rank),
               count(*) FILTER (WHERE roi_per_hour IS NOT NULL AND roi_rank IS NULL),
               count(*) FILTER (WHERE is_deployed_dark)
        FROM marts.feature_outcomes""").fetchall()[0]
    lines = [
        f"\nTop {len(top)} flow items by ROI per hour (credited adoption points per lead-time hour; "
        f"{ranked} ranked, {small} with too few eligible users left unranked, {unreleased} deployed dark):",
        f"  {'#':>3}  {'item':<10} {'flag(s)':<38} {'lead time':>10} {'adoption':>9} {'credited':>9} "
        f"{'ROI/hour':>9}",
    ]
    for rank, key, flags, lead, adoption, credited, roi, is_small, method in top:
        shared = "  (shared: " + method + ")" if method and method not in ("sole",) else ""
        flags = flags if len(flags) <= 38 else flags[:37] + "…"
        lines.append(
            f"  {rank:>3}  {key:<10} {flags:<38} {lead / 24:>8.1f} d {adoption:>7.1f} % {credited:>9.1f} "
            f"{roi:>9.4f}{' (small NPS sample)' if is_small else ''}{shared}"
        )
    impact = con.execute("""
        SELECT stage, bottom_quartile_mean_stage_hours, top_quartile_mean_stage_hours, extra_hours_per_item,
               bottom_quartile_pct_of_lead_time, top_quartile_pct_of_lead_time,
               bottom_quartile_items, top_quartile_items
        FROM marts.outcome_stage_impact ORDER BY steal_rank""").fetchall()
    if impact and impact[0][3] is not None:
        bottom_n, top_n = impact[0][6], impact[0][7]
        lines += [
            f"\nStages that steal the most time yet deliver the least impact "
            f"(bottom ROI quartile, {bottom_n} items, against the top quartile, {top_n} items):",
            f"  {'stage':<11} {'bottom h/item':>14} {'top h/item':>11} {'extra h/item':>13} "
            f"{'% of lead time':>17}",
        ]
        for stage, bottom, top_hours, extra, bottom_pct, top_pct, _, _ in impact:
            share = f"{bottom_pct or 0:.0f} % vs {top_pct or 0:.0f} %"
            lines.append(f"  {stage:<11} {bottom:>14.1f} {top_hours:>11.1f} {extra:>+13.1f} {share:>17}")
        worst = impact[0]
        lines.append(
            f"\nWhere low-ROI work loses time: {worst[0]} — {worst[3] / 24:+.1f} days per item against the "
            "top quartile."
        )
    return lines


def demo(args: argparse.Namespace) -> int:
    from extractors.simulation import OrgConfig, SimulatedOrganisation

    data_dir = Path(args.data_dir).resolve()
    if data_dir.exists() and not args.corrupt:
        shutil.rmtree(data_dir)
    started = time.monotonic()
    log.info(
        "generating the simulated organisation: %d teams, %d flow items, seed %d",
        args.teams,
        args.items,
        args.seed,
    )
    org = SimulatedOrganisation.generate(OrgConfig(seed=args.seed, teams=args.teams, flow_items=args.items))
    if args.corrupt:
        return corrupted_demo(
            org, data_dir, args.corrupt, lambda path: run_main_job(path, verbose=args.verbose)
        )
    with simulated_sources(org, data_dir) as config_path:
        log.info(
            "simulated Jira, GitHub, PagerDuty and LaunchDarkly APIs on loopback; "
            "Git clones and product files in %s",
            data_dir,
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
    return 0 if run_main_job(config_path, verbose=args.verbose, full_refresh=args.full_refresh) else 1


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


def bench(args: argparse.Namespace) -> int:
    from orchestration.bench.run import run_benchmark
    from orchestration.bench.sizes import parse_size, parse_sizes

    run_benchmark(
        parse_sizes(args.sizes),
        Path(args.work_dir).resolve(),
        Path(args.results).resolve(),
        base_flow_items=parse_size(args.base),
    )
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
    p_demo.add_argument(
        "--corrupt",
        choices=sorted(CORRUPTIONS),
        help="run again with the sources serving this kind of bad data and show the gates holding it",
    )
    p_demo.set_defaults(handler=demo)

    p_run = commands.add_parser("run", help="run the main job once against your configuration")
    p_run.add_argument("--config", help=f"configuration file (default: ${CONFIG_ENV} or ./streamgauge.yml)")
    p_run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental staging models from all landed raw data (after upgrading streamgauge)",
    )
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

    p_bench = commands.add_parser("bench", help="measure speed and peak memory at several simulated sizes")
    p_bench.add_argument(
        "--sizes", help="flow items per size, comma-separated (10k,100k,1m; default: a small size)"
    )
    p_bench.add_argument(
        "--base",
        default=str(BASE_FLOW_ITEMS),
        help="larger sizes are copies of an organisation of this many flow items, landed through the "
        "simulated APIs (default: %(default)s)",
    )
    p_bench.add_argument(
        "--work-dir", default="data/bench", help="where the sizes' warehouses go (default: %(default)s)"
    )
    p_bench.add_argument(
        "--results", default="bench_results.json", help="figures file (default: %(default)s)"
    )
    p_bench.set_defaults(handler=bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
