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

def form_errors(form):
    """A form's errors in one line (for a message after a redirect), each naming its field unless it does."""
    def named(name, error):
        label = form.fields[name].label if name in form.fields else ""
        return error if not label or label in error else f"{label}：{error}"
    return "；".join(named(name, error) for name, errors in form.errors.items() for error in errors)

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


# ---- 发展党员 (recruitment) ----

class CaseOpenForm(ChineseForm):
    """递交入党申请书: opens the case (recruitment.services.open_case checks the ID, the age and the branch)."""

    id_number = forms.CharField(label="身份证号", max_length=18, help_text="出生日期和性别按身份证号登记")
    name = forms.CharField(label="姓名", max_length=40)
    org = OrgLabelChoice(label="接收申请的党组织", queryset=None, help_text="党支部或党总支")
    applied_on = ChineseDateField(label="申请日期", help_text="递交入党申请书的日期")

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


CASE_STATUS_CHOICES = [
    ("", "培养考察中、预备党员及本年转正"), ("open", "培养考察中"), ("applicant", "申请入党"),
    ("activist", "入党积极分子"), ("candidate", "发展对象"), ("probationary", "预备党员"),
    ("confirmed", "已转正（历年）"), ("discontinued", "终止培养"), ("cancelled", "取消预备党员资格"), ("all", "全部"),
]


class CaseFilter(forms.Form):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "党支部名称或编码、申请人姓名"}))
    status = forms.ChoiceField(label="状态", choices=CASE_STATUS_CHOICES, required=False)


class CasePeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（证件尾号{obj.id_number[-4:]}）"


class CaseMeetingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.held_on:%Y-%m-%d} {obj.subject}"


class CaseStepForm(ChineseForm):
    """One step of a recruitment case with the fields that step records (process.Step.records): the people
    (培养联系人, 入党介绍人) among `people`, a conclusion among `conclusions`, a training's end and hours, a
    vote, the months of an extension, and for a meeting's decision the meeting record among `meetings`.
    `reason` (理由) is asked only after a soft rule refused the step (`ask_reason`)."""

    step = forms.IntegerField(widget=forms.HiddenInput)
    date = ChineseDateField(label="日期")
    note = forms.CharField(label="说明", max_length=200, required=False)
    reason = forms.CharField(label="理由", max_length=200, required=False)

    DATE_LABELS = {11: "培训开始日期", 12: "会议日期", 15: "支部大会日期", 23: "支部大会日期"}
    PEOPLE_LABELS = {5: ("培养联系人", "选1至2名本支部正式党员"), 9: ("入党介绍人", "选2名本支部正式党员，一般为培养联系人")}
    CONCLUSION_LABELS = {10: "政审结论", 23: "转正结果"}

    def __init__(self, *args, definition, people=None, conclusions=(), meetings=None, show_reason=False, **kwargs):
        from dangjian.recruitment.process import CONCLUSION, MONTHS, PEOPLE, TRAINING, VOTE

        super().__init__(*args, **kwargs)
        self.definition = definition
        records = definition.records
        self.fields["date"].label = self.DATE_LABELS.get(definition.no, "日期")
        extra = {}
        if PEOPLE in records:
            label, help_text = self.PEOPLE_LABELS.get(definition.no, ("人员", ""))
            extra["people"] = CasePeopleChoice(label=label, queryset=people, required=False, help_text=help_text,
                                               widget=forms.CheckboxSelectMultiple)
        if CONCLUSION in records:
            extra["conclusion"] = forms.ChoiceField(label=self.CONCLUSION_LABELS.get(definition.no, "结论"),
                                                    choices=[(c, c) for c in conclusions], widget=forms.RadioSelect)
        if TRAINING in records:
            extra["ended_on"] = ChineseDateField(label="培训结束日期", required=False,
                                                 help_text="集中培训一般不少于3天或24学时")
            extra["hours"] = forms.CharField(label="培训学时", max_length=10, required=False)
        if VOTE in records:
            help_text = "只计有表决权的正式党员（预备党员不计）；因故不能到会、会前正式提交书面意见的计入"
            extra["expected"] = forms.IntegerField(label="应到人数", required=False, min_value=0,
                                                   max_value=MAX_HEADCOUNT, help_text=help_text)
            extra["present"] = forms.IntegerField(label="实到人数", required=False, min_value=0, max_value=MAX_HEADCOUNT)
            extra["yes"] = forms.IntegerField(label="赞成票", required=False, min_value=0, max_value=MAX_HEADCOUNT)
        if MONTHS in records:
            extra["months"] = forms.IntegerField(label="延长月数", required=False, min_value=0,
                                                 max_value=MAX_HEADCOUNT, help_text="结论为延长预备期时填写（6至12个月）")
        if meetings is not None:
            extra["meeting"] = CaseMeetingChoice(label="会议记录", queryset=meetings, required=False,
                                                 empty_label="（不关联会议记录）",
                                                 help_text="可选：关联本组织当天的会议记录")
        for name, field in extra.items():
            self.fields[name] = field
        self.order_fields(["step", "date", "people", "conclusion", "ended_on", "hours", "expected", "present",
                           "yes", "months", "meeting", "note", "reason"])
        for name in extra:  # the Chinese required messages for the fields added here
            self.fields[name].error_messages["required"] = f"请选择{self.fields[name].label}" \
                if isinstance(self.fields[name], forms.ChoiceField) else f"请填写{self.fields[name].label}"
        if show_reason:
            self.ask_reason()
        else:
            self.fields["reason"].widget = forms.HiddenInput()
        self.reason_asked = show_reason

    def ask_reason(self):
        """Show the 理由 field: a soft rule refused the step, and a recorded reason lets it through."""
        self.reason_asked = True
        self.fields["reason"].widget = forms.Textarea(attrs={"rows": 2})
        self.fields["reason"].help_text = "如属特殊情况，填写理由后再次提交即可登记；理由记入发展党员纪实"

    def service_data(self):
        """The keyword arguments of recruitment.services.record_step."""
        data = {name: self.cleaned_data[name] for name in ("date", "note", "reason")}
        for name in ("people", "conclusion", "ended_on", "hours", "expected", "present", "yes", "months", "meeting"):
            if name in self.fields:
                value = self.cleaned_data.get(name)
                data[name] = list(value) if name == "people" else value
        if "hours" in data and not (data["hours"] or "").strip():
            data["hours"] = None
        return data


