import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.dbt import dbt_executable, dbt_project
from orchestration.resources import StreamgaugeResource


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "streamgauge": StreamgaugeResource(),
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
        }
    )
