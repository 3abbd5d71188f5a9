"""The regulation parameters: the value in force on a date, history kept."""
import datetime

import pytest

from dangjian.rules import parameters
from dangjian.rules.parameters import Parameter

D = datetime.date


def test_it_returns_the_value_in_force_on_a_date(monkeypatch):
    history = (Parameter("x", 3, D(1990, 1, 1), "T", "old rule"), Parameter("x", 5, D(2018, 10, 28), "T", "new rule"))
    monkeypatch.setattr(parameters, "PARAMETERS", history)
    assert parameters.value("x", D(2018, 10, 27)) == 3
    assert parameters.value("x", D(2018, 10, 28)) == 5
    assert parameters.value("x") == 5
    assert parameters.parameter("x", D(2000, 1, 1)).source == "old rule"
    with pytest.raises(KeyError):
        parameters.value("x", D(1989, 12, 31))


def test_it_gives_every_parameter_a_rule_and_a_source():
    for p in parameters.PARAMETERS:
        assert p.rule and p.source and p.effective_from, p.name
