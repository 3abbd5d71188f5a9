"""Forms of the 党员教育 and 帮扶 pages. Like `forms.py`, they only parse what was typed: the services
check every rule, and their DomainError lands on the field it names. (A module of its own: these apps were
added alongside others, and each keeps its forms apart.)"""
from django import forms

from dangjian.assistance.models import ProjectKind
from dangjian.education.models import TrainingKind

from .forms import ChineseDateField, ChineseForm, OrgLabelChoice, blank


def _number_input(placeholder):
    return forms.TextInput(attrs={"inputmode": "decimal", "placeholder": placeholder, "autocomplete": "off"})


class TrainingForm(ChineseForm):
    """登记/修改 a study or training row (education.services.record_training / update_training)."""

    held_on = ChineseDateField(label="日期")
    subject = forms.CharField(label="内容", max_length=200)
    hours = forms.CharField(label="学时", max_length=10, widget=_number_input("如 4 或 2.5"),
                            help_text="最多一位小数；全天8学时、半天4学时、1小时1学时")
    kind = forms.ChoiceField(label="形式", choices=blank(TrainingKind.choices, "未注明"), required=False)


class ProjectForm(ChineseForm):
    """登记/修改 an assistance project (assistance.services.create_project / update_project). The member
    stationed there is named by the full 身份证号 (a first secretary is sent from anywhere in the subtree:
    a list of thousands would be no help)."""

    code = forms.CharField(label="项目编号", max_length=32)
    org = OrgLabelChoice(label="组织", queryset=None)
    target = forms.CharField(label="帮扶对象", max_length=120, help_text="村或户")
    kind = forms.ChoiceField(label="项目类型", choices=blank(ProjectKind.choices))
    name = forms.CharField(label="项目名称", max_length=200)
    started_on = ChineseDateField(label="开始日期")
    ended_on = ChineseDateField(label="结束日期", required=False, help_text="仍在实施的不填")
    invested = forms.CharField(label="投入金额（万元）", max_length=20, required=False, widget=_number_input("万元"))
    annual_return = forms.CharField(label="年收益（万元）", max_length=20, required=False, widget=_number_input("万元"),
                                    help_text="每年给村集体的收益或分红")
    member_id_number = forms.CharField(label="人员身份证号", max_length=18, required=False,
                                       help_text="驻村第一书记必填：驻村党员的完整身份证号")
    results = forms.CharField(label="成效", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, orgs=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
        if editing:
            del self.fields["code"]  # the key of the project: not changed
