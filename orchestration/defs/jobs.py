"""The main job (everything, in dependency order) and its daily schedule."""

import dagster as dg

main_job = dg.define_asset_job(
    "streamgauge_main",
    selection=dg.AssetSelection.all(),
    description="Extract every configured source, build and check the marts, publish, draw the reports.",
)

daily_schedule = dg.ScheduleDefinition(
    job=main_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Daily refresh at 05:00 UTC (turn it on in the UI or with `dg launch`).",
)
