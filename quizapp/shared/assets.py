"""Third-party browser assets served by the app itself, never from a CDN (the pages must work
on networks that cannot reach one).

Plotly is vendored: plotly.js's *cartesian* partial bundle (bar, scatter with error bars,
heatmap, histogram, box, pie), about a third of the full build, in
``static/vendor/plotly/`` with its licence; ``make vendor-plotly`` (``scripts/fetch_plotly.sh``)
fetches it again from the npm registry at the pinned version and checks its integrity.  It is
a static file, so its URL carries its content hash and is cached for a year, and it is sent
compressed (``static_files.py``, ``compression.py``).  Only pages that draw charts load it
(``templates/_charts.html``: ``chart_scripts()``).
"""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, url_for

from quizapp.access import public
from quizapp.shared.charts import to_plotly

PLOTLY_BUNDLE = "vendor/plotly/plotly-cartesian.min.js"

bp = Blueprint("assets", __name__)


@bp.route("/plotly.min.js")
@public  # a public library; the data are on the pages, not in it
def plotly_js():
    """The old address of the chart bundle: the vendored file at its hashed URL."""
    return redirect(url_for("static", filename=PLOTLY_BUNDLE), code=302)


def register(app: Flask) -> None:
    """What chart templates need: the bundle's static path and :func:`to_plotly`."""
    app.add_template_global(PLOTLY_BUNDLE, "chart_bundle")
    app.add_template_global(to_plotly, "plotly_figure")
