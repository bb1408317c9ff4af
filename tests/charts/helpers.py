"""Checks every steering chart must pass: valid files, legible text, contrast, nothing cut."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import matplotlib.image
from matplotlib.colors import to_rgb
from matplotlib.text import Text

from delphi.charts import Chart, to_png, to_svg

PLAIN_BACKGROUNDS = ("#FFFFFF",)


def texts(artist) -> list[str]:
    """Every visible piece of text under a figure or an axes, wrapped lines joined."""
    return [text.get_text().replace("\n", " ") for text in artist.findobj(Text)
            if text.get_visible() and text.get_text()]


def contrast(first, second) -> float:
    """WCAG 2.2 contrast ratio of two colours."""
    def luminance(colour):
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                    for c in to_rgb(colour)]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def check_files(chart: Chart) -> None:
    """The PNG is a valid 600-pixel-wide picture of the figure; the SVG parses at 6 inches."""
    png = to_png(chart.figure)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert image.shape[1] == 600
    assert image.shape[0] == round(chart.figure.get_figheight() * 100)
    root = ET.fromstring(to_svg(chart.figure))
    assert root.tag.endswith("svg")
    assert root.get("width") == "432pt"


def check_text(chart: Chart, backgrounds=PLAIN_BACKGROUNDS) -> None:
    """All text is at least 10 points, inside the picture, and 4.5:1 on every background."""
    figure = chart.figure
    figure.canvas.draw()            # legends place their text when drawn
    renderer = figure.canvas.get_renderer()
    page = figure.bbox
    unseen = _ticks_out_of_view(figure)
    for text in figure.findobj(Text):
        if not text.get_visible() or not text.get_text() or id(text) in unseen:
            continue
        assert text.get_fontsize() >= 10, text.get_text()
        box = text.get_window_extent(renderer)
        assert page.x0 - 0.5 <= box.x0 and box.x1 <= page.x1 + 0.5, text.get_text()
        assert page.y0 - 0.5 <= box.y0 and box.y1 <= page.y1 + 0.5, text.get_text()
        for background in backgrounds:
            assert contrast(text.get_color(), background) >= 4.5, text.get_text()


def check_table(chart: Chart) -> None:
    """A header and rows of text, all the same width."""
    header, *rows = chart.table
    assert all(isinstance(cell, str) for row in chart.table for cell in row)
    assert all(len(row) == len(header) for row in rows)


def _ticks_out_of_view(figure) -> set[int]:
    """Tick labels matplotlib keeps but does not draw, being outside the axis's limits."""
    unseen = set()
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    unseen.update({id(tick.label1), id(tick.label2)})
    return unseen
