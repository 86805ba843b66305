"""Statistics charts as SVG images, drawn on the server with pygal.

pygal's own output carries an inline ``<script>`` (its tooltips) and a CDN link, which the
gateway's Content-Security-Policy refuses and which nobody needs: the charts are served as
separate ``image/svg+xml`` responses shown with ``<img>`` (a browser never runs scripts in an
image), the scripts are removed anyway, and every chart has its numbers in a table beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pygal
from lxml import etree
from pygal.style import Style

from punchout.services.statistics import Statistics

SVG_NS = "http://www.w3.org/2000/svg"
#: The pages' own colours: brand blue, the verdicts' green and amber, a grey.
STYLE = Style(background="#ffffff", plot_background="#ffffff", foreground="#1d2733",
              foreground_strong="#1d2733", foreground_subtle="#5f6b7a",
              colors=("#0b5cab", "#067647", "#b54708", "#5f6b7a"),
              font_family="system-ui, sans-serif", title_font_size=16, label_font_size=12,
              major_label_font_size=12, legend_font_size=13, value_font_size=11)


def _config(title: str) -> dict[str, object]:
    return {"title": title, "style": STYLE, "js": [], "width": 720, "height": 380,
            "legend_at_bottom": True, "print_values": False, "x_label_rotation": 0,
            "truncate_label": 28, "disable_xml_declaration": True}


def _svg(chart: pygal.graph.graph.Graph) -> bytes:
    """The chart without scripts or external references."""
    tree = chart.render_tree()
    root = tree if isinstance(tree, etree._Element) else etree.fromstring(
        chart.render(is_unicode=False))
    for script in root.iter(f"{{{SVG_NS}}}script", "script"):
        script.getparent().remove(script)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def amounts_chart(stats: Statistics, *, title: str, series: dict[str, str],
                  value: Callable[[Decimal], str]) -> bytes:
    """Grouped bars per row: requested, ordered and on agreement (``series`` names them)."""
    chart = pygal.Bar(**_config(title), value_formatter=lambda v: value(Decimal(str(v))))
    chart.x_labels = [row.label or "–" for row in stats.rows]
    for name, label in series.items():
        chart.add(label, [float(row.amounts[name]) for row in stats.rows])
    return _svg(chart)


def ratio_chart(stats: Statistics, *, title: str, label: str,
                value: Callable[[Decimal], str]) -> bytes:
    """Avtalstrohet per row, 0–100 %."""
    chart = pygal.HorizontalBar(**_config(title), range=(0, 100), show_legend=False,
                                value_formatter=lambda v: value(Decimal(str(v)) / 100))
    chart.x_labels = [row.label or "–" for row in stats.rows]
    chart.add(label, [None if row.avtalstrohet is None else float(row.avtalstrohet * 100)
                      for row in stats.rows])
    return _svg(chart)
