"""What a run tells its caller besides the figures: typed notes, worded by each front end.

A ``Note`` says what happened (``code``), to which input (``subject``: ``units``, ``features`` for
a thematic or source layer, ``raster``), how often, with a few examples. The core words none of
them for users: the QGIS plugin turns each into one translated sentence (``processing_provider/
outputs/messages.py``), a notebook prints ``str(note)``.

Codes: ``repaired`` (invalid geometries made valid), ``without_geometry`` (ignored, or NULL
statistics for units), ``zero_area`` (units of no area: shares are NULL), ``outside_raster``
(units the raster does not reach: NULL statistics), ``merged_classes`` (``details``: class name →
the raster values it names), and each indicator's own (see its module).
"""

from dataclasses import dataclass, field


@dataclass
class Note:
    code: str
    subject: str
    count: int = 0
    examples: list = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def __str__(self):
        shown = f" (for example {', '.join(str(value) for value in self.examples)})" if self.examples else ""
        return f"{self.subject}: {self.code.replace('_', ' ')}: {self.count}{shown}"


class Notes(list):
    """The notes of a run; only notes with something to say (a count, or details) are kept."""

    def add(self, note):
        if note.count or note.details:
            self.append(note)
        return note

    def get(self, code, subject=None):
        """The note ``code`` (about ``subject``, when given), or None."""
        return next((note for note in self if note.code == code and (subject is None or note.subject == subject)), None)

    def count_of(self, code, subject=None):
        note = self.get(code, subject)
        return note.count if note is not None else 0
