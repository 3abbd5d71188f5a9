"""The member roster: identity checks, the lifecycle of dated events, state on any date, permissions."""
import datetime

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.members.models import EventKind, Member, Stage
from dangjian.members.services import (
    confirm_member,
    correct_membership_dates,
    create_member,
    record_exit,
    restore_member,
    reveal_member,
    suspend_member,
    transfer_member,
    update_member,
)

from .cast import person_id

D = datetime.date


def admit(cast, n=50, **kw):
    data = dict(actor=None, id_number=person_id(n), name="周新", org=cast.a0102, admitted_on=D(2017, 6, 1)) | kw
    return create_member(**data)


def test_it_derives_birth_date_and_sex_from_the_id(cast):
    member = admit(cast)
    assert member.birth_date == D(1980, 5, 1 + 50 % 28) and member.sex == "M"
    assert member.stage == Stage.PROBATIONARY and member.org == cast.a0102


def test_it_refuses_a_birth_date_or_sex_that_disagrees_with_the_id(cast):
    with pytest.raises(DomainError) as exc:
        admit(cast, birth_date=D(1980, 1, 1))
    assert exc.value.code == "ID_BIRTH_MISMATCH" and exc.value.field == "birth_date"
    with pytest.raises(DomainError) as exc:
        admit(cast, sex="F")
    assert exc.value.code == "ID_SEX_MISMATCH" and exc.value.field == "sex"


def test_it_refuses_a_second_record_for_the_same_person(cast):
    with pytest.raises(DomainError) as exc:
        admit(cast, n=1)
    assert exc.value.code == "DUPLICATE"


def test_it_refuses_a_bad_check_digit(cast):
    bad = person_id(50)[:17] + ("0" if person_id(50)[17] != "0" else "1")
    with pytest.raises(DomainError) as exc:
        admit(cast, id_number=bad)
    assert exc.value.code == "ID_CHECK_DIGIT"
    assert not Member.objects.filter(name="周新").exists()


def test_it_refuses_admission_before_the_eighteenth_birthday(cast):
    birth = D(2000, 3, 10)
    from dangjian.core.idcard import make_id_number
    young = make_id_number("450103", birth, 9, "F")
    with pytest.raises(DomainError) as exc:
        admit(cast, id_number=young, admitted_on=D(2018, 3, 9))
    assert exc.value.code == "MEMBER_UNDER_AGE"
    assert admit(cast, id_number=young, admitted_on=D(2018, 3, 10)).admitted_on == D(2018, 3, 10)


def test_it_refuses_a_membership_in_a_party_group(cast):
    with pytest.raises(DomainError) as exc:
        admit(cast, org=cast.a0101g1)
    assert exc.value.code == "MEMBER_ORG_TYPE"


def test_it_refuses_a_party_group_of_another_branch(cast):
    with pytest.raises(DomainError) as exc:
        admit(cast, party_group=cast.a0101g1)
    assert exc.value.code == "MEMBER_GROUP"


def test_it_computes_stage_and_organisation_on_any_date(cast):
    m = admit(cast)
    confirm_member(m, actor=None, confirmed_on=D(2018, 6, 1))
    transfer_member(m, actor=None, to_org=cast.a0101, transferred_on=D(2018, 9, 1))
    suspend_member(m, actor=None, suspended_on=D(2019, 1, 1))
    restore_member(m, actor=None, restored_on=D(2019, 6, 1))
    record_exit(m, actor=None, kind=EventKind.DIED, exited_on=D(2020, 1, 1))
    m.refresh_from_db()
    expected = [
        (D(2017, 5, 31), None, None),
        (D(2017, 6, 1), Stage.PROBATIONARY, cast.a0102),
        (D(2018, 5, 31), Stage.PROBATIONARY, cast.a0102),
        (D(2018, 6, 1), Stage.FULL, cast.a0102),
        (D(2018, 8, 31), Stage.FULL, cast.a0102),
        (D(2018, 9, 1), Stage.FULL, cast.a0101),
        (D(2019, 1, 1), Stage.SUSPENDED, cast.a0101),
        (D(2019, 6, 1), Stage.FULL, cast.a0101),
        (D(2020, 1, 1), Stage.LEFT, cast.a0101),
    ]
    for day, stage, org in expected:
        assert m.state_on(day) == (stage, org), day
    assert m.stage == Stage.LEFT and Member.objects.filter(pk=m.pk).exists()  # never deleted


