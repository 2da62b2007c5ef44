"""The questions' vocabulary: the metrics and the words that name them, categories, urgencies,
lists, rankings and views (zh and en). Parser vocabulary, not user-facing text.
"""

from __future__ import annotations

from enum import StrEnum


class Metric(StrEnum):
    NEW = "new"
    OPEN = "open"
    OVERDUE = "overdue"
    UNCLAIMED = "unclaimed"
    ESCALATED = "escalated"
    WHISTLED = "whistled"
    RESOLVED = "resolved"
    LISTED = "listed"  # on a list (即办 / 阶段性 / 谅解), any status
    UNSATISFIED = "unsatisfied"
    SATISFACTION = "satisfaction"
    DISSATISFACTION = "dissatisfaction"
    CLAIM_ON_TIME = "claim_on_time"  # the scorecard's on-time claim rate
    RESOLVE_ON_TIME = "resolve_on_time"  # the scorecard's on-time resolution rate

    CLAIM_TIME = "claim_time"  # average hours from assignment to claim
    RESOLVE_TIME = "resolve_time"  # average hours from assignment to done


# Flows need a period; states are counted now.
FLOWS = frozenset({Metric.NEW, Metric.RESOLVED, Metric.UNSATISFIED, Metric.SATISFACTION,
                   Metric.DISSATISFACTION, Metric.ESCALATED, Metric.WHISTLED,
                   Metric.CLAIM_ON_TIME, Metric.RESOLVE_ON_TIME, Metric.CLAIM_TIME,
                   Metric.RESOLVE_TIME})
ON_TIME = frozenset({Metric.CLAIM_ON_TIME, Metric.RESOLVE_ON_TIME})
RATES = frozenset({Metric.SATISFACTION, Metric.DISSATISFACTION, *ON_TIME})
DURATIONS = frozenset({Metric.CLAIM_TIME, Metric.RESOLVE_TIME})

