"""UI text of the satisfaction page: key -> (中文, English)."""

TEXT: dict[str, tuple[str, str]] = {
    "satisfaction.trend": ("满意率与安全感趋势", "Satisfaction and sense of safety over time"),
    "satisfaction.trend_hint": ("显示截至所选时间末日的至少12周（或12个月），所选时间以浅蓝底标出；阴影带为95%置信区间；"
                                "不连线的空心点为样本不足（n<{n}），虚线连接的空心点为不完整的周或月；黄色底为旺季/节假日。",
                                "At least the 12 weeks (or months) to the end of the period, the period itself "
                                "tinted blue; shaded bands are 95% confidence intervals; hollow points off the line "
                                "rest on too few answers (n<{n}), hollow points on a dotted line are part weeks or "
                                "months; yellow columns are peak periods."),
    "satisfaction.selected_period": ("所选时间", "Selected period"),
    "satisfaction.by_week": ("按周", "Weekly"),
    "satisfaction.by_month": ("按月", "Monthly"),
    "satisfaction.grain": ("时间粒度", "Time grain"),
    "satisfaction.rank_by": ("分组比较指标", "Compare segments on"),
    "satisfaction.by_area": ("分景区", "By scenic area"),
    "satisfaction.by_channel": ("分调查渠道", "By survey channel"),
    "satisfaction.by_respondent_type": ("分受访者类型", "By respondent type"),
    "satisfaction.by_origin": ("分客源地（前12位，其余合并）", "By origin (top 12, the rest pooled)"),
    "satisfaction.segments_hint": ("圆点为比率，横线为95%置信区间，按比率排名；灰色空心点为样本不足（n<{n}），"
                                   "不参与排名，排在最后；虚线为目标值。",
                                   "Dots are rates, whiskers their 95% confidence intervals, ranked by rate; "
                                   "grey hollow dots rest on too few answers (n<{n}), are not ranked and come "
                                   "last; the dotted line is the target."),
    "satisfaction.click_area": ("点击景区可将整页收窄到该景区。", "Click an area to narrow the page to it."),
    "satisfaction.click_channel": ("点击渠道可将整页收窄到该渠道。", "Click a channel to narrow the page to it."),
    "satisfaction.small": ("样本不足", "too few answers"),
    "satisfaction.rank": ("排名第 {rank}", "rank {rank}"),
    "satisfaction.ci": ("95%置信区间", "95% CI"),
    "satisfaction.no_area": ("未关联景区", "No scenic area"),
    "satisfaction.other_origins": ("其他客源地", "Other origins"),
    "satisfaction.likert": ("各题作答分布", "Answers to each question"),
    "satisfaction.likert_hint": ("以“一般”为中心：左侧为不满意，右侧为满意；n为该题作答人数。",
                                 "Centred on “neutral”: dissatisfied to the left, satisfied to the right; "
                                 "n is the number of answers to the question."),
    "satisfaction.q.q_safety": ("安全感", "Sense of safety"),
    "satisfaction.q.q_satisfaction": ("总体满意度", "Overall satisfaction"),
    "satisfaction.q.q_visibility": ("见警率", "Police visibility"),
    "satisfaction.q.q_efficiency": ("处置效率", "Handling efficiency"),
    "satisfaction.q.q_attitude": ("服务态度", "Service attitude"),
    "satisfaction.short.q_safety": ("安全感", "Safety"),
    "satisfaction.short.q_satisfaction": ("满意度", "Overall"),
    "satisfaction.short.q_visibility": ("见警率", "Visibility"),
    "satisfaction.short.q_efficiency": ("效率", "Efficiency"),
    "satisfaction.short.q_attitude": ("态度", "Attitude"),
    "satisfaction.keywords": ("意见建议高频词（前20）", "Top 20 words in the comments"),
    "satisfaction.keywords_hint": ("基于本期 {n} 条意见建议，按提及条数排序；已去除常用虚词和单字，高频词足够时略去只出现一次的词；号码已脱敏。",
                                   "From {n} comments of the period, by number of comments using the word; "
                                   "common words and single characters dropped, and words used once when "
                                   "enough others recur; numbers masked."),
    "satisfaction.few_comments": ("本期只有 {n} 条意见建议，不足以统计高频词；<br>请阅读下方“金点子与低分反馈”中的原文。",
                                  "Only {n} comments in the period, too few to count words:<br>read them in "
                                  "“Suggestions and lowest-rated answers” below."),
    "satisfaction.mentions": ("提及条数", "Comments using it"),
    "satisfaction.no_comments": ("所选时间和范围内没有意见建议", "No comments for the selected period and scope"),
    "satisfaction.comments": ("金点子与低分反馈", "Suggestions and lowest-rated answers"),
    "satisfaction.comments_hint": ("含意见建议或总体满意度≤{low}分的问卷，最新在前；显示 {shown} / {total} 条。号码已脱敏。",
                                   "Answers with a comment or an overall score of {low} or less, newest first; "
                                   "showing {shown} of {total}. Numbers are masked."),
    "satisfaction.search": ("搜索意见内容、景区、客源地、渠道（回车确认）",
                            "Search comments, areas, origins, channels (press Enter)"),
    "satisfaction.search_label": ("搜索", "Search"),
    "satisfaction.col.time": ("提交时间", "Submitted"),
    "satisfaction.col.area": ("景区", "Scenic area"),
    "satisfaction.col.channel": ("渠道", "Channel"),
    "satisfaction.col.respondent_type": ("受访者", "Respondent"),
    "satisfaction.col.origin": ("客源地", "Origin"),
    "satisfaction.col.scores": ("评分（1–5，≤{low}分标红）", "Scores (1–5; {low} or less in red)"),
    "satisfaction.col.comment": ("意见建议（已脱敏）", "Comment (masked)"),
    "satisfaction.unitless": ("本期另有 {n} 份问卷未填写单位，只计入全市数据，不计入任何单位（含本单位）。",
                              "{n} answers of the period name no unit: they count in the whole city only, "
                              "never in a unit (this one included)."),
    "satisfaction.unitless_scoped": ("未填写单位的问卷只计入全市数据，不计入任何单位。",
                                     "Answers that name no unit count in the whole city only, never in a unit."),
    "satisfaction.channel_filter": ("调查渠道：{channel}", "Survey channel: {channel}"),
    "satisfaction.clear_channel": ("× 全部渠道", "× all channels"),
}

# Survey origins are recorded as free text (a province, 本市 …): their English names.
ORIGINS_EN: dict[str, str] = {
    "本市": "This city", "本省其他市州": "Elsewhere in the province", "境外": "Outside mainland China",
    "北京": "Beijing", "天津": "Tianjin", "上海": "Shanghai", "重庆": "Chongqing", "河北": "Hebei",
    "山西": "Shanxi", "内蒙古": "Inner Mongolia", "辽宁": "Liaoning", "吉林": "Jilin", "黑龙江": "Heilongjiang",
    "江苏": "Jiangsu", "浙江": "Zhejiang", "安徽": "Anhui", "福建": "Fujian", "江西": "Jiangxi",
    "山东": "Shandong", "河南": "Henan", "湖北": "Hubei", "湖南": "Hunan", "广东": "Guangdong",
    "广西": "Guangxi", "海南": "Hainan", "四川": "Sichuan", "贵州": "Guizhou", "云南": "Yunnan",
    "西藏": "Tibet", "陕西": "Shaanxi", "甘肃": "Gansu", "青海": "Qinghai", "宁夏": "Ningxia",
    "新疆": "Xinjiang", "香港": "Hong Kong", "澳门": "Macao", "台湾": "Taiwan",
}
