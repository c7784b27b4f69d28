"""A Django storage backend over the database: every web and worker node reaches the same files.

Why the database and not an object store: the files are few and mid-sized (a report is a few
hundred kilobytes a month per place, an import at most ZJTX_IMPORT_MAX_BYTES), the deployment
already runs PostgreSQL, and a file then commits or rolls back with the row that names it and is
in the same backup. See docs/operators/production.md.

Writes happen inside the caller's transaction (a report's files and its "done" status commit
together). Reads fetch one chunk per query, so they need no transaction of their own and work
through pgbouncer's transaction pooling.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import transaction
from django.utils.deconstruct import deconstructible

from filestore.models import CHUNK_SIZE, StoredChunk, StoredFile


class _ChunkReader(io.RawIOBase):
    """Seekable reading of a stored file, one chunk fetched (and kept) at a time."""

    def __init__(self, file_id: int, size: int) -> None:
        self.file_id = file_id
        self.size = size
        self.pos = 0
        self._seq = -1
        self._data = b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def readinto(self, buffer: Any) -> int:
        if self.pos >= self.size:
            return 0
        seq, offset = divmod(self.pos, CHUNK_SIZE)
        if seq != self._seq:
            self._data = bytes(StoredChunk.objects.values_list("data", flat=True).get(file_id=self.file_id, seq=seq))
            self._seq = seq
        piece = self._data[offset : offset + len(buffer)]
        buffer[: len(piece)] = piece
        self.pos += len(piece)
        return len(piece)


def _exact_chunks(content: IO[bytes] | File) -> Any:
    """The content cut into pieces of exactly CHUNK_SIZE bytes (the last one shorter)."""
    pending = b""
    source = content.chunks(CHUNK_SIZE) if isinstance(content, File) else iter(lambda: content.read(CHUNK_SIZE), b"")
    for piece in source:
        pending += piece
        while len(pending) >= CHUNK_SIZE:
            yield pending[:CHUNK_SIZE]
            pending = pending[CHUNK_SIZE:]
    if pending:
        yield pending


@deconstructible
class DatabaseStorage(Storage):
    """Files as rows of `filestore.StoredFile` + `StoredChunk`; names are unique like paths on a disk."""

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("stored files are written with save(), not opened for writing")
        row = StoredFile.objects.filter(name=name).values("id", "size").first()
        if row is None:
            raise FileNotFoundError(name)
        reader = io.BufferedReader(_ChunkReader(row["id"], row["size"]), buffer_size=CHUNK_SIZE)
        return File(reader, name=name)

    def _save(self, name: str, content: File) -> str:
        if hasattr(content, "seek") and getattr(content, "seekable", lambda: True)():
            content.seek(0)
        digest = hashlib.sha256()
        size = 0
        with transaction.atomic():
            stored = StoredFile.objects.create(name=name)
            for seq, piece in enumerate(_exact_chunks(content)):
                StoredChunk.objects.create(file=stored, seq=seq, data=piece)
                digest.update(piece)
                size += len(piece)
            StoredFile.objects.filter(pk=stored.pk).update(size=size, sha256=digest.hexdigest())
        return name

    def delete(self, name: str) -> None:
        StoredFile.objects.filter(name=name).delete()

    def exists(self, name: str) -> bool:
        return StoredFile.objects.filter(name=name).exists()

    def size(self, name: str) -> int:
        return self._row(name).size

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        prefix = path.rstrip("/") + "/" if path.strip("/") else ""
        dirs, files = set(), []
        for name in StoredFile.objects.filter(name__startswith=prefix).values_list("name", flat=True):
            rest = name[len(prefix) :]
            if "/" in rest:
                dirs.add(rest.split("/", 1)[0])
            else:
                files.append(rest)
        return sorted(dirs), sorted(files)

    def get_created_time(self, name: str) -> datetime:
        return self._row(name).created_at

    def get_modified_time(self, name: str) -> datetime:
        # A file is never changed in place: it is deleted and saved again.
        return self._row(name).created_at

    def get_accessed_time(self, name: str) -> datetime:
        return self._row(name).created_at

    def digest(self, name: str) -> str:
        """The content's SHA-256: the download cache names its copies by it."""
        return self._row(name).sha256

    def url(self, name: str | None) -> str:
        raise NotImplementedError("stored files have no public URL: they are downloaded through scoped views")

    def path(self, name: str) -> str:
        raise NotImplementedError("stored files are not on a local disk")

    @staticmethod
    def _row(name: str) -> StoredFile:
        row = StoredFile.objects.filter(name=name).first()
        if row is None:
            raise FileNotFoundError(name)
        return row
