"""What `make demo` prints and draws, from the published marts."""

from orchestration.cli import print_summary


def test_summary_names_the_prime_delay_and_the_chart_exists(flow_pipeline, capsys):
    settings = flow_pipeline.run.settings
    chart = settings.warehouse.reports_dir / "lead_time_by_stage.png"
    assert chart.exists() and chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # drawn by the reports asset
    print_summary(settings)
    out = capsys.readouterr().out
    for mart in (
        "flow_items",
        "status_intervals",
        "stage_intervals",
        "stage_durations",
        "lead_time_by_stage",
    ):
        assert f"marts.{mart}" in out
    with flow_pipeline.run.published() as con:
        widest = con.execute("SELECT stage FROM marts.lead_time_by_stage WHERE is_widest").fetchone()[0]
        publication_id, as_of = con.execute(
            "SELECT DISTINCT publication_id, as_of FROM marts.publication"
        ).fetchone()
    assert f"Prime delay: {widest}" in out
    assert f"publication {publication_id}, as of {as_of:%Y-%m-%d %H:%M} UTC" in out
    assert "marts.publication" not in out  # the publication is a header, not a mart
    assert str(chart) in out


def test_summary_gives_dora_per_service_with_levels(flow_pipeline, capsys):
    print_summary(flow_pipeline.run.settings)
    out = capsys.readouterr().out
    assert "DORA per service" in out
    for service in ("payments-api", "mobile-backend", "all services"):
        assert f"{service} — " in out
    assert "change lead time median" in out and "[" in out  # at least one performance level shown
