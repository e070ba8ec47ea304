"""UI text of the map page (警力与人流地图): key -> (中文, English)."""

TEXT: dict[str, tuple[str, str]] = {
    "map.map": ("警力与人流地图", "Police, crowds and incidents on the map"),
    "map.map_hint": ("圆点为景区（大小：{size}；颜色：{figure}），方块为警务室、菱形为服务点/站（实心为规范化），"
                     "底色为本期警情密度（无坐标的警情计在其景区位置）；点击景区可下钻。坐标系 WGS-84/CGCS2000。",
                     "Circles are scenic areas (size: {size}; colour: {figure}); squares are police rooms and diamonds "
                     "service points (filled: standardized); the shading is the period's incident density "
                     "(an incident without coordinates counts at its area's point). Click an area to drill into it. "
                     "Datum WGS-84/CGCS2000."),
    "map.export_note": ("坐标系 WGS-84/CGCS2000，经纬度按本地等距投影绘制。",
                        "Datum WGS-84/CGCS2000, longitude and latitude in a local equirectangular projection."),
    "map.color_label": ("颜色", "Colour"),
    "map.size_label": ("大小", "Size"),
    "map.unplaced": ("未标注位置（无坐标且无景区坐标）：{areas} 个景区、{posts} 个点位、{incidents} 起警情；"
                     "以景区位置代替自身坐标：{posts_at_area} 个点位、{incidents_at_area} 起警情。",
                     "Not on the map (no coordinates, nor an area with them): {areas} areas, {posts} posts, "
                     "{incidents} incidents; placed at their area's point for want of their own: "
                     "{posts_at_area} posts, {incidents_at_area} incidents."),
    "map.nothing_placed": ("本视图没有带坐标的景区、点位或警情", "Nothing in this view has coordinates"),
    "map.no_value": ("无数据", "no data"),
    "map.density": ("警情密度", "Incident density"),
    "map.areas": ("景区（大小：{size}）", "Scenic areas (size: {size})"),
    "map.areas_none": ("景区（{figure}无数据）", "Scenic areas (no {figure})"),
    "map.posts-room-std": ("规范化旅游警务室", "Standardized police room"),
    "map.posts-room": ("旅游警务室（未规范化）", "Police room (not standardized)"),
    "map.posts-point-std": ("警务服务点/站（规范化）", "Service point (standardized)"),
    "map.posts-point": ("警务服务点/站", "Service point"),
    "map.at_area": ("（无自身坐标，标在景区位置）", " (no coordinates of its own: at its area's point)"),
    "map.click_to_drill": ("点击下钻到该景区", "Click to drill into the area"),
    "map.incidents": ("警情(起)", "Incidents"),
    "map.visitors": ("游客(人次)", "Visitors"),
    "map.person_times": ("投入警力(人次)", "Police person-times"),
    "map.per_10k": ("每万名游客投入警力(人次)", "Police person-times per 10,000 visitors"),
    "map.share": ("占一周比例", "Share of the week"),
    "map.share_of_week": ("占本期合计", "Share of the period's total"),
    "map.total": ("合计", "Total"),
    "map.days": ("天数", "days"),
    "map.hour": ("接警时段（时）", "Hour received"),
    "map.week_of": ("周（起）", "Week of"),
    "map.vs_reference": ("与参照之比", "Against reference"),
    "map.reference_line": ("参照：所辖全部景区 {ratio} 人次/万名游客；⚑ 为偏离参照最远的景区（相差 1.5 倍以上，至多 3 个）",
                           "Reference: all areas in scope, {ratio} per 10,000 visitors; ⚑ the areas furthest from it "
                           "(1.5 times or more, at most 3)"),
    "map.dow_mon": ("周一", "Mon"),
    "map.dow_tue": ("周二", "Tue"),
    "map.dow_wed": ("周三", "Wed"),
    "map.dow_thu": ("周四", "Thu"),
    "map.dow_fri": ("周五", "Fri"),
    "map.dow_sat": ("周六", "Sat"),
    "map.dow_sun": ("周日", "Sun"),
    "map.weekday": ("需求与警力：按星期", "Demand against police, by day of the week"),
    "map.weekday_hint": ("各星期几占本期警情、游客与投入警力的比例；勤务台账按日登记（无班次时间），"
                         "每条勤务的人次平均分摊到其起止日期的每一天。",
                         "Each weekday's share of the period's incidents, visitors and police person-times. "
                         "Deployments are recorded by day (no shift hours): each one's person-times are spread "
                         "evenly over its days."),
    "map.hour_of_week": ("警情：按星期与时段", "Incidents by day and hour"),
    "map.hour_of_week_hint": ("本期警情按接警的星期几与小时；游客与勤务只按日登记，故不按小时比较。",
                              "The period's incidents by the weekday and hour received; visitors and deployments are "
                              "recorded by day, so they are compared by weekday above, not by hour."),
    "map.ratio": ("每万名游客投入警力：按景区与周", "Police person-times per 10,000 visitors, by area and week"),
    "map.ratio_hint": ("只计注明景区的勤务；颜色为与参照（所辖全部景区合计）之比，蓝高红低；括号内为本期比值。",
                       "Only deployments that name the area count; the colour is the ratio against the reference "
                       "(all areas in scope together), blue above and red below; in brackets the period's ratio."),
}
