"""Translation of user-facing strings (French in resources/i18n)."""

import os

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

CONTEXT = "GeoIndicators"
_I18N = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "resources", "i18n")


def tr(text, **values):
    """``text`` in the user's language, with ``{name}`` placeholders filled from ``values``."""
    translated = QCoreApplication.translate(CONTEXT, text)
    return translated.format(**values) if values else translated


def tr_tags(*words):
    """Search words for the toolbox: each in the user's language and in English (an analyst who
    follows English documentation types English words in a French QGIS)."""
    tags = []
    for word in words:
        for spelling in (tr(word), word):
            if spelling not in tags:
                tags.append(spelling)
    return tags


def install_translator():
    """Load the translation of the QGIS user locale, if we ship one; keep the returned object alive."""
    locale = str(QgsSettings().value("locale/userLocale", "") or QLocale.system().name())[:2]
    path = os.path.join(_I18N, f"geoindicators_{locale}.qm")
    if not os.path.exists(path):
        return None
    translator = QTranslator()
    if translator.load(path):
        QCoreApplication.installTranslator(translator)
        return translator
    return None
