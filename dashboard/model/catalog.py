"""The metrics catalog: every figure the product shows, defined once as data.

A `Source` says where a family of records lives, which column dates it (flow)
or which columns bound its life (stock), and which column places it in the
unit hierarchy. A `Metric` is an aggregate SQL expression over one source's
rows (alias `r`), with its labels, unit and display format; a rate also names
the SQL of its n. `Ratio` metrics divide two others. The engine in
`metrics.py` composes one query per source, so the whole catalog costs one
scan of each table. IDs are a stable interface (`shared/spec/metrics.md`).
"""
from __future__ import annotations

from dataclasses import dataclass

from warehouse.marts import INCIDENT_RESPONSE_COLUMNS
from warehouse.record_types import (ADMINISTRATIVE_CASE, AUXILIARY_POLICE, CRIMINAL_CASE, DYNAMIC_DEPLOYMENT,
                                    FIND_ITEM, FIND_PERSON, FULLTIME_POLICE, HAZARD_FIXING, HOUSEHOLD_SERVICE,
                                    INFO_TRANSFER, JOINT_ENFORCEMENT, MEDIATED, MEDIATING, PARTTIME_POLICE,
                                    POLICE_ROOM, PREVENTION_TEAM, REGIONAL_EXCHANGE, RESCUE, SAFETY_WARNING,
                                    SELECTED, SERVICE_POINT, SERVICE_STATION, SHOP_INSPECTION, SHOP_PENALTY,
                                    SPECIAL_CAMPAIGN, SPECIAL_SECURITY, TRAFFIC_SERVICE, VOLUNTEER_TEAM)


@dataclass(frozen=True)
class Source:
    name: str
    from_sql: str                      # rows aliased `r`, joined to what places them
    unit_expr: str                     # the record's unit code (may be NULL)
    date_expr: str | None = None       # flow: the date that puts a record in a period
    start_expr: str | None = None      # stock: first active day
    end_expr: str | None = None        # stock: first day no longer active
    area_expr: str | None = None       # the record's scenic area (for the area filter)
    is_timestamp: bool = False
    rollup: "Source | None" = None     # the same records pre-counted by day (warehouse.marts)
    medians: "Source | None" = None    # the records' seconds to median, computed once (warehouse.marts)
    median_columns: frozenset = frozenset()  # the record columns `medians` holds
    median_bands: "Source | None" = None  # the same seconds counted by minute band, by day (warehouse.marts)
    median_values: "Source | None" = None  # and each distinct second's count, by band and day

    @property
    def is_stock(self) -> bool:
        return self.start_expr is not None


@dataclass(frozen=True)
class Metric:
    id: str
    zh: str
    en: str
    source: str
    expr: str
    fmt: str = "count"                 # count | rate | yuan | minutes | score
    unit_zh: str = ""
    unit_en: str = ""
    n_expr: str | None = None          # how many records a rate rests on
    wilson: bool = False               # survey rates: 95% Wilson interval
    higher_is_better: bool | None = True
    rollup_expr: str | None = None     # the same figure over the source's rollup rows
    rollup_n_expr: str | None = None
    median_seconds: str | None = None  # a median of whole seconds: read from their distribution
    median_column: str | None = None   # the same seconds in the source's `medians` mart

    @property
    def is_rate(self) -> bool:
        return self.fmt == "rate"


@dataclass(frozen=True)
class Ratio:
    id: str
    zh: str
    en: str
    numerator: str
    denominator: str
    factor: float = 1.0
    fmt: str = "per10k"
    unit_zh: str = "起/万人次"
    unit_en: str = "per 10k visitors"
    higher_is_better: bool | None = False


