"""Figures as plain dicts, with the part of plotly's graph-object API the builders use.

plotly.py's graph objects validate every property as it is set (`go.Figure`,
`go.Bar`, `update_layout`, `add_hline` …): on the 1M demo that was more than
half of a chart callback's time, several times DuckDB's scan of the rows
(README, *Against the floor of the stack*). The builders import this module as
`go` and keep their code: `Figure`, `Bar`, `Scatter`, `Heatmap`, `Contour` build the same
dicts plotly would send (the figure JSON is the same, key order aside:
`tests/test_figures_lite.py`), without the validators.

What plotly does to values on the way in is done here too, so the browser and
the exports get what they got before: `marker_line_width=0` style names are
expanded into nested parts (also inside dicts), a title given as a string
becomes `{"text": …}`, pandas and numpy arrays become read-only numpy arrays
(as plotly's data-array validator makes them, sent as typed arrays) and numpy scalars
Python numbers,
lists of shapes or annotations are merged element by element on update, and
the default template (`dashboard.theme`'s) is put in the layout when the
figure is serialised. Reading a part works as on plotly's objects: `fig.data[0].x`,
`fig.layout.xaxis.range`, a property never set reads as None, a list as a tuple.
Nothing here checks property names: a misspelt one reaches plotly.js, which
ignores it; the figure tests and the exports' renders are what catch it.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from _plotly_utils.basevalidators import copy_to_readonly_numpy_array, is_homogeneous_array
from _plotly_utils.utils import convert_to_base64

_ARRAYS = frozenset({"shapes", "annotations", "images", "sliders", "updatemenus", "selections"})
_AXIS = re.compile(r"^([xy])axis\d*$")
_ERROR_PART = re.compile(r"^error_[xyz]")
_TEXTS = frozenset({"text", "hovertext", "hovertemplate", "texttemplate"})   # numbers in them sent as floats, as plotly does


def _path(key: str) -> list[str]:
    """`marker_line_width` -> ['marker', 'line', 'width'] (error_x, error_y stay whole), as plotly reads names."""
    if "_" not in key:
        return [key]
    parts, rest = [], key
    while rest:
        m = _ERROR_PART.match(rest)
        if m:
            head, rest = m.group(0), rest[m.end():].removeprefix("_")
        else:
            head, _, rest = rest.partition("_")
        parts.append(head)
    return parts


def _value(key: str, value):
    """A value as plotly keeps it."""
    if type(value) in _PLAIN and key != "title":   # most values: each element of a list comes here
        return value
    if hasattr(value, "to_plotly_json") and not isinstance(value, Props):
        value = value.to_plotly_json()
    if isinstance(value, dict):
        return _props(value)
    if key == "title" and isinstance(value, str):
        return Props(text=value)
    if isinstance(value, (list, tuple)):
        return [_value("", v) for v in value]
    if is_homogeneous_array(value):
        return _readonly(value, key)
    if hasattr(value, "item") and type(value).__module__ == "numpy":
        return value.item()
    return value


def _readonly(value, key: str):
    """plotly's read-only copy of an array. A plain numeric one (numpy, or pandas of a numpy dtype) is
    copied here as plotly copies it: plotly's own path first hands every array to narwhals, which
    cost 0.1–0.3 ms an array, more than the rest of a small chart's trace."""
    if key not in _TEXTS:
        if isinstance(value, (pd.Series, pd.Index)) and isinstance(value.dtype, np.dtype):
            value = value.to_numpy()
        if isinstance(value, np.ndarray) and value.dtype.kind in _NUMERIC:
            out = np.ascontiguousarray(value.copy())
            out.flags["WRITEABLE"] = False
            return out
    return copy_to_readonly_numpy_array(value, kind="U" if key in _TEXTS else None)


_NUMERIC = frozenset("uif")
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _props(src: dict) -> "Props":
    out = Props()
    _merge(out, src, replace=True)
    return out


def _merge(target: "Props", src: dict, replace: bool = False) -> None:
    """plotly's `update`: nested parts merged, lists of parts merged element by element."""
    for key, value in src.items():
        path = _path(key)
        node = target
        for part in path[:-1]:
            child = dict.get(node, part)
            if not isinstance(child, Props):
                child = Props()
                dict.__setitem__(node, part, child)
            node = child
        name = path[-1]
        old = dict.get(node, name)
        if not replace and isinstance(old, Props) and isinstance(value, dict):
            _merge(old, value)
        elif (not replace and name in _ARRAYS and old and isinstance(value, (list, tuple))):
            for item, new in zip(old, value):
                _merge(item, new.to_plotly_json() if hasattr(new, "to_plotly_json") else new)
            old.extend(_value("", v) for v in value[len(old):])
        else:
            dict.__setitem__(node, name, _value(name, value))


