"""Output field names: stable, predictable, and legal for GeoPackage, PostGIS and Shapefile.

A wide field is ``<measure>_<class slug>``: the class value lower-cased, accents dropped, anything
but letters and digits turned into ``_``. PostGIS cuts identifiers at 63 characters, so names are
kept within that; a name taken already (by another class or a unit field, compared without case)
gets ``_2``, ``_3``… Shapefile keeps only 10 characters: GDAL then shortens and numbers the names
itself, which is why the long layout or GeoPackage is recommended for wide output.
"""

import re
import unicodedata

MAX_NAME_LENGTH = 63
SHAPEFILE_NAME_LENGTH = 10


NULL_SLUG = "null"
EMPTY_SLUG = "empty"


def slug(value):
    """The class part of a field name: ``"Forêt de feuillus"`` → ``foret_de_feuillus``, NULL →
    ``null``, empty text → ``empty``; None for a text with nothing left to spell (``"森林"``)."""
    if value is None:
        return NULL_SLUG
    if not str(value).strip():
        return EMPTY_SLUG
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return text or None


def unique_name(base, taken):
    """``base`` cut to the PostGIS limit, with a number added if ``taken`` (lower-case names) has it."""
    name = base[:MAX_NAME_LENGTH]
    number = 2
    while name.lower() in taken:
        suffix = f"_{number}"
        name = base[: MAX_NAME_LENGTH - len(suffix)] + suffix
        number += 1
    taken.add(name.lower())
    return name


def wide_field_names(measures, class_labels, existing=(), single_class=False):
    """Map ``(measure, class label)`` to a field name, for every measure and class.

    Every class gets columns of its own, whatever its label: NULL (None) always gets
    ``<measure>_null`` and empty text ``<measure>_empty``, before any other class, so a text
    class spelt "NULL" or "" takes a numbered name instead of theirs; a label with nothing left
    to spell (only non-Latin letters, signs) is ``class_<n>``, its position in ``class_labels``.
    With ``single_class`` (no class field was chosen) the names are the bare measure names.
    """
    taken = {name.lower() for name in existing}
    names = {}
    # The reserved spellings first: NULL and empty text keep their names whatever comes after.
    first = [label for label in class_labels if label is None or not str(label).strip()]
    for label in first + [label for label in class_labels if label is not None and str(label).strip()]:
        part = slug(label) or f"class_{class_labels.index(label) + 1}"
        for measure in measures:
            base = measure if single_class else f"{measure}_{part}"
            names[(measure, label)] = unique_name(base, taken)
    return {(measure, label): names[(measure, label)] for label in class_labels for measure in measures}
