"""Importing published tier lists: preview, confirm, idempotent rerun, the tier rules, conflicts, export round trip."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEntry
from enterprises.models import Enterprise
from enterprises.rules import credit_code
from tiers.models import Certification, CertificationTransition, TierListImport
from tiers.services import lifecycle, tier_lists
from tiers.services.tier_list_export import certifications_export
from zjtx.errors import DomainError

HEADERS = ["序号", "企业名称", "统一社会信用代码", "所属区县", "批次", "公示日期", "认定日期", "有效期", "备注"]


def list_csv(rows, headers=HEADERS):
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(headers)
    for n, row in enumerate(rows, start=1):
        w.writerow([n, *row])
    return out.getvalue().encode("utf-8")


def upload(official, data, tier, kind="certification", name="名单.csv", **kw):
    """Upload, and run the preview as the worker would (tests of the worker itself are in test_tier_list_worker)."""
    run = tier_lists.tier_list_start(actor=official, upload=SimpleUploadedFile(name, data), tier=tier, kind=kind, **kw)
    return tier_lists.tier_list_preview(run.pk)


def confirm(official, run, accept=False):
    tier_lists.tier_list_confirm(actor=official, run_id=run.pk, accept_exceptions=accept)
    return tier_lists.tier_list_apply(run.pk)


@pytest.fixture
def no_tasks(monkeypatch):
    monkeypatch.setattr(tier_lists, "enqueue_on_commit", lambda *_args: None)


pytestmark = pytest.mark.usefixtures("no_tasks")


def test_preview_writes_nothing_then_confirm_writes_and_a_rerun_changes_nothing(users, ref, make_enterprise):
    known = make_enterprise("500112", name="渝北已登记有限公司")
    by_name = make_enterprise("500105", name="江北按名称匹配有限公司")
    new_code = credit_code.make("91500112000000777")
    rows = [
        ["渝北已登记有限公司", known.credit_code, "渝北区", "2023年第一批", "2023-06-01", "2023-07-01", "", "示例"],
        ["江北按名称匹配有限公司", "", "江北区", "2023年第一批", "", "", "2023-07-01至2026-06-30", ""],
        ["渝北新企业有限公司", new_code, "渝北", "", "2023-07-01", "", "", ""],
    ]
    run = upload(users.official, list_csv(rows), ref.tiers["innovative_sme"], default_industry=ref.industries["C"])
    assert run.status == "previewed", run.message
    assert run.counts["new"] == 3 and run.counts["new_enterprises"] == 1
    assert Certification.objects.count() == 0 and not Enterprise.objects.filter(credit_code=new_code).exists()
    assert [r["outcome"] for r in run.rows] == ["new", "new", "new"] and run.rows[2]["new_enterprise"]

    done = confirm(users.official, run)
    assert done.status == "done", done.message
    assert done.written["certifications_created"] == 3 and done.written["enterprises_created"] == 1
    cert = Certification.objects.get(enterprise=by_name)
    assert (cert.valid_from, cert.valid_until) == (dt.date(2023, 7, 1), dt.date(2026, 7, 1))
    assert Certification.objects.get(enterprise=known).valid_until == dt.date(2026, 7, 1)  # 3 years from 认定日期
    assert CertificationTransition.objects.filter(action="list_import", actor=users.official).count() == 3
    assert AuditEntry.objects.filter(content_type__model="certification", action="import").count() == 3
    known.refresh_from_db()
    assert known.current_tier == ref.tiers["innovative_sme"] or cert.valid_until <= dt.date.today()

    before = (Certification.objects.count(), AuditEntry.objects.count(), Enterprise.objects.count())
    again = upload(users.official, list_csv(rows), ref.tiers["innovative_sme"], default_industry=ref.industries["C"])
    assert again.counts["recorded"] == 3 and again.counts["new"] == 0
    assert confirm(users.official, again).status == "done"
    assert (Certification.objects.count(), AuditEntry.objects.count(), Enterprise.objects.count()) == before


@pytest.mark.parametrize("writer", ["set-based", "orm"])
def test_both_writers_write_the_same_certifications_transitions_and_audit_entries(
    writer, users, ref, make_enterprise, monkeypatch, settings
):
    """PostgreSQL writes new certifications set-based (tier_list_copy.py), SQLite through the ORM: same rows."""
    if writer == "set-based" and not settings.USES_POSTGRES:
        pytest.skip("the set-based writer needs PostgreSQL")
    if writer == "orm":
        monkeypatch.setattr(tier_lists, "uses_copy", lambda: False)
    current = make_enterprise("500112", name="渝北现行有限公司")
    past = make_enterprise("500105", name="江北已过期有限公司")
    rows = [
        ["渝北现行有限公司", current.credit_code, "渝北区", "2026年第一批", "", "2026-07-01", "", "备注甲"],
        ["江北已过期有限公司", past.credit_code, "江北区", "", "", "2020-01-01", "", ""],
    ]
    run = confirm(users.official, upload(users.official, list_csv(rows), ref.tiers["innovative_sme"]))
    assert run.status == "done" and run.written["certifications_created"] == 2, run.message

    certs = {c.enterprise_id: c for c in Certification.objects.filter(enterprise__in=[current, past])}
    now, then = certs[current.pk], certs[past.pk]
    assert (now.tier, now.status, now.valid_from, now.valid_until, now.ended_on) == (
        ref.tiers["innovative_sme"],
        "active",
        dt.date(2026, 7, 1),
        dt.date(2029, 7, 1),
        None,
    )
    assert (then.status, then.valid_until, then.ended_on) == ("expired", dt.date(2023, 1, 1), dt.date(2023, 1, 1))
    assert "名单.csv" in now.reason and now.reason.endswith("2；2026年第一批；备注甲")  # file row 2, batch, note
    assert then.reason.endswith("3")  # file row 3, no batch, no note
    assert sorted(
        CertificationTransition.objects.filter(certification__in=[now, then]).values_list(
            "certification_id", "action", "from_status", "to_status", "actor_id", "reason"
        )
    ) == sorted(
        (c.pk, "list_import", "", c.status, users.official.pk, c.reason) for c in (now, then)
    )  # fmt: skip
    entries = AuditEntry.objects.filter(content_type__model="certification", action="import")
    fields = ("object_id", "object_repr", "district_id", "changes", "actor_id", "source")
    assert sorted(entries.values_list(*fields)) == sorted(
        (
            str(c.pk), str(c), e.district_id,
            {"tier_id": [None, c.tier_id], "status": [None, c.status], "valid_from": [None, c.valid_from.isoformat()],
             "valid_until": [None, c.valid_until.isoformat()], "reason": [None, c.reason]},
            users.official.pk, "tier_list",
        )
        for c, e in ((now, current), (then, past))
    )  # fmt: skip
    current.refresh_from_db()
    assert (current.current_tier, current.current_tier_until) == (ref.tiers["innovative_sme"], dt.date(2029, 7, 1))


def test_a_level_needs_the_level_below_unless_the_exception_is_accepted(users, ref, make_enterprise):
    with_base = make_enterprise("500112", name="有基础有限公司")
    without = make_enterprise("500112", name="无基础有限公司")
    lifecycle.certification_import(
        actor=users.superuser, enterprise=with_base, tier=ref.tiers["innovative_sme"], valid_from=dt.date(2024, 1, 1)
    )
    rows = [
        ["有基础有限公司", with_base.credit_code, "渝北区", "", "", "2025-03-01", "", ""],
        ["无基础有限公司", without.credit_code, "渝北区", "", "", "2025-03-01", "", "破格认定"],
    ]
    run = upload(users.official, list_csv(rows), ref.tiers["srdi_sme"])
    assert (run.counts["new"], run.counts["exception"]) == (1, 1)
    assert "did not hold the level below" in run.rows[1]["reasons"][0]
    done = confirm(users.official, run, accept=False)
    assert done.written["certifications_created"] == 1
    assert not Certification.objects.filter(enterprise=without).exists()

    run = upload(users.official, list_csv(rows), ref.tiers["srdi_sme"])
    assert (run.counts["recorded"], run.counts["exception"]) == (1, 1)
    done = confirm(users.official, run, accept=True)
    cert = Certification.objects.get(enterprise=without)
    assert "exception accepted by official" in cert.reason and "破格认定" in cert.reason
    assert cert.transitions.get().reason == cert.reason
    assert done.written["exceptions_accepted"] == 1


def test_renewal_re_review_and_revocation(users, ref, make_enterprise):
    tier = ref.tiers["innovative_sme"]
    renew, passed, failed, revoked = (make_enterprise("500112") for _ in range(4))
    for ent in (renew, passed, failed, revoked):
        lifecycle.certification_import(actor=users.superuser, enterprise=ent, tier=tier, valid_from=dt.date(2023, 7, 1))
    renewal = upload(
        users.official, list_csv([[renew.name, renew.credit_code, "渝北区", "", "", "2026-05-01", "", ""]]), tier
    )
    assert renewal.counts["renewal"] == 1
    confirm(users.official, renewal)
    old, new = Certification.objects.filter(enterprise=renew).order_by("valid_from")
    assert (old.status, old.ended_on, new.valid_from) == ("expired", dt.date(2026, 5, 1), dt.date(2026, 5, 1))

    rows = [[passed.name, passed.credit_code, "渝北区", "", "", "2026-06-01", "", ""]]
    extension = upload(users.official, list_csv(rows), tier, kind="re_review_passed")
    assert extension.counts["extension"] == 1
    confirm(users.official, extension)
    assert Certification.objects.get(enterprise=passed).valid_until == dt.date(2029, 7, 1)
    again = upload(users.official, list_csv(rows), tier, kind="re_review_passed")
    assert again.counts["recorded"] == 1

    for ent, kind in ((failed, "re_review_failed"), (revoked, "revocation")):
        rows = [[ent.name, ent.credit_code, "渝北区", "", "", "2026-02-01", "", "违规"]]
        run = upload(users.official, list_csv(rows), tier, kind=kind)
        assert run.counts["ending"] == 1
        confirm(users.official, run)
        cert = Certification.objects.get(enterprise=ent)
        assert (cert.status, cert.ended_on) == ("revoked", dt.date(2026, 2, 1))
        assert upload(users.official, list_csv(rows), tier, kind=kind).counts["recorded"] == 1


def test_conflicts_and_rejections_are_shown_and_never_written(users, ref, make_enterprise):
    twin_a = make_enterprise("500112", name="同名有限公司")
    make_enterprise("500112", name="同名有限公司")
    beijing = make_enterprise("110108", name="北京企业有限公司")
    lifecycle.certification_import(
        actor=users.superuser, enterprise=twin_a, tier=ref.tiers["innovative_sme"], valid_from=dt.date(2025, 1, 1)
    )
    rows = [
        ["同名有限公司", "", "渝北区", "", "", "2025-03-01", "", ""],
        ["北京企业有限公司", beijing.credit_code, "渝北区", "", "", "2025-03-01", "", ""],
        ["无代码新企业", "", "渝北区", "", "", "2025-03-01", "", ""],
        ["数字代码", "9.15001E+17", "渝北区", "", "", "2025-03-01", "", ""],
        ["海淀企业", credit_code.make("91110108000000001"), "海淀区", "", "", "2025-03-01", "", ""],
        ["无日期有限公司", twin_a.credit_code, "渝北区", "", "", "", "", ""],
    ]
    run = upload(users.official, list_csv(rows), ref.tiers["innovative_sme"])
    by_row = {r["row"]: (r["outcome"], " ".join(r["reasons"])) for r in run.rows}
    assert by_row[2] == ("conflict", by_row[2][1]) and "more than one" in by_row[2][1]
    assert "outside your jurisdiction" in by_row[3][1]
    assert "no credit code" in by_row[4][1]
    assert by_row[5][0] == "rejected" and "scientific notation" in by_row[5][1]
    assert by_row[6][0] == "rejected" and "outside your jurisdiction" in by_row[6][1]
    assert by_row[7][0] == "rejected" and "no date" in by_row[7][1]
    done = confirm(users.official, run, accept=True)
    assert done.written.get("certifications_created", 0) == 0
    assert Certification.objects.count() == 1


def test_who_may_import_lists(users, ref):
    data = list_csv([])
    for user in (users.staff_a, users.progadmin, users.auditor):
        with pytest.raises(DomainError):
            upload(user, data, ref.tiers["innovative_sme"])
    with pytest.raises(DomainError):  # a Beijing-only tier for a Chongqing official
        beijing_tier = next((t for t in ref.tiers.values() if t.jurisdiction and t.jurisdiction.code == "110000"), None)
        if beijing_tier is None:
            raise DomainError("no Beijing tier in the fixtures")
        upload(users.official, data, beijing_tier)


def test_the_registry_changing_after_the_preview_refuses_the_import(users, ref, make_enterprise):
    ent = make_enterprise("500112")
    run = upload(users.official, list_csv([[ent.name, ent.credit_code, "渝北区", "", "", "2025-03-01", "", ""]]),
                 ref.tiers["innovative_sme"])  # fmt: skip
    lifecycle.certification_import(
        actor=users.superuser, enterprise=ent, tier=ref.tiers["innovative_sme"], valid_from=dt.date(2025, 3, 1)
    )
    done = confirm(users.official, run)
    assert done.status == "failed" and "changed since the preview" in done.message
    assert Certification.objects.count() == 1


def test_cancel_leaves_everything_as_it_was(users, ref, make_enterprise):
    ent = make_enterprise("500112")
    run = upload(users.official, list_csv([[ent.name, ent.credit_code, "渝北区", "", "", "2025-03-01", "", ""]]),
                 ref.tiers["innovative_sme"])  # fmt: skip
    tier_lists.tier_list_cancel(actor=users.official, run_id=run.pk)
    assert TierListImport.objects.get(pk=run.pk).status == "cancelled"
    with pytest.raises(DomainError):
        tier_lists.tier_list_confirm(actor=users.official, run_id=run.pk)
    assert tier_lists.tier_list_apply(run.pk).status == "cancelled"
    assert Certification.objects.count() == 0


def test_export_then_import_changes_nothing(users, ref, make_enterprise):
    tier = ref.tiers["innovative_sme"]
    for n in range(3):
        ent = make_enterprise("500112" if n else "500105")
        lifecycle.certification_import(
            actor=users.superuser, enterprise=ent, tier=tier, valid_from=dt.date(2024, 3, n + 1)
        )
    body = b"".join(certifications_export(actor=users.official, tier=tier))
    header = body.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:4] == ["序号", "企业名称", "统一社会信用代码", "所属区县"]
    run = upload(users.official, body, tier, name="导出.csv")
    assert run.counts["recorded"] == 3 and run.rows_total == 3, run.rows
    before = AuditEntry.objects.filter(content_type__model="certification").count()
    assert confirm(users.official, run).status == "done"
    assert AuditEntry.objects.filter(content_type__model="certification").count() == before


def test_the_command_previews_then_imports(users, ref, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "名单.csv"
    path.write_bytes(
        list_csv(
            [["命令行企业有限公司", credit_code.make("91500112000000888"), "渝北区", "", "", "2025-03-01", "", ""]]
        )
    )
    out = io.StringIO()
    call_command("import_tier_list", str(path), tier="innovative_sme", kind="certification", as_user="official",
                 default_industry="C", stdout=out)  # fmt: skip
    assert "preview only" in out.getvalue() and Certification.objects.count() == 0
    call_command("import_tier_list", str(path), tier="innovative_sme", kind="certification", as_user="official",
                 default_industry="C", confirm=True, stdout=out)  # fmt: skip
    assert "done" in out.getvalue() and Certification.objects.count() == 1


def test_the_sample_lists_import_in_order_on_the_page(users, ref, client, settings):
    """The demo's made-up lists, one click each: new certifications, a second tier, a revocation, a re-review."""
    from django.urls import reverse

    settings.ZJTX_SAMPLE_LISTS = True
    client.force_login(users.official)
    page = client.get(reverse("tiers:tier-lists"))
    names = [s["name"] for s in page.context["samples"]]
    assert len(names) == 4 and all("示例" in n for n in names)
    expected = [{"new": 6, "new_enterprises": 6}, {"new": 3}, {"ending": 1}, {"extension": 3}]
    for name, counts in zip(names, expected, strict=True):
        response = client.post(reverse("tiers:tier-lists"), {"sample": name})
        assert response.status_code == 302, response.content[:500]
        run = TierListImport.objects.latest("id")
        tier_lists.tier_list_preview(run.pk)
        detail = client.get(reverse("tiers:tier-list-detail", args=[run.pk]))
        assert detail.status_code == 200 and "tier-list-decide" in detail.content.decode()
        run.refresh_from_db()
        assert {k: run.counts[k] for k in counts} == counts, (name, run.counts, run.rows)
        client.post(reverse("tiers:tier-list-decide", args=[run.pk]), {"decision": "confirm"})
        assert tier_lists.tier_list_apply(run.pk).status == "done"
    assert Certification.objects.filter(tier=ref.tiers["srdi_sme"]).count() == 3
    assert Certification.objects.filter(status="revoked").count() == 1


def test_district_staff_have_no_list_pages(users, ref, client):
    from django.urls import reverse

    client.force_login(users.staff_a)
    assert client.get(reverse("tiers:tier-lists")).status_code == 403
    run = tier_lists.tier_list_start(
        actor=users.official, upload=SimpleUploadedFile("x.csv", list_csv([])), tier=ref.tiers["innovative_sme"],
        kind="certification",
    )  # fmt: skip
    assert client.get(reverse("tiers:tier-list-detail", args=[run.pk])).status_code == 404
    assert client.post(reverse("tiers:tier-list-decide", args=[run.pk]), {"decision": "cancel"}).status_code == 404
