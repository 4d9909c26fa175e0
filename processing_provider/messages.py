"""The core's notes (``core.model.notes``) as the sentences an analyst reads in the log: one
sentence per kind of note, written once for every algorithm."""

from ..core.model.names import class_value_text
from .i18n import tr


def report_notes(notes, feedback, layers, units_without_geometry=None):
    """Push each note as a translated warning (or information). ``layers`` names the inputs
    (``units``, ``features``, ``raster``: their layer names); ``units_without_geometry`` is the
    algorithm's own sentence for units without geometry (what they get instead of figures)."""
    for note in notes:
        sentence, warning = _sentence(note, layers, units_without_geometry)
        if sentence:
            (feedback.pushWarning if warning else feedback.pushInfo)(sentence)


def _examples(note):
    return ", ".join(str(value) for value in note.examples)


def _sentence(note, layers, units_without_geometry):
    layer = layers.get(note.subject, "")
    code, count = note.code, note.count
    if code == "repaired" and note.subject == "units":
        return tr("{count} invalid geometries of the units layer '{layer}' were repaired before measuring.", count=count, layer=layer), True
    if code == "repaired" and note.subject == "features":
        return tr("{count} invalid geometries of the thematic layer '{layer}' were repaired before measuring.", count=count, layer=layer), True
    if code == "without_geometry" and note.subject == "units":
        return (units_without_geometry or tr("{count} units of '{layer}' have no geometry: their measures are 0.")).format(count=count, layer=layer), True
    if code == "without_geometry":
        return tr("{count} features of '{layer}' have no geometry and were ignored.", count=count, layer=layer), True
    if code == "zero_area":
        return tr("{count} units have zero area (for example {examples}): their share of unit area (pct_unit) is NULL.", count=count, examples=_examples(note)), True
    if code == "outside_raster":
        return tr("{count} units of '{layer}' lie wholly outside the raster '{raster}' (for example {examples}): their statistics are NULL.",
                  count=count, layer=layer, raster=layers.get("raster", ""), examples=_examples(note)), True
    if code == "merged_classes":
        lines = [tr("The class table names the values {values} '{name}': they are one class, their areas added up.",
                    values=", ".join(class_value_text(value) for value in values), name=name) for name, values in note.details.items()]
        return "\n".join(lines), False
    return None, False