SOURCES = {s.name: s for s in (
    Source("officers", "officers r", "r.unit_code", start_expr="r.joined_on", end_expr="r.left_on"),
    Source("posts", "posts r", "r.unit_code", start_expr="r.opened_on", end_expr="r.closed_on",
           area_expr="r.area_code"),
    Source("teams", "teams r", "r.unit_code", start_expr="r.founded_on", end_expr="r.dissolved_on"),
    Source("deployments", "deployments r", "r.unit_code", date_expr="r.start_date", area_expr="r.area_code"),
    Source("incidents", "incidents r", "r.unit_code", date_expr="r.received_at", area_expr="r.area_code",
           is_timestamp=True,
           rollup=Source("incident_daily", "incident_daily r", "r.unit_code", date_expr="r.day",
                         area_expr="r.area_code"),
           medians=Source("incident_response", "incident_response r", "r.unit_code", date_expr="r.received_at",
                          area_expr="r.area_code", is_timestamp=True),
           median_columns=frozenset(INCIDENT_RESPONSE_COLUMNS) | {"response_s"},
           median_bands=Source("response_bands_daily", "response_bands_daily r", "r.unit_code", date_expr="r.day",
                               area_expr="r.area_code"),
           median_values=Source("response_values_daily", "response_values_daily r", "r.unit_code",
                                date_expr="r.day", area_expr="r.area_code")),
    Source("enforcement", "enforcement r", "r.unit_code", date_expr="r.action_date", area_expr="r.area_code"),
    Source("mediations", "mediations r", "r.unit_code", date_expr="r.opened_at", area_expr="r.area_code",
           is_timestamp=True,
           rollup=Source("mediation_daily", "mediation_daily r", "r.unit_code", date_expr="r.day",
                         area_expr="r.area_code")),
    Source("services", "services r", "r.unit_code", date_expr="r.service_date", area_expr="r.area_code"),
    Source("surveys", "surveys r", "r.unit_code", date_expr="r.submitted_at", area_expr="r.area_code",
           is_timestamp=True,
           rollup=Source("survey_daily", "survey_daily r", "r.unit_code", date_expr="r.day",
                         area_expr="r.area_code")),
    Source("visitors", "visitors r left join scenic_areas a on a.area_code = r.area_code", "a.unit_code",
           date_expr="r.visit_date", area_expr="r.area_code"),
    Source("nominations", "nominations r left join officers o on o.person_id = r.person_id", "o.unit_code",
           date_expr="r.nominated_on"),
    Source("votes", "vote_facts r "
                    "left join nominations n on n.nomination_id = r.nomination_id "
                    "left join officers o on o.person_id = n.person_id", "o.unit_code",
           date_expr="r.voted_at", is_timestamp=True,
           rollup=Source("vote_daily", "vote_daily r "
                                       "left join nominations n on n.nomination_id = r.nomination_id "
                                       "left join officers o on o.person_id = n.person_id", "o.unit_code",
                         date_expr="r.day")),
)}


# `survey_daily`'s counts also keyed by respondent type and origin (warehouse.marts), for those
# breakdowns; a metric with a `rollup_expr` reads it as it reads `survey_daily`.
SURVEY_PROFILE_ROLLUP = Source("survey_profile_daily", "survey_profile_daily r", "r.unit_code", date_expr="r.day",
                               area_expr="r.area_code")
# The incidents counted by day, unit, area, category and source (warehouse.marts), for the
# incidents' breakdowns by category, source and area.
INCIDENT_MIX_ROLLUP = Source("incident_mix_daily", "incident_mix_daily r", "r.unit_code", date_expr="r.day",
                             area_expr="r.area_code")
# Each survey question's answers counted by score, by day, unit, area and channel (warehouse.marts).
SURVEY_ANSWERS_ROLLUP = Source("survey_answers_daily", "survey_answers_daily r", "r.unit_code", date_expr="r.day",
                               area_expr="r.area_code")


def _count(where: str | None = None) -> str:
    return f"count(*) filter (where {where})" if where else "count(*)"


def _sum(column: str, where: str | None = None) -> str:
    agg = f"sum({column}) filter (where {where})" if where else f"sum({column})"
    return f"coalesce({agg}, 0)"


