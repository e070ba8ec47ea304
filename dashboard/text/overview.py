"""UI text of the Overview page: key -> (中文, English)."""

TEXT: dict[str, tuple[str, str]] = {
    "overview.trend": ("近12周警情与处置不过夜率", "Incidents and same-day closure, last 12 weeks"),
    "overview.alerts": ("异常提醒", "Alerts"),
    "overview.no_alerts": ("本期各项周指标均在近12周正常波动范围内。",
                           "Every weekly figure is within its normal 12-week range."),
    "overview.alert_text": ("{week} 当周为 {value}，近12周均值 {baseline}，{direction} {z} 个标准差",
                            "week of {week}: {value} against a 12-week mean of {baseline}, {z} SD {direction}"),
    "overview.up": ("高出", "above"),
    "overview.down": ("低于", "below"),
    "overview.lagging_units": ("单位排名（落后在前）", "Units, lagging first"),
    "overview.lagging_areas": ("景区排名（落后在前）", "Scenic areas, lagging first"),
    "overview.own_level": ("（本级直属/未填单位）", "(own records / no unit)"),
    "overview.click_to_drill": ("点击一行可下钻到该单位或景区。", "Click a row to drill into it."),
}
