"""The item statistics pages (for administrators and statisticians)."""

from flask import abort, render_template, request
from flask_babel import gettext as _

from question_bank.schema import LETTERS, TOPICS
from quizapp.access import roles_required
from quizapp.inputs import db_int
from quizapp.questions import bp, item_stats
from quizapp.shared.charts import FONT_FAMILY, OKABE_ITO
from quizapp.shared.paging import paging

stats_roles = roles_required("admin", "statistician")
PER_PAGE = 50


def _source() -> str:
    source = request.args.get("source", "quiz")
    return source if source in item_stats.SOURCES else "quiz"


@bp.route("/items")
@stats_roles
def items():
    source = _source()
    sort = request.args.get("sort", "flag")
    sort = sort if sort in item_stats.SORTS else "flag"
    flag = request.args.get("flag", "")
    flag = flag if flag in ("any", *item_stats.FLAGS) else ""
    topic = request.args.get("topic", "")
    topic = topic if topic in TOPICS else ""
    rows = item_stats.items_table(source, sort, flag, topic)
    where = paging(len(rows), request.args.get("page", type=db_int), PER_PAGE)
    args = {key: value for key, value in
            (("source", source), ("sort", sort), ("flag", flag), ("topic", topic)) if value}
    return render_template("questions/items.html",
                           rows=rows[where.offset:where.offset + PER_PAGE], paging=where,
                           source=source, sort=sort, flag=flag, topic=topic, args=args,
                           min_answers=item_stats.MIN_ANSWERS)


def _choice_chart(version, stat) -> dict | None:
    """The Plotly figure of the share choosing each option (right options in green, marked
    ✓). The bars are named by their letter alone, as the options above and the table below
    are, so every name fits under its bar on a phone; the option's text is in the hover."""
    if stat is None:
        return None
    if version.type == "true_false":
        texts = [_("True"), _("False")]
        letters = texts
    else:
        texts = list(version.options)
        letters = [LETTERS[i] for i in range(len(texts))]
    names = [f"{letter} ✓" if i in version.answer else letter for i, letter in enumerate(letters)]
    colours = [OKABE_ITO["bluish_green"] if i in version.answer else OKABE_ITO["blue"]
               for i in range(len(names))]
    return {
        "data": [{"type": "bar", "x": names, "y": [round(100 * s, 1)
                                                  for s in stat.choice_shares],
                  "customdata": texts, "marker": {"color": colours},
                  "hovertemplate": "%{customdata}: %{y}%<extra></extra>"}],
        "layout": {"font": {"family": FONT_FAMILY},
                   "yaxis": {"title": {"text": _("Share of answerers (%)")}, "range": [0, 100]},
                   "xaxis": {"type": "category", "tickangle": 0, "automargin": True},
                   "margin": {"t": 10, "r": 10, "b": 40, "l": 50}, "height": 260},
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
