"""The tally of a 述职评议 round: per secretary the ballots by grade, the share of 好 and of 好+较好, the
rating's score, the 考核 score of their 党建目标责任书 and the combined grade (weights and floors are
parameters: rules.parameters appraisal_*). A figure that is missing (no letter, no ballots) stays missing."""
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dangjian.rules import parameters

from .models import Mark, Rating

ONE_DECIMAL = Decimal("0.1")


@dataclass
class ReporterTally:
    reporter: object
    counts: dict
    letter_result: object = None
    rating_score: Decimal | None = None
    assessment: Decimal | None = None
    combined: Decimal | None = None
    grade: str | None = None

    @property
    def valid(self):
        return sum(self.counts.values())

    def share(self, *ratings):
        if not self.valid:
            return None
        part = sum(self.counts[r] for r in ratings)
        return (Decimal(part) * 100 / self.valid).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)

    @property
    def good_share(self):
        return self.share(Rating.GOOD)

    @property
    def good_or_fair_share(self):
        return self.share(Rating.GOOD, Rating.FAIRLY_GOOD)


def _round1(value):
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def grade_of(score, on):
    for grade, floor in parameters.value("appraisal_grade_floors", on):
        if score >= floor:
            return grade
    return Rating.POOR


def tally(round_):
    """[ReporterTally] in the order of the round's reporters."""
    from dangjian.responsibility.models import Letter
    from dangjian.responsibility.queries import letter_result

    on = round_.held_on
    scores = dict(parameters.value("appraisal_rating_scores", on))
    weights = {k: Decimal(v) for k, v in parameters.value("appraisal_weights", on)}
    counts = {}
    for reporter_id, rating in Mark.objects.filter(reporter__round=round_).values_list("reporter_id", "rating"):
        counts.setdefault(reporter_id, Counter())[rating] += 1
    letters = {l.to_org_id: l for l in Letter.objects.filter(from_org=round_.org, year=round_.year)}
    out = []
    for reporter in round_.reporters.select_related("member", "org"):
        c = counts.get(reporter.pk, Counter())
        t = ReporterTally(reporter, {r: c[r] for r in Rating.values})
        if t.valid:
            t.rating_score = _round1(sum(Decimal(scores[r]) * n for r, n in t.counts.items()) / t.valid)
        letter = letters.get(reporter.org_id)
        if letter is not None:
            t.letter_result = letter_result(letter)
            points = t.letter_result.points
            # A letter with indicators still to be scored has no 考核 score yet (not a low one).
            if points and not t.letter_result.unscored:
                t.assessment = _round1(t.letter_result.total * 100 / points)
        if t.rating_score is not None and t.assessment is not None:
            t.combined = _round1(weights["rating"] * t.rating_score + weights["assessment"] * t.assessment)
            t.grade = grade_of(t.combined, on)
        out.append(t)
    return out
