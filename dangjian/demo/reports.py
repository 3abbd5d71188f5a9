"""The demo group secretary's 2018 述职报告: drafted from the year's records, with the secretary's own
sentences where a report needs them and the records cannot give them. Those sentences are the causes of the
problems the year's findings show, and a measure for each. They are written as a secretary would write
them, slot by slot through `save_narrative`, so the draft reads like the seed with every figure true and
still refreshes on 重新生成.

The texts are keyed by the themes of reports.figures.THEMES. A theme the records do not show this year gets
no sentence, and a theme with no text here keeps the draft's prompt, as it would for a real user."""
from dangjian.reports.services import document_of, draft_report, save_narrative

YEAR = 2018

CAUSES = {
    "life": "个别基层党组织对组织生活制度的刚性要求认识不足，“三会一课”计划安排不够，党支部书记对组织生活的"
            "组织实施还不够熟练，上级党组织的督促检查也还不够经常",
    "organisation": "市级分公司党组织隶属关系调整后，部分党组织换届筹备工作滞后，班子成员调整后未及时补选，"
                    "对基层党组织设置和班子配备的规定把握不够准确",
    "recruitment": "部分党支部对发展党员工作细则学习不深，培养考察各环节的时间节点把握不准，"
                   "发展党员工作纪实记录不够完整",
    "dues": "部分党员按月交纳党费的意识不强，党支部对党费收缴情况的按月核对不够及时，"
            "工资收入变动后未及时申报调整缴费基数",
    "education": "党员教育培训计划与生产经营安排统筹不够，一线党员工学矛盾较为突出，"
                 "对党员学习培训学时的登记和督促不够",
    "governance": "个别党委对党委前置研究讨论重大经营管理事项的程序要求理解不到位，"
                  "议事规则和“三重一大”决策制度的执行还不够严格",
    "rectification": "对查摆问题的整改跟踪督办不够，整改责任落实到人、到时限的要求执行还不够到位",
}

MEASURES = {
    "life": ("切实规范基层组织生活",
             "进一步严格“三会一课”、主题党日、组织生活会、民主评议党员等制度，年初制定组织生活计划，"
             "每季度通报各党支部组织生活开展情况，对未按规定开展的党支部及时督促整改。"),
    "organisation": ("加强基层组织建设",
                     "指导应换届的党组织按期换届，及时选优配强党组织书记和班子成员，"
                     "对党组织设置和班子配备逐一对照规定进行规范。"),
    "recruitment": ("严格发展党员工作程序",
                    "严格执行发展党员工作细则，把好培养考察各环节的时间节点，完善发展党员工作纪实，"
                    "注重从生产一线中发展党员。"),
    "dues": ("规范党费收缴管理",
             "每年核定一次党员缴费基数，党支部按月收缴、按月核对，对未按时足额交纳的党员及时提醒、谈心谈话。"),
    "education": ("抓实党员教育培训",
                  "统筹安排党员集中学习培训，用好线上学习平台，按季度登记党员学习培训学时，确保每名党员完成年度学时要求。"),
    "governance": ("严格执行党委前置研究程序",
                   "完善党委会议事规则和前置研究讨论重大经营管理事项清单，重大事项先经党委研究讨论后再由董事会、经理层决策。"),
    "rectification": ("压实问题整改责任",
                      "建立问题整改台账，逐项明确责任人和整改时限，定期调度整改进度，整改完成一项、销号一项。"),
}


def write_report(orgs, out=None, *, root_code="JT"):
    """Draft the root committee's 2018 report and write the secretary's causes and measures into it."""
    out = out or (lambda message: None)
    report = draft_report(actor=None, org=orgs[root_code], year=YEAR)
    slots = document_of(report).slots
    themes = [t["code"] for t in report.facts["themes"]]
    written = 0
    for code in themes:
        key = f"cause:t:{code}"
        if code in CAUSES and key in slots:
            written += save_narrative(report, actor=None, key=key, text=CAUSES[code])
    measures = [f"{MEASURES[code][0]}\n{MEASURES[code][1]}" for code in themes if code in MEASURES]
    if measures and "measures_more" in slots:
        written += save_narrative(report, actor=None, key="measures_more", text="\n\n".join(measures))
    out(f"述职报告：{report.org.name}{YEAR}年述职报告草稿，{len(themes)}类问题，书记填写{written}段")
    return report
