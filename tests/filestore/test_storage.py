"""The database storage: files every node reaches, written with their owner's transaction, read by chunks."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from filestore.models import CHUNK_SIZE, StoredChunk, StoredFile
from filestore.storage import DatabaseStorage

pytestmark = pytest.mark.django_db


def test_a_file_of_several_chunks_reads_back_whole_and_from_any_offset():
    content = bytes(range(256)) * (CHUNK_SIZE // 256 * 2 + 77)  # two full chunks and a piece
    name = default_storage.save("imports/2026/01/list.csv", ContentFile(content))
    assert isinstance(default_storage, DatabaseStorage)
    row = StoredFile.objects.get(name=name)
    assert (row.size, row.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert list(StoredChunk.objects.filter(file=row).order_by("seq").values_list("seq", flat=True)) == [0, 1, 2]
    with default_storage.open(name) as fh:
        assert fh.read() == content
        fh.seek(CHUNK_SIZE - 3)
        assert fh.read(6) == content[CHUNK_SIZE - 3 : CHUNK_SIZE + 3]
        fh.seek(-5, 2)
        assert fh.read() == content[-5:]
    assert default_storage.size(name) == len(content) and default_storage.exists(name)


def test_names_are_unique_and_listed_like_folders():
    first = default_storage.save("reports/2026-01/a.pdf", ContentFile(b"one"))
    second = default_storage.save("reports/2026-01/a.pdf", ContentFile(b"two"))
    assert first == "reports/2026-01/a.pdf" and second != first and second.startswith("reports/2026-01/a_")
    default_storage.save("reports/2026-01/sub/b.pdf", ContentFile(b"three"))
    assert default_storage.listdir("reports/2026-01") == (["sub"], sorted([Path(first).name, Path(second).name]))
    default_storage.delete(first)
    assert not default_storage.exists(first) and default_storage.exists(second)
    with pytest.raises(FileNotFoundError):
        default_storage.open(first)


def test_a_file_written_in_a_transaction_that_fails_is_not_kept():
    with pytest.raises(RuntimeError), transaction.atomic():
        default_storage.save("reports/2026-02/x.pdf", ContentFile(b"half"))
        raise RuntimeError("the worker died")
    assert not default_storage.exists("reports/2026-02/x.pdf")


def test_no_public_url():
    with pytest.raises(NotImplementedError):
        default_storage.url("reports/2026-01/a.pdf")


def test_behind_nginx_a_download_is_an_internal_redirect_to_this_nodes_copy(api, users, ref, settings, tmp_path):
    from reporting.models import ReportRun

    settings.MEDIA_ROOT = tmp_path
    settings.ZJTX_ACCEL_REDIRECT = "/_protected/"
    run = ReportRun.objects.create(
        kind="district", jurisdiction=ref.jurisdictions["500000"], district=ref.districts["500112"],
        period="2025-01", status="done",
    )  # fmt: skip
    run.pdf.save("r.pdf", ContentFile(b"%PDF-1.4 first"), save=True)
    url = reverse("reportrun-download", args=[run.pk, "pdf"])
    response = api(users.staff_a).get(url)
    digest = hashlib.sha256(b"%PDF-1.4 first").hexdigest()
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/_protected/download-cache/{digest[:2]}/{digest}.pdf"
    assert response["Content-Disposition"] == 'attachment; filename="district-500112-2025-01.pdf"'
    assert (tmp_path / "download-cache" / digest[:2] / f"{digest}.pdf").read_bytes() == b"%PDF-1.4 first"
    # Regenerated in place under the same name: the next download points at the new content.
    run.pdf.storage.delete(run.pdf.name)
    run.pdf.storage.save(run.pdf.name, ContentFile(b"%PDF-1.4 second"))
    again = api(users.staff_a).get(url)["X-Accel-Redirect"]
    assert hashlib.sha256(b"%PDF-1.4 second").hexdigest() in again
    assert api(users.staff_b).get(url).status_code == 404  # scope first


def test_without_nginx_the_view_streams_the_file(api, users, ref, settings):
    from enterprises.services import importing

    settings.ZJTX_ACCEL_REDIRECT = ""
    data = "统一社会信用代码,企业名称\n".encode()
    run = importing.ImportRun.objects.create(file_name="名单.csv", actor=users.staff_a, district=users.staff_a.district)
    run.stored_file.save("名单.csv", ContentFile(data), save=True)
    response = api(users.staff_a).get(f"/api/v1/imports/{run.pk}/file/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    assert "X-Accel-Redirect" not in response
    assert api(users.staff_b).get(f"/api/v1/imports/{run.pk}/file/").status_code == 404