def _plain(value):
    """A deep copy as plain dicts and lists (numpy arrays are read-only, so shared)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class Props(dict):
    """One part of a figure (a trace, the layout, an axis, a shape …): a dict whose keys read as
    attributes, as plotly's objects do: unset -> None (an unset list of parts -> ()), a list -> a tuple."""

    __slots__ = ()

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        value = self.get(name)
        if value is None:
            if name in _ARRAYS:
                return ()
            return _Unset(self, name) if name in _PARTS or _AXIS.match(name) else None
        return tuple(value) if isinstance(value, list) else value

    def __setattr__(self, name: str, value) -> None:
        _merge(self, {name: value}, replace=True)

    def update(self, dict1=None, **kwargs) -> "Props":
        _merge(self, {**(dict1 or {}), **kwargs})
        return self

    def to_plotly_json(self) -> dict:
        return _plain(self)


_PARTS = frozenset({"title", "legend", "font", "margin", "marker", "line", "hoverlabel", "error_x", "error_y",
                    "colorbar", "pattern", "textfont", "insidetextfont", "outsidetextfont", "uniformtext"})


class _Unset(Props):
    """A part never set reads as an empty one (`fig.layout.xaxis.range` is None, not an error), and
    setting something in it puts it in its owner, as on plotly's objects
    (`fig.layout.legend.orientation = "h"`); merely reading it adds nothing."""

    __slots__ = ("_owner", "_key")

    def __init__(self, owner: dict, key: str):
        super().__init__()
        object.__setattr__(self, "_owner", owner)
        object.__setattr__(self, "_key", key)

    def _attach(self) -> None:
        owner = self._owner
        if owner is None:
            return
        object.__setattr__(self, "_owner", None)
        dict.setdefault(owner, self._key, self)
        if isinstance(owner, _Unset):
            owner._attach()

    def __setattr__(self, name: str, value) -> None:
        super().__setattr__(name, value)
        self._attach()

    def update(self, dict1=None, **kwargs) -> "Props":
        super().update(dict1, **kwargs)
        self._attach()
        return self


def _trace(kind: str, kwargs: dict) -> Props:
    trace = _props({k: v for k, v in kwargs.items() if v is not None})
    dict.__setitem__(trace, "type", kind)
    return trace


def Bar(arg=None, **kwargs) -> Props:
    return _trace("bar", {**(arg or {}), **kwargs})


def Scatter(arg=None, **kwargs) -> Props:
    return _trace("scatter", {**(arg or {}), **kwargs})


def Heatmap(arg=None, **kwargs) -> Props:
    return _trace("heatmap", {**(arg or {}), **kwargs})


def Contour(arg=None, **kwargs) -> Props:
    return _trace("contour", {**(arg or {}), **kwargs})


def _template_json() -> dict | None:
    import plotly.io as pio

    name = pio.templates.default
    if name is None:
        return None
    template = pio.templates[name]
    cached = _TEMPLATES.get(name)
    if cached is None or cached[0] is not template:
        cached = _TEMPLATES[name] = (template, template.to_plotly_json())
    return cached[1]


_TEMPLATES: dict[str, tuple] = {}


