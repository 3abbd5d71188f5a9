"""帮扶 for the demo group: the 述职报告's projects for its two poor villages, run by the group's committee.

    "派出两名政治过硬、乐于奉献的年轻同志担任驻村第一书记 … 先后实施了两个贫困村的通信联网、宽带覆盖、村屯道路硬化、
    地头水柜等基础设施建设 … 投入X万元入股当地的黑猪养殖场，每年分红X万元；投资X万建设两个黄牛养殖场"

The report leaves the amounts as X; the demo fills them with plausible figures. The two first secretaries are
young full members of the group's department branches (JTB01–JTB06), stationed from March 2018."""
import datetime
import itertools
from decimal import Decimal

from dangjian.assistance.models import ProjectKind
from dangjian.assistance.services import create_project
from dangjian.members.models import Member, Stage

D = datetime.date
VILLAGES = ("那坡县弄平村", "那坡县百合村")
STATIONED = D(2018, 3, 1)

# (code, village index, kind, name, start, end, 万元 put in, 万元 a year back, results)
PROJECTS = (
    ("BF2018-03", 0, ProjectKind.INFRASTRUCTURE, "通信联网、宽带覆盖", D(2018, 4, 10), D(2018, 9, 30), "86.00", None,
     "全村通光纤宽带和4G信号，解决村民收视难、上网难"),
    ("BF2018-04", 1, ProjectKind.INFRASTRUCTURE, "村屯道路硬化、地头水柜建设", D(2018, 3, 20), D(2018, 11, 30), "135.50",
     None, "硬化村屯道路6.2公里，新建地头水柜12座，解决出行难、饮水难"),
    ("BF2018-05", 0, ProjectKind.EQUITY, "入股当地黑猪养殖场", D(2018, 5, 1), None, "60.00", "4.80",
     "村集体按股每年分红"),
    ("BF2018-06", 0, ProjectKind.INVESTMENT, "建设黄牛养殖场（弄平村）", D(2018, 6, 15), None, "45.00", None,
     "为村集体长期稳定收入提供保障"),
    ("BF2018-07", 1, ProjectKind.INVESTMENT, "建设黄牛养殖场（百合村）", D(2018, 6, 15), None, "45.00", None,
     "为村集体长期稳定收入提供保障"),
)
ROOT_CODE = "JT"


def _first_secretaries():
    """Two young full members of the department branches (any branch of the group in a small demo), in good
    standing since before March 2018, the youngest first: those the group 派出 to the villages."""
    young = (Member.objects.filter(stage=Stage.FULL, birth_date__year__gte=1983, confirmed_on__lt=STATIONED,
                                   org__code__startswith=ROOT_CODE)
             .select_related("org").order_by("-birth_date", "id_number"))

    def fits(m):
        return m.state_on(STATIONED)[0] == Stage.FULL and m.state_on(D(2018, 12, 31))[0] == Stage.FULL

    departments = (m for m in young if m.org.code.startswith(tuple(f"JTB0{i}" for i in range(1, 7))) and fits(m))
    chosen = list(itertools.islice(departments, 2))
    others = (m for m in young if m not in chosen and fits(m))
    return chosen + list(itertools.islice(others, 2 - len(chosen)))


def write_assistance(orgs, people, out=None):
    """Write the seed's projects through the service (`orgs` is the generator's; `people` is not needed: the
    first secretaries are read from the roster as it stands); returns their 项目编号."""
    out = out or (lambda message: None)
    root = orgs[ROOT_CODE]
    codes = []
    for n, member in enumerate(_first_secretaries(), start=1):
        village = VILLAGES[n - 1]
        create_project(actor=None, code=f"BF2018-0{n}", org=root, target=village, kind=ProjectKind.FIRST_SECRETARY,
                       name=f"选派驻村第一书记（{village}）", started_on=STATIONED, member=member,
                       results="全脱产驻村抓基层党建和扶贫，开展“两学一做”学习教育")
        codes.append(f"BF2018-0{n}")
    for code, village, kind, name, start, end, invested, returns, results in PROJECTS:
        create_project(actor=None, code=code, org=root, target=VILLAGES[village], kind=kind, name=name,
                       started_on=start, ended_on=end, invested=Decimal(invested),
                       annual_return=Decimal(returns) if returns else None, results=results)
        codes.append(code)
    out(f"帮扶项目：{len(codes)}个（驻村第一书记{len(codes) - len(PROJECTS)}名）")
    return codes
