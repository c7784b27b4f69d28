"""Reference data counted against the official lists, and loaded idempotently."""

import datetime as dt
import io

from django.core.management import call_command

from reference.models import District, Industry, Tier


def test_chongqing_divisions(ref):
    cq = District.objects.filter(jurisdiction__code="500000")
    assert cq.filter(kind="district").count() == 26
    assert cq.filter(kind="county").count() == 8
    assert cq.filter(kind="autonomous_county").count() == 4
    assert set(cq.filter(kind="district").values_list("code", flat=True)) == {
        *(f"5001{n:02d}" for n in range(1, 21)),
        *(f"50015{n}" for n in range(1, 7)),
    }
    assert cq.get(code="500243").name == "彭水苗族土家族自治县"
    assert cq.get(code="500112").name == "渝北区"


def test_beijing_divisions_and_the_development_area(ref):
    bj = District.objects.filter(jurisdiction__code="110000")
    assert bj.filter(kind="district").count() == 16
    assert "110103" not in set(bj.values_list("code", flat=True))  # merged into 东城/西城 in 2010
    zone = bj.get(kind="functional_zone")
    assert zone.name == "北京经济技术开发区" and zone.gb2260_code is None
    assert all(d.gb2260_code == d.code for d in District.objects.exclude(kind="functional_zone"))


def test_industry_sections_a_to_t(ref):
    assert list(Industry.objects.values_list("code", flat=True)) == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    assert Industry.objects.get(code="C").name == "制造业"


def test_tiers_as_data(ref):
    tiers = {t.code: t for t in Tier.objects.all()}
    assert {"innovative_sme", "tech_sme", "srdi_sme", "little_giant"} <= set(tiers)
    assert tiers["little_giant"].certifying_level == "national" and tiers["little_giant"].level == 3
    assert tiers["srdi_sme"].level == 2 and tiers["innovative_sme"].level == 1
    assert all(t.source for t in tiers.values())
    # 科技和创新型中小企业 (level 1) is valid 3 years under 工信部企业〔2026〕2号, as summarised (no longer 1 year)
    assert tiers["tech_sme"].validity_years == tiers["innovative_sme"].validity_years == 3
    assert "2号" in tiers["tech_sme"].source and tiers["tech_sme"].effective_from.isoformat() == "2026-04-01"
    assert (
        "provincial" in tiers["srdi_sme"].name_en and "municipal in Beijing and Chongqing" in tiers["srdi_sme"].name_en
    )


def test_a_certificate_keeps_the_validity_it_was_granted_with(ref, users, make_enterprise):
    """Certificates granted before a tier's validity changes (or before 2026-04-01) keep their end date."""
    from tiers.services import lifecycle

    tier = Tier.objects.get(code="tech_sme")
    Tier.objects.filter(pk=tier.pk).update(validity_years=1)  # the earlier assumption
    tier.refresh_from_db()
    ent = make_enterprise("500112")
    old = lifecycle.certification_import(
        actor=users.superuser, enterprise=ent, tier=tier, valid_from=dt.date(2026, 4, 1)
    )
    assert old.valid_until == dt.date(2027, 4, 1)
    call_command("load_reference_data", stdout=io.StringIO())  # back to 3 years
    old.refresh_from_db()
    assert old.valid_until == dt.date(2027, 4, 1)
    tier.refresh_from_db()
    new = lifecycle.certification_import(
        actor=users.superuser, enterprise=make_enterprise("500112"), tier=tier, valid_from=dt.date(2026, 5, 1)
    )
    assert new.valid_until == dt.date(2029, 5, 1)


def test_loading_twice_changes_nothing(ref):
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert "0 created, 0 updated" in out.getvalue()
    assert " created, 0 updated, 55 unchanged" in out.getvalue()


def test_an_edited_row_is_restored_by_the_next_load(ref):
    District.objects.filter(code="500112").update(name="改错的名字")
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert "districts: 0 created, 1 updated" in out.getvalue()
    assert District.objects.get(code="500112").name == "渝北区"
