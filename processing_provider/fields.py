"""Field types spelt for the QGIS in use, for ``QgsField`` and for comparing ``QgsField.type()``.

QGIS 3.38 moved fields from ``QVariant.Type`` to ``QMetaType.Type``: from then on ``QgsField``
built with a ``QVariant.Type`` prints a DeprecationWarning, and Qt 6 (QGIS 4) has no
``QVariant.Type`` at all; QGIS 3.22 to 3.36 take ``QVariant.Type`` only. ``QgsField.type()``
answers in the spelling of its release, so these names compare right on every one.
"""

from qgis.core import Qgis, QgsField
from qgis.PyQt.QtCore import QMetaType, QVariant

if Qgis.QGIS_VERSION_INT >= 33800:
    STRING, INT, LONG, UINT, ULONG, DOUBLE, BOOL = (QMetaType.Type.QString, QMetaType.Type.Int, QMetaType.Type.LongLong, QMetaType.Type.UInt,
                                                    QMetaType.Type.ULongLong, QMetaType.Type.Double, QMetaType.Type.Bool)
else:  # QGIS before 3.38, on Qt 5 only
    STRING, INT, LONG, UINT, ULONG = QVariant.String, QVariant.Int, QVariant.LongLong, QVariant.UInt, QVariant.ULongLong  # qt6-check: ignore
    DOUBLE, BOOL = QVariant.Double, QVariant.Bool  # qt6-check: ignore
INTEGERS = (INT, LONG, UINT, ULONG)


def field(name, kind, length=0):
    """A ``QgsField`` of ``kind`` (one of the names above); ``length`` for text."""
    return QgsField(name, kind, len=length)
