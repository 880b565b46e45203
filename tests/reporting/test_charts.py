"""The shared chart helpers: inline SVG fit for one HTML page, PNG for Dagster, marks, scales."""

from __future__ import annotations

import base64
import re

from orchestration.reporting.charts import (
    figure_png_base64,
    figure_svg,
    inline_svg,
    mark,
    new_figure,
    scale_for,
    styled,
    text_colour_on,
)


@styled
def _figure():
    fig, ax = new_figure(4, 2)
    mark(ax.plot([1, 2, 3], [1, 3, 2], marker="o"), name="line")
    mark(ax.bar([1, 2], [2, 1]), name="bar")
    ax.set_title("t")
    return fig


def test_figure_svg_is_an_inline_element_without_external_references():
    svg = figure_svg(_figure(), "c1")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<?xml" not in svg and "DOCTYPE" not in svg and "<metadata" not in svg
    # the only URLs left are the XML namespaces, which load nothing
    assert set(re.findall(r'"(https?://[^"]+)"', svg)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    root = svg[: svg.index(">")]
    assert "width=" not in root and "height=" not in root and "viewBox=" in root
    assert 'class="plot"' in root


def test_every_id_and_reference_is_prefixed():
    svg = figure_svg(_figure(), "chart-a")
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("chart-a-") for i in ids)
    references = re.findall(r'(?:href="#|url\(#)([^")]+)', svg)
    assert references and all(r in ids for r in references)
    assert sorted(i for i in ids if i.startswith("chart-a-mark-")) == [
        "chart-a-mark-bar-2",
        "chart-a-mark-bar-3",
        "chart-a-mark-line-1",
    ]


def test_two_charts_on_one_page_share_no_id():
    first, second = figure_svg(_figure(), "a"), figure_svg(_figure(), "b")
    assert not set(re.findall(r'id="([^"]+)"', first)) & set(re.findall(r'id="([^"]+)"', second))


def test_svg_is_reproducible():
    assert figure_svg(_figure(), "x") == figure_svg(_figure(), "x")


def test_inline_svg_leaves_colours_alone():
    svg = (
        '<?xml version="1.0"?>\n<svg width="10pt" height="5pt" viewBox="0 0 10 5" version="1.1"><g id="m1"/>'
        '<use xlink:href="#m1" style="fill: #ffffff"/></svg>'
    )
    assert inline_svg(svg, "p") == (
        '<svg viewBox="0 0 10 5" class="plot" role="img"><g id="p-m1"/><use xlink:href="#p-m1" '
        'style="fill: #ffffff"/></svg>'
    )


def test_png_for_dagster_metadata():
    png = base64.b64decode(figure_png_base64(_figure()))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    full = base64.b64decode(figure_png_base64(_figure(), colours=0))
    assert len(png) < len(full)


def test_scale_for_shows_long_durations_in_days():
    assert scale_for("hours", [10, 20, 30]) == (1.0, "hours")
    assert scale_for("hours", [50, 100, 400]) == (24.0, "days")
    assert scale_for("items", [500]) == (1.0, "items")
    assert scale_for("hours", []) == (1.0, "hours")


def test_text_colour_on_fills():
    assert text_colour_on("#0072B2") == "white"
    assert text_colour_on("#F0E442") == "black"
