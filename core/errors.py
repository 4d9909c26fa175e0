"""Errors a user can cause, with the facts a front end needs to word them.

Each error carries a stable ``code`` and the details (layer, field, examples) as attributes, so the
QGIS front end can show a translated sentence while Python users get a plain English one.
"""


class GeoIndicatorsError(Exception):
    """Base class of every error the core raises on purpose."""

    code = "error"

    def __init__(self, message, **details):
        super().__init__(message)
        self.details = details


class InputError(GeoIndicatorsError):
    """The data or the settings given cannot produce a correct result."""

    def __init__(self, code, message, **details):
        super().__init__(message, **details)
        self.code = code


class Cancelled(GeoIndicatorsError):
    """The caller asked to stop; nothing was produced."""

    code = "cancelled"

    def __init__(self):
        super().__init__("The computation was cancelled.")
