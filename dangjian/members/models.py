"""The member roster: a person keyed by the resident ID, and the dated events of their party life.

Stage and organisation on any date are computed from the events (`state_on`). `org`, `stage`,
`admitted_on` and `confirmed_on` on Member are a cache of the state today, rewritten by the services
after every event so lists and scoping can filter in SQL; they are never edited directly.
"""
import datetime

from django.db import models

from dangjian.core.dates import age_on
from dangjian.core.masking import mask_birth_date, mask_id_number, mask_phone
from dangjian.organizations.models import under


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", "研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    SECONDARY_VOCATIONAL = "secondary_vocational", "中专"
    HIGH_SCHOOL = "high_school", "高中"
    JUNIOR_OR_BELOW = "junior_or_below", "初中及以下"


class PostCategory(models.TextChoices):
    FRONTLINE = "frontline", "生产一线"
    PROFESSIONAL = "professional", "专业技术人员"
    MANAGEMENT = "management", "管理人员"
    RETIRED = "retired", "离退休人员"
    STUDENT = "student", "学生"
    OTHER = "other", "其他"


class DuesCategory(models.TextChoices):
    EMPLOYED = "employed", "在职"
    ANNUAL_SALARY = "annual_salary", "年薪制"
    RETIRED = "retired", "离退休"
    FARMER = "farmer", "农民"
    STUDENT = "student", "学生"
    UNEMPLOYED = "unemployed", "失业"
    SUBSISTENCE = "subsistence", "低保"


class Stage(models.TextChoices):
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"
    SUSPENDED = "suspended", "停止党籍"
    LEFT = "left", "已出党"


class EventKind(models.TextChoices):
    ADMITTED = "admitted", "接收为预备党员"
    CONFIRMED = "confirmed", "转为正式党员"
    TRANSFERRED = "transferred", "组织关系转接"
    SUSPENDED = "suspended", "停止党籍"
    RESTORED = "restored", "恢复党籍"
    WITHDREW = "withdrew", "退党"
    STRUCK_OFF = "struck_off", "除名"
    EXPELLED = "expelled", "开除党籍"
    PERSUADED = "persuaded", "劝退"
    DIED = "died", "死亡"
    CANCELLED = "cancelled", "取消预备党员资格"


EXIT_KINDS = (EventKind.WITHDREW, EventKind.STRUCK_OFF, EventKind.EXPELLED, EventKind.PERSUADED, EventKind.DIED)
# Ways out of the roll: the exits, and for a probationary member the cancellation of probation (DEV-19).
LEAVING_KINDS = EXIT_KINDS + (EventKind.CANCELLED,)

# The lifecycle as data: for each stage, the events allowed next (None = not yet a member).
TRANSITIONS = {
    None: (EventKind.ADMITTED,),
    Stage.PROBATIONARY: (EventKind.CONFIRMED, EventKind.TRANSFERRED, EventKind.SUSPENDED, EventKind.CANCELLED)
    + EXIT_KINDS,
    Stage.FULL: (EventKind.TRANSFERRED, EventKind.SUSPENDED) + EXIT_KINDS,
    Stage.SUSPENDED: (EventKind.RESTORED,) + EXIT_KINDS,
    Stage.LEFT: (),
}


class MemberQuerySet(models.QuerySet):
    def in_subtree(self, org):
        return self.filter(under(org.path, "org__path"))

    def current(self):
        """Members still on the roll (not left)."""
        return self.exclude(stage=Stage.LEFT)


class Member(models.Model):
    """A party member (or former member: members are never deleted)."""

    id_number = models.CharField("身份证号", max_length=18, unique=True)
    name = models.CharField("姓名", max_length=40)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    ethnicity = models.CharField("民族", max_length=20, blank=True, default="汉族")
    birth_date = models.DateField("出生日期")
    education = models.CharField("学历", max_length=24, choices=Education.choices, blank=True)
    post_category = models.CharField("工作岗位", max_length=16, choices=PostCategory.choices, blank=True)
    is_leading_cadre = models.BooleanField("领导干部", default=False)
    party_group = models.ForeignKey("organizations.Organization", models.PROTECT, null=True, blank=True,
                                    related_name="group_members", verbose_name="党小组")
    dues_category = models.CharField("党费类别", max_length=16, choices=DuesCategory.choices,
                                     default=DuesCategory.EMPLOYED)
    dues_reduced = models.BooleanField("减免党费", default=False)
    phone = models.CharField("手机号码", max_length=20, blank=True)
    user = models.OneToOneField("auth.User", models.SET_NULL, null=True, blank=True, related_name="member",
                                verbose_name="登录账号")

    # Cache of the state today, derived from events by members.services.refresh_state.
    org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="members",
                            verbose_name="所属组织")
    stage = models.CharField("人员类别", max_length=16, choices=Stage.choices)
    admitted_on = models.DateField("入党日期")
    confirmed_on = models.DateField("转正日期", null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "党员"
        ordering = ["org__path", "name", "id"]
        indexes = [models.Index(fields=["name"]), models.Index(fields=["stage"])]

    def __str__(self):
        return self.name

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def masked_birth_date(self):
        return mask_birth_date(self.birth_date)

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.birth_date, day)

    def state_on(self, day: datetime.date):
        """(stage, org) on `day` computed from the events; (None, None) before admission."""
        return compute_state(list(self.events.select_related("org")), day)

    def snapshot(self):
        return {
            "id_number": self.id_number, "name": self.name, "sex": self.sex, "ethnicity": self.ethnicity,
            "birth_date": self.birth_date.isoformat(), "education": self.education,
            "post_category": self.post_category, "is_leading_cadre": self.is_leading_cadre,
            "party_group": self.party_group.code if self.party_group_id else None,
            "dues_category": self.dues_category, "dues_reduced": self.dues_reduced, "phone": self.phone,
        }


class MemberEvent(models.Model):
    """One dated fact of a member's party life. `org` is the organisation holding the membership from
    this event on (for 接收 and 转接). A 转正 of an old record may have no date: it then counts from
    admission (RULES.md: 正式党员 with no 转正日期 are full members always)."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="events", verbose_name="党员")
    kind = models.CharField("事件", max_length=16, choices=EventKind.choices)
    date = models.DateField("日期", null=True, blank=True)
    org = models.ForeignKey("organizations.Organization", models.PROTECT, null=True, blank=True,
                            related_name="+", verbose_name="组织")
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "党员事件"
        ordering = ["member", "date", "id"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"

    def effective_date(self, admitted_on):
        return self.date or admitted_on


def ordered_events(events):
    admitted = next((e.date for e in events if e.kind == EventKind.ADMITTED), None)
    return sorted(events, key=lambda e: (e.effective_date(admitted) or datetime.date.min, e.id or 0))


def compute_state(events, day):
    """Walk the events up to `day`: the stage and the membership-holding organisation on that day."""
    stage, org, before_suspension = None, None, None
    admitted = next((e.date for e in events if e.kind == EventKind.ADMITTED), None)
    for event in ordered_events(events):
        if (event.effective_date(admitted) or day) > day:
            break
        if event.kind == EventKind.ADMITTED:
            stage, org = Stage.PROBATIONARY, event.org
        elif event.kind == EventKind.CONFIRMED:
            stage = Stage.FULL
        elif event.kind == EventKind.TRANSFERRED:
            org = event.org
        elif event.kind == EventKind.SUSPENDED:
            before_suspension, stage = stage, Stage.SUSPENDED
        elif event.kind == EventKind.RESTORED:
            stage = before_suspension or Stage.FULL
        elif event.kind in LEAVING_KINDS:
            stage = Stage.LEFT
    return stage, org
