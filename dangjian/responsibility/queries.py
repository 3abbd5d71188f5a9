"""Reading a 责任书: each indicator's value (computed indicators read the records again), its score and the
letter's total; and the ranking of the organisations a higher level signed letters with."""
from dataclasses import dataclass
from decimal import Decimal

from dangjian.core.dates import today

from .metrics import METRICS, as_of_for, score
from .models import Letter


@dataclass
class IndicatorResult:
    indicator: object
    value: object = None      # metrics.Value for a computed indicator
    score: Decimal | None = None

    @property
    def metric(self):
        return METRICS.get(self.indicator.metric)


@dataclass
class LetterResult:
    letter: object
    as_of: object
    results: list

    @property
    def total(self):
        return sum((r.score for r in self.results if r.score is not None), Decimal(0))

    @property
    def points(self):
        return sum((r.indicator.points for r in self.results), Decimal(0))

    @property
    def unscored(self):
        return sum(1 for r in self.results if r.score is None)


def indicator_result(indicator, as_of, findings=None):
    if not indicator.computed:
        return IndicatorResult(indicator, None, indicator.score)
    compute = METRICS[indicator.metric].compute
    if indicator.metric == "open_errors" and findings is not None:
        value = compute(indicator.letter.to_org, indicator.letter.year, as_of, findings=findings)
    else:
        value = compute(indicator.letter.to_org, indicator.letter.year, as_of)
    return IndicatorResult(indicator, value, score(indicator.points, indicator.target, indicator.direction,
                                                   value.value))


def letter_result(letter, as_of=None, findings=None):
    """The letter as of `as_of` (default: 31 December of its year, or today while the year runs)."""
    as_of = as_of or as_of_for(letter.year, today())
    return LetterResult(letter, as_of, [indicator_result(i, as_of, findings) for i in letter.indicators.all()])


def ranking(from_org, year, as_of=None):
    """[(rank, LetterResult)] of the letters `from_org` signed for `year`, best total first (equal totals
    share a rank)."""
    from dangjian.rules.engine import Window, run_checks

    letters = list(Letter.objects.filter(from_org=from_org, year=year).select_related("to_org", "from_org")
                   .prefetch_related("indicators"))
    if not letters:
        return []
    as_of = as_of or as_of_for(year, today())
    findings = run_checks(root=from_org, window=Window(as_of))  # once for all: each letter keeps its subtree's
    results = sorted((letter_result(letter, as_of, findings) for letter in letters),
                     key=lambda r: (-r.total, r.letter.to_org.path))
    ranked, previous, rank = [], None, 0
    for position, result in enumerate(results, start=1):
        if result.total != previous:
            rank, previous = position, result.total
        ranked.append((rank, result))
    return ranked
