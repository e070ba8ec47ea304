"""One look for every chart: police-blue palette, CJK fonts, number formats.

`TEMPLATE` is registered with Plotly as "tpd" and made the default. Every
recorded category has one fixed colour (`color_of`), assigned from the
record types' enum order, so 盗窃 is the same red on every chart and in every
export. Fonts name the CJK families a bureau PC or our server has; the
server renders with Noto Sans CJK (Debian's fonts-noto-cjk).
"""
from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from warehouse import record_types as rtypes

FONT_FAMILY = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", '
               '"PingFang SC", "WenQuanYi Micro Hei", sans-serif')
POLICE_BLUE = "#1f4e8c"
INK = "#1d2733"
MUTED = "#6b7785"
GRID = "#e3e8ef"
PEAK_BAND = "rgba(214, 158, 46, 0.13)"
RAG = {"green": "#2e7d4f", "amber": "#c98a14", "red": "#b83227", "none": "#8a94a3"}
GREY_OUT = "#c5ccd6"

# A restrained qualitative palette led by police blue; distinguishable in print.
PALETTE = ("#1f4e8c", "#4f9bd9", "#2e7d4f", "#c98a14", "#b83227", "#7a5ba6",
           "#2a9d9a", "#8c6d46", "#d0648a", "#5b6b7d", "#94b447", "#e07b39")

_DOMAINS = (
    rtypes.INCIDENT_CATEGORIES, rtypes.INCIDENT_SOURCES, rtypes.CASE_TYPES, rtypes.DISPUTE_TYPES,
    rtypes.MEDIATION_RESULTS, rtypes.SERVICE_TYPES, rtypes.ACTION_TYPES, rtypes.SURVEY_CHANNELS,
    rtypes.RESPONDENT_TYPES, rtypes.PERSON_TYPES, rtypes.POST_TYPES, rtypes.TEAM_TYPES,
    rtypes.DEPLOY_MODES, rtypes.SEASONS, rtypes.NOMINATED_BY, rtypes.OUTCOMES, rtypes.VOTE_CHANNELS,
    rtypes.UNIT_LEVELS,
)
CATEGORY_COLORS: dict[str, str] = {}
for _domain in _DOMAINS:
    for _i, _value in enumerate(_domain):
        CATEGORY_COLORS.setdefault(_value, PALETTE[_i % len(PALETTE)])
# Meaningful colours where the value carries a judgement.
CATEGORY_COLORS.update({
    rtypes.MEDIATED: RAG["green"], rtypes.NOT_MEDIATED: RAG["red"], rtypes.MEDIATING: MUTED,
    rtypes.REFERRED: "#4f9bd9",
    rtypes.SELECTED: RAG["green"], rtypes.SHORTLISTED: "#4f9bd9", rtypes.NOT_SELECTED: GREY_OUT,
    rtypes.CANDIDATE: MUTED,
    rtypes.PEAK: RAG["amber"], rtypes.OFF_PEAK: "#4f9bd9", rtypes.FULLTIME_POLICE: POLICE_BLUE,
    rtypes.PARTTIME_POLICE: "#4f9bd9", rtypes.AUXILIARY_POLICE: "#8c6d46", rtypes.NO_CASE: GREY_OUT,
})
# Five-point answers: red through grey to blue (diverging).
LIKERT_COLORS = {1: "#b83227", 2: "#e38b7f", 3: "#c5ccd6", 4: "#7fb0e0", 5: "#1f4e8c"}


def color_of(value: str, fallback_index: int = 0) -> str:
    """The fixed colour of a recorded category; codes (units, areas) hash to the palette."""
    if value in CATEGORY_COLORS:
        return CATEGORY_COLORS[value]
    if value is None:
        return GREY_OUT
    return PALETTE[(sum(map(ord, str(value))) + fallback_index) % len(PALETTE)]


def colors_for(values) -> list[str]:
    return [color_of(v) for v in values]


FORMATS = {"count": ",d", "rate": ".1%", "yuan": ",.0f", "minutes": ".1f", "score": ".2f", "per10k": ".2f"}

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT_FAMILY, size=14, color=INK),
        title=dict(font=dict(size=17, color=INK), x=0.01, xanchor="left"),
        colorway=list(PALETTE),
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=56, r=20, t=48, b=44),
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=13)),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0,
                    font=dict(size=12), title_text=""),
        xaxis=dict(showgrid=False, linecolor=GRID, ticks="outside", tickcolor=GRID, automargin=True,
                   title=dict(standoff=8)),
        yaxis=dict(gridcolor=GRID, zerolinecolor=GRID, automargin=True, separatethousands=True,
                   title=dict(standoff=8)),
        separators=".,",
        bargap=0.25,
    ),
)
pio.templates["tpd"] = TEMPLATE
pio.templates.default = "tpd"

GRAPH_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
}


def graph_config(lang: str, filename: str) -> dict:
    """dcc.Graph config: Plotly's own controls in Chinese, a readable download name."""
    return {**GRAPH_CONFIG, "locale": "zh-CN" if lang == "zh" else "en",
            "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2}}
