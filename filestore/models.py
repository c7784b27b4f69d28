"""Files kept in the database: uploaded imports and generated reports, reachable from every node.

A file is one `StoredFile` row (its name, size and digest) and its content in `StoredChunk` rows of
`CHUNK_SIZE` bytes each (the last one shorter), so a file of hundreds of megabytes is written and
read a chunk at a time, never whole in memory.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Every chunk but a file's last has exactly this size, so a seek finds its chunk by division.
CHUNK_SIZE = 1024 * 1024


class StoredFile(models.Model):
    name = models.CharField(_("name"), max_length=500, unique=True)
    size = models.BigIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("stored at"), default=timezone.now)

    # Only the storage backend reads these rows; people reach a file through the scoped view of its owner
    # (an import run, a report), never by its name.
    access_policy = "security"

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return self.name


class StoredChunk(models.Model):
    file = models.ForeignKey(StoredFile, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    access_policy = "security"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["file", "seq"], name="one_chunk_per_position")]

    def __str__(self) -> str:
        return f"{self.file_id}#{self.seq}"
