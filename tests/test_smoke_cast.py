from dangjian.accounts.access import visible_members, visible_orgs


def test_it_builds_the_cast_with_paths(cast):
    assert cast.a0101.path.startswith(cast.a01.path)
    assert cast.a01.path.startswith(cast.jt.path)
    assert set(visible_orgs(cast.a01admin).values_list("code", flat=True)) == {"A01", "A0101", "A0101G1", "A0102"}
    assert list(visible_members(cast.dangyuan)) == [cast.li]
