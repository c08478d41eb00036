"""The chart foundation (quizapp/shared/charts.py, svg_charts.py, assets.py): one palette read
by colour-blind people, a CJK font stack, tables as text alternatives, static SVG without any
external reference, and the vendored Plotly bundle served small, hashed and cached."""

from __future__ import annotations

import re

from quizapp.shared import charts, svg_charts
from quizapp.shared.charts import Chart, Point, Reference, Series

# Okabe & Ito (2008): the eight colours, written out here rather than read from the module.
OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
             "#CC79A7"}
NEUTRAL = {"#ffffff", "#1b1f24", "#d9d9d9", "#595959"}

ROWS = Chart(
    key="by-sex", title="按性别", kind=charts.INTERVALS, value_label="比例",
    label_header="性别", interval_label="95%", note_label="说明",
    points=(Point("男 <b>", 0.2, 0.15, 0.25), Point("女", 0.3, 0.1, 0.5, note="⚠ 变异系数高",
                                                     flagged=True),
            Point("其他", None, note="不予公布")),
    references=(Reference("目标 17.8%", 0.178, "goal"), Reference("全市", 0.22, "overall")))
TREND = Chart(
    key="trend", title="趋势", kind=charts.TREND, value_label="比例", label_header="年份",
    series=(Series("新郑", (Point("2024", 0.19, 0.16, 0.22), Point("2026", 0.2, 0.17, 0.23))),
            Series("全国", (Point("2023", 0.1414), Point("2024", 0.1537)), "national")),
    references=(Reference("目标", 0.178, "goal"),))
BARS = Chart(key="levers", title="拉动", kind=charts.BARS, unit="pp", value_label="百分点",
             label_header="人群", points=(Point("农民", 2.34), Point("老年人", 1.2)))


