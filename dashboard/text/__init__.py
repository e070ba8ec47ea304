"""The UI text catalog: every string a person reads, in Chinese and English.

One catalog, kept in one module per page so that pages can grow without
colliding; `t(key, lang)` looks a key up across all of them. Metric labels
come from the metrics catalog, enum values are shown as recorded (Chinese)
with an English gloss from `VALUES` when the UI is in English.
"""
from __future__ import annotations

from dashboard.text import (auth, briefing, common, data, definitions, exports, geo, incidents, mediation,
                            nominations, overview, satisfaction, staffing, subscriptions)

LANGS = ("zh", "en")
TEXT: dict[str, tuple[str, str]] = {}
for _module in (common, overview, briefing, staffing, geo, incidents, mediation, satisfaction, nominations, data,
                exports, auth, subscriptions, definitions):
    _clash = TEXT.keys() & _module.TEXT.keys()
    assert not _clash, f"text keys defined twice: {_clash}"
    TEXT.update(_module.TEXT)


def t(key: str, lang: str = "zh", **values) -> str:
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def value_label(value, lang: str = "zh") -> str:
    """An enum value (stored in Chinese) as the person reads it."""
    if value is None:
        return t("common.none", lang)
    if lang == "en":
        return common.VALUES.get(str(value), str(value))
    return str(value)


def unit_with_kind(name: str, level: str | None, lang: str = "zh") -> str:
    """A unit's name as it is (names are never translated); in English followed by what kind of
    unit it is, which the product can say: 云岚市公安局旅游警察支队 (tourism police detachment)."""
    if lang != "en" or not level or level not in common.VALUES:
        return name
    return f"{name} ({common.VALUES[level].lower()})"
