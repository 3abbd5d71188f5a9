"""The 工作台's charts as data: one spec per chart, built from the same figures its tables show, embedded in
the page with `json_script` and drawn by static/web/workbench.js with the vendored ECharts.

A spec is {"kind": "bar" | "hbar" | "pie" | "dues", "categories": [...], "series": [{"name", "data"}]};
every data point carries the `url` of the records it counts, so a click on a bar or a slice opens the
same list as the figure beside it. Amounts travel as strings of yuan (Decimal, never float arithmetic)."""


def _point(value, url, name=None):
    point = {"value": value, "url": url}
    if name is not None:
        point["name"] = name
    return point


def compliance_by_rule(compliance):
    rows = compliance["by_rule"]
    return {"kind": "hbar", "unit": "条", "categories": [rule_id for rule_id, _, _, _ in rows],
            "titles": [title for _, title, _, _ in rows],
            "series": [{"name": "检查结果", "data": [_point(n, url) for _, _, n, url in rows]}]}


def short_name(name, root):
    """An organisation's name for a chart's axis: without the leading 中共 and the name of the root's unit
    that every unit below repeats (中共桂江文化传媒集团有限公司邕城市分公司委员会 → 邕城市分公司委员会)."""
    short = name.removeprefix("中共")
    unit = getattr(root, "unit_name", "") or ""
    if unit and short.startswith(unit) and len(short) > len(unit):
        short = short[len(unit):]
    return short


def _org_label(row, root):
    if root is not None and row["org"].pk == root.pk:
        return "本级"
    return short_name(row["org"].name, root)


def compliance_by_org(compliance):
    rows = compliance["by_org"]
    return {"kind": "hbar", "unit": "条", "stack": True,
            "categories": [_org_label(row, compliance["root"]) for row in rows],
            "titles": [row["label"] for row in rows],
            "series": [{"name": "错误", "data": [_point(r["errors"], r["errors_url"]) for r in rows]},
                       {"name": "提醒", "data": [_point(r["warnings"], r["warnings_url"]) for r in rows]}]}


def recruitment_by_stage(recruitment):
    stages = recruitment["stages"]
    return {"kind": "bar", "unit": "人", "categories": [label for label, _, _ in stages],
            "series": [{"name": "人数", "data": [_point(n, url) for _, n, url in stages]}]}


def dues_by_month(dues):
    months = dues["months"]
    return {"kind": "dues", "unit": "元", "categories": [f"{m['month'].month}月" for m in months],
            "series": [
                {"name": "应交", "data": [_point(str(m["totals"].due), m["url"]) for m in months]},
                {"name": "实交", "data": [_point(str(m["totals"].paid), m["url"]) for m in months]},
                {"name": "收缴率", "data": [_point(_percent(m["rate"]), m["url"]) for m in months]},
            ]}


def _percent(rate_text):
    """The number of a rate_text ("98.5%"), or None where nothing was due ("—"): a gap in the line."""
    return rate_text[:-1] if rate_text.endswith("%") else None


def rectification_by_status(rectification):
    rows = rectification["by_status"]
    return {"kind": "pie", "unit": "个", "categories": [label for label, _, _ in rows],
            "series": [{"name": "整改问题", "data": [_point(n, url, label) for label, n, url in rows]}]}


def charts(context):
    """{name: spec} for the dashboard template (the element of each is "chart-" + name, dashes for _)."""
    return {
        "compliance_rule": compliance_by_rule(context["compliance"]),
        "compliance_org": compliance_by_org(context["compliance"]),
        "recruitment_stage": recruitment_by_stage(context["recruitment"]),
        "dues_month": dues_by_month(context["dues"]),
        "rectification_status": rectification_by_status(context["rectification"]),
    }
