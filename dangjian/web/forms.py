"""Forms: they only parse what the user typed; every rule is checked by the service the view calls,
whose DomainError lands on the field it names (`add_domain_error`)."""
from django import forms
from django.core.exceptions import ValidationError

from dangjian.audit.actions import ACTIONS
from dangjian.core.dates import parse_date
from dangjian.core.errors import DomainError
from dangjian.members.models import EXIT_KINDS, DuesCategory, Education, PostCategory, Sex, Stage
from dangjian.organizations.models import OrgType, Post
from dangjian.organizations.services import MAX_HEADCOUNT


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")

class ChineseDateField(forms.DateField):
    """Accepts the same spellings as the workbook (YYYY-MM-DD, YYYY/MM/DD, YYYY年M月D日) with the same
    Chinese messages, and refuses impossible dates instead of correcting them."""

    widget = DateInput

    def to_python(self, value):
        try:
            return parse_date(value)
        except DomainError as exc:
            raise ValidationError(exc.message, code=exc.code) from None

class ChineseForm(forms.Form):
    """Required-field messages that name the field: “请填写成立日期” rather than a generic one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = f"请填写{field.label}"
            if isinstance(field, forms.ModelChoiceField):
                field.error_messages["invalid_choice"] = f"所选{field.label}不存在或不在您的管理范围内"
                field.error_messages["required"] = f"请选择{field.label}"
                if field.empty_label == "---------":
                    field.empty_label = "请选择"
            elif isinstance(field, forms.ChoiceField):
                field.error_messages["required"] = f"请选择{field.label}"

def add_domain_error(form, exc: DomainError):
    """Show a refused change on the field it is about, or above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)

def blank(choices, label="—"):
    return [("", label)] + list(choices)

class OrgLabelChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"

class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.org.name}，证件尾号{obj.id_number[-4:]}）"

# ---- organisations ----

class OrgEditForm(ChineseForm):
    name = forms.CharField(label="组织名称", max_length=120)
    org_type = forms.ChoiceField(label="组织类别", choices=blank(OrgType.choices))
    founded_on = ChineseDateField(label="成立日期")
    dissolved_on = ChineseDateField(label="撤销日期", required=False)
    unit_name = forms.CharField(label="所在单位", max_length=120, required=False)
    unit_employees = forms.IntegerField(label="单位职工人数", required=False, min_value=0, max_value=MAX_HEADCOUNT)
    has_discipline_committee = forms.BooleanField(label="设立纪委", required=False)
    has_party_office = forms.BooleanField(label="设立党务工作机构", required=False)
    party_staff_count = forms.IntegerField(label="专职党务人员数", required=False, min_value=0, max_value=MAX_HEADCOUNT)

class OrgCreateForm(OrgEditForm):
    code = forms.CharField(label="组织编码", max_length=32, help_text="字母、数字、点、横线或下划线，最长32位")
    parent = OrgLabelChoice(label="上级组织", queryset=None, required=False,
                            empty_label="（无：根组织，仅系统管理员）")
    field_order = ["code", "name", "org_type", "parent"]

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents

class OrgMoveForm(ChineseForm):
    parent = OrgLabelChoice(label="新的上级组织", queryset=None)
    moved_on = ChineseDateField(label="调整日期")
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents

# ---- posts and elections ----

class PostEditForm(ChineseForm):
    post = forms.ChoiceField(label="职务", choices=blank(Post.choices))
    started_on = ChineseDateField(label="任职日期")
    ended_on = ChineseDateField(label="离任日期", required=False)
    admin_post = forms.CharField(label="兼任行政职务", max_length=60, required=False,
                                 help_text="如董事长、总经理（书记兼任即为一肩挑）")
    full_time = forms.BooleanField(label="专职", required=False)

class PostCreateForm(PostEditForm):
    member = MemberChoice(label="任职人", queryset=None)
    field_order = ["member", "post", "started_on", "ended_on", "admin_post", "full_time"]

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members

class ElectionEditForm(ChineseForm):
    term_years = forms.IntegerField(label="任期年数", min_value=0, max_value=99)  # the range is a rule: the service says it
    expected = forms.IntegerField(label="应到人数", min_value=0, max_value=MAX_HEADCOUNT)
    present = forms.IntegerField(label="实到人数", min_value=0, max_value=MAX_HEADCOUNT)
    seats = forms.IntegerField(label="应选人数", min_value=0, max_value=MAX_HEADCOUNT)
    candidates = forms.IntegerField(label="候选人数", min_value=0, max_value=MAX_HEADCOUNT)
    postponed_to = ChineseDateField(label="批准延期至", required=False)

class ElectionCreateForm(ElectionEditForm):
    held_on = ChineseDateField(label="选举日期")
    field_order = ["held_on"]

# ---- members ----

