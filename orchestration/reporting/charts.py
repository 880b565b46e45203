"""What every chart of the reports shares: a matplotlib figure with its title and one-line reading
guide, drawn as inline SVG (the HTML report) or a base64 PNG (Dagster asset metadata).

Plotted data (bars, lines, dots, bands) is tagged with :func:`mark`, which gives the artist an SVG id
starting with ``mark-``: the browser test checks that every chart of the report has drawn marks.
"""

from __future__ import annotations

import base64
import functools
import io
import re
from dataclasses import dataclass, field

import matplotlib
from matplotlib.artist import Artist
from matplotlib.figure import Figure

# The report's palette: colour-blind safe (Okabe–Ito), one meaning per colour across charts.
BLUE, ORANGE, GREEN, RED, PURPLE, GREY, SKY, YELLOW = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#C8102E",
    "#CC79A7",
    "#7f7f7f",
    "#56B4E9",
    "#F0E442",
)
SERIES_COLOURS = (BLUE, ORANGE, GREEN, PURPLE, SKY, RED, YELLOW, GREY)

RC = {
    "svg.fonttype": "none",  # text stays text: smaller files, selectable in the browser
    "svg.hashsalt": "streamgauge",  # deterministic ids, so a report is reproducible byte for byte
    "font.family": ["DejaVu Sans"],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e6e6e6",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
}


def styled(draw):
    """Run a drawing function under the report's style (rcParams are read as artists are made)."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(RC):
            return draw(*args, **kwargs)

    return wrapper


def mark(*artists, name: str = "data"):
    """Tag plotted data so the SVG names it (``id="mark-<name>-<n>"``, n counted per figure);
    returns the first artist."""
    for artist in _flatten(artists):
        fig = artist.get_figure(root=True)
        number = getattr(fig, "_streamgauge_marks", 0) + 1
        fig._streamgauge_marks = number
        artist.set_gid(f"mark-{name}-{number}")
    return artists[0] if artists else None


def _flatten(items):
    for item in items:
        if isinstance(item, Artist):
            yield item
        elif item is not None:
            yield from _flatten(item)


def new_figure(width: float = 11.0, height: float = 3.6, **subplots) -> tuple[Figure, object]:
    """A figure and its axes. Not registered with pyplot (no backend, no global state): nothing
    leaks between reports and nothing needs closing."""
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig, fig.subplots(**subplots)


@dataclass
class Chart:
    """One chart of a report: what it is called, how to read it (one line), the figure and notes
    (short lines shown beneath it: the latest figures, the signals, the events)."""

    key: str
    title: str
    how_to_read: str
    figure: Figure
    notes: list[str] = field(default_factory=list)


def figure_svg(fig: Figure, prefix: str) -> str:
    """The figure as an ``<svg>`` element to inline in HTML: no XML prolog, DOCTYPE or RDF metadata
    (they name external URLs), ids prefixed so several charts can share a page, and sized by CSS."""
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return inline_svg(buffer.getvalue(), prefix)


def inline_svg(svg: str, prefix: str) -> str:
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    ids = set(re.findall(r'\bid="([^"]+)"', svg))

    def rename(match: re.Match) -> str:
        name = match.group(2)
        return f"{match.group(1)}{prefix}-{name}" if name in ids else match.group(0)

    svg = re.sub(r'(\bid="|#)([A-Za-z_][\w.:-]*)', rename, svg)
    # the root element: drop the fixed size (the viewBox keeps the aspect ratio) and the DTD's
    # version attribute; CSS gives the width
    head, rest = svg.split(">", 1)
    head = re.sub(r'\s(width|height|version)="[^"]*"', "", head)
    return f'{head} class="plot" role="img">{rest}'.strip()


def figure_png_base64(fig: Figure, dpi: int = 72, colours: int = 64) -> str:
    """The figure as a base64 PNG, reduced to a palette of ``colours`` (a third of the bytes: these
    travel in Dagster's event log)."""
    from PIL import Image  # matplotlib's own dependency

    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    if colours:
        image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
        buffer = io.BytesIO()
        image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT).save(buffer, "PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def scale_for(unit: str, values) -> tuple[float, str]:
    """(divisor, label) to show a duration in days when it is mostly longer than two days."""
    if unit != "hours":
        return 1.0, unit
    finite = sorted(v for v in values if v is not None)
    median = finite[len(finite) // 2] if finite else 0.0
    return (24.0, "days") if median > 48 else (1.0, "hours")


def text_colour_on(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (a #rrggbb fill)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"
