"""The fourteen record types of the data contract, declared once.

Each `RecordType` names its columns with their Chinese header, English name,
type, whether they are required, and their checks (enumerated values, ranges,
ordering against another column, references to another record type, PII).
The warehouse schema, the loader's parsing and validation, the demo generator
and the dashboard's category orders all read these declarations; nothing else
restates them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

TEXT, INT, DEC, DATE, TS, BOOL, ENUM = "text", "int", "dec", "date", "ts", "bool", "enum"

SQL_TYPES = {
    TEXT: "VARCHAR",
    INT: "BIGINT",
    DEC: "DECIMAL(18,{scale})",
    DATE: "DATE",
    TS: "TIMESTAMP",
    BOOL: "BOOLEAN",
    ENUM: "VARCHAR",
}


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    type: str
    required: bool = False
    values: tuple[str, ...] = ()          # accepted values of an enum
    min: float | None = None
    max: float | None = None
    not_before: str | None = None         # this value must be >= that column's
    ref: str | None = None                # record type whose key this must name
    pii: bool = False                     # stored only as a salted hash
    free_text: bool = False               # stored, masked before display
    aliases: tuple[str, ...] = ()         # further accepted headers
    null_means: str | None = None         # what a null reads as (e.g. 无)
    scale: int = 4                        # decimals kept by a dec column (more are rounded)
    labels: tuple[tuple[str, int], ...] = ()  # words accepted for an int (非常满意 = 5)
    pair: str | None = None               # a column given with this one or not at all (经度 with 纬度)

    @property
    def sql_type(self) -> str:
        return "VARCHAR" if self.pii else SQL_TYPES[self.type].format(scale=self.scale)

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.zh, self.name, *self.aliases)


@dataclass(frozen=True)
class RecordType:
    name: str
    zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    reference: bool = False
    date_column: str | None = None        # the column freshness is measured on
    aliases: tuple[str, ...] = field(default=())

    @property
    def table(self) -> str:
        return self.name

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name}")

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


# The enumerated values. Those that figures, queries or judgements single out are named, so
# that every other module refers to them by name and each value is spelled here only.
DETACHMENT = "旅游警察支队"
UNIT_LEVELS = ("市局", DETACHMENT, "景区分局", "分县局", "派出所")
AREA_GRADES = ("5A", "4A", "3A", "2A", "1A", "其他")
POLICE_ROOM, SERVICE_POINT, SERVICE_STATION = "旅游警务室", "警务服务点", "旅游警务服务站"
POST_TYPES = (POLICE_ROOM, SERVICE_POINT, SERVICE_STATION)
FULLTIME_POLICE, PARTTIME_POLICE, AUXILIARY_POLICE = "专职旅游警察", "兼职旅游警察", "辅警"
PERSON_TYPES = (FULLTIME_POLICE, PARTTIME_POLICE, AUXILIARY_POLICE)
VOLUNTEER_TEAM, PREVENTION_TEAM = "旅游警务志愿者队伍", "治安防控队伍"
TEAM_TYPES = (VOLUNTEER_TEAM, PREVENTION_TEAM)
OFF_PEAK, PEAK = "淡季", "旺季"
SEASONS = (OFF_PEAK, PEAK)
DYNAMIC_DEPLOYMENT, SPECIAL_SECURITY = "动态布警", "专项安保"
DEPLOY_MODES = ("常态勤务", DYNAMIC_DEPLOYMENT, "派驻增援", "梯次用警", SPECIAL_SECURITY)
INCIDENT_CATEGORIES = ("矛盾纠纷", "盗窃", "诈骗", "人员走失", "物品遗失", "求助救助", "交通事故", "违法经营", "其他")
INCIDENT_SOURCES = ("110报警", "现场报警", "电话报警", "网络报警", "巡逻发现")
NO_CASE, ADMINISTRATIVE_CASE, CRIMINAL_CASE = "无", "行政案件", "刑事案件"
CASE_TYPES = (NO_CASE, ADMINISTRATIVE_CASE, CRIMINAL_CASE)
DISPUTE_TYPES = ("消费纠纷", "住宿纠纷", "餐饮纠纷", "交通纠纷", "购物纠纷", "门票纠纷", "服务纠纷", "其他")
MEDIATED, NOT_MEDIATED, REFERRED, WITHDRAWN, MEDIATING = "调解成功", "调解失败", "移交处理", "当事人撤回", "调解中"
MEDIATION_RESULTS = (MEDIATED, NOT_MEDIATED, REFERRED, WITHDRAWN, MEDIATING)
(FIND_PERSON, FIND_ITEM, RESCUE, TRAFFIC_SERVICE, HOUSEHOLD_SERVICE, SAFETY_WARNING,
 DIRECTIONS) = ("寻人", "寻物", "救助游客", "交通业务", "户政业务", "安全预警推送", "咨询指引")
SERVICE_TYPES = (FIND_PERSON, FIND_ITEM, RESCUE, TRAFFIC_SERVICE, HOUSEHOLD_SERVICE, SAFETY_WARNING, DIRECTIONS)
(JOINT_ENFORCEMENT, SPECIAL_CAMPAIGN, HAZARD_FIXING, SHOP_PENALTY, INFO_TRANSFER, REGIONAL_EXCHANGE,
 SHOP_INSPECTION) = ("综合执法", "专项整治", "隐患排查整治", "违规卖场查处", "信息流转", "区域协作交流", "商铺检查")
ACTION_TYPES = (JOINT_ENFORCEMENT, SPECIAL_CAMPAIGN, HAZARD_FIXING, SHOP_PENALTY, INFO_TRANSFER, REGIONAL_EXCHANGE,
                SHOP_INSPECTION)
SURVEY_CHANNELS = ("扫码问卷", "电话回访", "现场访谈", "网上评警")
RESPONDENT_TYPES = ("游客", "本地居民", "商户从业者")
NOMINATED_BY = ("单位推荐", "群众推荐")
CANDIDATE, SHORTLISTED, SELECTED, NOT_SELECTED = "候选", "入围", "当选", "未当选"
OUTCOMES = (CANDIDATE, SHORTLISTED, SELECTED, NOT_SELECTED)
VOTE_CHANNELS = ("微信", "网页", "现场")
LIKERT = {1: "非常不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "非常满意"}
# The contract's labels, and the other common wording of the same five-point scale.
SCORE_WORDS = tuple((w, n) for n, w in LIKERT.items()) + (
    ("很满意", 5), ("比较满意", 4), ("较满意", 4), ("不太满意", 2), ("很不满意", 1))

C = Column

# Where a record is: decimal degrees, WGS-84/CGCS2000 (data contract), 6 decimals (about 0.1 m);
# a longitude without its latitude, or the reverse, is a row error.
COORDINATES = (
    C("lon", "经度", DEC, min=73, max=136, scale=6, pair="lat"),
    C("lat", "纬度", DEC, min=3, max=54, scale=6, pair="lon"),
)

UNITS = RecordType("units", "单位", (
    C("unit_code", "单位编码", TEXT, True),
    C("unit_name", "单位名称", TEXT, True),
    C("unit_level", "单位层级", ENUM, True, values=UNIT_LEVELS),
    C("parent_code", "上级单位编码", TEXT, ref="units"),
    C("county", "区县", TEXT),
), key=("unit_code",), reference=True)

SCENIC_AREAS = RecordType("scenic_areas", "景区", (
    C("area_code", "景区编码", TEXT, True),
    C("area_name", "景区名称", TEXT, True),
    C("grade", "景区等级", ENUM, values=AREA_GRADES),
    C("county", "区县", TEXT),
    *COORDINATES,
    C("unit_code", "责任单位编码", TEXT, ref="units"),
), key=("area_code",), reference=True)

POSTS = RecordType("posts", "警务室与服务点", (
    C("post_code", "点位编码", TEXT, True),
    C("post_name", "点位名称", TEXT, True),
    C("post_type", "点位类型", ENUM, True, values=POST_TYPES),
    C("unit_code", "所属单位编码", TEXT, True, ref="units"),
    C("area_code", "景区编码", TEXT, ref="scenic_areas"),
    C("standardized", "是否规范化", BOOL, True),
    C("opened_on", "启用日期", DATE, True),
    C("closed_on", "撤销日期", DATE, not_before="opened_on"),
    *COORDINATES,
), key=("post_code",), date_column="opened_on")

OFFICERS = RecordType("officers", "旅游警力", (
    C("person_id", "人员编号", TEXT, True),
    C("name", "姓名", TEXT, True),
    C("gender", "性别", ENUM, values=("男", "女")),
    C("person_type", "人员类别", ENUM, True, values=PERSON_TYPES),
    C("unit_code", "所属单位编码", TEXT, True, ref="units"),
    C("joined_on", "入队日期", DATE, True),
    C("left_on", "离队日期", DATE, not_before="joined_on"),
    C("phone", "联系电话", TEXT, pii=True),
), key=("person_id",), date_column="joined_on")

TEAMS = RecordType("teams", "群防群治队伍", (
    C("team_code", "队伍编码", TEXT, True),
    C("team_name", "队伍名称", TEXT, True),
    C("team_type", "队伍类型", ENUM, True, values=TEAM_TYPES),
    C("unit_code", "所属单位编码", TEXT, True, ref="units"),
    C("members", "队伍人数", INT, min=0),
    C("founded_on", "成立日期", DATE, True),
    C("dissolved_on", "解散日期", DATE, not_before="founded_on"),
), key=("team_code",), date_column="founded_on")

DEPLOYMENTS = RecordType("deployments", "布警勤务", (
    C("deployment_id", "勤务编号", TEXT, True),
    C("start_date", "开始日期", DATE, True),
    C("end_date", "结束日期", DATE, True, not_before="start_date"),
    C("unit_code", "单位编码", TEXT, True, ref="units"),
    C("area_code", "景区编码", TEXT, ref="scenic_areas"),
    C("season", "季节", ENUM, True, values=SEASONS),
    C("mode", "勤务模式", ENUM, True, values=DEPLOY_MODES),
    C("police_count", "民警人次", INT, True, min=0),
    C("auxiliary_count", "辅警人次", INT, min=0),
    C("volunteer_count", "志愿者人次", INT, min=0),
), key=("deployment_id",), date_column="start_date")

INCIDENTS = RecordType("incidents", "涉旅警情", (
    C("incident_id", "警情编号", TEXT, True),
    C("received_at", "接警时间", TS, True),
    C("unit_code", "单位编码", TEXT, True, ref="units"),
    C("area_code", "景区编码", TEXT, ref="scenic_areas"),
    C("category", "警情类别", ENUM, True, values=INCIDENT_CATEGORIES),
    C("source", "警情来源", ENUM, values=INCIDENT_SOURCES),
    C("arrived_at", "到场时间", TS, not_before="received_at"),
    C("closed_at", "办结时间", TS, not_before="received_at"),
    C("case_type", "案件性质", ENUM, values=CASE_TYPES, null_means="无"),
    C("tourist_origin", "游客来源地", TEXT),
    *COORDINATES,                                    # where the incident happened
    C("summary", "简要案情", TEXT, free_text=True),
), key=("incident_id",), date_column="received_at", aliases=("警情",))

MEDIATIONS = RecordType("mediations", "纠纷调解", (
    C("mediation_id", "调解编号", TEXT, True),
    C("incident_id", "关联警情编号", TEXT),
    C("opened_at", "受理时间", TS, True),
    C("unit_code", "单位编码", TEXT, True, ref="units"),
    C("area_code", "景区编码", TEXT, ref="scenic_areas"),
    C("dispute_type", "纠纷类型", ENUM, True, values=DISPUTE_TYPES),
    C("result", "调解结果", ENUM, True, values=MEDIATION_RESULTS),
    C("closed_at", "办结时间", TS, not_before="opened_at"),
    C("compensation_yuan", "赔付金额", DEC, min=0, scale=2),  # to the fen
    C("fast_track", "快调快赔", BOOL),
), key=("mediation_id",), date_column="opened_at")

SERVICES = RecordType("services", "便民服务", (
    C("service_id", "服务编号", TEXT, True),
    C("service_date", "服务日期", DATE, True),
    C("unit_code", "单位编码", TEXT, True, ref="units"),
    C("area_code", "景区编码", TEXT, ref="scenic_areas"),
    C("service_type", "服务类型", ENUM, True, values=SERVICE_TYPES),
    C("quantity", "人次", INT, True, min=1),
), key=("service_id",), date_column="service_date")

ENFORCEMENT = RecordType("enforcement", "治安管控", (
    C("action_id", "行动编号", TEXT, True),
    C("action_date", "行动日期", DATE, True),
    C("unit_code", "单位编码", TEXT, True, ref="units"),
    C("area_code", "景区编码", TEXT, ref="scenic_areas"),
    C("action_type", "行动类型", ENUM, True, values=ACTION_TYPES),
    C("quantity", "数量", INT, True, min=1),
), key=("action_id",), date_column="action_date")

SURVEYS = RecordType("surveys", "满意度调查", (
    C("response_id", "问卷编号", TEXT, True),
    C("submitted_at", "提交时间", TS, True),
    C("area_code", "景区编码", TEXT, ref="scenic_areas"),
    C("unit_code", "单位编码", TEXT, ref="units"),
    C("channel", "调查渠道", ENUM, True, values=SURVEY_CHANNELS),
    C("respondent_type", "受访者类型", ENUM, values=RESPONDENT_TYPES),
    C("origin", "客源地", TEXT),
    C("q_safety", "安全感", INT, min=1, max=5, labels=SCORE_WORDS),
    C("q_satisfaction", "总体满意度", INT, True, min=1, max=5, labels=SCORE_WORDS),
    C("q_visibility", "见警率", INT, min=1, max=5, labels=SCORE_WORDS),
    C("q_efficiency", "处置效率", INT, min=1, max=5, labels=SCORE_WORDS),
    C("q_attitude", "服务态度", INT, min=1, max=5, labels=SCORE_WORDS),
    C("comment", "意见建议", TEXT, free_text=True),
    C("phone", "联系电话", TEXT, pii=True),
), key=("response_id",), date_column="submitted_at")

VISITORS = RecordType("visitors", "景区客流", (
    C("area_code", "景区编码", TEXT, True, ref="scenic_areas"),
    C("visit_date", "日期", DATE, True),
    C("visitors", "接待游客人次", INT, True, min=0),
), key=("area_code", "visit_date"), date_column="visit_date")

NOMINATIONS = RecordType("nominations", "最美旅游警察推荐", (
    C("nomination_id", "推荐编号", TEXT, True),
    C("campaign", "评选活动", TEXT, True),
    C("person_id", "人员编号", TEXT, True, ref="officers"),
    C("nominated_by", "推荐方式", ENUM, True, values=NOMINATED_BY),
    C("nominated_on", "推荐日期", DATE, True),
    C("reason", "推荐理由", TEXT, free_text=True),
    C("outcome", "评选结果", ENUM, values=OUTCOMES, null_means="候选"),
), key=("nomination_id",), date_column="nominated_on")

VOTES = RecordType("votes", "投票记录", (
    C("vote_id", "投票编号", TEXT, True),
    C("nomination_id", "推荐编号", TEXT, True, ref="nominations"),
    C("voted_at", "投票时间", TS, True),
    C("channel", "投票渠道", ENUM, values=VOTE_CHANNELS),
    C("voter_key", "投票人标识", TEXT, True, pii=True),
), key=("vote_id",), date_column="voted_at")

# Load order: every type after the types it references.
RECORD_TYPES: tuple[RecordType, ...] = (
    UNITS, SCENIC_AREAS, POSTS, OFFICERS, TEAMS, DEPLOYMENTS, INCIDENTS,
    MEDIATIONS, SERVICES, ENFORCEMENT, SURVEYS, VISITORS, NOMINATIONS, VOTES,
)
BY_NAME = {rt.name: rt for rt in RECORD_TYPES}
KEY_OF = {rt.name: rt.key[0] for rt in RECORD_TYPES if len(rt.key) == 1}


def get(name: str) -> RecordType:
    return BY_NAME[name]
