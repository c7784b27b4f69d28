"""Scoped downloads: the view checks the user's scope, then nginx or Django sends the bytes.

Behind nginx (ZJTX_ACCEL_REDIRECT set to the internal location, e.g. "/_protected/"), the view
answers with `X-Accel-Redirect` and nginx sends the file from this node's MEDIA_ROOT, which is a
local cache of the shared storage: a file is copied there once per content (named by its digest),
so a report regenerated in place is never served stale. There is no public media URL: the
internal location answers only to such redirects. Without nginx (runserver, tests) the view
streams the file itself.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.utils.http import content_disposition_header

CACHE_FOLDER = "download-cache"


def file_download(stored: Any, filename: str) -> HttpResponseBase:
    """The response for one stored file (a FieldFile) offered as an attachment named `filename`."""
    prefix = settings.ZJTX_ACCEL_REDIRECT
    if not prefix:
        return FileResponse(stored.storage.open(stored.name, "rb"), as_attachment=True, filename=filename)
    relative = local_copy(stored.storage, stored.name)
    response = HttpResponse(content_type="application/octet-stream")
    response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(relative)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def local_copy(storage: Any, name: str) -> str:
    """This node's copy of a stored file, as a path relative to MEDIA_ROOT (made on first use)."""
    media = Path(settings.MEDIA_ROOT)
    try:
        return Path(storage.path(name)).resolve().relative_to(media.resolve()).as_posix()
    except (NotImplementedError, ValueError):
        pass  # not a file under MEDIA_ROOT already: keep a copy
    digest = storage.digest(name) if hasattr(storage, "digest") else _version_of(storage, name)
    suffix = Path(name).suffix
    relative = f"{CACHE_FOLDER}/{digest[:2]}/{digest}{suffix}"
    target = media / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(target.parent, 0o755)  # nginx's workers read it under their own user
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out, storage.open(name, "rb") as source:
                shutil.copyfileobj(source, out, 1024 * 1024)
            os.chmod(temp, 0o644)
            os.replace(temp, target)  # two requests copying at once both end with one complete file
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
    return relative


def _version_of(storage: Any, name: str) -> str:
    stamp = f"{name}\0{storage.size(name)}\0{storage.get_modified_time(name).isoformat()}"
    return hashlib.sha256(stamp.encode()).hexdigest()