class MemberAttributesForm(ChineseForm):
    name = forms.CharField(label="姓名", max_length=40)
    sex = forms.ChoiceField(label="性别", choices=blank(Sex.choices, "（按身份证号）"), required=False)
    birth_date = ChineseDateField(label="出生日期", required=False, help_text="留空则按身份证号")
    ethnicity = forms.CharField(label="民族", max_length=20, required=False, initial="汉族")
    education = forms.ChoiceField(label="学历", choices=blank(Education.choices), required=False)
    post_category = forms.ChoiceField(label="工作岗位", choices=blank(PostCategory.choices), required=False)
    is_leading_cadre = forms.BooleanField(label="领导干部", required=False)
    party_group = OrgLabelChoice(label="党小组", queryset=None, required=False)
    dues_category = forms.ChoiceField(label="党费类别", choices=DuesCategory.choices, initial=DuesCategory.EMPLOYED)
    dues_reduced = forms.BooleanField(label="减免党费", required=False)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party_group"].queryset = groups

class MemberCreateForm(MemberAttributesForm):
    id_number = forms.CharField(label="身份证号", max_length=18)
    org = OrgLabelChoice(label="所属组织", queryset=None)
    admitted_on = ChineseDateField(label="入党日期", help_text="支部大会通过接收为预备党员的日期")
    confirmed_on = ChineseDateField(label="转正日期", required=False, help_text="已转正的党员填写")
    field_order = ["id_number", "name", "sex", "birth_date", "org", "admitted_on", "confirmed_on"]

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs

class MemberEditForm(MemberAttributesForm):
    """The phone is not pre-filled (that would show it unmasked): blank keeps the recorded number."""

    def __init__(self, *args, masked_phone="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = f"当前：{masked_phone}；留空则不修改" if masked_phone else "留空则不修改"
        # Sex and birth date are read from the ID (the key, not editable): nothing to edit, nothing to show.
        del self.fields["sex"], self.fields["birth_date"]

class EventForm(ChineseForm):
    date = ChineseDateField(label="日期")
    note = forms.CharField(label="说明", max_length=200, required=False)

class ConfirmForm(EventForm):
    date = ChineseDateField(label="转正日期")

class TransferForm(EventForm):
    to_org = OrgLabelChoice(label="转入组织", queryset=None)
    date = ChineseDateField(label="转接日期")
    field_order = ["to_org", "date", "note"]

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = orgs

class ExitForm(EventForm):
    kind = forms.ChoiceField(label="出党方式", choices=blank((k.value, k.label) for k in EXIT_KINDS))
    date = ChineseDateField(label="出党日期")
    field_order = ["kind", "date", "note"]

# ---- lists ----

YES_NO = [("", "全部"), ("1", "是"), ("0", "否")]

class RosterFilter(forms.Form):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "姓名、身份证号（全号或尾号）、组织编码或名称"}))
    stage = forms.ChoiceField(label="人员类别", choices=blank(Stage.choices, "全部"), required=False)
    post_category = forms.ChoiceField(label="工作岗位", choices=blank(PostCategory.choices, "全部"), required=False)
    education = forms.ChoiceField(label="学历", choices=blank(Education.choices, "全部"), required=False)
    sex = forms.ChoiceField(label="性别", choices=blank(Sex.choices, "全部"), required=False)
    leading = forms.ChoiceField(label="领导干部", choices=YES_NO, required=False)
    dues_category = forms.ChoiceField(label="党费类别", choices=blank(DuesCategory.choices, "全部"), required=False)
    org = forms.CharField(label="组织编码", required=False, widget=forms.HiddenInput)
    include_left = forms.BooleanField(label="含已出党人员", required=False)

class AuditFilter(forms.Form):
    object = forms.CharField(label="对象", required=False,
                             widget=forms.TextInput(attrs={"placeholder": "类型或名称，如 member、张建国"}))
    user = forms.CharField(label="操作人", required=False)
    action = forms.ChoiceField(label="操作", choices=blank(ACTIONS.items(), "全部"), required=False)
    date_from = ChineseDateField(label="起始日期", required=False)
    date_to = ChineseDateField(label="截止日期", required=False)

# ---- organisational life (组织生活) and 党员之家 ----

ATTEND_CHOICES = [("1", "出席"), ("0", "缺席"), ("", "不列入")]


class PersonChoice(forms.ModelChoiceField):
    """A member picked for a meeting role (主持人, 讲课人). `named`: the pks the user may see, shown with
    their organisation; someone recorded earlier but since out of reach keeps only their name."""

    named = frozenset()

    def label_from_instance(self, obj):
        if obj.pk in self.named:
            return f"{obj.name}（{obj.org.name}，证件尾号{obj.id_number[-4:]}）"
        return obj.name