def _share(hit: str, among: str = "true") -> str:
    """A share that is NULL over no records, never 0."""
    return f"(count(*) filter (where ({among}) and ({hit})))::double / nullif(count(*) filter (where {among}), 0)"


SAME_DAY = "r.closed_at is not null and cast(r.closed_at as date) = cast(r.received_at as date)"
RESPONSE_SECONDS = "date_diff('second', r.received_at, r.arrived_at)"
RESPONSE_MIN = f"{RESPONSE_SECONDS} / 60.0"


def _total(column: str) -> str:
    """A count over rollup rows: the sum of a pre-counted column, 0 over none."""
    return f"coalesce(sum(r.{column}), 0)::bigint"


def _rollup_share(hits: str, among: str) -> str:
    return f"sum(r.{hits})::double / nullif(sum(r.{among}), 0)"


# The enforce.* metrics, each the quantity of one of the contract's action types.
ENFORCEMENT_ACTIONS = (
    ("enforce.joint_operations", JOINT_ENFORCEMENT, "综合执法治理(次)", "Joint law-enforcement operations", "次",
     "operations"),
    ("enforce.campaigns", SPECIAL_CAMPAIGN, "专项整治(次)", "Special campaigns", "次", "campaigns"),
    ("enforce.hazards_fixed", HAZARD_FIXING, "排查整治风险隐患(处)", "Hazards found and fixed", "处", "hazards"),
    ("enforce.shops_penalized", SHOP_PENALTY, "查处违规违法旅游卖场(家次)", "Illegal tourist shops penalised", "家次",
     "shops"),
    ("enforce.shops_inspected", SHOP_INSPECTION, "检查商铺(家)", "Shops inspected", "家", "shops"),
    ("enforce.info_transfers", INFO_TRANSFER, "流转涉旅信息(条)", "Information transfers", "条", "items"),
    ("enforce.coop_exchanges", REGIONAL_EXCHANGE, "区域协作交流(次)", "Regional cooperation exchanges", "次", "exchanges"),
)
ENFORCEMENT = tuple(mid for mid, *_ in ENFORCEMENT_ACTIONS)

