"""The item statistics pages (for administrators and statisticians)."""

from flask import abort, render_template, request
from flask_babel import gettext as _

from question_bank.schema import LETTERS
from quizapp.access import roles_required
from quizapp.questions import bp, item_stats
from quizapp.shared.charts import FONT_FAMILY, OKABE_ITO

stats_roles = roles_required("admin", "statistician")


def _source() -> str:
    source = request.args.get("source", "quiz")
    return source if source in item_stats.SOURCES else "quiz"


@bp.route("/items")
@stats_roles
def items():
    source = _source()
    sort = request.args.get("sort", "flag")
    sort = sort if sort in item_stats.SORTS else "flag"
    return render_template("questions/items.html", rows=item_stats.items_table(source, sort),
                           source=source, sort=sort, min_answers=item_stats.MIN_ANSWERS)


def _choice_chart(version, stat) -> dict | None:
    """The Plotly figure of the share choosing each option (right options in green)."""
    if stat is None:
        return None
    if version.type == "true_false":
        labels = [_("True"), _("False")]
    else:
        labels = [f"{LETTERS[i]}. {text[:20]}" for i, text in enumerate(version.options)]
    colours = [OKABE_ITO["bluish_green"] if i in version.answer else OKABE_ITO["blue"]
               for i in range(len(labels))]
    return {
        "data": [{"type": "bar", "x": labels, "y": [round(100 * s, 1)
                                                   for s in stat.choice_shares],
                  "marker": {"color": colours},
                  "hovertemplate": "%{x}: %{y}%<extra></extra>"}],
        "layout": {"font": {"family": FONT_FAMILY},
                   "yaxis": {"title": {"text": _("Share of answerers (%)")}, "range": [0, 100]},
                   "margin": {"t": 10, "r": 10, "b": 80, "l": 50}, "height": 320},
    }


@bp.route("/items/<int:version_id>")
@stats_roles
def item(version_id: int):
    source = _source()
    version, stat = item_stats.item_detail(version_id, source)
    if version is None:
        abort(404)
    return render_template("questions/item.html", version=version, stat=stat, source=source,
                           chart=_choice_chart(version, stat),
                           min_answers=item_stats.MIN_ANSWERS, letters=LETTERS)
