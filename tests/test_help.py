"""What the analyst reads: help that survives its HTML rendering, help per parameter, tags that
the toolbox search finds, an icon per algorithm."""

import re

import pytest
from qgis.core import QgsApplication

ALGORITHMS = ["geoindicators:overlay", "geoindicators:zonalstats", "geoindicators:interpolate", "geoindicators:h3units", "geoindicators:clusterstatus"]


@pytest.mark.parametrize("algorithm_id", ALGORITHMS)
def test_help_renders_and_every_parameter_has_its_own(provider, algorithm_id):
    algorithm = QgsApplication.processingRegistry().algorithmById(algorithm_id)
    text = algorithm.shortHelpString()
    # "<unit ID field>" and "<measure>_<class>" vanished once rendered: only real tags may stand.
    assert not [tag for tag in re.findall(r"</?([^ >/]+)", text) if tag not in ("p", "b", "i", "br")], text
    if algorithm_id not in ("geoindicators:clusterstatus", "geoindicators:h3units"):  # these two compute nothing on a cluster
        assert "Run on" in text and "tcp://host:8786" in text
    assert algorithm.helpUrl().startswith("https://")
    for parameter in algorithm.parameterDefinitions():
        assert parameter.help(), parameter.name()


@pytest.mark.parametrize(("words", "algorithm_id"), [("land cover", "geoindicators:overlay"), ("burnt area", "geoindicators:overlay"),
                                                      ("dask", "geoindicators:clusterstatus"), ("NDVI", "geoindicators:zonalstats")])
def test_the_toolbox_search_finds_the_algorithms_by_their_tags(provider, words, algorithm_id):
    algorithm = QgsApplication.processingRegistry().algorithmById(algorithm_id)
    assert any(words.lower() in tag.lower() for tag in algorithm.tags())


def test_each_algorithm_has_an_icon_of_its_own(provider):
    icons = {algorithm_id: QgsApplication.processingRegistry().algorithmById(algorithm_id).icon() for algorithm_id in ALGORITHMS}
    assert all(not icon.isNull() for icon in icons.values())
    images = {algorithm_id: icon.pixmap(32, 32).toImage() for algorithm_id, icon in icons.items()}
    assert len({bytes(image.constBits().asarray(image.sizeInBytes())) for image in images.values()}) == len(ALGORITHMS)


def test_the_settings_speak_plainly(provider):
    from processing.core.ProcessingConfig import ProcessingConfig, Setting

    settings = ProcessingConfig.settings
    assert settings["GEOINDICATORS_CONNECT_TIMEOUT"].valuetype == Setting.FLOAT  # 2.5 s is a timeout too
    assert settings["GEOINDICATORS_SCHEDULER"].placeholder == "tcp://host:8786"
    # Empty by default (5 million, shown as the placeholder): the dialog saves every setting on OK,
    # and a saved number would hide GEOINDICATORS_H3_MAX_CELLS from qgis_process runs of this profile.
    limit = settings["GEOINDICATORS_H3_MAX_CELLS"]
    assert limit.valuetype == Setting.STRING and limit.default == "" and limit.placeholder == "5000000"
    assert settings["GEOINDICATORS_PATH_MAPPINGS"].placeholder.startswith("Z:/=/media/commun/")
    assert "chunk" not in settings["GEOINDICATORS_CHUNK_SIZE"].description and "client=cluster" not in settings["GEOINDICATORS_PATH_MAPPINGS"].description
    icon = ProcessingConfig.getGroupIcon("GeoIndicators")
    assert icon.cacheKey() != QgsApplication.getThemeIcon("/processingAlgorithm.svg").cacheKey() and not icon.isNull()