M = Metric
METRICS: tuple[Metric | Ratio, ...] = (
    M("staff.fulltime", "专职旅游警察", "Full-time tourism police", "officers",
      _count(f"r.person_type = '{FULLTIME_POLICE}'"), unit_zh="人", unit_en="officers"),
    M("staff.parttime", "兼职旅游警察", "Part-time tourism police", "officers",
      _count(f"r.person_type = '{PARTTIME_POLICE}'"), unit_zh="人", unit_en="officers"),
    M("staff.tourism_police", "专兼职旅游警察", "Tourism police (full + part-time)", "officers",
      _count(f"r.person_type in ('{FULLTIME_POLICE}', '{PARTTIME_POLICE}')"), unit_zh="人", unit_en="officers"),
    M("staff.auxiliary", "辅警", "Auxiliary police", "officers",
      _count(f"r.person_type = '{AUXILIARY_POLICE}'"), unit_zh="人", unit_en="officers"),
    M("posts.police_rooms_standardized", "规范化旅游警务室", "Standardised police rooms", "posts",
      _count(f"r.post_type = '{POLICE_ROOM}' and r.standardized"), unit_zh="个", unit_en="rooms"),
    M("posts.police_rooms", "旅游警务室", "Police rooms", "posts",
      _count(f"r.post_type = '{POLICE_ROOM}'"), unit_zh="个", unit_en="rooms"),
    M("posts.service_points", "警务服务点", "Service points", "posts",
      _count(f"r.post_type in ('{SERVICE_POINT}', '{SERVICE_STATION}')"), unit_zh="个", unit_en="points"),
    M("teams.volunteer", "旅游警务志愿者队伍", "Volunteer teams", "teams",
      _count(f"r.team_type = '{VOLUNTEER_TEAM}'"), unit_zh="支", unit_en="teams"),
    M("teams.prevention", "治安防控队伍", "Prevention teams", "teams",
      _count(f"r.team_type = '{PREVENTION_TEAM}'"), unit_zh="支", unit_en="teams"),
    M("deploy.dynamic", "淡旺季动态布警(次)", "Dynamic deployments", "deployments",
      _count(f"r.mode = '{DYNAMIC_DEPLOYMENT}'"), unit_zh="次", unit_en="times"),
    M("deploy.security_events", "景区安保(次)", "Scenic-area security operations", "deployments",
      _count(f"r.mode = '{SPECIAL_SECURITY}'"), unit_zh="次", unit_en="times"),
    M("deploy.person_times", "投入警力(人次)", "Police person-times deployed", "deployments",
      _sum("coalesce(r.police_count, 0) + coalesce(r.auxiliary_count, 0)"), unit_zh="人次", unit_en="person-times"),
    M("incidents.total", "涉旅警情(起)", "Tourism incidents", "incidents", _count(),
      unit_zh="起", unit_en="incidents", higher_is_better=None, rollup_expr=_total("incidents")),
    M("incidents.same_day_rate", "警情处置不过夜率", "Closed the same day", "incidents",
      _share(SAME_DAY), fmt="rate", n_expr=_count(),
      rollup_expr=_rollup_share("closed_same_day", "incidents"), rollup_n_expr=_total("incidents")),
    M("incidents.response_median_min", "到场时间中位数(分钟)", "Median response time (min)", "incidents",
      f"median({RESPONSE_MIN})", fmt="minutes", unit_zh="分钟", unit_en="min",
      n_expr="count(r.arrived_at)", higher_is_better=False, median_seconds=RESPONSE_SECONDS,
      median_column="r.response_s"),
    M("cases.administrative", "涉旅行政案件(起)", "Administrative cases", "incidents",
      _count(f"r.case_type = '{ADMINISTRATIVE_CASE}'"), unit_zh="起", unit_en="cases", higher_is_better=None,
      rollup_expr=_total("administrative")),
    M("cases.criminal", "涉旅刑事案件(起)", "Criminal cases", "incidents",
      _count(f"r.case_type = '{CRIMINAL_CASE}'"), unit_zh="起", unit_en="cases", higher_is_better=False,
      rollup_expr=_total("criminal")),
    *(M(mid, zh, en, "enforcement", _sum("r.quantity", f"r.action_type = '{action}'"), unit_zh=u_zh, unit_en=u_en)
      for mid, action, zh, en, u_zh, u_en in ENFORCEMENT_ACTIONS),
    M("mediation.total", "调解涉旅纠纷(起)", "Disputes mediated", "mediations", _count(),
      unit_zh="起", unit_en="disputes", rollup_expr=_total("mediations")),
    M("mediation.success_rate", "调解成功率", "Mediation success rate", "mediations",
      _share(f"r.result = '{MEDIATED}'", f"r.result <> '{MEDIATING}'"), fmt="rate",
      n_expr=_count(f"r.result <> '{MEDIATING}'"),
      rollup_expr=_rollup_share("mediated", "concluded"), rollup_n_expr=_total("concluded")),
    M("mediation.compensation_yuan", "赔付金额(元)", "Compensation (yuan)", "mediations",
      _sum("r.compensation_yuan"), fmt="yuan", unit_zh="元", unit_en="yuan", higher_is_better=None,
      rollup_expr=_sum("r.compensation")),
    M("service.found", "帮助寻人寻物(人次)", "People and items found", "services",
      _sum("r.quantity", f"r.service_type in ('{FIND_PERSON}', '{FIND_ITEM}')"), unit_zh="人次", unit_en="times"),
    M("service.convenience", "交通及户政便捷服务(人次)", "Traffic and household-registration services", "services",
      _sum("r.quantity", f"r.service_type in ('{TRAFFIC_SERVICE}', '{HOUSEHOLD_SERVICE}')"),
      unit_zh="人次", unit_en="times"),
    M("service.warnings_pushed", "推送安全预警(次)", "Safety warnings pushed", "services",
      _sum("r.quantity", f"r.service_type = '{SAFETY_WARNING}'"), unit_zh="次", unit_en="warnings"),
    M("service.rescued", "救助游客(人)", "Tourists rescued", "services",
      _sum("r.quantity", f"r.service_type = '{RESCUE}'"), unit_zh="人", unit_en="people"),
    M("survey.responses", "有效问卷(份)", "Survey responses", "surveys", _count(),
      unit_zh="份", unit_en="responses", rollup_expr=_total("responses")),
    M("survey.satisfaction_rate", "满意率", "Satisfaction rate", "surveys",
      _share("r.q_satisfaction >= 4", "r.q_satisfaction is not null"), fmt="rate",
      n_expr="count(r.q_satisfaction)", wilson=True,
      rollup_expr=_rollup_share("satisfied", "satisfaction_answers"),
      rollup_n_expr=_total("satisfaction_answers")),
    M("survey.safety_rate", "安全感", "Sense of safety", "surveys",
      _share("r.q_safety >= 4", "r.q_safety is not null"), fmt="rate",
      n_expr="count(r.q_safety)", wilson=True,
      rollup_expr=_rollup_share("feel_safe", "safety_answers"), rollup_n_expr=_total("safety_answers")),
    M("survey.satisfaction_mean", "满意度均分", "Mean satisfaction score", "surveys",
      "avg(r.q_satisfaction)", fmt="score", unit_zh="分", unit_en="of 5",
      n_expr="count(r.q_satisfaction)",
      rollup_expr=_rollup_share("satisfaction_sum", "satisfaction_answers"),
      rollup_n_expr=_total("satisfaction_answers")),
    M("visitors.total", "接待游客(人次)", "Visitors", "visitors", _sum("r.visitors"),
      unit_zh="人次", unit_en="visits", higher_is_better=None),
    Ratio("incidents.per_10k_visitors", "每万名游客警情(起)", "Incidents per 10,000 visitors",
          "incidents.total", "visitors.total", factor=10000.0),
    M("nominations.total", "推荐人选(人)", "Nominees", "nominations", _count(),
      unit_zh="人", unit_en="nominees"),
    M("nominations.selected", "评选最美旅游警察(名)", "Selected as most beautiful tourism police",
      "nominations", _count(f"r.outcome = '{SELECTED}'"), unit_zh="名", unit_en="officers"),
    M("votes.valid", "有效票(票)", "Valid votes", "votes", _count("r.is_valid"),
      unit_zh="票", unit_en="votes", rollup_expr=_total("valid")),
    M("votes.repeat", "重复票(票)", "Repeat votes", "votes", _count("not r.is_valid"),
      unit_zh="票", unit_en="votes", higher_is_better=None, rollup_expr=_total("repeats")),
)

BY_ID: dict[str, Metric | Ratio] = {m.id: m for m in METRICS}

# Two figures the mediation page shows beside the catalog's (not in the catalog, so not in the
# command line's output): the share settled by fast track, and the median hours to close.
MEDIATION_HOURS = "date_diff('second', r.opened_at, r.closed_at) / 3600.0"
FAST_TRACK = Metric(
    "mediation.fast_track_share", "快调快赔占比", "Fast-track share", "mediations",
    "(count(*) filter (where r.fast_track))::double / nullif(count(r.fast_track), 0)",
    fmt="rate", n_expr="count(r.fast_track)")
CLOSE_MEDIAN = Metric(
    "mediation.close_median_hours", "办结用时中位数(小时)", "Median time to close (h)", "mediations",
    f"median({MEDIATION_HOURS})", fmt="hours", unit_zh="小时", unit_en="h",
    n_expr="count(r.closed_at)", higher_is_better=False)
MEDIATION_PAGE_METRICS = {m.id: m for m in (FAST_TRACK, CLOSE_MEDIAN)}


def get(metric_id: str) -> Metric | Ratio:
    return BY_ID[metric_id]