def _colours(value) -> set[str]:
    found = set()
    if isinstance(value, dict):
        for v in value.values():
            found |= _colours(v)
    elif isinstance(value, list):
        for v in value:
            found |= _colours(v)
    elif isinstance(value, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        found.add(value)
    return found


def test_every_colour_is_okabe_ito_or_neutral():
    for chart in (ROWS, TREND, BARS):
        figure = charts.to_plotly(chart)
        used = _colours(figure)
        assert used and used <= OKABE_ITO | NEUTRAL, used - OKABE_ITO - NEUTRAL
        svg = svg_charts.to_svg(chart)
        assert set(re.findall(r"#[0-9a-fA-F]{6}", svg)) <= OKABE_ITO | NEUTRAL


def test_the_goal_is_dashed_and_flagged_points_hollow_not_colour_alone():
    figure = charts.to_plotly(ROWS)
    goal = [s for s in figure["layout"]["shapes"] if s["name"] == "目标 17.8%"][0]
    assert goal["line"]["dash"] == "dash" and goal["x0"] == 17.8
    hollow = [t for t in figure["data"] if t["marker"]["color"] == "#ffffff"]
    assert [t["y"] for t in hollow] == [["女"]] and hollow[0]["showlegend"] is True
    assert figure["layout"]["annotations"][0]["text"] == "不予公布"


def test_text_uses_a_cjk_font_stack_in_the_browser_and_in_svg():
    for chart in (ROWS, TREND):
        layout = charts.to_plotly(chart)["layout"]
        assert layout["font"]["family"].startswith('"Noto Sans CJK SC"')
        assert "Microsoft YaHei" in layout["font"]["family"]
        assert "PingFang SC" in layout["font"]["family"]
    assert 'font-family="&quot;Noto Sans CJK SC&quot;' in svg_charts.to_svg(ROWS)


def test_the_table_says_what_the_chart_draws():
    header, rows = ROWS.table()
    assert header == ["性别", "比例", "95%", "说明"]
    assert rows == [["男 <b>", "20.0%", "15.0% – 25.0%", ""],
                    ["女", "30.0%", "10.0% – 50.0%", "⚠ 变异系数高"],
                    ["其他", "—", "—", "不予公布"],
                    ["目标 17.8%", "17.8%", "—", ""], ["全市", "22.0%", "—", ""]]
    assert BARS.table()[1] == [["农民", "2.34"], ["老年人", "1.20"]]


def test_the_static_svg_is_escaped_and_refers_to_nothing():
    for chart in (ROWS, TREND, BARS):
        svg = svg_charts.to_svg(chart)
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        assert re.findall(r"[a-z]+://[^\s\"']+", svg) == ["http://www.w3.org/2000/svg"]
        assert "<script" not in svg and "href" not in svg
    assert "男 &lt;b&gt;" in svg_charts.to_svg(ROWS) and "<b>" not in svg_charts.to_svg(ROWS)


def test_axis_ends_are_round():
    assert svg_charts.nice_top(18.9) == (20.0, 5.0)
    assert svg_charts.nice_top(43.99) == (50.0, 10.0)
    assert svg_charts.nice_top(2.34) == (2.5, 0.5)


def test_long_row_labels_wrap_for_phones():
    assert charts.wrap_label("文化程度: 小学及以下") == "文化程度:<br>小学及以下"
    assert charts.wrap_label("新郑市·本调查（2024年）") == "新郑市·本调查<br>（2024年）"
    assert charts.wrap_label("女") == "女"


def test_the_bundle_is_the_small_one_hashed_cached_and_compressed(client):
    from quizapp.shared.assets import PLOTLY_BUNDLE

    old = client.get("/assets/plotly.min.js")
    assert old.status_code == 302
    url = old.headers["Location"]
    assert re.fullmatch(r"/static/vendor/plotly/plotly-cartesian\.min\.js\?v=[0-9a-f]{12}", url)
    assert PLOTLY_BUNDLE in url
    response = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    body = response.data
    response.close()  # a static file is streamed from an open file
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert len(body) < 600_000, "the cartesian bundle, not the full 4.8 MB build"


HEAT = Chart(key="cover", title="覆盖", kind=charts.HEATMAP, value_label="题数",
             label_header="主题", grid=charts.Grid(("健康", "农业"), ("青少年", "领导干部和公务员"),
                                                 ((3, 0), (None, 12))))
SCATTER = Chart(key="items", title="难度", kind=charts.SCATTER, value_label="区分度", unit="pp",
                x_label="答对率", label_header="题目", note_label="说明",
                points=(Point("h-1", 0.42, x=0.75), Point("h-2", -0.1, x=0.5, flagged=True,
                                                          note="作答少于 20 次")),
                references=(Reference("中等", 0.55, "other", axis="x"),),
                extra={"flagged_label": "作答少于 20 次"})
CLASSES = Chart(key="classes", title="参与率", kind=charts.TREND, value_label="参与率",
                x_type="category",
                series=(Series("1班", (Point("2025-05-03", 0.1),), "series-0"),
                        Series("2班", (Point("2025-05-01", 0.2), Point("2025-05-03", 0.3)),
                               "series-1"),
                        Series("全校", (Point("2025-05-01", 0.2),), "overall")))


def test_heat_maps_scatters_and_class_series_keep_the_palette():
    for chart in (HEAT, SCATTER, CLASSES):
        used = _colours(charts.to_plotly(chart))
        assert used and used <= OKABE_ITO | NEUTRAL, used - OKABE_ITO - NEUTRAL
    lines = charts.to_plotly(CLASSES)["data"]
    assert [t["line"]["color"] for t in lines] == ["#E69F00", "#009E73", "#56B4E9"]
    assert [t["marker"]["symbol"] for t in lines] == ["circle", "square", "circle"]
    assert charts.to_plotly(CLASSES)["layout"]["xaxis"]["categoryorder"] == "category ascending"


def test_heat_map_and_scatter_figures_and_tables():
    heat = charts.to_plotly(HEAT)["data"][0]
    assert heat["z"] == [[3, 0], [None, 12]] and heat["texttemplate"] == "%{z}"
    assert HEAT.table() == (["主题", "青少年", "领导干部和公务员"],
                            [["健康", "3", "0"], ["农业", "—", "12"]])
    figure = charts.to_plotly(SCATTER)
    solid, hollow = figure["data"]
    assert (solid["x"], solid["y"], solid["text"]) == ([75.0], [0.42], ["h-1"])
    assert hollow["marker"]["color"] == "#ffffff" and hollow["name"] == "作答少于 20 次"
    assert figure["layout"]["shapes"][0]["x0"] == 55.0
    assert SCATTER.table()[1] == [["h-1", "75.0%", "0.42", ""],
                                  ["h-2", "50.0%", "-0.10", "作答少于 20 次"]]


def test_column_labels_wrap_for_phones():
    assert charts.wrap_words("产业工人") == "产业<br>工人"
    assert charts.wrap_words("青少年") == "青少年"
    assert charts.wrap_words("Farmers") == "Farmers"
    assert charts.wrap_words("Officials and civil servants") == \
        "Officials<br>and civil<br>servants"
