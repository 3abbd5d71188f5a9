"""Regulation parameters, each with the date it took effect and its source.

When a regulation changes, add a new `Parameter` with a later `effective_from`; `value(name, on=date)`
returns the one in force on that date, so history keeps the old value. Rule ids follow RULES.md and
domain-rulebook.md.
"""
import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Parameter:
    name: str
    value: object
    effective_from: datetime.date
    rule: str
    source: str


_EPOCH = datetime.date(1900, 1, 1)

PARAMETERS = (
    # TERM-01: default term length by organisation type (党章 第三十一条; 支部工作条例)
    Parameter("term_years.committee", 5, _EPOCH, "TERM-01", "党章 第三十一条；旗帜网 党建业务通 2021-12-27"),
    Parameter("term_years.general_branch", 3, _EPOCH, "TERM-01", "党章 第三十一条；支部工作条例 第十三条"),
    Parameter("term_years.branch", 3, _EPOCH, "TERM-01", "支部工作条例（试行）2018 第十三条"),
    # TERM-01: the range a recorded term may have. 党章 sets 3–5 years; branches elected under the 1990
    # 暂行条例 served 2 or 3 years, and their elections are history the system must accept.
    Parameter("term_years_min", 2, _EPOCH, "TERM-01", "基层组织选举工作暂行条例 1990 第四条（支部两年或三年）"),
    Parameter("term_years_max", 5, _EPOCH, "TERM-01", "党章 第三十一条（每届任期三年至五年）"),
    # TERM-02: a term may be extended or shortened by at most 12 months, with approval
    Parameter("term_max_shift_months", 12, _EPOCH, "TERM-02", "基层组织选举工作条例 2020 第三条"),
    # TERM-03: the higher level reminds about 6 months before a term ends
    Parameter("term_reminder_months", 6, _EPOCH, "TERM-03", "12371 党建问答：支部任期届满前6个月提醒"),
    # TERM-04: a secretary vacant more than 90 days is an error (local 软弱涣散 standard: 3 months)
    Parameter("secretary_vacancy_days", 90, _EPOCH, "TERM-04", "地方软弱涣散认定标准：书记空缺超过3个月"),
    # ORG-01/02/05: branch size thresholds (支部工作条例 第五条、第十二条)
    Parameter("branch_min_full_members", 3, _EPOCH, "ORG-01", "党章 第三十条；支部工作条例 第四条"),
    Parameter("branch_max_members", 50, _EPOCH, "ORG-02", "支部工作条例 第四条（一般不超过50人）"),
    Parameter("branch_committee_threshold", 7, _EPOCH, "ORG-05", "支部工作条例 第十二条（7人以上设支委会）"),
    Parameter("branch_committee_min_posts", 3, _EPOCH, "ORG-05", "支部工作条例 第十二条（支委会由3至5人组成）"),
    # MTG-02: a vote needs more than half of those with a vote present, and passes with yes votes from
    # more than half of those who should attend with a vote (shares are fractions: compared exactly)
    Parameter("vote_quorum_share", "1/2", _EPOCH, "MTG-02", "支部工作条例 第十一条"),
    Parameter("vote_pass_share", "1/2", _EPOCH, "MTG-02", "支部工作条例 第十一条"),
    # MTG-05Q: a branch committee meeting needs more than half of its members present
    Parameter("committee_meeting_quorum_share", "1/2", _EPOCH, "MTG-05Q", "支部工作条例 第十二条"),
    # MTG-01…15: how often each meeting is due (month, quarter or year)
    Parameter("meeting_frequency.branch_general", "quarter", _EPOCH, "MTG-01", "支部工作条例 第十一条（一般每季度召开1次）"),
    Parameter("meeting_frequency.branch_committee", "month", _EPOCH, "MTG-05", "支部工作条例 第十二条（一般每月召开1次）"),
    Parameter("meeting_frequency.group", "month", _EPOCH, "MTG-06", "支部工作条例 第十三条（一般每月召开1次）"),
    Parameter("meeting_frequency.lecture", "quarter", _EPOCH, "MTG-08", "支部工作条例 第十六条；地方通行做法每季度1次"),
    Parameter("meeting_frequency.theme_day", "month", _EPOCH, "MTG-09", "支部工作条例 第十七条（每月相对固定1天）"),
    Parameter("meeting_frequency.life_meeting", "year", _EPOCH, "MTG-10", "支部工作条例 第十八条（每年至少1次）"),
    Parameter("meeting_frequency.appraisal", "year", _EPOCH, "MTG-12", "支部工作条例 第二十条（一般每年1次）"),
    Parameter("meeting_frequency.democratic_life", "year", _EPOCH, "MTG-15", "党内政治生活若干准则（一般每年1次）"),
    # MTG-16: the secretary gives at least one 党课 a year
    Parameter("secretary_lectures_per_year", 1, _EPOCH, "MTG-16", "支部工作条例 第十六条（书记每年至少讲1次党课）"),
    # Probation lasts a year (党章 第七条: 预备期为一年), extendable by 6–12 months (DEV-17)
    Parameter("probation_months", 12, _EPOCH, "DEV-15", "党章 第七条"),
    # A member is admitted as probationary at 18 or older (党章 第一条)
    Parameter("min_admission_age", 18, _EPOCH, "DEV-01", "党章 第一条"),
)


def parameter(name: str, on: datetime.date | None = None) -> Parameter:
    """The Parameter `name` in force on date `on` (default: the latest), with its source."""
    candidates = [p for p in PARAMETERS if p.name == name and (on is None or p.effective_from <= on)]
    if not candidates:
        raise KeyError(f"no parameter {name!r} in force on {on}")
    return max(candidates, key=lambda p: p.effective_from)


def value(name: str, on: datetime.date | None = None):
    """The value of parameter `name` in force on date `on` (default: the latest)."""
    return parameter(name, on).value
