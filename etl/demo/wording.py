"""Free-text pools of the demo generator: incident summaries, survey comments, nomination
reasons, and fake personal data in free text for the ETL to mask. All invented."""
from __future__ import annotations

import datetime as dt

import numpy as np

from warehouse import record_types as rt
from etl.demo.reference import ITEMS, SPOTS, fake_phones

_SUMMARY = {
    "物品遗失": ("游客在景区{spot}遗失{item}，民警调取监控协助找回", "游客报称{item}遗落在观光车上，经联系车队已找回",
              "游客在{spot}丢失{item}，民警登记后协助寻找", "游客{item}遗失，巡逻民警拾获后交还本人"),
    "人员走失": ("一名老人在{spot}与家人走散，民警{mins}分钟内找到", "儿童在{spot}附近走失，经广播寻人后找回",
              "游客与同伴在{spot}失联，民警协助联系后汇合", "一名游客在{spot}迷路，民警带领返回"),
    "求助救助": ("游客在{spot}突发不适，民警协助送医", "游客在{spot}扭伤脚踝，民警联系景区医务室处置",
              "游客手机没电无法联系家人，民警提供帮助", "游客在{spot}被困，民警与救援人员将其救出"),
    "矛盾纠纷": ("游客与商家因价格问题在{spot}发生纠纷，民警现场调解", "游客之间因排队发生口角，民警劝解后平息",
              "游客与出租车司机因车费发生争执，民警调解", "游客与民宿老板因退房问题发生纠纷，已调解"),
    "盗窃": ("游客在{spot}{item}被盗，民警调取监控开展调查", "游客背包在{spot}被人拿走，已立案调查"),
    "诈骗": ("游客称被虚假门票网站骗取钱款，民警登记受理", "游客购买假冒特产被骗，民警协助追回部分款项"),
    "交通事故": ("两车在{spot}发生轻微剐蹭，民警疏导交通并协助处理", "观光车与私家车在{spot}发生碰擦，无人员受伤"),
    "违法经营": ("{spot}有商贩强买强卖，民警会同市场监管部门处置", "发现无证导游在{spot}招揽游客，已移交处理"),
    "其他": ("游客咨询景区开放时间，民警耐心解答", "游客反映{spot}秩序混乱，民警到场疏导"),
}


def summary_pool(rng: np.random.Generator) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Summaries per incident category: (pool, offset by category, size by category)."""
    pool, offs, sizes = [], [], []
    for cat in rt.INCIDENT_CATEGORIES:
        offs.append(len(pool))
        seen = []
        for _ in range(24):
            t = _SUMMARY[cat][int(rng.integers(0, len(_SUMMARY[cat])))]
            s = t.format(spot=SPOTS[int(rng.integers(0, len(SPOTS)))], item=ITEMS[int(rng.integers(0, len(ITEMS)))],
                         mins=int(rng.integers(5, 40)))
            if s not in seen:
                seen.append(s)
        pool.extend(seen)
        sizes.append(len(seen))
    return pool, np.array(offs), np.array(sizes)


def fake_pii_text(rng: np.random.Generator) -> str:
    p = fake_phones(rng, 1)[0]
    k = int(rng.integers(0, 4))
    if k == 0:
        return f"，联系电话{p}"
    if k == 1:
        return f"，报警人电话{p[:3]}-{p[3:7]}-{p[7:]}"
    if k == 2:
        return f"，电话+86 {p[:3]} {p[3:7]} {p[7:]}"
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=int(rng.integers(0, 15000)))
    body = f"{int(rng.integers(110000, 660000)):06d}{birth:%Y%m%d}{int(rng.integers(0, 1000)):03d}"
    return f"，当事人身份证号{body}{'0123456789X'[int(rng.integers(0, 11))]}"


_SUGGEST_PLACE = ("停车场", "主入口", "索道站", "游客中心", "夜市", "步行街", "码头", "观景台")
_SUGGEST_THING = ("增设警务服务点", "增加指示牌", "设置失物招领处", "增加应急广播", "安排民警定点值守",
                  "设置一键报警柱", "增设饮水点和休息座椅", "公布警务室电话")
_PRAISE = ("民警态度很好，帮我找回了手机，点赞！", "旅游警察很热心，给我们指路还提醒注意安全",
           "见警率很高，晚上逛街也很安心", "民警处置很及时，几分钟就到了", "感谢民警帮忙找到走散的孩子",
           "调解很公正，商家退还了多收的钱", "景区秩序井然，玩得很开心", "志愿者和民警服务周到",
           "民警耐心解答问题，服务态度好", "节假日人多但秩序很好，辛苦了")
_PROBLEM = ("排队时间太长", "停车难", "商家拉客严重", "节假日人太多秩序混乱", "夜间照明不足",
            "出租车不打表", "小吃街价格不透明", "报警后等了很久才有人来")
_WISH = ("希望加强巡逻", "希望加强管理", "希望多安排警力疏导", "希望有关部门管一管", "希望改进")


def comment_pools(rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """(positive comments incl. "金点子" suggestions, complaints), 60 sentences in all."""
    pos = list(_PRAISE)
    while len(pos) < 30:
        s = f"建议在{_SUGGEST_PLACE[int(rng.integers(0, 8))]}{_SUGGEST_THING[int(rng.integers(0, 8))]}"
        if s not in pos:
            pos.append(s)
    neg = []
    while len(neg) < 30:
        s = f"{_SUGGEST_PLACE[int(rng.integers(0, 8))]}{_PROBLEM[int(rng.integers(0, 8))]}，{_WISH[int(rng.integers(0, 5))]}"
        if s not in neg:
            neg.append(s)
    return pos, neg


_REASON_A = ("扎根景区一线多年", "在旺季安保中连续坚守岗位", "主动服务游客", "多次成功调解涉旅纠纷",
             "在山洪险情中果断组织游客转移", "长期坚守警务室", "带领志愿者开展巡逻")
_REASON_B = ("累计帮助游客找回失物上百件", "深受游客和商户好评", "收到群众感谢信和锦旗多面",
             "救助突发疾病游客", "帮助走失儿童与家人团聚", "推动警务室规范化建设")


def reason_pool(rng: np.random.Generator, n: int) -> list[str]:
    return [f"{_REASON_A[int(rng.integers(0, 7))]}，{_REASON_B[int(rng.integers(0, 6))]}" for _ in range(n)]
