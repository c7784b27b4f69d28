"""The two policy documents as data, counted against their texts (fixtures/policy_texts/), and loaded idempotently."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from programs.models import Commitment, Measure, MeasureGroup, Policy, ResponsibleUnit, SubsidyRule

POLICY_TEXTS = Path(__file__).resolve().parents[2] / "fixtures" / "policy_texts"
BJ = "bj-2023-ten-actions"
CQ = "cq-2022-2025-action-plan"


def units(qs):
    return set(qs.values_list("code", flat=True))


def test_policies_with_issuer_date_region_period_and_tiers(ref):
    bj, cq = Policy.objects.get(code=BJ), Policy.objects.get(code=CQ)
    assert (bj.issuer, str(bj.document_date), bj.jurisdiction.code) == ("北京市经济和信息化局", "2023-06-13", "110000")
    assert (str(bj.effective_from), str(bj.effective_until)) == ("2023-06-13", "2029-01-01")  # to the end of 2028
    assert set(bj.tiers.values_list("code", flat=True)) == {"little_giant", "srdi_sme"}
    assert (cq.issuer, str(cq.document_date), cq.jurisdiction.code) == ("重庆市人民政府办公厅", "2022-02-16", "500000")
    assert (str(cq.effective_from), str(cq.effective_until)) == ("2022-01-01", "2026-01-01")  # 2022–2025
    assert set(cq.tiers.values_list("code", flat=True)) == {"innovative_sme", "srdi_sme", "little_giant"}


def test_beijing_ten_actions_with_their_measures(ref):
    actions = MeasureGroup.objects.filter(policy__code=BJ).order_by("sort_order")
    assert [a.name for a in actions] == [
        "创新领航", "融通入链", "场景育新", "千亿畅融", "数智转型",
        "挂牌倍增", "专利护航", "京才荟聚", "品牌点亮", "服务聚合",
    ]  # fmt: skip
    assert [a.clause for a in actions] == list("一二三四五六七八九十")
    per_action = {a.clause: a.measures.count() for a in actions}
    assert per_action == {"一": 3, "二": 3, "三": 3, "四": 6, "五": 5, "六": 5, "七": 3, "八": 4, "九": 4, "十": 3}
    measures = Measure.objects.filter(policy__code=BJ)
    assert measures.count() == 39 and set(measures.values_list("kind", flat=True)) == {"measure"}
    assert all(m.clause.startswith(m.group.clause + ".") for m in measures.select_related("group"))
    # Who each measure is for: the policy's tiers, narrowed to national little giants in 京才荟聚 1–2.
    assert set(Measure.objects.get(policy__code=BJ, clause="八.1").tiers.values_list("code", flat=True)) == {
        "little_giant"
    }
    assert not Measure.objects.get(policy__code=BJ, clause="五.3").tiers.exists()
    assert list(Measure.objects.get(policy__code=BJ, clause="五.2").industries.values_list("code", flat=True)) == ["C"]
    assert Measure.objects.get(policy__code=BJ, clause="六.2").beneficiary == "market_operator"


def test_chongqing_thirty_tasks_in_five_groups(ref):
    groups = MeasureGroup.objects.filter(policy__code=CQ, kind="task_group").order_by("sort_order")
    assert [g.clause for g in groups] == ["二(一)", "二(二)", "二(三)", "二(四)", "二(五)"]
    assert [[int(t.clause) for t in g.measures.order_by("sort_order")] for g in groups] == [
        [1, 2, 3, 4], [5, 6, 7, 8, 9], list(range(10, 19)), list(range(19, 27)), [27, 28, 29, 30],
    ]  # fmt: skip
    assert Measure.objects.filter(policy__code=CQ, kind="task").count() == 30


def test_chongqing_responsible_units_under_each_group(ref):
    by_group = {g.clause: units(g.units) for g in MeasureGroup.objects.filter(policy__code=CQ, kind="task_group")}
    districts = {"cq-districts"}  # "以下均需各区县政府负责,不再列出"
    assert by_group["二(一)"] == {"cq-econ-info", "cq-science", "cq-planning", "cq-ip"} | districts
    assert (
        by_group["二(二)"]
        == {"cq-econ-info", "cq-science", "cq-ecology", "cq-commerce", "cq-market-regulation"} | districts
    )
    assert by_group["二(三)"] == {
        "cq-econ-info", "cq-finance", "cq-science", "cq-financial-regulation", "cq-pboc", "cq-cbirc", "cq-csrc",
    } | districts  # fmt: skip
    assert (
        by_group["二(四)"]
        == {"cq-econ-info", "cq-science", "cq-hrss", "cq-education", "cq-ip", "cq-commerce"} | districts
    )
    assert (
        by_group["二(五)"]
        == {"cq-econ-info", "cq-finance", "cq-science", "cq-financial-regulation", "cq-tax"} | districts
    )
    assert ResponsibleUnit.objects.filter(jurisdiction__code="500000").count() == 18
    names = set(ResponsibleUnit.objects.filter(jurisdiction__code="500000").values_list("name", flat=True))
    assert {"人行重庆营管部", "重庆银保监局", "重庆证监局", "重庆市税务局", "市统计局"} <= names


def test_chongqing_four_safeguard_mechanisms_with_their_units(ref):
    safeguards = Measure.objects.filter(policy__code=CQ, kind="safeguard").order_by("sort_order")
    assert [s.name for s in safeguards] == ["加强组织领导", "强化责任落实", "开展监测评价", "营造良好氛围"]
    assert [units(s.units) for s in safeguards] == [
        {"cq-econ-info", "cq-municipal-departments"},
        {"cq-econ-info", "cq-municipal-departments"},
        {"cq-econ-info", "cq-statistics"},
        {"cq-econ-info"},
    ]
    assert "区县发展实绩考核" in safeguards[1].text  # responsibility: counted in district performance assessment


def test_every_quantitative_commitment(ref):
    found = {
        (c.clause, int(c.quantity), c.unit, c.kind, c.approximate) for c in Commitment.objects.filter(policy__code=CQ)
    }
    assert found == {
        ("一", 25000, "家", "target", False),  # 创新型中小企业 2.5万家
        ("一", 2500, "家", "target", False),  # 市级专精特新中小企业
        ("一", 300, "家", "target", False),  # 国家级小巨人
        ("一", 25, "家", "new", False),  # 新增上市企业
        ("2", 10, "个", "new", False),  # 技术创新战略联盟
        ("3", 10, "家", "new", False),  # 中小企业孵化器
        ("4", 10, "个", "new", False),  # 市级重点关键产业园
        ("7", 400, "个", "new", False),  # 数字化车间
        ("7", 50, "个", "new", False),  # 智能工厂
        ("7", 100, "个", "new", False),  # 绿色工厂
        ("18", 100, "家", "reserve", False),  # 拟上市企业储备库
        ("27", 100, "家", "per_year", True),  # 每年100家左右示范企业
    }
    assert all(c.measure.clause == c.clause for c in Commitment.objects.filter(policy__code=CQ, measure__isnull=False))
    bj = Commitment.objects.get(policy__code=BJ)
    assert (bj.clause, int(bj.quantity), bj.unit) == ("十.1", 10, "个")  # 首批10个专精特新特色园区


@pytest.mark.parametrize(
    ("code", "name"), [(CQ, "chongqing-2022-2025-action-plan.txt"), (BJ, "beijing-2023-ten-actions.txt")]
)
def test_every_count_in_the_texts_is_a_commitment(ref, code, name):
    """Each count a document commits to (N个/N家, 2.5万家) appears among its commitments."""
    text = (POLICY_TEXTS / name).read_text(encoding="utf-8")
    numbers = {float(n) * (10000 if wan else 1) for n, wan in re.findall(r"(\d+(?:\.\d+)?)(万)?(?:个|家)", text)}
    quantities = {float(q) for q in Commitment.objects.filter(policy__code=code).values_list("quantity", flat=True)}
    assert numbers == quantities


def test_every_amount_in_the_beijing_text_has_a_rule(ref):
    """A measure whose text names an amount (万元), a rate (%, ‰) or the full amount payable is a parameterised
    rule; the rest are not."""
    for measure in Measure.objects.filter(policy__code=BJ):
        quantified = bool(re.search(r"\d+\s*万元|\d+%|‰|按实际应缴金额", measure.text))
        assert measure.subsidy_rules.exists() == quantified, measure.clause
        assert not quantified or measure.funding, measure.clause
    assert SubsidyRule.objects.count() == 9
    assert all(r.clause.startswith("北京 " + r.measure.clause) for r in SubsidyRule.objects.select_related("measure"))


@pytest.mark.parametrize("name", ["beijing-2023-ten-actions.txt", "chongqing-2022-2025-action-plan.txt"])
def test_every_measure_text_is_quoted_from_its_document(ref, name):
    text = re.sub(r"\s+", "", (POLICY_TEXTS / name).read_text(encoding="utf-8"))
    code = BJ if name.startswith("beijing") else CQ
    for measure in Measure.objects.filter(policy__code=code):
        assert re.sub(r"\s+", "", measure.text) in text, measure.clause


def test_loading_twice_changes_nothing(ref):
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line]
    assert all(": 0 created, 0 updated," in line for line in lines), lines


def test_a_changed_link_is_restored_and_an_admins_rule_change_is_kept(ref):
    measure = Measure.objects.get(policy__code=BJ, clause="八.1")
    measure.tiers.clear()
    SubsidyRule.objects.filter(code="bj-cloud-adoption").update(effective_until="2027-01-01")
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert "0 created, 1 updated" in out.getvalue()
    assert list(measure.tiers.values_list("code", flat=True)) == ["little_giant"]
    assert str(SubsidyRule.objects.get(code="bj-cloud-adoption").effective_until) == "2027-01-01"
