"""Typed columns of a layer: categories (classes) and numbers, coded the same way on the client
and on every worker.

A ``ColumnSpec`` names a layer's field and its kind. A category column is coded as integers from
its distinct values, normalised first (3 and 3.0, None and NaN are one class) and sorted (numbers
in numeric order, then text, NULL last); the client computes ``codes`` once from the whole layer
(or from its distinct values alone, when workers read the features), so every chunk numbers
classes alike. A number column is read as floats, NULL and non-numbers as NaN: what a NULL means
(nothing added to a point's weight sum, a source left out of a variable) is the indicator's call.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model.errors import InputError

CATEGORY = "category"
NUMBER = "number"


@dataclass(frozen=True)
class ColumnSpec:
    """A column of a layer: ``field`` its name there, ``kind`` CATEGORY or NUMBER, and for a
    category the ``codes`` (normalised value → code) every reader uses."""

    field: str
    kind: str
    codes: dict = None

    def __post_init__(self):
        if self.kind not in (CATEGORY, NUMBER):
            raise ValueError(f"kind must be {CATEGORY!r} or {NUMBER!r}, not {self.kind!r}")


def normalise_class(value):
    """A class value as a plain, hashable Python value: NULL/NaN → None, 3.0 → 3, numpy → Python."""
    if value is None or (isinstance(value, (float, np.floating)) and np.isnan(value)):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def label_sort_key(label):
    # NULL last; numbers in numeric order before text, text in its own order.
    if label is None:
        return (2, 0, "")
    if isinstance(label, (int, float)) and not isinstance(label, bool):
        return (0, label, "")
    return (1, 0, str(label))


def label_text(label):
    """A class as text, as long tables and wide names give it (None for NULL)."""
    return None if label is None else str(label)


def category_labels(values):
    """The classes of ``values`` (any values, repeated or not), normalised and in output order."""
    distinct = pd.unique(pd.Series(np.asarray(values, dtype=object), dtype=object))
    return sorted({normalise_class(value) for value in distinct}, key=label_sort_key)


def category_codes(values, labels=None):
    """``(labels, codes)``: the classes of ``values`` and the code of each value.

    With ``labels`` given (the classes of the whole layer), a value not among them raises
    ``KeyError``. Distinct values first (a land cover has a few classes for 100 000s of features),
    then each normalised once.
    """
    raw_codes, distinct = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    normalised = [normalise_class(value) for value in distinct]
    if labels is None:
        labels = sorted(set(normalised), key=label_sort_key)
    code_of = {label: code for code, label in enumerate(labels)}
    return labels, np.array([code_of[value] for value in normalised], dtype=np.int64)[raw_codes]


def numbers(values):
    """Floats of ``values``; NULL and what is no number are NaN."""
    return pd.to_numeric(pd.Series(np.asarray(values, dtype=object)), errors="coerce").to_numpy(dtype=float)


def coded(spec, values, layer_name):
    """The column ``values`` read by a worker, as the client coded it: category codes (a class
    the client did not see raises ``InputError('layer_changed')``) or numbers."""
    if spec.kind == NUMBER:
        return numbers(values)
    # Each distinct value is looked up once (a land cover has a few classes for many features).
    raw_codes, distinct = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    codes = np.array([spec.codes.get(normalise_class(value), -1) for value in distinct], dtype=np.int64)
    unknown = np.flatnonzero(codes < 0)
    if len(unknown):
        value = distinct[unknown[0]]
        raise InputError(
            "layer_changed",
            f"The class value {value!r} of {layer_name} was not in the layer when the run started; the layer changed during the run.",
            path=layer_name,
            value=str(value),
        )
    return codes[raw_codes]
