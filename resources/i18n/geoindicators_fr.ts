<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
  <context>
    <name>GeoIndicators</name>
    <message>
      <source>Indicators</source>
      <translation>Indicateurs</translation>
    </message>
    <message>
      <source>Could not write to the output: {error}</source>
      <translation>Impossible d'écrire la sortie : {error}</translation>
    </message>
    <message>
      <source>The field '{field}' does not exist in the layer '{layer}'. Choose one of its fields: {fields}.</source>
      <translation>Le champ « {field} » n'existe pas dans la couche « {layer} ». Choisissez l'un de ses champs : {fields}.</translation>
    </message>
    <message>
      <source>The units layer '{layer}' is in a geographic CRS ({crs}) and no ellipsoid is set, so areas would be in square degrees. Set an ellipsoid (Project &gt; Properties &gt; General &gt; Measurements; with qgis_process, --ELLIPSOID=EPSG:7030) or reproject the units to a projected CRS.</source>
      <translation>La couche d'unités « {layer} » est dans un SCR géographique ({crs}) et aucun ellipsoïde n'est défini : les surfaces seraient en degrés carrés. Définissez un ellipsoïde (Projet &gt; Propriétés &gt; Général &gt; Mesures ; avec qgis_process, --ELLIPSOID=EPSG:7030) ou reprojetez les unités dans un SCR projeté.</translation>
    </message>
    <message>
      <source>The ellipsoid '{ellipsoid}' is not known. Use an ellipsoid such as EPSG:7030 (WGS 84), or NONE for planar measures.</source>
      <translation>L'ellipsoïde « {ellipsoid} » est inconnu. Utilisez un ellipsoïde tel que EPSG:7030 (WGS 84), ou NONE pour des mesures planes.</translation>
    </message>
    <message>
      <source>Overlay indicator</source>
      <translation>Indicateur de superposition</translation>
    </message>
    <message>
      <source>For each spatial unit (commune, watershed, grid cell) and each class of a thematic layer (land cover, burnt areas, mining titles), measures how much of the theme lies in the unit.

Polygon theme: area of overlap (area), its share of the unit's area (pct_unit, %), its share of the class's total area over all the units (pct_class, %; it sums to 100% over units that do not overlap) and the number of features overlapping the unit (n_features). Line theme: length inside the unit (length) and n_features. Point theme: count and the sum of the optional weight field (weight_sum).

Overlaps between features of one class are counted once, so shares never exceed 100%. Each class is measured on its own: where features of two classes overlap, the place counts in both classes. Without a class field the whole layer is one class, named 'all'. Features whose class is NULL form their own class (NULL in the long table, 'null' in wide field names).

A point lying exactly on the border between units is counted once, in the first of those units in the units layer's order. A line running along a shared border counts in each unit it touches along that border.

Areas and lengths follow the ellipsoid of the Processing context like native algorithms: ellipsoidal (m², m) when an ellipsoid is set, planar in the units CRS when it is NONE; the log says which. The thematic layer is reprojected to the units CRS. Invalid geometries are repaired and counted in the log.

Layout: the long table has one row per unit and class with a positive measure, no geometry, and the fields &lt;unit ID field&gt;, class, then the measures. The wide layout is the units layer with one field per measure and class, named &lt;measure&gt;_&lt;class&gt; (class in lower case, accents removed, other characters as _); units without a class get 0. Shapefile cuts field names to 10 characters: prefer GeoPackage for the wide layout.</source>
      <translation>Pour chaque unité spatiale (commune, bassin versant, maille) et chaque classe d'une couche thématique (occupation du sol, surfaces brûlées, titres miniers), mesure la part du thème située dans l'unité.

Thème polygonal : surface de recouvrement (area), sa part de la surface de l'unité (pct_unit, %), sa part de la surface totale de la classe sur l'ensemble des unités (pct_class, % ; la somme vaut 100 % sur des unités qui ne se chevauchent pas) et le nombre d'entités recouvrant l'unité (n_features). Thème linéaire : longueur dans l'unité (length) et n_features. Thème ponctuel : nombre (count) et somme du champ de poids facultatif (weight_sum).