def test_it_refuses_moves_the_lifecycle_does_not_allow(cast):
    m = admit(cast)
    with pytest.raises(DomainError) as exc:
        restore_member(m, actor=None, restored_on=D(2018, 1, 1))
    assert exc.value.code == "MEMBER_TRANSITION"
    record_exit(m, actor=None, kind=EventKind.WITHDREW, exited_on=D(2018, 1, 1))
    with pytest.raises(DomainError) as exc:
        transfer_member(m, actor=None, to_org=cast.a0101, transferred_on=D(2018, 2, 1))
    assert exc.value.code == "MEMBER_TRANSITION"
    with pytest.raises(DomainError):
        confirm_member(m, actor=None, confirmed_on=D(2018, 6, 1))


def test_it_refuses_an_event_dated_before_the_last_one(cast):
    m = admit(cast)
    transfer_member(m, actor=None, to_org=cast.a0101, transferred_on=D(2018, 1, 10))
    with pytest.raises(DomainError) as exc:
        confirm_member(m, actor=None, confirmed_on=D(2018, 1, 9))
    assert exc.value.code == "DATE_ORDER"
    confirm_member(m, actor=None, confirmed_on=D(2018, 1, 10))  # the same day is fine


def test_it_refuses_an_event_in_the_future(cast):
    m = admit(cast)
    with pytest.raises(DomainError) as exc:
        confirm_member(m, actor=None, confirmed_on=D(2999, 1, 1))
    assert exc.value.code == "DATE_FUTURE"


def test_it_refuses_an_exit_kind_that_is_not_one(cast):
    with pytest.raises(DomainError) as exc:
        record_exit(cast.li, actor=None, kind=EventKind.TRANSFERRED, exited_on=D(2018, 1, 1))
    assert exc.value.code == "CHOICE"


def test_it_treats_an_old_full_member_without_a_confirmation_date_as_full_from_admission(cast):
    m = admit(cast, admitted_on=D(2000, 7, 1), full_member=True)
    assert m.stage == Stage.FULL and m.confirmed_on is None
    assert m.state_on(D(2000, 7, 1)) == (Stage.FULL, cast.a0102)


def test_it_corrects_membership_dates_and_audits_it(cast):
    m = admit(cast)
    assert correct_membership_dates(m, actor=None, admitted_on=D(2017, 6, 1)) is False
    assert correct_membership_dates(m, actor=None, admitted_on=D(2017, 5, 1), confirmed_on=D(2018, 5, 1)) is True
    m.refresh_from_db()
    assert (m.admitted_on, m.confirmed_on, m.stage) == (D(2017, 5, 1), D(2018, 5, 1), Stage.FULL)
    with pytest.raises(DomainError):
        correct_membership_dates(m, actor=None, admitted_on=D(2017, 5, 1))  # cannot undo a confirmation


def test_it_moves_the_party_group_out_with_a_transfer(cast):
    transfer_member(cast.zhang, actor=None, to_org=cast.a0102, transferred_on=D(2018, 1, 1))
    cast.zhang.refresh_from_db()
    assert cast.zhang.party_group is None and cast.zhang.org == cast.a0102


def test_it_refuses_a_transfer_to_another_subtree_by_a_subtree_administrator(cast):
    with pytest.raises(DomainError) as exc:
        transfer_member(cast.li, actor=cast.a01admin, to_org=cast.b0101, transferred_on=D(2018, 1, 1))
    assert exc.value.code == "FORBIDDEN"
    transfer_member(cast.li, actor=cast.zuzhibu, to_org=cast.b0101, transferred_on=D(2018, 1, 1))


def test_it_limits_a_branch_officer_to_the_branch(cast):
    assert update_member(cast.li, actor=cast.shuji, ethnicity="壮族") is True
    with pytest.raises(DomainError):
        update_member(cast.zhao, actor=cast.shuji, ethnicity="壮族")
    with pytest.raises(DomainError):
        update_member(cast.li, actor=cast.dangyuan, ethnicity="汉族")


def test_it_masks_personal_numbers_in_the_audit_log(cast):
    update_member(cast.li, actor=None, phone="13900001111")
    entry = AuditEntry.objects.filter(action="member.update").latest("id")
    assert entry.after == {"phone": "139****1111"} and entry.before == {"phone": "138****5678"}
    created = AuditEntry.objects.get(action="member.create", object_id=str(cast.li.pk))
    assert cast.li.id_number not in str(created.after)


