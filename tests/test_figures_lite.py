"""The dict-built figures (dashboard/figures/lite.py) send what plotly's graph objects sent.

Each test builds one figure both ways, with the same calls, and compares the JSON
the browser gets (plotly's own encoder, as Dash uses it; key order aside).
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as real
from plotly.io.json import to_json_plotly

import dashboard.theme  # noqa: F401  (registers the default template both figures carry)
from dashboard.figures import lite


def sent(fig) -> dict:
    return json.loads(to_json_plotly(fig))


def both(build) -> tuple[dict, dict]:
    return sent(build(real)), sent(build(lite))


def test_nested_names_with_underscores_are_expanded_as_plotly_does():
    def build(go):
        fig = go.Figure(go.Bar(x=[1, 2], y=[3, 4], marker_line_width=0, error_y=dict(array=[1, 1])))
        fig.update_layout(shapes=[dict(type="rect", x0=0, x1=1, y0=0, y1=1, line_width=0)], xaxis_title_text="x")
        return fig
    old, new = both(build)
    assert new == old and new["layout"]["shapes"][0]["line"] == {"width": 0}


def test_a_title_given_as_text_becomes_a_title_part():
    old, new = both(lambda go: go.Figure(layout=dict(title="标题", xaxis=dict(title="月"))))
    assert new == old and new["layout"]["xaxis"]["title"] == {"text": "月"}


def test_pandas_and_numpy_arrays_are_sent_as_typed_arrays():
    days = pd.Series(pd.to_datetime(["2026-01-05", "2026-01-12"]))
    old, new = both(lambda go: go.Figure(go.Scatter(x=days, y=pd.Series([1, 2]), customdata=np.array([[1.5, 2], [3, 4]]),
                                                    text=pd.Series([6, 5]), hovertext=["a", "b"])))
    assert new == old and "bdata" in new["data"][0]["y"]


def test_update_layout_merges_parts_and_lists_of_parts():
    def build(go):
        fig = go.Figure(layout=dict(xaxis=dict(range=[0, 1]), annotations=[dict(text="a", x=0, y=0)]))
        fig.update_layout(xaxis=dict(tickformat=",d"), height=300)
        fig.update_layout(annotations=list(fig.layout.annotations) + [dict(text="b", x=1, y=1)])
        return fig
    old, new = both(build)
    assert new == old and [a["text"] for a in new["layout"]["annotations"]] == ["a", "b"]


def test_an_empty_list_of_shapes_is_not_sent():
    old, new = both(lambda go: go.Figure(layout=dict(height=200)).update_layout(shapes=[], annotations=[]))
    assert new == old and "shapes" not in new["layout"]


def test_reference_lines_and_their_captions_are_placed_as_plotly_places_them():
    def build(go):
        fig = go.Figure(go.Scatter(x=[1, 2], y=[0.8, 0.9]))
        fig.add_hline(y=0.9, line=dict(color="#888", width=1, dash="dot"), annotation_text="目标 90%",
                      annotation_position="bottom right", annotation_font=dict(size=11, color="#888"))
        fig.add_vline(x=1.5, line=dict(color="red", width=2, dash="dash"))
        fig.add_annotation(text="注", x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False)
        return fig
    old, new = both(build)
    assert new == old and len(new["layout"]["shapes"]) == 2


def test_a_reference_lines_caption_at_the_right_sits_past_the_plots_end_as_plotly_places_it():
    def build(go):
        fig = go.Figure(go.Scatter(x=[1, 2], y=[0.8, 0.9]))
        fig.add_hline(y=0.9, line=dict(color="#888", width=1, dash="dot"), annotation_text="目标 90%",
                      annotation_position="right", annotation_font=dict(size=11, color="#888"))
        return fig
    old, new = both(build)
    assert new == old
    [caption] = new["layout"]["annotations"]
    assert (caption["x"], caption["xanchor"], caption["xref"]) == (1, "left", "x domain")


def test_the_default_template_is_carried_as_plotly_carries_it():
    old, new = both(lambda go: go.Figure())
    assert new == old and new["layout"]["template"]


def test_parts_read_as_plotly_objects_read():
    fig = lite.Figure(data=[lite.Bar(x=[1, 2], y=[3, 4])], layout=dict(height=300))
    fig.data[0].width = 5
    assert fig.data[0].type == "bar" and fig.data[0].x == (1, 2) and fig.data[0].name is None
    assert fig.layout.height == 300 and fig.layout.shapes == () and fig.layout.xaxis.range is None
    assert sent(fig)["data"][0]["width"] == 5


def test_serialising_a_figure_leaves_it_unchanged():
    fig = lite.Figure(lite.Bar(x=[1], y=[2]), layout=dict(height=300))
    spec = fig.to_plotly_json()
    spec["layout"]["height"] = 1080
    spec["data"][0]["x"].append(9)
    assert fig.layout.height == 300 and fig.data[0].x == (1,)


def test_setting_a_property_of_a_part_never_set_puts_the_part_in_the_figure():
    def build(go):
        fig = go.Figure(go.Scatter(x=[1], y=[2]))
        fig.layout.legend.orientation = "h"
        fig.layout.xaxis.title.text = "月"
        assert fig.layout.yaxis.range is None   # reading adds nothing
        return fig
    old, new = both(build)
    assert new == old and new["layout"]["xaxis"] == {"title": {"text": "月"}} and "yaxis" not in new["layout"]


def test_numeric_arrays_are_copied_read_only_as_plotly_copies_them():
    from _plotly_utils.basevalidators import copy_to_readonly_numpy_array

    values = [pd.Series([0.25, np.nan, 0.75]), pd.Series([3, 1, 2], dtype="int64"), np.array([1, 2], dtype="uint8"),
              pd.Index([1.5, 2.5]), pd.Series([True, False]), pd.Series(pd.to_datetime(["2026-01-05", "2026-01-12"]))]
    for value in values:
        mine, plotly = lite._readonly(value, "x"), copy_to_readonly_numpy_array(value)
        assert mine.dtype == plotly.dtype and not mine.flags["WRITEABLE"]
        np.testing.assert_array_equal(mine, plotly)
    old, new = both(lambda go: go.Figure(go.Bar(x=pd.Series([3, 1, 2]), y=np.array([0.5, 0.25, 0.125]),
                                                text=pd.Series([1.5, 2.5, 3.5]))))
    assert new == old
