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
ELECTION_RULES_2020 = datetime.date(2020, 7, 13)  # 《中国共产党基层组织选举工作条例》 issued and in force

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
    # ---- elections (ELE-*): the 1990 暂行条例 until the 2020 条例 took effect on 2020-07-13. The margin and the
    # quorum are the same in both (a row each: the source in force on the election's date); who is elected
    # changed from "more than half of those present" to "more than half of those who should attend".
    Parameter("election_candidate_margin", "1/5", _EPOCH, "ELE-02",
              "基层组织选举工作暂行条例 1990（委员候选人的差额不少于应选人数的20%）"),
    Parameter("election_candidate_margin", "1/5", ELECTION_RULES_2020, "ELE-02",
              "基层组织选举工作条例 2020 第十三条（委员候选人的差额不少于应选人数的20%）"),
    Parameter("election_quorum_share", "4/5", _EPOCH, "ELE-05",
              "基层组织选举工作暂行条例 1990（有选举权的到会人数超过应到会人数的五分之四，方能进行选举）"),
    Parameter("election_quorum_share", "4/5", ELECTION_RULES_2020, "ELE-05",
              "基层组织选举工作条例 2020（到会人数超过应到会人数的五分之四，会议有效；据12371等二手资料）"),
    Parameter("election_majority_base", "present", _EPOCH, "ELE-07",
              "基层组织选举工作暂行条例 1990 第二十二条（赞成票超过实到会有选举权的人数的一半）"),
    Parameter("election_majority_base", "expected", ELECTION_RULES_2020, "ELE-07",
              "基层组织选举工作条例 2020（赞成票超过应到会有选举权人数的一半；据旗帜网党建业务通2023）"),
    Parameter("election_majority_share", "1/2", _EPOCH, "ELE-07", "基层组织选举工作暂行条例 1990 第二十二条；2020 条例"),
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
    # ---- recruitment (DEV-*, 发展党员工作细则 2014) ----
    Parameter("talk_within_months", 1, _EPOCH, "DEV-02", "发展党员工作细则 第七条（一个月内派人谈话）"),
    Parameter("training_contacts_min", 1, _EPOCH, "DEV-04", "发展党员工作细则 第九条（一至两名正式党员）"),
    Parameter("training_contacts_max", 2, _EPOCH, "DEV-04", "发展党员工作细则 第九条"),
    Parameter("activist_assessment_months", 6, _EPOCH, "DEV-05", "发展党员工作细则 第十一条（每半年考察一次）"),
    Parameter("activist_training_months", 12, _EPOCH, "DEV-06", "发展党员工作细则 第十三条（培养教育一年以上）"),
    Parameter("sponsors_required", 2, _EPOCH, "DEV-07", "发展党员工作细则 第十四条；党章 第五条"),
    Parameter("intensive_training_days", 3, _EPOCH, "DEV-09", "发展党员工作细则 第十七条（不少于三天）"),
    Parameter("intensive_training_hours", 24, _EPOCH, "DEV-09", "发展党员工作细则 第十七条（不少于二十四个学时）"),
    Parameter("approval_within_months", 3, _EPOCH, "DEV-14", "发展党员工作细则 第二十五条（三个月内审批）"),
    Parameter("extension_months_min", 6, _EPOCH, "DEV-17", "党章 第七条（延长预备期最短半年）"),
    Parameter("extension_months_max", 12, _EPOCH, "DEV-17", "党章 第七条（最长不超过一年）"),
    Parameter("confirmation_approval_within_months", 3, _EPOCH, "DEV-18", "发展党员工作细则 第三十三条（三个月内审批）"),
    # ---- dues (DUES-*, 关于中国共产党党费收缴、使用和管理的规定 2008) ----
    # Brackets: (upper bound inclusive in yuan or None for "above", rate); one rate on the whole base.
    Parameter("dues_brackets.salaried", ((3000, "0.005"), (5000, "0.01"), (10000, "0.015"), (None, "0.02")),
              datetime.date(2008, 4, 1), "DUES-02", "党费规定 第二条（在职、年薪制，按全额一个比例）"),
    Parameter("dues_brackets.retired", ((5000, "0.005"), (None, "0.01")), datetime.date(2008, 4, 1), "DUES-02",
              "党费规定 第五条（离退休）"),
    Parameter("dues_flat_amount", "0.20", datetime.date(2008, 4, 1), "DUES-02",
              "党费规定 第六条（农民、学生、失业、低保每月0.2元）"),
    Parameter("dues_farmer_max", "1.00", datetime.date(2008, 4, 1), "DUES-02", "党费规定 第六条（农民0.2至1元）"),
    Parameter("dues_rounding", "0.01", _EPOCH, "DUES-02", "规定未明确；默认精确到分（可配置为0.1元）"),
    Parameter("dues_arrears_warning_months", 3, _EPOCH, "DUES-03", "地方做法：连续3个月未交党费提醒"),
    Parameter("dues_arrears_months", 6, _EPOCH, "DUES-12", "党章 第九条（连续六个月不交纳党费）"),
    Parameter("dues_backpay_months", 6, _EPOCH, "DUES-11", "党费规定（补交党费一般不超过6个月）"),
    # Probation lasts a year (党章 第七条: 预备期为一年), extendable by 6–12 months (DEV-17)
    Parameter("probation_months", 12, _EPOCH, "DEV-15", "党章 第七条"),
    # A member is admitted as probationary at 18 or older (党章 第一条)
    Parameter("min_admission_age", 18, _EPOCH, "DEV-01", "党章 第一条"),
    # ---- 述职评议考核 (SHU-05/06): no national weights were found; these are the group's own, configurable ----
    Parameter("appraisal_rating_scores", (("好", 100), ("较好", 80), ("一般", 60), ("差", 0)), _EPOCH, "SHU-05",
              "述职评议主持词（好、较好、一般、差四个等次）；折算分值为地方做法"),
    Parameter("appraisal_weights", (("rating", "0.3"), ("assessment", "0.7")), _EPOCH, "SHU-06",
              "地方做法：年度党建考核占50%—70%，民主评议占20%—40%（述职评议考核办法未规定权重）"),
    Parameter("appraisal_grade_floors", (("好", 90), ("较好", 80), ("一般", 60), ("差", 0)), _EPOCH, "SHU-06",
              "地方做法：综合得分90分以上为好，80分以上为较好，60分以上为一般"),
    # ---- education (EDU-*): yearly study hours (学时) by role, and what one 党课 attended counts for ----
    Parameter("edu_member_hours", 32, _EPOCH, "EDU-01",
              "2014—2018年全国党员教育培训工作规划（党员每年集中学习培训不少于32学时；2019—2023年规划沿用）"),
    Parameter("edu_committee_hours", 56, _EPOCH, "EDU-02",
              "2014—2018年全国党员教育培训工作规划（基层党组织书记和班子成员每年不少于56学时）"),
    # EDU-05's local convention (full day 8, half-day lecture or activity 4, one hour 1): a 党课 is a
    # half-day lecture. A member whose 党课 ran longer records it as a 培训 row of 形式 党课 instead.
    Parameter("lecture_hours", 4, _EPOCH, "EDU-05", "地方学时折算办法：半天讲座或活动计4学时（党课按半天计）"),
    # ---- 三重一大 (SOE-03): the deciding bodies whose decisions need the 党委's prior study. The same bodies
    # before and after the 国企条例 (in force 2019-12-30): a row each, so a message cites the text in force.
    Parameter("soe_prior_study_bodies", ("board", "management"), _EPOCH, "SOE-03",
              "关于进一步推进国有企业贯彻落实“三重一大”决策制度的意见（2010）；关于深化国有企业改革的指导意见（2015）"
              "（党组织研究讨论是董事会、经理层决策重大问题的前置程序）"),
    Parameter("soe_prior_study_bodies", ("board", "management"), datetime.date(2019, 12, 30), "SOE-03",
              "国有企业基层组织工作条例（试行）第十三条、第十五条（重大经营管理事项须经党委研究讨论后，再由董事会或者"
              "经理层作出决定）"),
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