def test_it_audits_a_reveal_and_refuses_roles_that_may_not(cast):
    assert reveal_member(cast.li, actor=cast.a01admin)["id_number"] == cast.li.id_number
    assert AuditEntry.objects.filter(action="member.reveal", actor=cast.a01admin).count() == 1
    assert reveal_member(cast.li, actor=cast.dangyuan)["phone"] == cast.li.phone  # her own record
    for actor in (cast.b01admin, cast.shuji, cast.outsider):
        with pytest.raises(DomainError):
            reveal_member(cast.li, actor=actor)
    with pytest.raises(DomainError):
        reveal_member(cast.zhang, actor=cast.dangyuan)
    assert AuditEntry.objects.filter(action="member.reveal").count() == 2


def test_it_refuses_an_unknown_sex_with_a_message(cast):
    with pytest.raises(DomainError) as exc:
        admit(cast, sex="X")
    assert exc.value.code == "CHOICE" and exc.value.field == "sex"


def test_it_corrects_dates_of_a_member_confirmed_after_a_transfer(cast):
    m = admit(cast)
    transfer_member(m, actor=None, to_org=cast.a0101, transferred_on=D(2018, 1, 10))
    confirm_member(m, actor=None, confirmed_on=D(2018, 6, 1))
    assert correct_membership_dates(m, actor=None, admitted_on=D(2017, 6, 1), confirmed_on=D(2018, 6, 1)) is False
    assert correct_membership_dates(m, actor=None, admitted_on=D(2017, 6, 1), confirmed_on=D(2018, 6, 2)) is True
    with pytest.raises(DomainError) as exc:
        correct_membership_dates(m, actor=None, admitted_on=D(2018, 1, 11), confirmed_on=D(2018, 6, 2))
    assert exc.value.code == "DATE_ORDER"


def test_it_audits_leaving_the_party_group_on_a_transfer(cast):
    transfer_member(cast.zhang, actor=None, to_org=cast.a0102, transferred_on=D(2018, 1, 1))
    entry = AuditEntry.objects.filter(action="member.update", object_id=str(cast.zhang.pk)).latest("id")
    assert entry.before == {"party_group": "A0101G1"} and entry.after == {"party_group": None}


def test_it_restores_a_suspended_probationary_member_to_probation(cast):
    m = admit(cast)
    suspend_member(m, actor=None, suspended_on=D(2018, 1, 1))
    restore_member(m, actor=None, restored_on=D(2018, 2, 1))
    assert m.state_on(D(2018, 1, 31))[0] == Stage.SUSPENDED
    assert m.state_on(D(2018, 2, 1))[0] == Stage.PROBATIONARY


def test_it_refuses_a_transfer_into_an_organisation_on_the_day_it_is_dissolved(cast):
    from dangjian.organizations.services import create_organization

    closing = create_organization(actor=None, code="A0109", name="临时支部", org_type="temporary_branch",
                                  parent=cast.a01, founded_on=D(2017, 1, 1), dissolved_on=D(2018, 3, 1))
    with pytest.raises(DomainError) as exc:
        transfer_member(cast.li, actor=None, to_org=closing, transferred_on=D(2018, 3, 1))
    assert exc.value.code == "ORG_PARENT_DATE"
    transfer_member(cast.li, actor=None, to_org=closing, transferred_on=D(2018, 2, 28))


@pytest.mark.parametrize("days,ok", [(0, True), (1, False)])
def test_it_accepts_an_admission_dated_today_not_tomorrow(cast, days, ok):
    import datetime as dt

    from dangjian.core.dates import today

    day = today() + dt.timedelta(days=days)
    if ok:
        assert admit(cast, admitted_on=day).admitted_on == day
    else:
        with pytest.raises(DomainError) as exc:
            admit(cast, admitted_on=day)
        assert exc.value.code == "DATE_FUTURE"


def test_it_accepts_a_confirmation_on_the_day_of_admission_not_before(cast):
    with pytest.raises(DomainError) as exc:
        admit(cast, admitted_on=D(2017, 6, 1), confirmed_on=D(2017, 5, 31))
    assert exc.value.code == "DATE_ORDER"
    assert admit(cast, admitted_on=D(2017, 6, 1), confirmed_on=D(2017, 6, 1)).stage == Stage.FULL


def test_it_refuses_a_confirmation_in_the_future(cast):
    import datetime as dt

    from dangjian.core.dates import today

    with pytest.raises(DomainError) as exc:
        admit(cast, admitted_on=D(2017, 6, 1), confirmed_on=today() + dt.timedelta(days=1))
    assert exc.value.code == "DATE_FUTURE"