class MeetingForm(ChineseForm):
    """A meeting and, person by person, who should attend: one radio (出席/缺席/不列入) and one reason per
    member of `roster` (the organisation's members on the meeting date). With the list, 实到 is counted
    from it; 应到 defaults to the people listed."""

    held_on = ChineseDateField(label="会议日期")
    subject = forms.CharField(label="会议主题", max_length=200)
    types = forms.MultipleChoiceField(label="会议类型", widget=forms.CheckboxSelectMultiple,
                                      help_text="可多选：如在主题党日召开的支部党员大会，两种都选")
    topics = forms.MultipleChoiceField(label="议题类别", required=False, widget=forms.CheckboxSelectMultiple)
    chair = PersonChoice(label="主持人", queryset=None, required=False)
    lecturer = PersonChoice(label="讲课人", queryset=None, required=False, help_text="党课的讲课人")
    location = forms.CharField(label="地点", max_length=120, required=False)
    expected = forms.IntegerField(label="应到人数", required=False, min_value=0, max_value=MAX_HEADCOUNT,
                                  help_text="按人员登记出席时可留空：按名单上的人数计")
    present = forms.IntegerField(label="实到人数", required=False, min_value=0, max_value=MAX_HEADCOUNT,
                                 help_text="按人员登记出席时不必填写：按名单上出席的人数计算")
    minutes = forms.CharField(label="会议记录", required=False, widget=forms.Textarea(attrs={"rows": 8}))
    by_person = forms.BooleanField(label="按人员登记出席情况", required=False)
    roster = forms.CharField(required=False, widget=forms.HiddenInput)

    MAIN = ("held_on", "subject", "types", "topics", "chair", "lecturer", "location", "expected", "present",
            "minutes")

    def __init__(self, *args, types, topics, people, named, roster, roster_changed=False, attendance_url="",
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["types"].choices = types
        self.fields["types"].error_messages["invalid_choice"] = "“%(value)s”不是本组织可召开的会议类型"
        self.fields["topics"].choices = topics
        for name in ("chair", "lecturer"):
            self.fields[name].queryset = people
            self.fields[name].named = named
        self.listed = roster  # (`roster` is the hidden field's name)
        self.roster_changed = roster_changed
        for m in roster:
            self.fields[f"att_{m.pk}"] = forms.ChoiceField(label=m.name, choices=ATTEND_CHOICES, required=False,
                                                           widget=forms.RadioSelect)
            self.fields[f"reason_{m.pk}"] = forms.CharField(
                label=f"{m.name}缺席原因", max_length=120, required=False,
                widget=forms.TextInput(attrs={"placeholder": "缺席原因", "aria-label": f"{m.name}缺席原因"}))
        if attendance_url:  # htmx: a new date brings the members of that date
            self.fields["held_on"].widget.attrs.update({
                "hx-get": attendance_url, "hx-trigger": "change", "hx-target": "#attendance",
                "hx-swap": "outerHTML", "hx-include": "#attendance"})

    @property
    def main_fields(self):
        return [self[name] for name in self.MAIN]

    @property
    def attendance_rows(self):
        return [(m, self[f"att_{m.pk}"], self[f"reason_{m.pk}"]) for m in self.listed]

    def clean(self):
        data = super().clean()
        if self.roster_changed:
            raise ValidationError("会议日期对应的党员名单有变化，已按新的日期更新出席名单：请核对后再保存")
        return data

    def attendance(self):
        """[(member, attended, reason)] of the people listed (none when not recorded person by person)."""
        if not self.cleaned_data.get("by_person"):
            return []
        rows = []
        for m in self.listed:
            mark = self.cleaned_data.get(f"att_{m.pk}") or ""
            if mark:
                rows.append((m, mark == "1", self.cleaned_data.get(f"reason_{m.pk}") or ""))
        return rows


class VoteForm(ChineseForm):
    """A vote's tally. With an attendance list the voters are counted from it (the fields are dropped);
    otherwise they default to the meeting's 应到/实到."""

    matter = forms.CharField(label="表决事项", max_length=200)
    yes = forms.IntegerField(label="赞成票", min_value=0, max_value=MAX_HEADCOUNT)
    no = forms.IntegerField(label="反对票", required=False, min_value=0, max_value=MAX_HEADCOUNT)
    abstain = forms.IntegerField(label="弃权票", required=False, min_value=0, max_value=MAX_HEADCOUNT)
    expected_voters = forms.IntegerField(label="应到有表决权人数", required=False, min_value=0, max_value=MAX_HEADCOUNT,
                                         help_text="预备党员没有表决权，不计在内；留空则按会议应到人数")
    present_voters = forms.IntegerField(label="实到有表决权人数", required=False, min_value=0, max_value=MAX_HEADCOUNT,
                                        help_text="留空则按会议实到人数")
    resolution = forms.CharField(label="决议", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, counted=None, **kwargs):
        super().__init__(*args, **kwargs)
        if counted is not None:  # counted from the attendance list by the service
            del self.fields["expected_voters"], self.fields["present_voters"]


class AttachmentForm(ChineseForm):
    file = forms.FileField(label="文件")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].error_messages["required"] = "请选择要上传的文件"


class PartyHomeForm(ChineseForm):
    name = forms.CharField(label="名称", max_length=120)
    opened_on = ChineseDateField(label="建成日期")
    facilities = forms.MultipleChoiceField(label="设施", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from dangjian.meetings.models import Facility

        self.fields["facilities"].choices = Facility.choices