class DiscontinueForm(ChineseForm):
    on = ChineseDateField(label="终止培养日期")
    reason = forms.CharField(label="终止原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


# ---- 党费 (dues) ----

from dangjian.dues.models import PaymentKind  # noqa: E402


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.Field):
    """A month written YYYY-MM (the browser's month picker), read as its first day, with the Chinese
    message of `core.dates.parse_month`."""

    widget = MonthInput

    def to_python(self, value):
        import datetime

        from dangjian.core.dates import parse_month

        if value in (None, ""):
            return None
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        try:
            return parse_month(value)
        except DomainError as exc:
            raise ValidationError(exc.message, code=exc.code) from None

    def prepare_value(self, value):
        if hasattr(value, "strftime"):
            return f"{value.year:04d}-{value.month:02d}"
        return value


def _amount_input(label):
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "aria-label": label,
                                  "class": "amount"})


class DuesCollectionForm(ChineseForm):
    """收缴党费: one 实缴金额 box per member not yet recorded for the month (`lines`, DuesLine of the month's
    statement) and one 缴纳日期 for all. Amounts stay text: dues.services.record_branch_payments reads and
    checks them, and its refusal lands on the row's field `amount_<member pk>`."""

    paid_on = ChineseDateField(label="缴纳日期", help_text="本次收缴的交纳日期（全部人员同一天）")

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            label = f"{line.member.name}实缴金额"
            self.fields[f"amount_{line.member.pk}"] = forms.CharField(
                label=label, required=False, max_length=20, widget=_amount_input(label))

    @property
    def amount_rows(self):
        """(DuesLine, bound amount field) for the template."""
        return [(line, self[f"amount_{line.member.pk}"]) for line in self.lines]

    def rows(self):
        """[(member, amount text)] for record_branch_payments (blank: not paid this time)."""
        return [(line.member, (self.cleaned_data.get(f"amount_{line.member.pk}") or "").strip())
                for line in self.lines]


class DuesBaseForm(ChineseForm):
    """申报缴费基数 for one member (dues.services.declare_base)."""

    month = MonthField(label="起始月份", help_text="从该月起按此基数计算，直至再次申报")
    base = forms.CharField(label="缴费基数（元）", max_length=20, widget=_amount_input("缴费基数（元）"),
                           help_text="在职、年薪制、离退休按月工资收入计算；学生、失业、低保、农民按定额交纳，可填0")
    category = forms.ChoiceField(label="党费类别", choices=DuesCategory.choices)
    reduced = forms.BooleanField(label="减免党费", required=False, help_text="经党委批准减免的，本月起不计应交")
    note = forms.CharField(label="说明", max_length=200, required=False)


class DuesBranchBasesForm(ChineseForm):
    """申报缴费基数 for a whole branch from one month: per member (`lines` of the month's statement) a new
    base (blank: unchanged), the category and 减免."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            pk, name = line.member.pk, line.member.name
            self.fields[f"base_{pk}"] = forms.CharField(label=f"{name}缴费基数", required=False, max_length=20,
                                                        widget=_amount_input(f"{name}新的缴费基数"))
            self.fields[f"category_{pk}"] = forms.ChoiceField(
                label=f"{name}党费类别", choices=DuesCategory.choices,
                widget=forms.Select(attrs={"aria-label": f"{name}党费类别"}))
            self.fields[f"reduced_{pk}"] = forms.BooleanField(
                label=f"{name}减免党费", required=False,
                widget=forms.CheckboxInput(attrs={"aria-label": f"{name}减免党费"}))

    @property
    def base_rows(self):
        return [(line, self[f"base_{line.member.pk}"], self[f"category_{line.member.pk}"],
                 self[f"reduced_{line.member.pk}"]) for line in self.lines]


class DuesPaymentForm(ChineseForm):
    """登记/修改 one payment (dues.services.record_payment / update_payment)."""

    month = MonthField(label="所属月份")
    amount = forms.CharField(label="实缴金额（元）", max_length=20, widget=_amount_input("实缴金额（元）"))
    paid_on = ChineseDateField(label="缴纳日期")
    kind = forms.ChoiceField(label="类型", choices=PaymentKind.choices,
                             help_text="自愿多交党费单独登记，不计入当月应交")
    note = forms.CharField(label="说明", max_length=200, required=False)