class Figure:
    """A figure built as dicts: `data` (a tuple of traces) and `layout`, with `add_trace`,
    `add_bar`, `add_scatter`, `add_annotation`, `add_hline`, `add_vline`, `update_layout`,
    `update_traces`, `update_xaxes`, `update_yaxes` and `to_plotly_json` as plotly's."""

    def __init__(self, data=None, layout=None, **kwargs):
        if hasattr(data, "to_plotly_json") and not isinstance(data, Props):
            data = data.to_plotly_json()
        if isinstance(data, dict) and ("data" in data or "layout" in data):
            data, layout = data.get("data"), data.get("layout") if layout is None else layout
        if isinstance(data, dict):
            data = [data]
        self._data: list[Props] = []
        self._layout = Props()
        for trace in data or ():
            self.add_trace(trace)
        if layout is not None:
            self.update_layout(layout.to_plotly_json() if hasattr(layout, "to_plotly_json") else layout)

    @property
    def data(self) -> tuple:
        return tuple(self._data)

    @data.setter
    def data(self, traces) -> None:
        self._data = []
        for trace in traces:
            self.add_trace(trace)

    @property
    def layout(self) -> Props:
        return self._layout

    def add_trace(self, trace) -> "Figure":
        if hasattr(trace, "to_plotly_json") and not isinstance(trace, Props):
            trace = trace.to_plotly_json()
        trace = trace if isinstance(trace, Props) else _props(trace)
        if "type" not in trace:
            dict.__setitem__(trace, "type", "scatter")
        self._data.append(trace)
        return self

    def add_traces(self, traces) -> "Figure":
        for trace in traces:
            self.add_trace(trace)
        return self

    def add_bar(self, **kwargs) -> "Figure":
        return self.add_trace(Bar(**kwargs))

    def add_scatter(self, **kwargs) -> "Figure":
        return self.add_trace(Scatter(**kwargs))

    def add_heatmap(self, **kwargs) -> "Figure":
        return self.add_trace(Heatmap(**kwargs))

    def update_layout(self, dict1=None, overwrite: bool = False, **kwargs) -> "Figure":
        changes = {**(dict1.to_plotly_json() if hasattr(dict1, "to_plotly_json") else dict1 or {}), **kwargs}
        _merge(self._layout, changes, replace=overwrite)
        return self

    def update_traces(self, patch=None, selector=None, **kwargs) -> "Figure":
        for trace in self._data:
            if selector is None or all(trace.get(k) == v for k, v in selector.items()):
                _merge(trace, {**(patch or {}), **kwargs})
        return self

    def for_each_trace(self, fn) -> "Figure":
        for trace in self._data:
            fn(trace)
        return self

    def _update_axes(self, letter: str, patch, kwargs) -> "Figure":
        names = [k for k in self._layout if (m := _AXIS.match(k)) and m.group(1) == letter] or [f"{letter}axis"]
        for name in names:
            _merge(self._layout, {name: {**(patch or {}), **kwargs}})
        return self

    def update_xaxes(self, patch=None, **kwargs) -> "Figure":
        return self._update_axes("x", patch, kwargs)

    def update_yaxes(self, patch=None, **kwargs) -> "Figure":
        return self._update_axes("y", patch, kwargs)

    def add_annotation(self, arg=None, **kwargs) -> "Figure":
        self._layout.setdefault("annotations", []).append(_props({**(arg or {}), **kwargs}))
        return self

    def add_shape(self, arg=None, **kwargs) -> "Figure":
        self._layout.setdefault("shapes", []).append(_props({**(arg or {}), **kwargs}))
        return self

    def _spanning_line(self, shape: dict, kwargs: dict, anchor: dict) -> "Figure":
        """add_hline / add_vline on a figure of one plot: the line across the plot's domain and its
        caption (`annotation_text`, `annotation_position`, `annotation_font` …) as plotly places it."""
        notes = {k.removeprefix("annotation_"): kwargs.pop(k) for k in list(kwargs) if k.startswith("annotation")}
        annotation = notes.pop("annotation", None) or {}
        position = notes.pop("position", None)
        self.add_shape({**shape, **kwargs})
        if notes or annotation:
            if position not in anchor:
                raise ValueError(f"annotation_position {position!r} is not drawn by dashboard.figures.lite "
                                 f"(one of {', '.join(map(str, anchor))})")
            self.add_annotation({**anchor[position], "showarrow": False, **annotation, **notes})
        return self

    def add_hline(self, y, **kwargs) -> "Figure":
        at = {"xref": "x domain", "y": y, "yref": "y"}
        return self._spanning_line(
            {"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": y, "y1": y, "yref": "y"}, kwargs,
            {"bottom right": {**at, "x": 1, "xanchor": "right", "yanchor": "top"},
             "top right": {**at, "x": 1, "xanchor": "right", "yanchor": "bottom"},
             "right": {**at, "x": 1, "xanchor": "left", "yanchor": "middle"},
             None: {**at, "x": 1, "xanchor": "right", "yanchor": "bottom"}})

    def add_vline(self, x, **kwargs) -> "Figure":
        at = {"x": x, "xref": "x", "yref": "y domain", "y": 1}
        return self._spanning_line(
            {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"}, kwargs,
            {"top right": {**at, "xanchor": "left", "yanchor": "top"},
             None: {**at, "xanchor": "left", "yanchor": "top"}})

    def to_plotly_json(self) -> dict:
        layout = {k: v for k, v in _plain(self._layout).items() if not (k in _ARRAYS and v == [])}   # as plotly: no empty lists of parts
        if layout.get("template") is None:
            template = _template_json()
            if template is not None:
                layout["template"] = _plain(template)
        figure = {"data": [_plain(trace) for trace in self._data], "layout": layout}
        convert_to_base64(figure)   # numpy arrays as typed arrays, as plotly sends them
        return figure

    to_dict = to_plotly_json

    def to_json(self, **kwargs) -> str:
        from plotly.io.json import to_json_plotly

        return to_json_plotly(self.to_plotly_json(), **kwargs)

    def __repr__(self) -> str:
        return f"lite.Figure({len(self._data)} traces)"