PERCENT = (r"百分比|比例|占比|比率|\bpercent(?:age)?\b|\bproportion\b|\bshare\b|\brate\b|%")
UNHAPPY = r"不满意|差评|\bunsatisfied\b|\bdissatisfied\b|\bunhappy\b|\bdissatisfaction\b"
# Order matters: the longer phrase is consumed first, so 不满意率 is read before 满意率 can match
# inside it, 没办结 is "open" before 办结 can read as "resolved", and 未接单 before 接到.
# and the average times (平均接单时长) before 接单/办结 can read as anything else.
METRIC_WORDS: list[tuple[Metric, str]] = [
    (Metric.CLAIM_TIME, r"平均接单(?:时长|时间|用时|耗时)|平均签收(?:时长|时间|用时)|"
                        r"接单平均(?:时长|时间|用时)|平均(?:要|需要)?(?:多久|多长时间)(?:才)?接单|"
                        r"接单(?:平均)?(?:要|需要)?(?:多久|多长时间)|"
                        r"\baverage (?:time to (?:be )?claim(?:ed)?|claim time|"
                        r"wait for a claim)\b|"
                        r"\bhow long (?:to|before|until) (?:a )?claim\b|\btime to claim\b|"
                        # 哪个部门接单最慢 / 最快: a ranking by the time, 快 shortest first
                        r"接单(?:速度)?(?=最[慢快])|(?:(?<=fastest )|(?<=slowest ))to claim\b"),
    (Metric.RESOLVE_TIME, r"平均办结(?:时长|时间|用时|耗时)|平均处理(?:时长|时间|用时)|"
                          r"平均办理(?:时长|时间|用时)|办结平均(?:时长|时间|用时)|"
                          r"平均(?:要|需要)?(?:多久|多长时间)(?:才)?办结|"
                          r"办结(?:平均)?(?:要|需要)?(?:多久|多长时间)|"
                          r"\baverage (?:time to (?:resolve|resolution)|resolution time|"
                          r"resolve time)\b|\bhow long (?:to|before|until) (?:resolv|"
                          r"resolution)\w*|\btime to resolv\w*|"
                          r"办结(?:速度)?(?=最[慢快])|"
                          r"(?:(?<=fastest )|(?<=slowest ))to resolve\b"),
    (Metric.CLAIM_ON_TIME, r"按时接单率?|及时接单率?|接单及时率|按时签收率?|"
                           r"\bon[- ]time claim(?: rate)?\b|\bclaimed on time\b"),
    (Metric.RESOLVE_ON_TIME, r"按时办结率?|按期办结率?|办结及时率|及时办结率?|"
                             r"\bon[- ]time (?:resolution|resolve)(?: rate)?\b|"
                             r"\bresolved on time\b"),
    (Metric.DISSATISFACTION, r"不满意率|不满意度|不满意的?(?:比例|占比|百分比|比率)|差评率|"
                             r"\bdissatisfaction(?: rate)?\b"),
    (Metric.SATISFACTION, r"满意率|满意度|\bsatisfaction(?: rate)?\b"),
    (Metric.UNSATISFIED, UNHAPPY),
    (Metric.UNCLAIMED, r"未接单|没接单|没人接|无人接单|未签收|没签收|没有签收|没有接单|待接单|"
                       r"\bunclaimed\b|\bnot (?:yet )?claimed\b|\bwaiting to be claimed\b"),
    (Metric.OPEN, r"未办结|没办结|没有办结|没办完|未办完|还没办|未完成|没完成|在办|还有几件|"
                  r"\bopen\b|\bunresolved\b|\bpending\b|\boutstanding\b|\bnot (?:yet )?(?:closed|"
                  r"resolved|done)\b"),
    (Metric.OVERDUE, r"超时|逾期|超期|\boverdue\b|\blate\b"),
    (Metric.ESCALATED, r"升级|上报|被上提|\bescalated\b|\bescalations?\b"),
    (Metric.WHISTLED, r"吹哨|\bwhistled\b|\bwhistles?\b"),
    (Metric.RESOLVED, r"办结|办完|已完成|解决了|\bclosed\b|\bresolved\b|\bcompleted\b|\bdone\b"),
    (Metric.NEW, r"新增|新收|新报|新上报|收到|受理|接到|\bnew\b|\breceived\b|\breported\b"),
]
# (category, its own names, subject words mapped to it and said in the answer)
CATEGORY_WORDS: list[tuple[str, str, str]] = [
    ("municipal", r"市政设施|市政|\bmunicipal\b",
     r"路灯|井盖|下水道|坑洼|路面|\bstreet ?lights?\b|\bmanholes?\b|\bpotholes?\b"),
    ("sanitation", r"环境卫生|环卫|\bsanitation\b", r"垃圾|\brubbish\b|\bgarbage\b|\btrash\b"),
    ("noise", r"噪音扰民|噪音|噪声|\bnoise\b", r"$^"),
    ("dispute", r"邻里纠纷|纠纷|\bdisputes?\b", r"$^"),
    ("property", r"物业管理|物业|\bproperty\b", r"电梯|\blifts?\b|\belevators?\b"),
    ("utilities", r"水电燃气|\butilities\b", r"停水|停电|燃气|\bpower cuts?\b"),
    ("traffic", r"交通停车|交通|\btraffic\b", r"停车|\bparking\b"),
    ("fire_safety", r"消防安全|消防|\bfire safety\b", r"$^"),
    ("security", r"治安安全|治安|\bsecurity\b", r"$^"),
    ("greenery", r"绿化园林|绿化|园林|\bgreenery\b", r"树木|\btrees?\b"),
    ("construction", r"违建占道|违建|占道|\billegal build(?:ing)?s?\b", r"$^"),
]
URGENCY_WORDS = [("critical", r"紧急|特急|\bcritical\b|\burgent\b"),
                 ("high", r"较急|\bhigh(?: urgency)?\b")]
LIST_TYPE_WORDS = [("immediate", r"即办|\bimmediate(?: list)?\b"),
                   ("phased", r"阶段性|\bphased\b"),
                   ("understanding", r"谅解|\bunderstanding\b")]
GROUP_ZH = r"(?:哪|各)(?:个|些|一个)?(部门|单位|街道|街镇|镇街|乡镇|镇|社区|村)"
GROUP_EN = (r"\b(?:which|each|every|by) (department|dept|unit|bureau|street|subdistrict|town|"
            r"township|community|village)s?\b")
GROUP_KIND = {"部门": "department", "单位": "department", "department": "department",
              "dept": "department", "unit": "department", "bureau": "department",
              "社区": "community", "村": "community", "community": "community",
              "village": "community"}  # everything else names the street rung
LEAST = (r"最低|最少|最差|倒数|最短|最快|\blowest\b|\bleast\b|\bfewest\b|\bworst\b|"
         r"\bshortest\b|\bfastest\b|\bquickest\b")
# "有几件" with no metric: how many came in (a period named) or are still open (none named).
COUNT_WORDS = (r"几件|多少件|几个|多少个|几起|多少起|几单|多少单|有多少|多少|\bhow many\b|"
               r"\bnumber of\b")
LIST_WORDS = r"列出|列一下|哪些|明细|列表|显示|\bshow\b|\blist\b|\bwhich tickets\b"
LOCATION_VIEW = r"所在|位于|发生在|\blocated\b|\bwhere the problem\b"
