import json
import os
import subprocess
import sys

import pytest

from orchestration.cli import build_parser
from orchestration.dbt import REPO_ROOT, ensure_manifest
from orchestration.reporting.mart_reference import END, START, render_mart_reference, replace_section


@pytest.fixture(scope="module")
def manifest():
    return json.loads(ensure_manifest().read_text())


def test_readme_mart_reference_is_current(manifest):
    readme = (REPO_ROOT / "README.md").read_text()
    assert replace_section(readme, render_mart_reference(manifest)) == readme, "run `make docs`"


def test_every_mart_and_column_is_documented(manifest):
    marts = [
        n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"
    ]
    assert len(marts) >= 5
    for node in marts:
        assert node["description"].strip(), node["name"]
        assert node["columns"], f"{node['name']} documents no columns"
        for name, column in node["columns"].items():
            assert column["description"].strip(), f"{node['name']}.{name}"


def test_replace_section_needs_its_markers():
    with pytest.raises(ValueError):
        replace_section("no markers here", "x")
    assert replace_section(f"a\n{START}\nold\n{END}\nb", "new\n") == f"a\n{START}\n\nnew\n\n{END}\nb"


@pytest.mark.parametrize("argv", [["--help"], ["demo", "--help"], ["run", "--help"], ["summary", "--help"]])
def test_help_is_available(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(argv)
    assert exit_info.value.code == 0
    assert "usage: streamgauge" in capsys.readouterr().out


def test_dagster_definitions_pass_dg_check():
    dg = os.path.join(os.path.dirname(sys.executable), "dg")
    env = {**os.environ, "VIRTUAL_ENV": os.path.dirname(os.path.dirname(sys.executable))}
    result = subprocess.run(
        [dg, "check", "defs"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All definitions loaded successfully" in result.stdout + result.stderr
