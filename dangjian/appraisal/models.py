"""述职评议考核: a higher organisation's yearly round in which the secretaries of the organisations below report,
are rated 好/较好/一般/差 by anonymous ballots, and get an overall grade that combines the rating with the 考核
score of their 党建目标责任书.

Ballots are anonymous: a ballot records the rater's group and how it came in (paper or online), never who
cast it. An online vote leaves only a keyed hash of (round, user) in `OnlineVote`, to refuse a second vote
without linking the person to the ballot."""
from django.db import models


class Rating(models.TextChoices):
    GOOD = "好", "好"
    FAIRLY_GOOD = "较好", "较好"
    AVERAGE = "一般", "一般"
    POOR = "差", "差"


class RaterGroup(models.TextChoices):
    LEADERS = "leaders", "上级党组织领导班子成员"
    SECRETARIES = "secretaries", "其他党组织书记"
    MEMBERS = "members", "党员代表"
    EMPLOYEES = "employees", "职工代表"


class Channel(models.TextChoices):
    PAPER = "paper", "纸质票录入"
    ONLINE = "online", "网上评议"


class ReportForm(models.TextChoices):
    ON_SITE = "on_site", "现场述职"
    WRITTEN = "written", "书面述职"


class Round(models.Model):
    """`org` (the higher level) runs the year's 述职评议 for the organisations below it."""

    org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="appraisal_rounds",
                            verbose_name="组织评议的党组织")
    year = models.PositiveSmallIntegerField("年度")
    held_on = models.DateField("述职评议日期")
    title = models.CharField("名称", max_length=200)
    closed_on = models.DateField("计票结束日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "述职评议"
        ordering = ["org", "-year"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="round_unique")]

    def __str__(self):
        return self.title

    def snapshot(self):
        return {"org": self.org.code, "year": self.year, "held_on": self.held_on.isoformat(), "title": self.title,
                "closed_on": self.closed_on.isoformat() if self.closed_on else None}


class Reporter(models.Model):
    """A secretary who reports in the round, for the organisation they lead."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="reporters")
    org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="+", verbose_name="述职组织")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+", verbose_name="述职人（书记）")
    form = models.CharField("述职方式", max_length=16, choices=ReportForm.choices, default=ReportForm.ON_SITE)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "述职人"
        ordering = ["round", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "org"], name="reporter_unique")]

    def __str__(self):
        return f"{self.member.name}（{self.org.name}书记）"

    def snapshot(self):
        return {"org": self.org.code, "member": self.member.id_number, "form": self.form}


class Ballot(models.Model):
    """One anonymous ballot: the rater's group and how it came in; its marks, one per secretary rated."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="ballots")
    group = models.CharField("评议人类别", max_length=16, choices=RaterGroup.choices)
    channel = models.CharField("方式", max_length=8, choices=Channel.choices)
    number = models.PositiveIntegerField("票号")

    class Meta:
        verbose_name = verbose_name_plural = "评议票"
        ordering = ["round", "number"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="ballot_number_unique")]

    def __str__(self):
        return f"{self.round.title}第{self.number}号票"


class Mark(models.Model):
    ballot = models.ForeignKey(Ballot, models.CASCADE, related_name="marks")
    reporter = models.ForeignKey(Reporter, models.CASCADE, related_name="marks")
    rating = models.CharField("评价", max_length=4, choices=Rating.choices)

    class Meta:
        verbose_name = verbose_name_plural = "评价"
        constraints = [models.UniqueConstraint(fields=["ballot", "reporter"], name="mark_unique")]


class OnlineVote(models.Model):
    """That someone voted online in a round: a keyed hash only, so the ballot cannot be traced to them."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="+")
    voter_key = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "voter_key"], name="online_vote_once")]