Les recouvrements entre entités d'une même classe ne sont comptés qu'une fois : les parts ne dépassent jamais 100 %. Chaque classe est mesurée séparément : là où deux classes se recouvrent, la surface compte pour les deux. Sans champ de classe, toute la couche forme une seule classe, nommée « all ». Les entités dont la classe est NULL forment leur propre classe (NULL dans la table longue, « null » dans les noms de champs larges).

Un point situé exactement sur la limite entre unités est compté une seule fois, dans la première de ces unités dans l'ordre de la couche d'unités. Une ligne qui suit une limite commune compte dans chaque unité qu'elle longe.

Surfaces et longueurs suivent l'ellipsoïde du contexte Processing comme les algorithmes natifs : ellipsoïdales (m², m) si un ellipsoïde est défini, planes dans le SCR des unités s'il vaut NONE ; le journal indique lequel. La couche thématique est reprojetée dans le SCR des unités. Les géométries invalides sont réparées et comptées dans le journal.

Forme : la table longue a une ligne par unité et par classe de mesure positive, sans géométrie, avec les champs &lt;champ identifiant&gt;, class, puis les mesures. La forme large est la couche des unités avec un champ par mesure et par classe, nommé &lt;mesure&gt;_&lt;classe&gt; (classe en minuscules, sans accents, autres caractères remplacés par _) ; une unité sans la classe reçoit 0. Le Shapefile coupe les noms de champs à 10 caractères : préférez le GeoPackage pour la forme large.</translation>
    </message>
    <message>
      <source>Areas and lengths are ellipsoidal, on the ellipsoid {ellipsoid}, in square metres and metres.</source>
      <translation>Surfaces et longueurs ellipsoïdales, sur l'ellipsoïde {ellipsoid}, en mètres carrés et en mètres.</translation>
    </message>
    <message>
      <source>Areas and lengths are planar, in the units CRS {crs} (the ellipsoid is NONE).</source>
      <translation>Surfaces et longueurs planes, dans le SCR des unités {crs} (l'ellipsoïde est NONE).</translation>
    </message>
    <message>
      <source>The identifier field '{field}' of '{layer}' has {count} values used by several units, for example {examples}. Choose a field with one value per unit.</source>
      <translation>Le champ identifiant « {field} » de « {layer} » a {count} valeurs portées par plusieurs unités, par exemple {examples}. Choisissez un champ dont la valeur est unique par unité.</translation>
    </message>
    <message>
      <source>The identifier field '{field}' of '{layer}' is NULL for {count} units (for example features number {examples}). Fill it, or choose another field.</source>
      <translation>Le champ identifiant « {field} » de « {layer} » est NULL pour {count} unités (par exemple les entités numéro {examples}). Remplissez-le ou choisissez un autre champ.</translation>
    </message>
    <message>
      <source>The thematic layer '{layer}' mixes points, lines and polygons. Keep one geometry type (for example with 'Extract by expression').</source>
      <translation>La couche thématique « {layer} » mélange points, lignes et polygones. Gardez un seul type de géométrie (par exemple avec « Extraire par expression »).</translation>
    </message>
    <message>
      <source>The units layer '{layer}' must contain polygons.</source>
      <translation>La couche d'unités « {layer} » doit contenir des polygones.</translation>
    </message>
    <message>
      <source>Spatial units</source>
      <translation>Unités spatiales</translation>
    </message>
    <message>
      <source>Unit identifier field</source>
      <translation>Champ identifiant des unités</translation>
    </message>
    <message>
      <source>Thematic layer</source>
      <translation>Couche thématique</translation>
    </message>
    <message>
      <source>Class field</source>
      <translation>Champ de classe</translation>
    </message>
    <message>
      <source>Weight field (points)</source>
      <translation>Champ de poids (points)</translation>
    </message>
    <message>
      <source>Output layout</source>
      <translation>Forme de la sortie</translation>
    </message>
    <message>
      <source>The units layer '{layer}' has no features (or no selected features, with 'Selected features only').</source>
      <translation>La couche d'unités « {layer} » n'a aucune entité (ou aucune entité sélectionnée, avec « Entités sélectionnées uniquement »).</translation>
    </message>
    <message>
      <source>The thematic layer '{layer}' has no features: every measure is 0.</source>
      <translation>La couche thématique « {layer} » n'a aucune entité : toutes les mesures valent 0.</translation>
    </message>
    <message>
      <source>The units layer '{layer}' must contain polygons; it contains {kind}.</source>
      <translation>La couche d'unités « {layer} » doit contenir des polygones ; elle contient : {kind}.</translation>
    </message>
    <message>
      <source>A weight field is summed per unit for a point thematic layer only; '{layer}' is not a point layer. Leave the weight field empty.</source>
      <translation>Un champ de poids n'est sommé par unité que pour une couche thématique de points ; « {layer} » n'est pas une couche de points. Laissez le champ de poids vide.</translation>
    </message>
    <message>
      <source>The weight field '{field}' of '{layer}' is not numeric. Choose a field of numbers, or convert it with the field calculator.</source>
      <translation>Le champ de poids « {field} » de « {layer} » n'est pas numérique. Choisissez un champ de nombres ou convertissez-le avec la calculatrice de champs.</translation>
    </message>
    <message>
      <source>The unit identifier field is named '{field}', like a field of the output. Choose another identifier field, or rename it.</source>
      <translation>Le champ identifiant des unités s'appelle « {field} », comme un champ de la sortie. Choisissez un autre champ identifiant ou renommez-le.</translation>
    </message>
    <message>
      <source>{count} invalid geometries of the units layer '{layer}' were repaired before measuring.</source>
      <translation>{count} géométries invalides de la couche d'unités « {layer} » ont été réparées avant la mesure.</translation>
    </message>
    <message>
      <source>{count} invalid geometries of the thematic layer '{layer}' were repaired before measuring.</source>
      <translation>{count} géométries invalides de la couche thématique « {layer} » ont été réparées avant la mesure.</translation>
    </message>
    <message>
      <source>{count} units of '{layer}' have no geometry: their measures are 0.</source>
      <translation>{count} unités de « {layer} » n'ont pas de géométrie : leurs mesures valent 0.</translation>
    </message>
    <message>
      <source>{count} features of '{layer}' have no geometry and were ignored.</source>
      <translation>{count} entités de « {layer} » n'ont pas de géométrie et ont été ignorées.</translation>
    </message>
    <message>
      <source>{count} units have zero area (for example {examples}): their share of unit area (pct_unit) is NULL.</source>
      <translation>{count} unités ont une surface nulle (par exemple {examples}) : leur part de la surface de l'unité (pct_unit) est NULL.</translation>
    </message>
    <message>
      <source>Shapefile keeps only {length} characters per field name: GDAL will shorten and number the wide fields. Write to a GeoPackage to keep names such as {example}.</source>
      <translation>Le Shapefile ne garde que {length} caractères par nom de champ : GDAL raccourcira et numérotera les champs. Écrivez dans un GeoPackage pour garder des noms tels que {example}.</translation>
    </message>
    <message>
      <source>Long table (one row per unit and class)</source>
      <translation>Table longue (une ligne par unité et par classe)</translation>
    </message>
    <message>
      <source>Units layer with one field per class and measure (wide)</source>
      <translation>Couche des unités avec un champ par classe et par mesure (large)</translation>
    </message>
    <message>
      <source>GeoIndicators environmental indicators</source>
      <translation>GeoIndicators, indicateurs environnementaux</translation>
    </message>
  </context>
</TS>
