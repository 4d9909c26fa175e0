<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
  <context>
    <name>GeoIndicators</name>
    <message>
      <source>Python libraries…</source>
      <translation>Bibliothèques Python…</translation>
    </message>
    <message>
      <source>&amp;GeoIndicators</source>
      <translation>&amp;GeoIndicators</translation>
    </message>
    <message>
      <source>GeoIndicators</source>
      <translation>GeoIndicators</translation>
    </message>
    <message>
      <source>Python libraries the indicators need are missing.</source>
      <translation>Des bibliothèques Python nécessaires aux indicateurs manquent.</translation>
    </message>
    <message>
      <source>Install…</source>
      <translation>Installer…</translation>
    </message>
    <message>
      <source>shapely {shapely} is built on GEOS {shapely_geos}, a newer series than QGIS's GEOS {qgis_geos}: inside QGIS its calls would mix the two and fail. Install shapely {fitting}, the release the plugin chooses for this GEOS.</source>
      <translation>shapely {shapely} est compilé avec GEOS {shapely_geos}, une série plus récente que le GEOS {qgis_geos} de QGIS : dans QGIS ses appels mêleraient les deux et échoueraient. Installez shapely {fitting}, la version que l'extension choisit pour ce GEOS.</translation>
    </message>
    <message>
      <source>Install them from QGIS (Plugins &gt; GeoIndicators &gt; Python libraries), or with the Python QGIS runs: {command} (then start QGIS or qgis_process again).</source>
      <translation>Installez-les depuis QGIS (Extensions &gt; GeoIndicators &gt; Bibliothèques Python), ou avec le Python de QGIS : {command} (puis relancez QGIS ou qgis_process).</translation>
    </message>
    <message>
      <source>The plugin has no worker requirements for Python {python}, QGIS's (only {files}): make the workers' environment with Python {python} from {common}, with the numpy, shapely and pyproj releases QGIS runs, or run on this computer.</source>
      <translation>L'extension n'a pas de liste de dépendances des workers pour Python {python}, celui de QGIS (seulement {files}) : créez l'environnement des workers avec Python {python} à partir de {common}, avec les versions de numpy, shapely et pyproj de QGIS, ou exécutez sur cet ordinateur.</translation>
    </message>
    <message>
      <source>Make the scheduler's and the workers' environment with Python {python}, as QGIS's, from {path} (pip install -r), or run on this computer.</source>
      <translation>Créez l'environnement de l'ordonnanceur et des workers avec Python {python}, comme celui de QGIS, à partir de {path} (pip install -r), ou exécutez sur cet ordinateur.</translation>
    </message>
    <message>
      <source>The Python library {package} is missing; version {needed} or later is needed.</source>
      <translation>La bibliothèque Python {package} est absente ; la version {needed} ou ultérieure est nécessaire.</translation>
    </message>
    <message>
      <source>The Python library {package} is {found} here; version {needed} or later is needed.</source>
      <translation>La bibliothèque Python {package} est ici en version {found} ; la version {needed} ou ultérieure est nécessaire.</translation>
    </message>
    <message>
      <source>{library} comes with QGIS: install it with {command}.</source>
      <translation>{library} vient avec QGIS : installez-la avec {command}.</translation>
    </message>
    <message>
      <source>{count} h {minutes} min</source>
      <translation>{count} h {minutes} min</translation>
    </message>
    <message>
      <source>Connecting to the Dask scheduler {address} (timeout {timeout} s)...</source>
      <translation>Connexion à l'ordonnanceur Dask {address} (délai {timeout} s)...</translation>
    </message>
    <message>
      <source>{done} of {total} chunks done, about {left} left.</source>
      <translation>{done} blocs sur {total} terminés, environ {left} restantes.</translation>
    </message>
    <message>
      <source>{count} s</source>
      <translation>{count} s</translation>
    </message>
    <message>
      <source>{count} min</source>
      <translation>{count} min</translation>
    </message>
    <message>
      <source>The setting '{setting}' has a value that cannot be used ({value}); its default is used instead.</source>
      <translation>Le paramètre « {setting} » a une valeur inutilisable ({value}) ; sa valeur par défaut est utilisée.</translation>
    </message>
    <message>
      <source>Running on a Dask cluster needs a scheduler address: fill {scheduler}, or set one in Options &gt; Processing &gt; Providers &gt; GeoIndicators (or the variable GEOINDICATORS_SCHEDULER). Otherwise choose to run on this computer.</source>
      <translation>L'exécution sur un cluster Dask demande une adresse d'ordonnanceur : remplissez {scheduler}, ou définissez-en une dans Options &gt; Traitement &gt; Fournisseurs &gt; GeoIndicators (ou la variable GEOINDICATORS_SCHEDULER). Sinon, choisissez d'exécuter sur cet ordinateur.</translation>
    </message>
    <message>
      <source>{scheduler} is {address}, but {execution} is 'This computer': the run is on this computer. Choose 'Dask cluster' to run there.</source>
      <translation>{scheduler} vaut {address}, mais {execution} vaut « Cet ordinateur » : l'exécution a lieu sur cet ordinateur. Choisissez « Cluster Dask » pour exécuter là-bas.</translation>
    </message>
    <message>
      <source>{parameter}, '{address}', is a web address (the Dask dashboard's?), not the address of a Dask scheduler such as tcp://host:8786.</source>
      <translation>{parameter}, « {address} », est une adresse web (celle du tableau de bord Dask ?), pas l'adresse d'un ordonnanceur Dask comme tcp://hôte:8786.</translation>
    </message>
    <message>
      <source>{parameter}, '{address}', is not the address of a Dask scheduler: give a host and a port, such as tcp://host:8786.</source>
      <translation>{parameter}, « {address} », n'est pas l'adresse d'un ordonnanceur Dask : indiquez un hôte et un port, comme tcp://hôte:8786.</translation>
    </message>
    <message>
      <source>Running {chunks} chunks on the Dask cluster {address}: {workers} workers, {threads} threads.</source>
      <translation>Exécution de {chunks} lots sur le cluster Dask {address} : {workers} workers, {threads} threads.</translation>
    </message>
    <message>
      <source>Running on a Dask cluster needs Dask distributed here too.</source>
      <translation>L'exécution sur un cluster Dask demande aussi Dask distributed ici.</translation>
    </message>
    <message>
      <source>Dask dashboard: {link}</source>
      <translation>Tableau de bord Dask : {link}</translation>
    </message>
    <message>
      <source>Running {chunks} chunks on this computer, {threads} at a time.</source>
      <translation>Exécution de {chunks} lots sur cet ordinateur, {threads} à la fois.</translation>
    </message>
    <message>
      <source>{megabytes} MB sent to the cluster with the tasks.</source>
      <translation>{megabytes} Mo envoyés au cluster avec les tâches.</translation>
    </message>
    <message>
      <source>The tasks carry {megabytes} MB of data to the cluster. Layers in a shared folder mapped in the settings are read by the workers themselves instead.</source>
      <translation>Les tâches transportent {megabytes} Mo de données vers le cluster. Les couches situées dans un dossier partagé déclaré dans les paramètres sont lues directement par les workers.</translation>
    </message>
    <message>
      <source>Interrupted (Ctrl+C): the run stopped and wrote nothing.</source>
      <translation>Interrompu (Ctrl+C) : l'exécution s'est arrêtée et n'a rien écrit.</translation>
    </message>
    <message>
      <source>Stopped (SIGTERM): the run stopped and wrote nothing.</source>
      <translation>Arrêté (SIGTERM) : l'exécution s'est arrêtée et n'a rien écrit.</translation>
    </message>
    <message>
      <source>A field with one value per unit, the key of every output row.</source>
      <translation>Un champ avec une valeur par unité, la clé de chaque ligne de la sortie.</translation>
    </message>
    <message>
      <source>Parent levels (fields of the units, nearest parent first)</source>
      <translation>Niveaux parents (champs des unités, du parent le plus proche au plus lointain)</translation>
    </message>
    <message>
      <source>Such as the province code then the country code: the output also holds a row per parent at each level, as if the indicator ran on the units dissolved by that field, and pct_parent, each row's share of its parent.</source>
      <translation>Par exemple le code de la province puis celui du pays : la sortie contient aussi une ligne par parent à chaque niveau, comme si l'indicateur avait été calculé sur les unités regroupées par ce champ, et pct_parent, la part de chaque ligne dans son parent.</translation>
    </message>
    <message>
      <source>Run on</source>
      <translation>Exécuter sur</translation>
    </message>
    <message>
      <source>Dask scheduler address (tcp://host:8786)</source>
      <translation>Adresse de l'ordonnanceur Dask (tcp://hôte:8786)</translation>
    </message>
    <message>
      <source>This computer (its threads), or the Dask cluster whose scheduler is given below or in the GeoIndicators settings.</source>
      <translation>Cet ordinateur (ses threads), ou le cluster Dask dont l'ordonnanceur est donné ci-dessous ou dans les paramètres de GeoIndicators.</translation>
    </message>
    <message>
      <source>The scheduler's address, such as tcp://host:8786 (not the dashboard's http:// address); empty: the GeoIndicators settings.</source>
      <translation>L'adresse de l'ordonnanceur, comme tcp://hôte:8786 (pas l'adresse http:// du tableau de bord) ; vide : celle des paramètres de GeoIndicators.</translation>
    </message>
    <message>
      <source>Where to write the indicator: prefer a GeoPackage. It may be skipped when a fact table is written.</source>
      <translation>Où écrire l'indicateur : de préférence un GeoPackage. On peut s'en passer quand une table de faits est écrite.</translation>
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
      <source>Unit of areas</source>
      <translation>Unité des surfaces</translation>
    </message>
    <message>
      <source>Square metres (the default), hectares or square kilometres, for every area of the output; field names do not change, their aliases say the unit.</source>
      <translation>Mètres carrés (par défaut), hectares ou kilomètres carrés, pour toutes les surfaces de la sortie ; les noms des champs ne changent pas, leurs alias donnent l'unité.</translation>
    </message>
    <message>
      <source>Unit of lengths</source>
      <translation>Unité des longueurs</translation>
    </message>
    <message>
      <source>Metres (the default) or kilometres, for every length of the output.</source>
      <translation>Mètres (par défaut) ou kilomètres, pour toutes les longueurs de la sortie.</translation>
    </message>
    <message>
      <source>Output layout</source>
      <translation>Disposition de la sortie</translation>
    </message>
    <message>
      <source>This computer</source>
      <translation>Cet ordinateur</translation>
    </message>
    <message>
      <source>Dask cluster</source>
      <translation>Cluster Dask</translation>
    </message>
    <message>
      <source>GeoIndicators environmental indicators</source>
      <translation>GeoIndicators, indicateurs environnementaux</translation>
    </message>
    <message>
      <source>H3 units: largest number of cells in one run (up to 1.7 GB of memory per million; empty: 5 million; 0: no limit)</source>
      <translation>Unités H3 : nombre maximal de mailles en une exécution (jusqu’à 1,7 Go de mémoire par million ; vide : 5 millions ; 0 : sans limite)</translation>
    </message>
    <message>
      <source>Dask scheduler address (empty: run on this computer)</source>
      <translation>Adresse de l'ordonnanceur Dask (vide : exécuter sur cet ordinateur)</translation>
    </message>
    <message>
      <source>Seconds to wait for the Dask scheduler and its workers</source>
      <translation>Secondes d'attente de l'ordonnanceur Dask et de ses workers</translation>
    </message>
    <message>
      <source>Units computed together in one task (fewer: more, shorter tasks)</source>
      <translation>Unités calculées ensemble dans une tâche (moins : des tâches plus nombreuses et plus courtes)</translation>
    </message>
    <message>
      <source>Threads on this computer (0: one per processor core)</source>
      <translation>Threads sur cet ordinateur (0 : un par cœur de processeur)</translation>
    </message>
    <message>
      <source>Shared folders, as this computer = as the cluster names them (several: separate with ;)</source>
      <translation>Dossiers partagés, tels que cet ordinateur = tels que le cluster les nomme (plusieurs : séparez par ;)</translation>
    </message>
    <message>
      <source>Earth Engine: service-account key file (a path; empty: earthengine authenticate's or Google's default credentials)</source>
      <translation>Earth Engine : fichier de clé de compte de service (un chemin ; vide : les identifiants de earthengine authenticate ou ceux de Google par défaut)</translation>
    </message>
    <message>
      <source>Earth Engine: Google Cloud project</source>
      <translation>Earth Engine : projet Google Cloud</translation>
    </message>
    <message>
      <source>Earth Engine: requests in flight at once, all workers together (Earth Engine allows 40 per project)</source>
      <translation>Earth Engine : requêtes en cours à la fois, tous les workers ensemble (Earth Engine en autorise 40 par projet)</translation>
    </message>
    <message>
      <source>Earth Engine: API address (advanced; empty: Google's)</source>
      <translation>Earth Engine : adresse de l'API (avancé ; vide : celle de Google)</translation>
    </message>
    <message>
      <source>The setting '{setting}' is '{value}', not a number of cells: give one (0 for no limit), or leave it empty.</source>
      <translation>Le paramètre '{setting}' vaut '{value}', qui n'est pas un nombre de mailles : donnez-en un (0 pour aucune limite), ou laissez-le vide.</translation>
    </message>
    <message>
      <source>no data</source>
      <translation>pas de donnée</translation>
    </message>
    <message>
      <source>Writing the output failed: the table {table} holds {found} of the {expected} features written: the database refused rows (its log says why). {kept}</source>
      <translation>L'écriture de la sortie a échoué : la table {table} contient {found} des {expected} entités écrites, la base de données a refusé des lignes (son journal dit pourquoi). {kept}</translation>
    </message>
    <message>
      <source>The folder of {output} does not exist: {folder}. Create it or choose another place.</source>
      <translation>Le dossier de {output} n'existe pas : {folder}. Créez-le ou choisissez un autre emplacement.</translation>
    </message>
    <message>
      <source>{output} cannot be written at {path}: no permission to write there. Choose another place.</source>
      <translation>{output} ne peut pas être écrit à {path} : pas de droit d'écriture. Choisissez un autre emplacement.</translation>
    </message>
    <message>
      <source>{output} would have {count} fields, more than the {limit} a wide layer may have: choose the long layout (one row per unit and class).</source>
      <translation>{output} aurait {count} champs, plus que les {limit} qu'une couche large peut avoir : choisissez la disposition longue (une ligne par unité et par classe).</translation>
    </message>
    <message>
      <source>The long layout is a table without geometry, which the {format} format cannot hold: write it to a GeoPackage or a CSV file, or choose the wide layout.</source>
      <translation>La disposition longue est une table sans géométrie, que le format {format} ne peut pas contenir : écrivez-la dans un GeoPackage ou un fichier CSV, ou choisissez la disposition large.</translation>
    </message>
    <message>
      <source>The field '{field}' has {count} values longer than the {limit} bytes a {format} keeps (for example '{example}…'): they would be cut, and identifiers could become equal. Write {output} to a GeoPackage.</source>
      <translation>Le champ « {field} » a {count} valeurs plus longues que les {limit} octets que garde un {format} (par exemple « {example}… ») : elles seraient tronquées, et des identifiants pourraient devenir égaux. Écrivez {output} dans un GeoPackage.</translation>
    </message>
    <message>
      <source>Writing the output failed: {path} holds {found} of the {expected} features written (a full disk, or a format that cannot hold this table). Nothing was kept; free some space or choose another place or format.</source>
      <translation>L'écriture de la sortie a échoué : {path} contient {found} des {expected} entités écrites (disque plein, ou format qui ne peut pas contenir cette table). Rien n'a été gardé ; libérez de la place ou choisissez un autre emplacement ou format.</translation>
    </message>
    <message>
      <source>{output} would have {count} fields and a {format} holds at most {limit}: choose the long layout, or another format such as GeoPackage.</source>
      <translation>{output} aurait {count} champs et un fichier {format} en contient au plus {limit} : choisissez la disposition longue, ou un autre format comme GeoPackage.</translation>
    </message>
    <message>
      <source>{output} would have {count} fields and a {format} holds at most {limit}: choose the long layout (one row per unit and class).</source>
      <translation>{output} aurait {count} champs et un fichier {format} en contient au plus {limit} : choisissez la disposition longue (une ligne par unité et par classe).</translation>
    </message>
    <message>
      <source>The table is left as it is: drop it before using it.</source>
      <translation>La table est laissée telle quelle : supprimez-la avant de l'utiliser.</translation>
    </message>
    <message>
      <source>The table was removed: nothing is kept.</source>
      <translation>La table a été supprimée : rien n'est conservé.</translation>
    </message>
    <message>
      <source>update</source>
      <translation>mise à jour</translation>
    </message>
    <message>
      <source>replace</source>
      <translation>remplacement</translation>
    </message>
    <message>
      <source>append</source>
      <translation>ajout</translation>
    </message>
    <message>
      <source>Writing the facts into {table} ({mode}) through the connection '{connection}'.</source>
      <translation>Écriture des faits dans {table} ({mode}) par la connexion « {connection} ».</translation>
    </message>
    <message>
      <source>{rows} rows written into {table}; {removed} units that left the units layer lost their rows.</source>
      <translation>{rows} lignes écrites dans {table} ; {removed} unités sorties de la couche des unités ont perdu leurs lignes.</translation>
    </message>
    <message>
      <source>The name '{name}' is longer than the 63 bytes PostgreSQL keeps: it is written as '{short}' (a hash of the whole name ends it).</source>
      <translation>Le nom « {name} » dépasse les 63 octets que garde PostgreSQL : il est écrit « {short} » (un hachage du nom complet le termine).</translation>
    </message>
    <message>
      <source>The facts are written into {table}, but this run's row in geoindicators_runs could not be completed (it stays 'running'): {reason}.</source>
      <translation>Les faits sont écrits dans {table}, mais la ligne de ce traitement dans geoindicators_runs n'a pas pu être complétée (elle reste « running ») : {reason}.</translation>
    </message>
    <message>
      <source>The fact table {table} could not be written: {reason}. Nothing of this run was kept there past the last whole chunk of units.</source>
      <translation>La table de faits {table} n'a pas pu être écrite : {reason}. Rien de cette exécution n'y a été gardé au-delà du dernier paquet d'unités complet.</translation>
    </message>
    <message>
      <source>The schema '{schema}' does not exist in the database of the connection '{name}': create it (CREATE SCHEMA), or choose another.</source>
      <translation>Le schéma « {schema} » n'existe pas dans la base de la connexion « {name} » : créez-le (CREATE SCHEMA) ou choisissez-en un autre.</translation>
    </message>
    <message>
      <source>Another run is writing to the fact table {table} right now: wait for it to end, then run again.</source>
      <translation>Une autre exécution écrit en ce moment dans la table de faits {table} : attendez qu'elle se termine, puis relancez.</translation>
    </message>
    <message>
      <source>The fact table {table} has other columns than this run writes (it holds: {found}; this run: {expected}). Choose another table, or drop or rename that one.</source>
      <translation>La table de faits {table} a d'autres colonnes que celles qu'écrit cette exécution (elle a : {found} ; cette exécution : {expected}). Choisissez une autre table, ou supprimez ou renommez celle-ci.</translation>
    </message>
    <message>
      <source>The fact table {table} has the primary key ({found}), and this run needs ({expected}): it was made with another mode (append keeps run_id in the key). Choose another table, or the mode it was made with.</source>
      <translation>La table de faits {table} a la clé primaire ({found}) et cette exécution a besoin de ({expected}) : elle a été créée avec un autre mode (l'ajout garde run_id dans la clé). Choisissez une autre table, ou le mode avec lequel elle a été créée.</translation>
    </message>
    <message>
      <source>The fact table {table} is keyed by ({found}), and the rows of this run by ({expected}): it holds another indicator's facts, or the same indicator's with other parent levels. Choose another table, or drop or rename that one. Nothing was computed.</source>
      <translation>La table de faits {table} a pour clé ({found}), et les lignes de ce traitement ({expected}) : elle tient les faits d'un autre indicateur, ou ceux du même indicateur avec d'autres niveaux parents. Choisissez une autre table, ou supprimez ou renommez celle-ci. Rien n'a été calculé.</translation>
    </message>
    <message>
      <source>The role {role} of the connection '{name}' may not create tables in the schema "{schema}", and the fact table {table} or the tables kept beside it (geoindicators_runs, its state) do not exist yet. Run once with the role that is to own them, or have {role} granted CREATE on the schema; then this role needs only to read and write their rows.</source>
      <translation>Le rôle {role} de la connexion '{name}' ne peut pas créer de table dans le schéma "{schema}", et la table de faits {table} ou les tables tenues à côté (geoindicators_runs, son état) n'existent pas encore. Lancez une première fois avec le rôle qui doit en être propriétaire, ou faites accorder à {role} le droit CREATE sur le schéma ; ce rôle n'a ensuite besoin que de lire et d'écrire leurs lignes.</translation>
    </message>
    <message>
      <source>The column {column} of the fact table's key has an empty (NULL) value: fill it in the units layer.</source>
      <translation>La colonne {column} de la clé de la table de faits a une valeur vide (NULL) : remplissez-la dans la couche des unités.</translation>
    </message>
    <message>
      <source>A PostgreSQL/PostGIS connection registered in QGIS (Browser &gt; PostgreSQL): the long table is also written into a table of its database. Its name only: the credentials stay in the connection.</source>
      <translation>Une connexion PostgreSQL/PostGIS enregistrée dans QGIS (Explorateur &gt; PostgreSQL) : la table longue est aussi écrite dans une table de sa base. Son nom seulement : les identifiants restent dans la connexion.</translation>
    </message>
    <message>
      <source>The schema of the fact table (it must exist); the runs table geoindicators_runs is made there too.</source>
      <translation>Le schéma de la table de faits (il doit exister) ; la table des exécutions geoindicators_runs y est aussi créée.</translation>
    </message>
    <message>
      <source>The fact table, made at the first run and kept afterwards (its grants, views and comments). A name longer than 63 bytes is shortened with a hash suffix, as the log says.</source>
      <translation>La table de faits, créée à la première exécution puis conservée (ses droits, vues et commentaires). Un nom de plus de 63 octets est raccourci avec un suffixe de hachage, comme le dit le journal.</translation>
    </message>
    <message>
      <source>Update (0): the units of this run get new rows, others keep theirs, units that left the units layer lose theirs. Replace (1): the table holds this run's rows only. Append (2): this run's rows are added, run_id tells the runs apart.</source>
      <translation>Mise à jour (0) : les unités de cette exécution reçoivent de nouvelles lignes, les autres gardent les leurs, les unités sorties de la couche perdent les leurs. Remplacement (1) : la table ne contient que les lignes de cette exécution. Ajout (2) : les lignes de cette exécution s'ajoutent, run_id distingue les exécutions.</translation>
    </message>
    <message>
      <source>By default a run computes only the units not computed yet with the same inputs and parameters (a stopped run resumes, an edit recomputes what it touches). Check to compute every unit again.</source>
      <translation>Par défaut, une exécution ne calcule que les unités pas encore calculées avec les mêmes entrées et paramètres (une exécution arrêtée reprend, une modification ne recalcule que ce qu'elle touche). Cochez pour tout recalculer.</translation>
    </message>
    <message>
      <source>{connection} is given but not {table}: name the fact table to write (it is made at the first run).</source>
      <translation>{connection} est renseigné mais pas {table} : nommez la table de faits à écrire (elle est créée à la première exécution).</translation>
    </message>
    <message>
      <source>none</source>
      <translation>aucune</translation>
    </message>
    <message>
      <source>{parameter}: there is no PostgreSQL connection named '{name}' in this QGIS profile (known: {known}). Create it in the Browser (PostgreSQL &gt; New Connection), or give the name of one.</source>
      <translation>{parameter} : il n'y a pas de connexion PostgreSQL nommée « {name} » dans ce profil QGIS (connues : {known}). Créez-la dans l'Explorateur (PostgreSQL &gt; Nouvelle connexion) ou donnez le nom d'une connexion existante.</translation>
    </message>
    <message>
      <source>Fact table: PostgreSQL connection</source>
      <translation>Table de faits : connexion PostgreSQL</translation>
    </message>
    <message>
      <source>Fact table: schema</source>
      <translation>Table de faits : schéma</translation>
    </message>
    <message>
      <source>Fact table: table</source>
      <translation>Table de faits : table</translation>
    </message>
    <message>
      <source>Fact table: rows written</source>
      <translation>Table de faits : lignes écrites</translation>
    </message>
    <message>
      <source>Fact table: compute every unit again</source>
      <translation>Table de faits : recalculer toutes les unités</translation>
    </message>
    <message>
      <source>{table} is given but not {connection}: choose the PostgreSQL connection of the fact table.</source>
      <translation>{table} est renseigné mais pas {connection} : choisissez la connexion PostgreSQL de la table de faits.</translation>
    </message>
    <message>
      <source>Writing a fact table needs the Python library psycopg2, which QGIS installs with its PostgreSQL support (on Debian and Ubuntu: the package python3-psycopg2).</source>
      <translation>Écrire une table de faits demande la bibliothèque Python psycopg2, que QGIS installe avec sa prise en charge de PostgreSQL (sur Debian et Ubuntu : le paquet python3-psycopg2).</translation>
    </message>
    <message>
      <source>Could not connect to the database of the PostgreSQL connection '{name}': {reason}. Check the connection in the Browser.</source>
      <translation>Connexion impossible à la base de la connexion PostgreSQL « {name} » : {reason}. Vérifiez la connexion dans l'Explorateur.</translation>
    </message>
    <message>
      <source>Update: replace the rows of this run's units, keep the others</source>
      <translation>Mise à jour : remplacer les lignes des unités de cette exécution, garder les autres</translation>
    </message>
    <message>
      <source>Replace every row of the table</source>
      <translation>Remplacer toutes les lignes de la table</translation>
    </message>
    <message>
      <source>Append: add this run's rows beside the earlier runs'</source>
      <translation>Ajout : ajouter les lignes de cette exécution à côté de celles des précédentes</translation>
    </message>
    <message>
      <source>class</source>
      <translation>classe</translation>
    </message>
    <message>
      <source>With parent levels, the wide layout holds the units only, with a pct_parent field per class: each unit's share of its parent's value. The long layout holds the parents' rows too.</source>
      <translation>Avec des niveaux parents, la disposition large ne contient que les unités, avec un champ pct_parent par classe : la part de chaque unité dans la valeur de son parent. La disposition longue contient aussi les lignes des parents.</translation>
    </message>
    <message>
      <source>Areas are given in {unit}.</source>
      <translation>Les surfaces sont données en {unit}.</translation>
    </message>
    <message>
      <source>Lengths are given in {unit}.</source>
      <translation>Les longueurs sont données en {unit}.</translation>
    </message>
    <message>
      <source>Computing the units {units} failed: {reason}</source>
      <translation>Le calcul des unités {units} a échoué : {reason}</translation>
    </message>
    <message>
      <source>Options &gt; Processing &gt; Providers &gt; GeoIndicators, or the environment variable</source>
      <translation>Options &gt; Traitement &gt; Fournisseurs &gt; GeoIndicators, ou la variable d'environnement</translation>
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
      <source>The units layer '{layer}' must contain polygons: {count} of its features are not (points, lines or collections), for example the units {examples}. Keep its polygons only (Extract by expression: geometry_type(@geometry) = 'Polygon').</source>
      <translation>La couche d'unités « {layer} » doit contenir des polygones : {count} de ses entités n'en sont pas (points, lignes ou collections), par exemple les unités {examples}. Ne gardez que ses polygones (Extraire par expression : geometry_type(@geometry) = 'Polygon').</translation>
    </message>
    <message>
      <source>The workers read a copy of {layer} that is not the one QGIS read: {path} has {found} features, modified {found_time}, where QGIS read {expected} features, modified {expected_time}. Check the shared-folder mapping in the GeoIndicators settings, or update the copy.</source>
      <translation>Les workers lisent une copie de {layer} qui n'est pas celle que QGIS a lue : {path} a {found} entités, modifiée le {found_time}, alors que QGIS a lu {expected} entités, modifiées le {expected_time}. Vérifiez la correspondance des dossiers partagés dans les paramètres de GeoIndicators, ou mettez la copie à jour.</translation>
    </message>
    <message>
      <source>The layer {path} changed while the cluster was reading it (class value {value} is new). Run again.</source>
      <translation>La couche {path} a changé pendant que le cluster la lisait (la valeur de classe {value} est nouvelle). Relancez le traitement.</translation>
    </message>
    <message>
      <source>The zone '{layer}' holds the {pole} Pole: H3 cells are found from polygons in longitude/latitude, which cannot hold a pole. Cut a small circle around the pole out of the zone (Difference with a buffer of the pole), then run again.</source>
      <translation>La zone '{layer}' contient le pôle {pole} : les mailles H3 sont trouvées à partir de polygones en longitude/latitude, qui ne peuvent pas contenir un pôle. Retirez de la zone un petit cercle autour du pôle (Différence avec un tampon autour du pôle), puis relancez.</translation>
    </message>
    <message>
      <source>At resolution {resolution} the H3 cell around the {pole} Pole meets the zone '{layer}': a cell holding a pole cannot be drawn in longitude/latitude, where H3 cells are found. Choose resolution {finer} or finer, or cut the part of the zone nearest the pole out.</source>
      <translation>À la résolution {resolution}, la maille H3 autour du pôle {pole} touche la zone « {layer} » : une maille qui contient un pôle ne peut pas être dessinée en longitude/latitude, où les mailles H3 sont trouvées. Choisissez la résolution {finer} ou plus fine, ou retirez de la zone la partie la plus proche du pôle.</translation>
    </message>
    <message>
      <source>The zone '{layer}' lies far outside the area where its CRS, {crs}, is defined ({area}: {west}° to {east}° of longitude, {south}° to {north}° of latitude). Its coordinates are probably in another CRS than the layer says: set the layer's true CRS (Layer Properties &gt; Source), or reproject it, then run again.</source>
      <translation>La zone « {layer} » se trouve très loin de la zone où son SCR, {crs}, est défini ({area} : de {west}° à {east}° de longitude, de {south}° à {north}° de latitude). Ses coordonnées sont sans doute dans un autre SCR que celui de la couche : donnez à la couche son vrai SCR (Propriétés de la couche &gt; Source), ou reprojetez-la, puis relancez.</translation>
    </message>
    <message>
      <source>About {estimate} H3 cells would cover the zone '{layer}' ({area} km²) at resolution {resolutions}: more than the {limit} one run may make (setting '{setting}' in Options › Processing › Providers › GeoIndicators, or the environment variable {variable}). Choose a coarser resolution or cut the zone into parts; or raise the setting if this computer has the memory (up to 1.7 GB per million cells).</source>
      <translation>Environ {estimate} mailles H3 couvriraient la zone '{layer}' ({area} km²) à la résolution {resolutions} : plus que les {limit} qu'une exécution peut produire (paramètre '{setting}' dans Options › Traitements › Fournisseurs › GeoIndicators, ou variable d'environnement {variable}). Choisissez une résolution plus grossière ou découpez la zone en parties ; ou augmentez ce paramètre si cet ordinateur a la mémoire nécessaire (jusqu’à 1,7 Go par million de mailles).</translation>
    </message>
    <message>
      <source>The thematic layer '{layer}' mixes points, lines and polygons. Keep one geometry type (for example with 'Extract by expression').</source>
      <translation>La couche thématique « {layer} » mélange points, lignes et polygones. Gardez un seul type de géométrie (par exemple avec « Extraire par expression »).</translation>
    </message>
    <message>
      <source>The parent level '{level}' of '{layer}' is NULL for {count} units (for example {examples}): every unit needs a parent at each level. Fill the field, or leave this level out.</source>
      <translation>Le niveau parent « {level} » de « {layer} » est NULL pour {count} unités (par exemple {examples}) : chaque unité doit avoir un parent à chaque niveau. Remplissez le champ, ou retirez ce niveau.</translation>
    </message>
    <message>
      <source>{count} values of the level '{level}' of '{layer}' have units in several values of '{above}' (for example {examples}): give the levels nearest parent first, each inside one parent of the next.</source>
      <translation>{count} valeurs du niveau « {level} » de « {layer} » ont des unités dans plusieurs valeurs de « {above} » (par exemple {examples}) : donnez les niveaux du parent le plus proche au plus lointain, chacun inclus dans un seul parent du suivant.</translation>
    </message>
    <message>
      <source>Cannot read the raster '{layer}' at {path}: {reason}</source>
      <translation>Impossible de lire le raster « {layer} » à l'emplacement {path} : {reason}</translation>
    </message>
    <message>
      <source>The grid of the raster '{layer}' is rotated or upside down; warp it to a north-up grid first (Raster &gt; Projections &gt; Warp).</source>
      <translation>La grille du raster « {layer} » est tournée ou inversée ; reprojetez-la d'abord sur une grille orientée au nord (Raster &gt; Projections &gt; Projection (warp)).</translation>
    </message>
    <message>
      <source>The raster '{layer}' has no georeferencing (no geotransform), so its cells cannot be placed under the units. Georeference it first (Raster &gt; Georeferencer), or give it its world file.</source>
      <translation>Le raster « {layer} » n'est pas géoréférencé (pas de géotransformation) : ses cellules ne peuvent pas être placées sous les unités. Géoréférencez-le d'abord (Raster &gt; Géoréférenceur), ou donnez-lui son fichier de calage (world file).</translation>
    </message>
    <message>
      <source>Band {band} of the raster '{layer}' holds complex numbers, which have no statistics here. Compute their modulus first (Raster calculator) and summarise that.</source>
      <translation>La bande {band} du raster « {layer} » contient des nombres complexes, qui n'ont pas de statistiques ici. Calculez d'abord leur module (Calculatrice raster) et résumez celui-ci.</translation>
    </message>
    <message>
      <source>Cannot reach the Dask scheduler at {address} within {timeout} s ({reason}). Check the address (Dask scheduler address, SCHEDULER, or the GeoIndicators settings) and that the scheduler runs, or run on this computer.</source>
      <translation>Impossible de joindre l'ordonnanceur Dask à l'adresse {address} en {timeout} s ({reason}). Vérifiez l'adresse (Adresse de l'ordonnanceur Dask, SCHEDULER, ou paramètres de GeoIndicators) et que l'ordonnanceur est lancé, ou exécutez sur cet ordinateur.</translation>
    </message>
    <message>
      <source>The Dask scheduler at {address} has no workers. Start some (dask worker {address}), or run on this computer.</source>
      <translation>L'ordonnanceur Dask {address} n'a aucun worker. Démarrez-en (dask worker {address}), ou exécutez sur cet ordinateur.</translation>
    </message>
    <message>
      <source>The server at {address} answers, but it is not a Dask scheduler ({reason}). Check the port: the scheduler usually listens on 8786, its dashboard on 8787 (parameter SCHEDULER or the GeoIndicators settings).</source>
      <translation>Le serveur à l'adresse {address} répond, mais ce n'est pas un ordonnanceur Dask ({reason}). Vérifiez le port : l'ordonnanceur écoute d'habitude sur 8786, son tableau de bord sur 8787 (paramètre SCHEDULER ou paramètres de GeoIndicators).</translation>
    </message>
    <message>
      <source>The Dask scheduler at {address} has had no workers for {timeout} s: they stopped during the run, which was stopped; nothing was written. Restart workers (dask worker {address}) and run again, or run on this computer.</source>
      <translation>L'ordonnanceur Dask à l'adresse {address} n'a plus de workers depuis {timeout} s : ils se sont arrêtés pendant l'exécution, qui a été arrêtée ; rien n'a été écrit. Relancez des workers (dask worker {address}) puis recommencez, ou exécutez sur cet ordinateur.</translation>
    </message>
    <message>
      <source>The connection to the Dask scheduler at {address} was lost during the run: it stopped, or the network is down. The run was stopped; nothing was written.</source>
      <translation>La connexion à l'ordonnanceur Dask à l'adresse {address} a été perdue pendant l'exécution : il s'est arrêté, ou le réseau est coupé. L'exécution a été arrêtée ; rien n'a été écrit.</translation>
    </message>
    <message>
      <source>Computing the units {units} failed on the worker {worker}: {reason}</source>
      <translation>Le calcul des unités {units} a échoué sur le worker {worker} : {reason}</translation>
    </message>
    <message>
      <source>No Earth Engine credentials were found. Set a service-account key file ({where} GEOINDICATORS_EE_KEY_FILE), or run 'earthengine authenticate' once as this user, or set Google's application-default credentials.</source>
      <translation>Aucun identifiant Earth Engine n'a été trouvé. Indiquez un fichier de clé de compte de service ({where} GEOINDICATORS_EE_KEY_FILE), ou lancez une fois 'earthengine authenticate' sous cet utilisateur, ou définissez les identifiants par défaut de Google.</translation>
    </message>
    <message>
      <source>The Earth Engine key file {path} cannot be used ({reason}). Give the path of a service account's JSON key ({where} GEOINDICATORS_EE_KEY_FILE).</source>
      <translation>Le fichier de clé Earth Engine {path} est inutilisable ({reason}). Donnez le chemin de la clé JSON d'un compte de service ({where} GEOINDICATORS_EE_KEY_FILE).</translation>
    </message>
    <message>
      <source>Earth Engine refused the credentials ({source}): {reason}. Check the key or run 'earthengine authenticate' again, and that the account may use Earth Engine in the project.</source>
      <translation>Earth Engine a refusé les identifiants ({source}) : {reason}. Vérifiez la clé ou relancez 'earthengine authenticate', et que le compte peut utiliser Earth Engine dans le projet.</translation>
    </message>
    <message>
      <source>No Google Cloud project is set for Earth Engine, or it was refused. Set it ({where} GEOINDICATORS_EE_PROJECT).</source>
      <translation>Aucun projet Google Cloud n'est défini pour Earth Engine, ou il a été refusé. Définissez-le ({where} GEOINDICATORS_EE_PROJECT).</translation>
    </message>
    <message>
      <source>Cannot reach Earth Engine at {url} ({reason}). Check the network, the proxy, and the API address setting (GEOINDICATORS_EE_API_URL).</source>
      <translation>Impossible de joindre Earth Engine à {url} ({reason}). Vérifiez le réseau, le proxy et le réglage de l'adresse de l'API (GEOINDICATORS_EE_API_URL).</translation>
    </message>
    <message>
      <source>The Earth Engine asset '{asset}' cannot be read: {reason}. Check its id (IMAGE) and that your account can read it.</source>
      <translation>L'asset Earth Engine '{asset}' ne peut pas être lu : {reason}. Vérifiez son identifiant (IMAGE) et que votre compte peut le lire.</translation>
    </message>
    <message>
      <source>The Earth Engine asset '{asset}' is a {kind}, not an image or an image collection (IMAGE).</source>
      <translation>L'asset Earth Engine '{asset}' est un {kind}, pas une image ni une collection d'images (IMAGE).</translation>
    </message>
    <message>
      <source>The collection '{asset}' has no image between {start} and {end}: widen the dates (DATE_START, DATE_END).</source>
      <translation>La collection '{asset}' n'a aucune image entre {start} et {end} : élargissez les dates (DATE_START, DATE_END).</translation>
    </message>
    <message>
      <source>The Earth Engine image '{asset}' has no band '{band}'; its bands are {bands} (BANDS).</source>
      <translation>L'image Earth Engine '{asset}' n'a pas de bande '{band}' ; ses bandes sont {bands} (BANDS).</translation>
    </message>
    <message>
      <source>The Earth Engine image '{asset}' has no projection with a grid ({projection}): choose bands that have one (BANDS).</source>
      <translation>L'image Earth Engine '{asset}' n'a pas de projection avec une grille ({projection}) : choisissez des bandes qui en ont une (BANDS).</translation>
    </message>
    <message>
      <source>The unit {unit} alone makes a request of {size} MB, over Earth Engine's 10 MiB limit: simplify the units (Simplify, with a tolerance below the image's cell size) and run again.</source>
      <translation>L'unité {unit} à elle seule fait une requête de {size} Mo, au-delà de la limite de 10 Mio d'Earth Engine : simplifiez les unités (Simplifier, avec une tolérance inférieure à la taille des cellules de l'image) et relancez.</translation>
    </message>
    <message>
      <source>Earth Engine did not answer within {seconds} s for the units {units}. Run again; if it persists, use fewer units per task (GeoIndicators settings).</source>
      <translation>Earth Engine n'a pas répondu en {seconds} s pour les unités {units}. Relancez ; si cela persiste, mettez moins d'unités par tâche (réglages de GeoIndicators).</translation>
    </message>
    <message>
      <source>Earth Engine failed on the units {units}: {reason}</source>
      <translation>Earth Engine a échoué sur les unités {units} : {reason}</translation>
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
      <source>{count} features of '{layer}' have no geometry and were ignored.</source>
      <translation>{count} entités de « {layer} » n'ont pas de géométrie et ont été ignorées.</translation>
    </message>
    <message>
      <source>{count} units have zero area (for example {examples}): their share of unit area (pct_unit) is NULL.</source>
      <translation>{count} unités ont une surface nulle (par exemple {examples}) : leur part de la surface de l'unité (pct_unit) est NULL.</translation>
    </message>
    <message>
      <source>{count} units of '{layer}' lie wholly outside the raster '{raster}' (for example {examples}): their statistics are NULL.</source>
      <translation>{count} unités de « {layer} » sont entièrement hors du raster « {raster} » (par exemple {examples}) : leurs statistiques sont NULL.</translation>
    </message>
    <message>
      <source>{count} units of '{layer}' touch no source polygon (for example {examples}): their values are NULL.</source>
      <translation>{count} unités de « {layer} » ne touchent aucun polygone source (par exemple {examples}) : leurs valeurs sont NULL.</translation>
    </message>
    <message>
      <source>{count} source polygons of '{layer}' touch no unit: their values go nowhere.</source>
      <translation>{count} polygones sources de « {layer} » ne touchent aucune unité : leurs valeurs ne vont nulle part.</translation>
    </message>
    <message>
      <source>{count} source polygons of '{layer}' have no value (NULL) for {field}: they are left out of it.</source>
      <translation>{count} polygones sources de « {layer} » n'ont pas de valeur (NULL) pour {field} : ils en sont écartés.</translation>
    </message>
    <message>
      <source>{count} pairs of source polygons of '{layer}' overlap (for example the features {examples}), over {share} % of their area: their values count twice there.</source>
      <translation>{count} paires de polygones sources de « {layer} » se chevauchent (par exemple les entités {examples}), sur {share} % de leur surface : leurs valeurs y comptent deux fois.</translation>
    </message>
    <message>
      <source>{count} source polygons of '{layer}' have no weight in the weight raster: their extensive values are shared by area.</source>
      <translation>{count} polygones sources de « {layer} » n'ont aucun poids dans le raster de poids : leurs valeurs extensives sont réparties selon la surface.</translation>
    </message>
    <message>
      <source>{count} source polygons of '{layer}' have no weight in the weight raster (for example the feature {examples}): their extensive values are shared by area.</source>
      <translation>{count} polygones sources de « {layer} » n'ont aucun poids dans le raster de pondération (par exemple l'entité {examples}) : leurs valeurs extensives sont réparties selon la surface.</translation>
    </message>
    <message>
      <source>{count} units of '{layer}' have no weight in the weight raster (for example {examples}): their intensive values are area-weighted means.</source>
      <translation>{count} unités de « {layer} » n'ont aucun poids dans le raster de pondération (par exemple {examples}) : leurs valeurs intensives sont des moyennes pondérées par la surface.</translation>
    </message>
    <message>
      <source>The class table names the values {values} '{name}': they are one class, their areas added up.</source>
      <translation>La table des classes nomme les valeurs {values} « {name} » : elles forment une seule classe, leurs surfaces additionnées.</translation>
    </message>
    <message>
      <source>{package}: {client} here, {cluster} on the cluster</source>
      <translation>{package} : {client} ici, {cluster} sur le cluster</translation>
    </message>
    <message>
      <source>{count} pairs of source polygons of '{layer}' overlap, over {share} % of their area: their values count twice there.</source>
      <translation>{count} paires de polygones sources de « {layer} » se chevauchent, sur {share} % de leur surface : leurs valeurs y comptent deux fois.</translation>
    </message>
    <message>
      <source>The Dask cluster at {address} does not run the Python libraries QGIS runs, so its results could differ or fail:
{lines}</source>
      <translation>Le cluster Dask {address} n'exécute pas les bibliothèques Python de QGIS : ses résultats pourraient différer ou échouer :
{lines}</translation>
    </message>
    <message>
      <source>Dask distributed cannot be loaded here ({reason}), so nothing can run on a cluster: run on this computer, or install it.</source>
      <translation>Dask distributed ne peut pas être chargé ici ({reason}), donc rien ne peut s'exécuter sur un cluster : exécutez sur cet ordinateur, ou installez-le.</translation>
    </message>
    <message>
      <source>The Earth Engine client (earthengine-api) cannot be loaded ({reason}).</source>
      <translation>Le client Earth Engine (earthengine-api) ne peut pas être chargé ({reason}).</translation>
    </message>
    <message>
      <source>{field}: the units received {allocated}.</source>
      <translation>{field} : les unités ont reçu {allocated}.</translation>
    </message>
    <message>
      <source>{field}: the sources hold {total}, the units received {allocated} ({lost} % lost).</source>
      <translation>{field} : les sources totalisent {total}, les unités ont reçu {allocated} ({lost} % perdus).</translation>
    </message>
    <message>
      <source>North</source>
      <translation>Nord</translation>
    </message>
    <message>
      <source>South</source>
      <translation>Sud</translation>
    </message>
    <message>
      <source>{count} units of '{layer}' have no geometry: their measures are 0.</source>
      <translation>{count} unités de « {layer} » n'ont pas de géométrie : leurs mesures valent 0.</translation>
    </message>
    <message>
      <source>it sent no greeting within {timeout} s</source>
      <translation>il n'a envoyé aucun message d'accueil en {timeout} s</translation>
    </message>
    <message>
      <source>it closed the connection</source>
      <translation>il a fermé la connexion</translation>
    </message>
    <message>
      <source>it speaks another protocol</source>
      <translation>il parle un autre protocole</translation>
    </message>
    <message>
      <source>missing</source>
      <translation>absent</translation>
    </message>
    <message>
      <source>{version} on {machines}</source>
      <translation>{version} sur {machines}</translation>
    </message>
    <message>
      <source>Computed by GeoIndicators {version} ({algorithm}), run {run_id}, from {started} to {ended} (UTC).</source>
      <translation>Calculé par GeoIndicators {version} ({algorithm}), exécution {run_id}, de {started} à {ended} (UTC).</translation>
    </message>
    <message>
      <source>Inputs: {inputs}.</source>
      <translation>Entrées : {inputs}.</translation>
    </message>
    <message>
      <source>Run {run_id}: its record is in the table {table} of {path} and in the layer's metadata.</source>
      <translation>Exécution {run_id} : sa fiche est dans la table {table} de {path} et dans les métadonnées de la couche.</translation>
    </message>
    <message>
      <source>Units of measure: {units}.</source>
      <translation>Unités de mesure : {units}.</translation>
    </message>
    <message>
      <source>Run {run_id}: its record is in {path}.</source>
      <translation>Exécution {run_id} : sa fiche est dans {path}.</translation>
    </message>
    <message>
      <source>Run {run_id}.</source>
      <translation>Exécution {run_id}.</translation>
    </message>
    <message>
      <source>Shapefile keeps only {length} characters per field name: GDAL will shorten and number the wide fields. Write to a GeoPackage to keep names such as {example}.</source>
      <translation>Le Shapefile ne garde que {length} caractères par nom de champ : GDAL raccourcira et numérotera les champs. Écrivez dans un GeoPackage pour garder des noms tels que {example}.</translation>
    </message>
    <message>
      <source>A GeoPackage keeps its feature ids in the field {field}, one distinct whole number per row; this output's values of {field} are not (in the long layout each unit's ID comes again on each of its rows): they are written in the field {name}.</source>
      <translation>Un GeoPackage garde ses identifiants d'entités dans le champ {field}, un nombre entier distinct par ligne ; les valeurs de {field} de cette sortie ne le sont pas (dans la disposition longue, l'identifiant de chaque unité revient sur chacune de ses lignes) : elles sont écrites dans le champ {name}.</translation>
    </message>
    <message>
      <source>A GeoPackage keeps its feature ids in the field {field}, one distinct whole number per row; the units' values of {field} are not (repeated, empty or not whole numbers): they are written in the field {name}.</source>
      <translation>Un GeoPackage garde ses identifiants d'entités dans le champ {field}, un nombre entier distinct par ligne ; les valeurs de {field} des unités ne le sont pas (répétées, vides ou non entières) : elles sont écrites dans le champ {name}.</translation>
    </message>
    <message>
      <source>Fields of {kind} '{label}': {fields}</source>
      <translation>Champs de {kind} « {label} » : {fields}</translation>
    </message>
    <message>
      <source>Could not write to the output: {error}</source>
      <translation>Impossible d'écrire la sortie : {error}</translation>
    </message>
    <message>
      <source>Neither '{units}' nor '{other}' has a coordinate reference system: their coordinates are taken as they are, and measures are planar in their units.</source>
      <translation>Ni « {units} » ni « {other} » n'a de système de coordonnées : leurs coordonnées sont prises telles quelles, et les mesures sont planes, dans leurs unités.</translation>
    </message>
    <message>
      <source>The field '{field}' does not exist in the layer '{layer}'. Choose one of its fields: {fields}.</source>
      <translation>Le champ « {field} » n'existe pas dans la couche « {layer} ». Choisissez l'un de ses champs : {fields}.</translation>
    </message>
    <message>
      <source>The layer '{layer}' has no coordinate reference system (CRS), so it cannot be placed over the other layer ({crs}). Set its CRS (Layer Properties &gt; Source; with qgis_process, run native:assignprojection on it first) and run again.</source>
      <translation>La couche « {layer} » n'a pas de système de coordonnées (SCR) : elle ne peut pas être superposée à l'autre couche ({crs}). Définissez son SCR (Propriétés de la couche &gt; Source ; avec qgis_process, exécutez d'abord native:assignprojection dessus) puis recommencez.</translation>
    </message>
    <message>
      <source>The filter of the layer '{layer}' cannot be applied: {filter} ({reason}). Correct it (Layer Properties &gt; Source &gt; Query Builder, or the subset= part of the layer's source) and run again.</source>
      <translation>Le filtre de la couche « {layer} » ne peut pas être appliqué : {filter} ({reason}). Corrigez-le (Propriétés de la couche &gt; Source &gt; Constructeur de requête, ou la partie subset= de la source de la couche) puis recommencez.</translation>
    </message>
    <message>
      <source>{count} features of '{layer}' cross the meridian where {crs} cuts the globe (180° from its central meridian): each was cut there, where QGIS's reprojection drew it round the world (feature ids {ids}).</source>
      <translation>{count} entités de « {layer} » traversent le méridien où {crs} coupe le globe (à 180° de son méridien central) : chacune y a été coupée, là où la reprojection de QGIS lui faisait faire le tour du monde (identifiants {ids}).</translation>
    </message>
    <message>
      <source>{count} geometries of '{layer}' could only be read once made straight (curves) or closed (rings left open).</source>
      <translation>{count} géométries de « {layer} » n'ont pu être lues qu'une fois rectifiées (courbes) ou fermées (anneaux restés ouverts).</translation>
    </message>
    <message>
      <source>{count} geometries of '{layer}' cannot be read at all: those features are taken as without geometry.</source>
      <translation>{count} géométries de « {layer} » sont illisibles : ces entités sont prises comme sans géométrie.</translation>
    </message>
    <message>
      <source>The raster '{layer}' has no coordinate reference system (CRS), so it cannot be placed over the units ({crs}). Set its CRS (Layer Properties &gt; Source; with qgis_process, run gdal:assignprojection on it first, which writes it into the file) and run again.</source>
      <translation>Le raster « {layer} » n'a pas de système de coordonnées de référence (SCR) : il ne peut pas être placé sous les unités ({crs}). Donnez-lui son SCR (Propriétés de la couche &gt; Source ; avec qgis_process, lancez d'abord gdal:assignprojection sur lui, qui l'écrit dans le fichier) et relancez.</translation>
    </message>
    <message>
      <source>The filter of the layer '{layer}' cannot be applied: {filter} (no field {fields}). Correct it (Layer Properties &gt; Source &gt; Query Builder, or the subset= part of the layer's source) and run again.</source>
      <translation>Le filtre de la couche « {layer} » ne peut pas être appliqué : {filter} (pas de champ {fields}). Corrigez-le (Propriétés de la couche &gt; Source &gt; Constructeur de requête, ou la partie subset= de la source de la couche) puis recommencez.</translation>
    </message>
    <message>
      <source> and {count} more</source>
      <translation> et {count} autres</translation>
    </message>
    <message>
      <source>GDAL refused it</source>
      <translation>GDAL le refuse</translation>
    </message>
    <message>
      <source>{name}={value} was given after '--', among the algorithm's parameters, where qgis_process ignores it: put --{name}={value} before '--' (qgis_process run ALGORITHM --{name}={value} -- PARAMETERS).</source>
      <translation>{name}={value} a été donné après « -- », parmi les paramètres de l'algorithme, où qgis_process l'ignore : placez --{name}={value} avant « -- » (qgis_process run ALGORITHME --{name}={value} -- PARAMÈTRES).</translation>
    </message>
    <message>
      <source>The layer '{layer}' is in a geographic CRS ({crs}) and no ellipsoid is set, so areas would be in square degrees. Set an ellipsoid (Project &gt; Properties &gt; General &gt; Measurements; with qgis_process, --ELLIPSOID=EPSG:7030) or reproject the layer to a projected CRS.</source>
      <translation>La couche « {layer} » est dans un SCR géographique ({crs}) et aucun ellipsoïde n'est défini : les surfaces seraient en degrés carrés. Définissez un ellipsoïde (Projet &gt; Propriétés &gt; Général &gt; Mesures ; avec qgis_process, --ELLIPSOID=EPSG:7030) ou reprojetez la couche dans un SCR projeté.</translation>
    </message>
    <message>
      <source>The ellipsoid '{ellipsoid}' is not known. Use an ellipsoid such as EPSG:7030 (WGS 84), or NONE for planar measures.</source>
      <translation>L'ellipsoïde « {ellipsoid} » est inconnu. Utilisez un ellipsoïde tel que EPSG:7030 (WGS 84), ou NONE pour des mesures planes.</translation>
    </message>
    <message>
      <source>The raster parameter RASTER does not name a raster layer or file that QGIS can open.</source>
      <translation>Le paramètre RASTER ne désigne pas une couche ou un fichier raster que QGIS sait ouvrir.</translation>
    </message>
    <message>
      <source>The raster '{layer}' comes from the '{provider}' provider; only rasters GDAL reads (files, /vsicurl/ URLs) can be summarised. Save it as a GeoTIFF first (Export &gt; Save As).</source>
      <translation>Le raster « {layer} » vient du fournisseur « {provider} » ; seuls les rasters lus par GDAL (fichiers, URL /vsicurl/) peuvent être résumés. Enregistrez-le d'abord en GeoTIFF (Exporter &gt; Enregistrer sous).</translation>
    </message>
    <message>
      <source>The class table must hold pairs of value and name; it has {count} cells.</source>
      <translation>La table des classes doit contenir des paires valeur et nom ; elle a {count} cellules.</translation>
    </message>
    <message>
      <source>The raster '{layer}' has {count} bands; band {band} does not exist. Choose bands between 1 and {count}.</source>
      <translation>Le raster « {layer} » a {count} bandes ; la bande {band} n'existe pas. Choisissez des bandes entre 1 et {count}.</translation>
    </message>
    <message>
      <source>The Dask cluster cannot read the raster '{layer}' ({path}): it is not in a shared folder mapped in Options &gt; Processing &gt; Providers &gt; GeoIndicators. Copy it to a shared folder and map that folder, give a URL, or run on this computer.</source>
      <translation>Le cluster Dask ne peut pas lire le raster « {layer} » ({path}) : il n'est pas dans un dossier partagé déclaré dans Options &gt; Traitement &gt; Fournisseurs &gt; GeoIndicators. Copiez-le dans un dossier partagé et déclarez ce dossier, donnez une URL, ou exécutez sur cet ordinateur.</translation>
    </message>
    <message>
      <source>BANDS must list band numbers, such as 2,1; '{value}' does not.</source>
      <translation>BANDS doit lister des numéros de bandes, comme 2,1 ; « {value} » n'en est pas.</translation>
    </message>
    <message>
      <source>The class table value '{value}' is not a number: the first column holds the raster's class values.</source>
      <translation>La valeur « {value} » de la table des classes n'est pas un nombre : la première colonne contient les valeurs de classes du raster.</translation>
    </message>
    <message>
      <source>The identifier field '{field}' of '{layer}' is also a parent level: the levels are the fields of the units' parents (province, country).</source>
      <translation>Le champ identifiant « {field} » de « {layer} » est aussi un niveau parent : les niveaux sont les champs des parents des unités (province, pays).</translation>
    </message>
    <message>
      <source>A parent level of '{layer}' is given twice; give each level field once, nearest parent first.</source>
      <translation>Un niveau parent de « {layer} » est donné deux fois ; donnez chaque champ de niveau une fois, du parent le plus proche au plus lointain.</translation>
    </message>
    <message>
      <source>The unit identifier field is named '{field}', like a field of the output. Choose another identifier field, or rename it.</source>
      <translation>Le champ identifiant des unités s'appelle « {field} », comme un champ de la sortie. Choisissez un autre champ identifiant ou renommez-le.</translation>
    </message>
    <message>
      <source>The units layer '{layer}' must contain polygons; it contains {kind}.</source>
      <translation>La couche d'unités « {layer} » doit contenir des polygones ; elle contient : {kind}.</translation>
    </message>
    <message>
      <source>The units layer '{layer}' has no features (or no selected features, with 'Selected features only').</source>
      <translation>La couche d'unités « {layer} » n'a aucune entité (ou aucune entité sélectionnée, avec « Entités sélectionnées uniquement »).</translation>
    </message>
    <message>
      <source>The tasks carry {megabytes} MB of '{layer}' to the cluster. Put it in a shared folder mapped in the GeoIndicators settings (whole layer, in the units CRS) and the workers read it themselves.</source>
      <translation>Les tâches transportent {megabytes} Mo de « {layer} » vers le cluster. Placez-la dans un dossier partagé déclaré dans les paramètres de GeoIndicators (couche entière, dans le SCR des unités) : les workers la liront eux-mêmes.</translation>
    </message>
    <message>
      <source>The workers read '{layer}' themselves, from {path}.</source>
      <translation>Les workers lisent eux-mêmes « {layer} », depuis {path}.</translation>
    </message>
    <message>
      <source>The workers read '{layer}' themselves, from the PostGIS table {table} on the database server '{host}'.</source>
      <translation>Les workers lisent eux-mêmes « {layer} », depuis la table PostGIS {table} du serveur de bases de données « {host} ».</translation>
    </message>
    <message>
      <source>'{layer}' ({path}) is not in a shared folder mapped in the GeoIndicators settings: its features are sent to the cluster with the tasks.</source>
      <translation>« {layer} » ({path}) n'est pas dans un dossier partagé déclaré dans les paramètres de GeoIndicators : ses entités sont envoyées au cluster avec les tâches.</translation>
    </message>
    <message>
      <source>'{layer}' is a PostGIS layer the workers cannot query as it is (an SQL query, no integer primary key, another CRS than the units, or curves): its features are sent to the cluster with the tasks.</source>
      <translation>« {layer} » est une couche PostGIS que les workers ne peuvent pas interroger telle quelle (requête SQL, pas de clé primaire entière, SCR différent de celui des unités, ou courbes) : ses entités sont envoyées au cluster avec les tâches.</translation>
    </message>
    <message>
      <source>'{layer}' is on a database server named '{host}': each worker connects to its own machine under that name. Connect QGIS to the server by a name the workers can reach.</source>
      <translation>« {layer} » est sur un serveur de bases de données nommé « {host} » : sous ce nom, chaque worker se connecte à sa propre machine. Connectez QGIS au serveur par un nom que les workers peuvent joindre.</translation>
    </message>
    <message>
      <source>Indicators</source>
      <translation>Indicateurs</translation>
    </message>
    <message>
      <source>&lt;p&gt;&lt;b&gt;Parent levels&lt;/b&gt; (LEVEL_FIELDS): fields of the units that name their parents, nearest first (the province, then the country). The long layout then also holds one row per parent at each level, as if the indicator had run on the units dissolved by that field, with level, parent and pct_parent (each row's share of its parent's value for the same class); the wide layout adds a pct_parent field per class to the units. A unit has one parent per level: units that straddle two parents (H3 cells across communes) must be cut first, by intersecting them with the parents' layer (Vector &gt; Geoprocessing &gt; Intersection, native:intersection), then the pieces are the units.&lt;/p&gt;</source>
      <translation>&lt;p&gt;&lt;b&gt;Niveaux parents&lt;/b&gt; (LEVEL_FIELDS) : des champs des unités qui nomment leurs parents, du plus proche au plus lointain (la province, puis le pays). La disposition longue contient alors aussi une ligne par parent à chaque niveau, comme si l'indicateur avait été calculé sur les unités regroupées par ce champ, avec level, parent et pct_parent (la part de chaque ligne dans la valeur de son parent pour la même classe) ; la disposition large ajoute aux unités un champ pct_parent par classe. Une unité a un seul parent par niveau : les unités à cheval sur deux parents (des mailles H3 sur deux communes) doivent d'abord être découpées, en les intersectant avec la couche des parents (Vecteur &gt; Géotraitement &gt; Intersection, native:intersection) ; les morceaux sont alors les unités.&lt;/p&gt;</translation>
    </message>
    <message>
      <source>&lt;p&gt;&lt;b&gt;Units of measure&lt;/b&gt; (AREA_UNIT: m², ha or km²; LENGTH_UNIT: m or km): every area and length of the output is given in them; field names do not change, their aliases and the log say the unit.&lt;/p&gt;</source>
      <translation>&lt;p&gt;&lt;b&gt;Unités de mesure&lt;/b&gt; (AREA_UNIT : m², ha ou km² ; LENGTH_UNIT : m ou km) : toutes les surfaces et longueurs de la sortie y sont données ; les noms des champs ne changent pas, leurs alias et le journal donnent l'unité.&lt;/p&gt;</translation>
    </message>
    <message>
      <source>The state table {state}, kept beside the fact table {table} to resume runs, holds a part {which} that cannot be read ({reason}): it was changed outside GeoIndicators. Run again with {recompute} checked: every unit is computed again and the state rewritten.</source>
      <translation>La table d'état {state}, tenue à côté de la table de faits {table} pour reprendre les exécutions, contient une part {which} illisible ({reason}) : elle a été modifiée hors de GeoIndicators. Relancez en cochant {recompute} : toutes les unités sont recalculées et l'état réécrit.</translation>
    </message>
    <message>
      <source>Cancelled: the run stopped and wrote nothing.</source>
      <translation>Annulé : l'exécution s'est arrêtée et n'a rien écrit.</translation>
    </message>
    <message>
      <source>Run identifier</source>
      <translation>Identifiant de l'exécution</translation>
    </message>
    <message>
      <source>Fact table</source>
      <translation>Table de faits</translation>
    </message>
    <message>
      <source>Units computed</source>
      <translation>Unités calculées</translation>
    </message>
    <message>
      <source>Units unchanged since an earlier run</source>
      <translation>Unités inchangées depuis une exécution précédente</translation>
    </message>
    <message>
      <source>{computed} units computed, {skipped} unchanged since an earlier run into the fact table (taken from its state).</source>
      <translation>{computed} unités calculées, {skipped} inchangées depuis une exécution précédente dans la table de faits (reprises de son état).</translation>
    </message>
    <message>
      <source>of the unit {unit}</source>
      <translation>de l'unité {unit}</translation>
    </message>
    <message>
      <source>of several units</source>
      <translation>de plusieurs unités</translation>
    </message>
    <message>
      <source>Unexpected error: {error}. Nothing was written. This is a defect of the plugin: please report it to its developers, with the log of this run.</source>
      <translation>Erreur inattendue : {error}. Rien n'a été écrit. C'est un défaut de l'extension : merci de le signaler à ses développeurs, avec le journal de cette exécution.</translation>
    </message>
    <message>
      <source>dask</source>
      <translation>dask</translation>
    </message>
    <message>
      <source>cluster</source>
      <translation>cluster</translation>
    </message>
    <message>
      <source>scheduler</source>
      <translation>ordonnanceur</translation>
    </message>
    <message>
      <source>workers</source>
      <translation>workers</translation>
    </message>
    <message>
      <source>versions</source>
      <translation>versions</translation>
    </message>
    <message>
      <source>Cluster status</source>
      <translation>État du cluster</translation>
    </message>
    <message>
      <source>Execution</source>
      <translation>Exécution</translation>
    </message>
    <message>
      <source>Connects to a Dask scheduler and reports its workers (threads, memory) and whether their Python libraries match the ones QGIS runs, library by library, so a cluster can be checked before a long run. The scheduler defaults to the GeoIndicators setting, then to the GEOINDICATORS_SCHEDULER or SCHEDULER_IP environment variables. A mismatch is reported, not raised: COMPATIBLE is false and the log lists each library with its versions.</source>
      <translation>Se connecte à un ordonnanceur Dask et décrit ses workers (threads, mémoire) et si leurs bibliothèques Python sont celles de QGIS, bibliothèque par bibliothèque, pour vérifier un cluster avant un long traitement. L'ordonnanceur par défaut est celui des paramètres de GeoIndicators, puis celui des variables d'environnement GEOINDICATORS_SCHEDULER ou SCHEDULER_IP. Une différence est signalée sans erreur : COMPATIBLE vaut faux et le journal liste chaque bibliothèque avec ses versions.</translation>
    </message>
    <message>
      <source>Scheduler: {address}</source>
      <translation>Ordonnanceur : {address}</translation>
    </message>
    <message>
      <source>Scheduler</source>
      <translation>Ordonnanceur</translation>
    </message>
    <message>
      <source>Workers</source>
      <translation>Workers</translation>
    </message>
    <message>
      <source>Threads</source>
      <translation>Threads</translation>
    </message>
    <message>
      <source>Memory (GB)</source>
      <translation>Mémoire (Go)</translation>
    </message>
    <message>
      <source>Same libraries as QGIS</source>
      <translation>Mêmes bibliothèques que QGIS</translation>
    </message>
    <message>
      <source>Dashboard</source>
      <translation>Tableau de bord</translation>
    </message>
    <message>
      <source>Report</source>
      <translation>Rapport</translation>
    </message>
    <message>
      <source>No Dask scheduler to check: fill SCHEDULER, or set one in Options &gt; Processing &gt; Providers &gt; GeoIndicators (or the variable GEOINDICATORS_SCHEDULER).</source>
      <translation>Aucun ordonnanceur Dask à vérifier : remplissez SCHEDULER, ou indiquez-en un dans Options &gt; Traitement &gt; Fournisseurs &gt; GeoIndicators (ou la variable GEOINDICATORS_SCHEDULER).</translation>
    </message>
    <message>
      <source>Dashboard: {link}</source>
      <translation>Tableau de bord : {link}</translation>
    </message>
    <message>
      <source>Worker {name} ({address}): {threads} threads, {memory} GB</source>
      <translation>Worker {name} ({address}) : {threads} threads, {memory} Go</translation>
    </message>
    <message>
      <source>{package}: {client} here, DIFFERENT on the cluster: {cluster}</source>
      <translation>{package} : {client} ici, DIFFÉRENT sur le cluster : {cluster}</translation>
    </message>
    <message>
      <source>{package}: {client} here, same on the cluster</source>
      <translation>{package} : {client} ici, identique sur le cluster</translation>
    </message>
    <message>
      <source>The cluster's libraries differ from QGIS's.</source>
      <translation>Les bibliothèques du cluster diffèrent de celles de QGIS.</translation>
    </message>
    <message>
      <source>not needed</source>
      <translation>inutile ici</translation>
    </message>
    <message>
      <source>Earth Engine's countDistinct ignores the covered fractions</source>
      <translation>le countDistinct d'Earth Engine ignore les fractions couvertes</translation>
    </message>
    <message>
      <source>Earth Engine zonal statistics</source>
      <translation>Statistiques zonales Earth Engine</translation>
    </message>
    <message>
      <source>&lt;p&gt;Summarises an Earth Engine image over each spatial unit, computed by Earth Engine: elevation, forest loss, land cover, NDVI composites. The output fields are those of the Zonal statistics indicator, so a model can swap a local raster for an Earth Engine image.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Image&lt;/b&gt;: an image asset id (USGS/SRTMGL1_003) or an image collection's (MODIS/061/MOD13Q1) with a date range and a composite (mean, median, mode, min, max, first) that makes one image of it. &lt;b&gt;Scale&lt;/b&gt; 0 reduces in the native grid of the (first) image, always passed explicitly: a composite otherwise defaults to 1 degree in WGS 84.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Semantics&lt;/b&gt;, against the Zonal statistics indicator's exact rule: Earth Engine weights each cell by the fraction of it inside the unit, quantised to 1/255, for sum, mean, stdev, variance, min, max and class areas; count is Earth Engine's count of the valid cells whose centre lies in the unit, unweighted; covered_area and class areas sum Earth Engine's cell areas (m² on the ellipsoid) with the same weights, rescaled to the units' areas as measured here. Not offered: median and quantiles (Earth Engine bins values into a histogram first), majority, minority and variety (Earth Engine's ignore the covered fractions). The long table names each band in band_name.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Credentials&lt;/b&gt; (Options &gt; Processing &gt; Providers &gt; GeoIndicators, or the environment variables of the same names): a service-account key file (GEOINDICATORS_EE_KEY_FILE), else the credentials of 'earthengine authenticate', else Google's application-default credentials; the project (GEOINDICATORS_EE_PROJECT). Keys stay on this computer: a cluster's workers get a short-lived access token (about an hour).&lt;/p&gt;&lt;p&gt;Units go in batches well under Earth Engine's 10 MiB request limit, fetched page by page; Earth Engine's memory and time limits make smaller batches or a higher tileScale, automatically. &lt;b&gt;Run on&lt;/b&gt; (advanced parameters): this computer, or a Dask cluster, whose scheduler address (tcp://host:8786) is given here or in Options &gt; Processing &gt; Providers &gt; GeoIndicators; its workers send the requests, those in flight capped for all workers together.&lt;/p&gt;</source>
      <translation>&lt;p&gt;Résume une image Earth Engine sur chaque unité spatiale, calculé par Earth Engine : altitude, perte de forêt, occupation du sol, composites de NDVI. Les champs en sortie sont ceux de l'indicateur de statistiques zonales : un modèle peut remplacer un raster local par une image Earth Engine.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Image&lt;/b&gt; : l'identifiant d'un asset image (USGS/SRTMGL1_003) ou d'une collection d'images (MODIS/061/MOD13Q1), avec une période et un composite (mean, median, mode, min, max, first) qui en fait une seule image. Une &lt;b&gt;échelle&lt;/b&gt; de 0 calcule dans la grille native de la (première) image, toujours passée explicitement : sinon un composite est par défaut à 1 degré en WGS 84.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Sémantique&lt;/b&gt;, comparée à la règle exacte de l'indicateur de statistiques zonales : Earth Engine pondère chaque cellule par sa fraction à l'intérieur de l'unité, quantifiée au 1/255, pour sum, mean, stdev, variance, min, max et les surfaces de classes ; count est le nombre de cellules valides dont le centre est dans l'unité, non pondéré ; covered_area et les surfaces de classes somment les surfaces de cellules d'Earth Engine (m² sur l'ellipsoïde) avec les mêmes poids, remises à l'échelle des surfaces des unités mesurées ici. Non proposés : la médiane et les quantiles (Earth Engine range d'abord les valeurs dans un histogramme), majority, minority et variety (ceux d'Earth Engine ignorent les fractions couvertes). La table longue nomme chaque bande dans band_name.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Identifiants&lt;/b&gt; (Options &gt; Traitement &gt; Fournisseurs &gt; GeoIndicators, ou les variables d'environnement du même nom) : un fichier de clé de compte de service (GEOINDICATORS_EE_KEY_FILE), sinon les identifiants de 'earthengine authenticate', sinon les identifiants par défaut de Google ; le projet (GEOINDICATORS_EE_PROJECT). Les clés restent sur cet ordinateur : les workers d'un cluster reçoivent un jeton d'accès de courte durée (environ une heure).&lt;/p&gt;&lt;p&gt;Les unités partent par lots bien en deçà de la limite de 10 Mio par requête d'Earth Engine, et les résultats sont lus page par page ; les limites de mémoire et de temps d'Earth Engine donnent automatiquement des lots plus petits ou un tileScale plus élevé. &lt;b&gt;Exécuter sur&lt;/b&gt; (paramètres avancés) : cet ordinateur, ou un cluster Dask, dont l'adresse d'ordonnanceur (tcp://hôte:8786) est donnée ici ou dans Options &gt; Traitement &gt; Fournisseurs &gt; GeoIndicators ; ses workers envoient les requêtes, dont le nombre en cours est plafonné pour tous les workers ensemble.&lt;/p&gt;</translation>
    </message>
    <message>
      <source>earth engine</source>
      <translation>earth engine</translation>
    </message>
    <message>
      <source>google</source>
      <translation>google</translation>
    </message>
    <message>
      <source>zonal statistics</source>
      <translation>statistiques de zone</translation>
    </message>
    <message>
      <source>NDVI</source>
      <translation>NDVI</translation>
    </message>
    <message>
      <source>elevation</source>
      <translation>altitude</translation>
    </message>
    <message>
      <source>land cover</source>
      <translation>occupation du sol</translation>
    </message>
    <message>
      <source>composite</source>
      <translation>composite</translation>
    </message>
    <message>
      <source>indicator</source>
      <translation>indicateur</translation>
    </message>
    <message>
      <source>Earth Engine computes it from a histogram of binned values, not by the exact weighted rule</source>
      <translation>Earth Engine la calcule sur un histogramme de valeurs regroupées par classes, non par la règle pondérée exacte</translation>
    </message>
    <message>
      <source>Earth Engine's mode ignores the covered fractions</source>
      <translation>le mode d'Earth Engine ignore les fractions couvertes</translation>
    </message>
    <message>
      <source>Earth Engine has no weighted minority</source>
      <translation>Earth Engine n'a pas de minorité pondérée</translation>
    </message>
    <message>
      <source>Polygons (communes, watersheds, grid cells), in any CRS: they are sent to Earth Engine in the image's CRS.</source>
      <translation>Polygones (communes, bassins versants, mailles), dans n'importe quel SCR : ils sont envoyés à Earth Engine dans le SCR de l'image.</translation>
    </message>
    <message>
      <source>Such as USGS/SRTMGL1_003 (an image) or MODIS/061/MOD13Q1 (a collection, with dates and a composite).</source>
      <translation>Par exemple USGS/SRTMGL1_003 (une image) ou MODIS/061/MOD13Q1 (une collection, avec des dates et un composite).</translation>
    </message>
    <message>
      <source>Band names of the image, such as NDVI or B4,B8.</source>
      <translation>Noms de bandes de l'image, par exemple NDVI ou B4,B8.</translation>
    </message>
    <message>
      <source>Images from this date on (collections only).</source>
      <translation>Les images à partir de cette date (collections seulement).</translation>
    </message>
    <message>
      <source>Images before this date (collections only).</source>
      <translation>Les images avant cette date (collections seulement).</translation>
    </message>
    <message>
      <source>How the images between the dates make one (collections only); with qgis_process their numbers from 0 (mean).</source>
      <translation>Comment les images entre les dates n'en font qu'une (collections seulement) ; avec qgis_process, leurs numéros à partir de 0 (mean).</translation>
    </message>
    <message>
      <source>0 reduces in the native grid of the (first) image; another value reduces at that many metres per cell, in its CRS.</source>
      <translation>0 calcule dans la grille native de la (première) image ; une autre valeur calcule avec des cellules d'autant de mètres, dans son SCR.</translation>
    </message>
    <message>
      <source>With qgis_process, their numbers as in the zonal statistics indicator, from 0 (count) to 12 (covered_area), such as STATISTICS=0,2,12. Median (8), majority, minority and variety (9 to 11) are not offered: Earth Engine does not compute them by the exact rule.</source>
      <translation>Avec qgis_process, leurs numéros comme dans l'indicateur de statistiques zonales, de 0 (count) à 12 (covered_area), par exemple STATISTICS=0,2,12. La médiane (8), la majorité, la minorité et la variété (9 à 11) ne sont pas proposées : Earth Engine ne les calcule pas par la règle exacte.</translation>
    </message>
    <message>
      <source>For a class image (land cover): the area and share of each class value, on one band.</source>
      <translation>Pour une image de classes (occupation du sol) : la surface et la part de chaque valeur de classe, sur une bande.</translation>
    </message>
    <message>
      <source>Pairs of class value and name, such as 10,forest,80,water; values given one name are one class.</source>
      <translation>Des paires valeur de classe et nom, par exemple 10,forêt,80,eau ; les valeurs qui portent un même nom forment une classe.</translation>
    </message>
    <message>
      <source>Asking Earth Engine what '{asset}' is...</source>
      <translation>Demande à Earth Engine ce qu'est '{asset}'...</translation>
    </message>
    <message>
      <source>a composite ({composite}) of {count} images</source>
      <translation>un composite ({composite}) de {count} images</translation>
    </message>
    <message>
      <source>an image</source>
      <translation>une image</translation>
    </message>
    <message>
      <source>{scale:g} m cells</source>
      <translation>des cellules de {scale:g} m</translation>
    </message>
    <message>
      <source>its native grid ({size:g} units of {crs} per cell)</source>
      <translation>sa grille native ({size:g} unités de {crs} par cellule)</translation>
    </message>
    <message>
      <source>'{asset}' is {what}; bands {bands}; reduced in {grid}.</source>
      <translation>'{asset}' est {what} ; bandes {bands} ; calculé dans {grid}.</translation>
    </message>
    <message>
      <source>Earth Engine image or image collection (asset id)</source>
      <translation>Image ou collection d'images Earth Engine (identifiant d'asset)</translation>
    </message>
    <message>
      <source>Bands (names separated by commas; empty = all)</source>
      <translation>Bandes (noms séparés par des virgules ; vide = toutes)</translation>
    </message>
    <message>
      <source>Start date (collections; YYYY-MM-DD)</source>
      <translation>Date de début (collections ; AAAA-MM-JJ)</translation>
    </message>
    <message>
      <source>End date, excluded (collections; YYYY-MM-DD)</source>
      <translation>Date de fin, exclue (collections ; AAAA-MM-JJ)</translation>
    </message>
    <message>
      <source>Composite of the collection's images</source>
      <translation>Composite des images de la collection</translation>
    </message>
    <message>
      <source>Scale in metres (0 = the image's native grid)</source>
      <translation>Échelle en mètres (0 = la grille native de l'image)</translation>
    </message>
    <message>
      <source>Statistics</source>
      <translation>Statistiques</translation>
    </message>
    <message>
      <source>Categorical image (area and share of each class value)</source>
      <translation>Image catégorielle (surface et part de chaque valeur de classe)</translation>
    </message>
    <message>
      <source>Class names (value, name)</source>
      <translation>Noms des classes (valeur, nom)</translation>
    </message>
    <message>
      <source>Give the Earth Engine asset id of an image or image collection in {parameter}, such as USGS/SRTMGL1_003.</source>
      <translation>Donnez l'identifiant d'asset Earth Engine d'une image ou d'une collection d'images dans {parameter}, par exemple USGS/SRTMGL1_003.</translation>
    </message>
    <message>
      <source>The start date {start} is not before the end date {end} (excluded): no image can be between them.</source>
      <translation>La date de début {start} n'est pas avant la date de fin {end} (exclue) : aucune image ne peut se trouver entre elles.</translation>
    </message>
    <message>
      <source>Categorical mode reads one band, and {count} are given in {parameter}: give the band of classes.</source>
      <translation>Le mode catégoriel lit une bande, et {count} sont données dans {parameter} : donnez la bande des classes.</translation>
    </message>
    <message>
      <source>Earth Engine does not give {statistic} ({number}): {reason}. Choose among {offered}, or use the zonal statistics indicator on a raster.</source>
      <translation>Earth Engine ne donne pas {statistic} ({number}) : {reason}. Choisissez parmi {offered}, ou utilisez l'indicateur de statistiques zonales sur un raster.</translation>
    </message>
    <message>
      <source>'{asset}' is one image: the dates and the composite do not apply.</source>
      <translation>'{asset}' est une seule image : les dates et le composite ne s'appliquent pas.</translation>
    </message>
    <message>
      <source>Categorical mode reads one band, and the image '{asset}' has {count} ({bands}): give the band of classes in {parameter}.</source>
      <translation>Le mode catégoriel lit une bande, et l'image '{asset}' en a {count} ({bands}) : donnez la bande des classes dans {parameter}.</translation>
    </message>
    <message>
      <source>{parameter} must be a date written YYYY-MM-DD, such as 2024-01-31, not '{value}'.</source>
      <translation>{parameter} doit être une date écrite AAAA-MM-JJ, par exemple 2024-01-31, et non '{value}'.</translation>
    </message>
    <message>
      <source>The layer '{layer}' has no coordinate reference system (CRS), so Earth Engine cannot place its units. Set its CRS (Layer Properties &gt; Source; with qgis_process, run native:assignprojection on it first) and run again.</source>
      <translation>La couche '{layer}' n'a pas de système de coordonnées (SCR) : Earth Engine ne peut pas placer ses unités. Définissez son SCR (Propriétés de la couche &gt; Source ; avec qgis_process, lancez d'abord native:assignprojection) et relancez.</translation>
    </message>
    <message>
      <source>QGIS does not know the image's CRS {crs}: the units are sent in their own CRS {units}, and Earth Engine reprojects them.</source>
      <translation>QGIS ne connaît pas le SCR de l'image {crs} : les unités sont envoyées dans leur propre SCR {units}, et Earth Engine les reprojette.</translation>
    </message>
    <message>
      <source>Value</source>
      <translation>Valeur</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>Nom</translation>
    </message>
    <message>
      <source>(given as WKT)</source>
      <translation>(donné en WKT)</translation>
    </message>
    <message>
      <source>H3 units</source>
      <translation>Unités H3</translation>
    </message>
    <message>
      <source>h3</source>
      <translation>h3</translation>
    </message>
    <message>
      <source>hexagon</source>
      <translation>hexagone</translation>
    </message>
    <message>
      <source>grid</source>
      <translation>grille</translation>
    </message>
    <message>
      <source>cells</source>
      <translation>mailles</translation>
    </message>
    <message>
      <source>units</source>
      <translation>unités</translation>
    </message>
    <message>
      <source>coverage</source>
      <translation>couverture</translation>
    </message>
    <message>
      <source>&lt;p&gt;Covers a territory (the zone polygons, dissolved) with H3 cells at one or several resolutions (6,8), to use as the spatial units of any indicator, with h3 as their identifier field.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Containment&lt;/b&gt;: &lt;i&gt;cells that overlap the zone&lt;/i&gt; (the default) cover it completely, coasts included; &lt;i&gt;cells whose centre is in the zone&lt;/i&gt; are h3's own polygon_to_cells, which every H3 plugin uses, and leave gaps along coasts (about 3 % of a large island at resolution 6); &lt;i&gt;cells wholly inside&lt;/i&gt; leave out every cell the coast crosses. The cells are the very ones of h3's h3shape_to_cells_experimental for each rule, found much faster on detailed coastlines. &lt;b&gt;Clip&lt;/b&gt; cuts the cells to the zone: the pieces then tile it exactly.&lt;/p&gt;&lt;p&gt;Fields: h3 (the cell's index as text, as h3 3.x wrote it), resolution, cell_area and area_in_zone (measured like every indicator: on the ellipsoid set for measurements, or planar when it is None), and with several resolutions parent_6 (for example): the cell's parent at each coarser resolution asked for, only where the cell lies inside it. H3 cells do not nest exactly (the children of a cell stick out of it a little): each resolution is computed on its own, never rolled up.&lt;/p&gt;&lt;p&gt;Zones in any CRS; across the antimeridian too (Fiji, Wallis and Futuna): the cells come out in the zone's CRS, cut at 180° when that CRS is geographic.&lt;/p&gt;</source>
      <translation>&lt;p&gt;Couvre un territoire (les polygones de la zone, fusionnés) de mailles H3 à une ou plusieurs résolutions (6,8), à utiliser comme unités spatiales de tout indicateur, avec h3 comme champ identifiant.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Mailles retenues&lt;/b&gt; : &lt;i&gt;les mailles qui recouvrent la zone&lt;/i&gt; (par défaut) la couvrent entièrement, côtes comprises ; &lt;i&gt;les mailles dont le centre est dans la zone&lt;/i&gt; sont polygon_to_cells de h3, qu'utilisent toutes les extensions H3, et laissent des trous le long des côtes (environ 3 % d'une grande île à la résolution 6) ; &lt;i&gt;les mailles entièrement dans la zone&lt;/i&gt; laissent de côté toute maille que traverse la côte. Ce sont exactement les mailles de h3shape_to_cells_experimental de h3 pour chaque règle, trouvées bien plus vite sur des côtes détaillées. &lt;b&gt;Découper&lt;/b&gt; coupe les mailles selon la zone : les morceaux la pavent alors exactement.&lt;/p&gt;&lt;p&gt;Champs : h3 (l'index de la maille en texte, comme l'écrivait h3 3.x), resolution, cell_area et area_in_zone (mesurées comme tout indicateur : sur l'ellipsoïde choisi pour les mesures, ou planes s'il est None), et avec plusieurs résolutions parent_6 (par exemple) : le parent de la maille à chaque résolution plus grossière demandée, seulement là où la maille est dedans. Les mailles H3 ne s'emboîtent pas exactement (les enfants d'une maille en débordent un peu) : chaque résolution est calculée pour elle-même, jamais agrégée.&lt;/p&gt;&lt;p&gt;Zones dans tout SCR, y compris à cheval sur l'antiméridien (Fidji, Wallis-et-Futuna) : les mailles sortent dans le SCR de la zone, coupées à 180° quand ce SCR est géographique.&lt;/p&gt;</translation>
    </message>
    <message>
      <source>&lt;p&gt;A run that would make more cells than the setting &lt;i&gt;H3 units: largest number of cells in one run&lt;/i&gt; (5 million unless changed; up to 1.7 GB of memory per million cells) is refused before any cell is made, with the estimate.&lt;/p&gt;</source>
      <translation>&lt;p&gt;Une exécution qui produirait plus de mailles que le paramètre &lt;i&gt;Unités H3 : nombre maximal de mailles en une exécution&lt;/i&gt; (5 millions sauf modification ; jusqu’à 1,7 Go de mémoire par million de mailles) est refusée avant qu'aucune maille ne soit produite, avec l'estimation.&lt;/p&gt;</translation>
    </message>
    <message>
      <source>The territory to cover (its polygons are dissolved), in any CRS.</source>
      <translation>Le territoire à couvrir (ses polygones sont fusionnés), dans tout SCR.</translation>
    </message>
    <message>
      <source>One or several resolutions, separated by commas: 6 gives cells of about 36 km², 8 of about 0.74 km².</source>
      <translation>Une ou plusieurs résolutions, séparées par des virgules : 6 donne des mailles d'environ 36 km², 8 d'environ 0,74 km².</translation>
    </message>
    <message>
      <source>Overlap covers the zone completely; centre is what H3 plugins give; wholly inside leaves the coast out.</source>
      <translation>Le recouvrement couvre toute la zone ; le centre est ce que donnent les extensions H3 ; entièrement dedans laisse la côte de côté.</translation>
    </message>
    <message>
      <source>The cells along the zone's edge are cut to it: the pieces tile the zone exactly.</source>
      <translation>Les mailles du bord de la zone y sont découpées : les morceaux pavent exactement la zone.</translation>
    </message>
    <message>
      <source>The cells, in the zone's CRS: prefer a GeoPackage.</source>
      <translation>Les mailles, dans le SCR de la zone : préférez un GeoPackage.</translation>
    </message>
    <message>
      <source>Covering '{layer}' with H3 cells of resolution {resolutions} ({containment}).</source>
      <translation>Couverture de « {layer} » par des mailles H3 de résolution {resolutions} ({containment}).</translation>
    </message>
    <message>
      <source>{count} cells.</source>
      <translation>{count} mailles.</translation>
    </message>
    <message>
      <source>{count} zones of '{layer}' (feature ids {ids}) have edges longer than 180° of longitude. They are read as drawn, their edges straight in degrees: a band round the globe, not a zone across 180° as h3 reads such edges. For a zone across 180°, give it longitudes beyond 180 (from 179 to 181) or cut it at 180°.</source>
      <translation>{count} zones de « {layer} » (identifiants {ids}) ont des côtés de plus de 180° de longitude. Elles sont lues telles que dessinées, leurs côtés droits en degrés : une bande qui fait le tour du globe, non une zone à cheval sur 180° comme h3 lit de tels côtés. Pour une zone à cheval sur 180°, donnez-lui des longitudes au-delà de 180 (de 179 à 181) ou coupez-la à 180°.</translation>
    </message>
    <message>
      <source>Zone</source>
      <translation>Zone</translation>
    </message>
    <message>
      <source>H3 resolutions (from 0 to 15, such as 6,8)</source>
      <translation>Résolutions H3 (de 0 à 15, par exemple 6,8)</translation>
    </message>
    <message>
      <source>Cells kept</source>
      <translation>Mailles retenues</translation>
    </message>
    <message>
      <source>Cut the cells to the zone</source>
      <translation>Découper les mailles selon la zone</translation>
    </message>
    <message>
      <source>The zone layer '{layer}' has no coordinate reference system (CRS): H3 cells are placed on the Earth. Set its CRS (Layer Properties &gt; Source) and run again.</source>
      <translation>La couche de zone « {layer} » n'a pas de système de coordonnées (SCR) : les mailles H3 sont placées sur la Terre. Définissez son SCR (Propriétés de la couche &gt; Source) et relancez.</translation>
    </message>
    <message>
      <source>The zone layer '{layer}' must contain polygons; it contains {kind}. H3 units cover the area of polygons: choose a polygon layer.</source>
      <translation>La couche de zone '{layer}' doit contenir des polygones ; elle contient {kind}. Les mailles H3 couvrent des surfaces : choisissez une couche de polygones.</translation>
    </message>
    <message>
      <source>The zone layer '{layer}' has no polygon to cover.</source>
      <translation>La couche de zone « {layer} » n'a aucun polygone à couvrir.</translation>
    </message>
    <message>
      <source>{count} cells only touch the zone (the overlap rule counts them): cut to the zone they have no piece, and are left out.</source>
      <translation>{count} mailles ne font que toucher la zone (la règle du chevauchement les compte) : découpées à la zone, elles n'ont aucun morceau et sont laissées de côté.</translation>
    </message>
    <message>
      <source>No H3 cell: with the rule '{containment}', the zone '{layer}' is too small for the cells of resolution {resolutions}. The overlap rule (CONTAINMENT 0) gives every cell that meets it.</source>
      <translation>Aucune maille H3 : avec la règle '{containment}', la zone '{layer}' est trop petite pour les mailles de résolution {resolutions}. La règle de recouvrement (CONTAINMENT 0) donne toutes les cellules qui la touchent.</translation>
    </message>
    <message>
      <source>{parameter} must list H3 resolutions from 0 to 15, such as 6,8; '{value}' does not.</source>
      <translation>{parameter} doit donner des résolutions H3 de 0 à 15, par exemple 6,8 ; « {value} » ne le fait pas.</translation>
    </message>
    <message>
      <source>Cells that overlap the zone (complete coverage)</source>
      <translation>Mailles qui recouvrent la zone (couverture complète)</translation>
    </message>
    <message>
      <source>Cells whose centre is in the zone (h3's polygon_to_cells)</source>
      <translation>Mailles dont le centre est dans la zone (polygon_to_cells de h3)</translation>
    </message>
    <message>
      <source>Cells wholly inside the zone</source>
      <translation>Mailles entièrement dans la zone</translation>
    </message>
    <message>
      <source>{count} cells only touch the zone along an edge or at a corner (the overlap rule counts them): their area_in_zone is 0.</source>
      <translation>{count} mailles ne font que toucher la zone par un côté ou un sommet (la règle du chevauchement les compte) : leur area_in_zone vaut 0.</translation>
    </message>
    <message>
      <source>{count} units of '{layer}' have no geometry: their values are NULL.</source>
      <translation>{count} unités de « {layer} » n'ont pas de géométrie : leurs valeurs sont NULL.</translation>
    </message>
    <message>
      <source>Areal interpolation indicator</source>
      <translation>Indicateur d'interpolation surfacique</translation>
    </message>
    <message>
      <source>&lt;p&gt;Moves the values of source polygons (census tracts, parcels, former communes) to the spatial units, by the area each source shares with each unit, as tobler's area_interpolate does. With a(s, u) the area of source s inside unit u:&lt;/p&gt;&lt;p&gt;&lt;b&gt;Extensive&lt;/b&gt; variables (counts, totals): each source's value is shared between the units in proportion to a(s, u). With 'Allocate the whole value' (the default, as tobler) a source's whole value goes to the units it touches; without it, the share of a source lying outside every unit is lost (as R's sf::st_interpolate_aw), and the log says how much.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Intensive&lt;/b&gt; variables (rates, densities): the mean of the sources' values weighted by a(s, u), over the part of the unit the sources cover. &lt;b&gt;Categorical&lt;/b&gt; variables: for each value, the share (%) of the unit's area covered by sources of that value.&lt;/p&gt;&lt;p&gt;Unlike tobler: a NULL source value is left out of that variable (tobler counts it as 0, which drags means down); a unit that no source touches gets NULL, not 0, and is counted in a warning; areas are in double precision. The log gives, for each extensive variable, the sources' total and what the units received, the sources that touch no unit and the sources that overlap each other (their values count twice).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Weight raster&lt;/b&gt; (dasymetric): each cell weighs its area times 1 when its value is among the weight classes (such as 21,22,23,24 for built-up land cover) and 0 otherwise, or without classes times its value (population grid; nodata and negative values weigh 0); these weights replace areas for extensive and intensive variables. A source with no weight anywhere is shared by area instead, a unit with no weight gets the area-weighted mean, both counted in the log. The raster is read window by window with exact cell coverage, never turned into polygons.&lt;/p&gt;&lt;p&gt;Areas follow the ellipsoid set for measurements, like the other indicators; the sources are reprojected to the units' CRS. &lt;b&gt;Output layout&lt;/b&gt;: wide (the default), the units layer with one field per variable under the source field's name and field_value per class (a name the units have already is numbered, and the log says so); long, one row per unit and variable (unit identifier, variable, class, value). With qgis_process, give several fields as EXTENSIVE=pop;households. &lt;b&gt;Run on&lt;/b&gt; (advanced parameters): this computer, or a Dask cluster, whose scheduler address (tcp://host:8786) is given here or in Options &gt; Processing &gt; Providers &gt; GeoIndicators.&lt;/p&gt;</source>
      <translation>&lt;p&gt;Transfère les valeurs de polygones sources (îlots de recensement, parcelles, anciennes communes) vers les unités spatiales, selon la surface que chaque source partage avec chaque unité, comme le fait area_interpolate de tobler. Avec a(s, u) la surface de la source s dans l'unité u :&lt;/p&gt;&lt;p&gt;Variables &lt;b&gt;extensives&lt;/b&gt; (effectifs, totaux) : la valeur de chaque source est répartie entre les unités en proportion de a(s, u). Avec « Attribuer toute la valeur » (par défaut, comme tobler), toute la valeur d'une source va aux unités qu'elle touche ; sans, la part d'une source située hors de toute unité est perdue (comme sf::st_interpolate_aw de R), et le journal dit combien.&lt;/p&gt;&lt;p&gt;Variables &lt;b&gt;intensives&lt;/b&gt; (taux, densités) : la moyenne des valeurs des sources pondérée par a(s, u), sur la partie de l'unité que couvrent les sources. Variables &lt;b&gt;catégorielles&lt;/b&gt; : pour chaque valeur, la part (%) de la surface de l'unité couverte par des sources de cette valeur.&lt;/p&gt;&lt;p&gt;À la différence de tobler : une valeur NULL d'une source est écartée de cette variable (tobler la compte comme 0, ce qui tire les moyennes vers le bas) ; une unité qu'aucune source ne touche reçoit NULL, pas 0, et est comptée dans un avertissement ; les surfaces sont en double précision. Le journal donne, pour chaque variable extensive, le total des sources et ce qu'ont reçu les unités, les sources qui ne touchent aucune unité et les sources qui se chevauchent (leurs valeurs comptent deux fois).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Raster de pondération&lt;/b&gt; (dasymétrique) : chaque cellule pèse sa surface multipliée par 1 si sa valeur fait partie des classes pondérées (par exemple 21,22,23,24 pour le bâti) et 0 sinon, ou sans classes par sa valeur (grille de population ; les cellules nodata et les valeurs négatives pèsent 0) ; ces poids remplacent les surfaces pour les variables extensives et intensives. Une source sans aucun poids est répartie selon la surface, une unité sans poids reçoit la moyenne pondérée par la surface, tous deux comptés dans le journal. Le raster est lu fenêtre par fenêtre avec la couverture exacte des cellules, jamais transformé en polygones.&lt;/p&gt;&lt;p&gt;Les surfaces suivent l'ellipsoïde choisi pour les mesures, comme les autres indicateurs ; les sources sont reprojetées dans le SCR des unités. &lt;b&gt;Disposition&lt;/b&gt; : large (par défaut), la couche des unités avec un champ par variable sous le nom du champ source et champ_valeur par classe (un nom que les unités ont déjà est numéroté, et le journal le dit) ; longue, une ligne par unité et variable (identifiant de l'unité, variable, classe, valeur). Avec qgis_process, donnez plusieurs champs ainsi : EXTENSIVE=pop;menages. &lt;b&gt;Exécuter sur&lt;/b&gt; (paramètres avancés) : cet ordinateur, ou un cluster Dask, dont l'adresse du planificateur (tcp://host:8786) est donnée ici ou dans Options &gt; Traitement &gt; Fournisseurs &gt; GeoIndicators.&lt;/p&gt;</translation>
    </message>
    <message>
      <source>areal interpolation</source>
      <translation>interpolation surfacique</translation>
    </message>
    <message>
      <source>census</source>
      <translation>recensement</translation>
    </message>
    <message>
      <source>population</source>
      <translation>population</translation>
    </message>
    <message>
      <source>tobler</source>
      <translation>tobler</translation>
    </message>
    <message>
      <source>dasymetric</source>
      <translation>dasymétrique</translation>
    </message>
    <message>
      <source>area weighted</source>
      <translation>pondéré par la surface</translation>
    </message>
    <message>
      <source>{label}, % of the unit</source>
      <translation>{label}, % de l'unité</translation>
    </message>
    <message>
      <source>Polygons (communes, watersheds, grid cells): each receives the sources' values by the area it shares with them.</source>
      <translation>Polygones (communes, bassins versants, mailles) : chacun reçoit les valeurs des sources selon la surface qu'il partage avec elles.</translation>
    </message>
    <message>
      <source>Long table (one row per unit and variable, or unit, variable and class)</source>
      <translation>Table longue (une ligne par unité et variable, ou unité, variable et classe)</translation>
    </message>
    <message>
      <source>Units layer with one field per variable (wide)</source>
      <translation>Couche des unités avec un champ par variable (large)</translation>
    </message>
    <message>
      <source>Wide: the units with one field per extensive or intensive variable and per class of a categorical one. Long: a table without geometry.</source>
      <translation>Large : les unités avec un champ par variable extensive ou intensive et par classe d'une variable catégorielle. Longue : une table sans géométrie.</translation>
    </message>
    <message>
      <source>Polygons holding the values to move (census tracts), in any CRS.</source>
      <translation>Polygones portant les valeurs à transférer (îlots de recensement), dans tout SCR.</translation>
    </message>
    <message>
      <source>Checked (tobler's default): nothing of an extensive value is lost. Unchecked: the share outside every unit is lost.</source>
      <translation>Coché (le choix par défaut de tobler) : rien d'une valeur extensive n'est perdu. Décoché : la part hors de toute unité est perdue.</translation>
    </message>
    <message>
      <source>Land cover or population grid whose cells weigh the areas; empty: areas alone.</source>
      <translation>Occupation du sol ou grille de population dont les cellules pondèrent les surfaces ; vide : les surfaces seules.</translation>
    </message>
    <message>
      <source>The band of the weight raster.</source>
      <translation>La bande du raster de pondération.</translation>
    </message>
    <message>
      <source>Cells with these values weigh their area, others nothing; empty: each cell weighs its value.</source>
      <translation>Les cellules de ces valeurs pèsent leur surface, les autres rien ; vide : chaque cellule pèse sa valeur.</translation>
    </message>
    <message>
      <source>{label}, % of the parent</source>
      <translation>{label}, % du parent</translation>
    </message>
    <message>
      <source>Source polygons</source>
      <translation>Polygones sources</translation>
    </message>
    <message>
      <source>Extensive variables (counts, totals)</source>
      <translation>Variables extensives (effectifs, totaux)</translation>
    </message>
    <message>
      <source>Numeric fields shared by area: population, households.</source>
      <translation>Champs numériques répartis selon la surface : population, ménages.</translation>
    </message>
    <message>
      <source>Intensive variables (rates, densities)</source>
      <translation>Variables intensives (taux, densités)</translation>
    </message>
    <message>
      <source>Numeric fields averaged by area: rates, densities, means.</source>
      <translation>Champs numériques moyennés selon la surface : taux, densités, moyennes.</translation>
    </message>
    <message>
      <source>Categorical variables (classes)</source>
      <translation>Variables catégorielles (classes)</translation>
    </message>
    <message>
      <source>Fields of classes: each class's share of the unit's area.</source>
      <translation>Champs de classes : la part de la surface de l'unité occupée par chaque classe.</translation>
    </message>
    <message>
      <source>Allocate the whole value of each source to the units it touches</source>
      <translation>Attribuer toute la valeur de chaque source aux unités qu'elle touche</translation>
    </message>
    <message>
      <source>Weight raster (optional, dasymetric)</source>
      <translation>Raster de pondération (facultatif, dasymétrique)</translation>
    </message>
    <message>
      <source>Weight band</source>
      <translation>Bande de pondération</translation>
    </message>
    <message>
      <source>Weight classes (cell values, such as 21,22,23,24)</source>
      <translation>Classes pondérées (valeurs de cellules, par exemple 21,22,23,24)</translation>
    </message>
    <message>
      <source>Choose at least one variable to interpolate: {extensive}, {intensive} or {categorical}.</source>
      <translation>Choisissez au moins une variable à interpoler : {extensive}, {intensive} ou {categorical}.</translation>
    </message>
    <message>
      <source>The field '{field}' of '{layer}' is chosen as two kinds of variable; choose it once.</source>
      <translation>Le champ « {field} » de « {layer} » est choisi comme deux types de variable ; choisissez-le une seule fois.</translation>
    </message>
    <message>
      <source>The source layer '{layer}' must contain polygons: values are shared by area.</source>
      <translation>La couche source « {layer} » doit contenir des polygones : les valeurs sont réparties selon la surface.</translation>
    </message>
    <message>
      <source>The source layer '{layer}' has no features (or no selected features, with 'Selected features only').</source>
      <translation>La couche source « {layer} » n'a pas d'entités (ou pas d'entité sélectionnée, avec « Entités sélectionnées uniquement »).</translation>
    </message>
    <message>
      <source>Areas are ellipsoidal, on the ellipsoid {ellipsoid}, in square metres.</source>
      <translation>Les surfaces sont ellipsoïdales, sur l'ellipsoïde {ellipsoid}, en mètres carrés.</translation>
    </message>
    <message>
      <source>Areas are planar, in the units CRS {crs} (the ellipsoid is NONE).</source>
      <translation>Les surfaces sont planes, dans le SCR des unités {crs} (l'ellipsoïde est NONE).</translation>
    </message>
    <message>
      <source>extensive</source>
      <translation>extensive</translation>
    </message>
    <message>
      <source>intensive</source>
      <translation>intensive</translation>
    </message>
    <message>
      <source>The field '{wanted}' is written as '{written}': the units layer '{layer}' has a field of that name already.</source>
      <translation>Le champ « {wanted} » est écrit « {written} » : la couche des unités « {layer} » a déjà un champ de ce nom.</translation>
    </message>
    <message>
      <source>The field '{field}' of '{layer}' is not numeric, so it cannot be an extensive or intensive variable. Choose a field of numbers, convert it with the field calculator, or make it a categorical variable.</source>
      <translation>Le champ « {field} » de « {layer} » n'est pas numérique : il ne peut pas être une variable extensive ou intensive. Choisissez un champ de nombres, convertissez-le avec la calculatrice de champs, ou faites-en une variable catégorielle.</translation>
    </message>
    <message>
      <source>The weight classes '{value}' are not cell values: give numbers separated by commas, such as 21,22,23,24.</source>
      <translation>Les classes pondérées « {value} » ne sont pas des valeurs de cellules : donnez des nombres séparés par des virgules, par exemple 21,22,23,24.</translation>
    </message>
    <message>
      <source>Overlay indicator</source>
      <translation>Indicateur de superposition</translation>
    </message>
    <message>
      <source>&lt;p&gt;For each spatial unit (commune, watershed, grid cell) and each class of a thematic layer (land cover, burnt areas, mining titles), measures how much of the theme lies in the unit.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Polygons&lt;/b&gt;: the area of overlap (area), its share of the unit (pct_unit, %), its share of the class's total over all the units (pct_class, %) and the number of features (n_features). &lt;b&gt;Lines&lt;/b&gt;: length and n_features. &lt;b&gt;Points&lt;/b&gt;: count and the sum of the weight field (weight_sum).&lt;/p&gt;&lt;p&gt;Overlaps between features of one class count once; each class is measured on its own, so a place covered by two classes counts in both. Without a class field the whole layer is one class, 'all'; NULL is a class of its own. A point on the border between units counts once, in the first of them in the layer's order; a line along a shared border counts in each unit.&lt;/p&gt;&lt;p&gt;Areas and lengths follow the ellipsoid set for measurements (Project &gt; Properties &gt; General; with qgis_process, --ELLIPSOID=EPSG:7030 before --): ellipsoidal in m² and m, or planar in the units' CRS when it is None. The thematic layer is reprojected to the units' CRS; invalid geometries are repaired and counted in the log.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Output layout&lt;/b&gt;: the long table has one row per unit and class with a positive measure (the unit identifier, class, then the measures). The wide layout is the units layer with one field per measure and class, such as area_forest (the class in lower case, without accents, other characters as _), listed in the log; a unit without a class gets 0 there. Prefer a GeoPackage: a Shapefile cuts names to 10 characters.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Run on&lt;/b&gt; (advanced parameters): this computer, or a Dask cluster, whose scheduler address (tcp://host:8786) is given here or in Options &gt; Processing &gt; Providers &gt; GeoIndicators.&lt;/p&gt;</source>
      <translation>&lt;p&gt;Pour chaque unité spatiale (commune, bassin versant, maille) et chaque classe d'une couche thématique (occupation du sol, surfaces brûlées, titres miniers), mesure la part du thème située dans l'unité.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Polygones&lt;/b&gt; : la surface en commun (area), sa part de l'unité (pct_unit, %), sa part du total de la classe sur toutes les unités (pct_class, %) et le nombre d'entités (n_features). &lt;b&gt;Lignes&lt;/b&gt; : la longueur (length) et n_features. &lt;b&gt;Points&lt;/b&gt; : le nombre (count) et la somme du champ de poids (weight_sum).&lt;/p&gt;&lt;p&gt;Les chevauchements entre entités d'une même classe comptent une fois ; chaque classe est mesurée à part, donc un lieu couvert par deux classes compte dans les deux. Sans champ de classe, toute la couche forme une classe, « all » ; NULL est une classe à part entière. Un point sur la limite entre unités compte une fois, dans la première d'entre elles dans l'ordre de la couche ; une ligne le long d'une limite commune compte dans chaque unité.&lt;/p&gt;&lt;p&gt;Surfaces et longueurs suivent l'ellipsoïde défini pour les mesures (Projet &gt; Propriétés &gt; Général ; avec qgis_process, --ELLIPSOID=EPSG:7030 avant --) : ellipsoïdales en m² et m, ou planes dans le SCR des unités s'il vaut Aucun. La couche thématique est reprojetée dans le SCR des unités ; les géométries invalides sont réparées et comptées dans le journal.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Disposition de la sortie&lt;/b&gt; : la table longue a une ligne par unité et par classe de mesure positive (l'identifiant de l'unité, class, puis les mesures). La disposition large est la couche des unités avec un champ par mesure et par classe, comme area_foret (la classe en minuscules, sans accents, autres caractères remplacés par _), listés dans le journal ; une unité sans la classe y reçoit 0. Préférez un GeoPackage : un Shapefile coupe les noms à 10 caractères.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Exécuter sur&lt;/b&gt; (paramètres avancés) : cet ordinateur, ou un cluster Dask, dont l'adresse d'ordonnanceur (tcp://hôte:8786) est donnée ici ou dans Options &gt; Traitement &gt; Fournisseurs &gt; GeoIndicators.&lt;/p&gt;</translation>
    </message>
    <message>
      <source>burnt area</source>
      <translation>surface brûlée</translation>
    </message>
    <message>
      <source>forest</source>
      <translation>forêt</translation>
    </message>
    <message>
      <source>share</source>
      <translation>part</translation>
    </message>
    <message>
      <source>commune</source>
      <translation>commune</translation>
    </message>
    <message>
      <source>watershed</source>
      <translation>bassin versant</translation>
    </message>
    <message>
      <source>overlay</source>
      <translation>superposition</translation>
    </message>
    <message>
      <source>intersection</source>
      <translation>intersection</translation>
    </message>
    <message>
      <source>Polygons (communes, watersheds, grid cells): each gets the rows of its classes.</source>
      <translation>Polygones (communes, bassins versants, mailles) : chacun reçoit les lignes de ses classes.</translation>
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
      <source>Long: a table without geometry, one row per unit and class. Wide: the units with one field per measure and class.</source>
      <translation>Longue : une table sans géométrie, une ligne par unité et par classe. Large : les unités avec un champ par mesure et par classe.</translation>
    </message>
    <message>
      <source>Points, lines or polygons, in any CRS: what is measured in the units.</source>
      <translation>Points, lignes ou polygones, dans tout SCR : ce qui est mesuré dans les unités.</translation>
    </message>
    <message>
      <source>Each of its values is a class measured apart (years, land-cover codes); empty: the whole layer is one class.</source>
      <translation>Chacune de ses valeurs est une classe mesurée à part (années, codes d'occupation du sol) ; vide : toute la couche forme une classe.</translation>
    </message>
    <message>
      <source>Points only: summed per unit and class (weight_sum), such as people per household.</source>
      <translation>Points seulement : sommé par unité et par classe (weight_sum), par exemple les personnes par ménage.</translation>
    </message>
    <message>
      <source>all</source>
      <translation>tout</translation>
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
      <source>A weight field is summed per unit for a point thematic layer only; '{layer}' is not a point layer. Leave the weight field empty.</source>
      <translation>Un champ de poids n'est sommé par unité que pour une couche thématique de points ; « {layer} » n'est pas une couche de points. Laissez le champ de poids vide.</translation>
    </message>
    <message>
      <source>The weight field '{field}' of '{layer}' is not numeric. Choose a field of numbers, or convert it with the field calculator.</source>
      <translation>Le champ de poids « {field} » de « {layer} » n'est pas numérique. Choisissez un champ de nombres ou convertissez-le avec la calculatrice de champs.</translation>
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
      <source>The thematic layer '{layer}' has no features: every measure is 0.</source>
      <translation>La couche thématique « {layer} » n'a aucune entité : toutes les mesures valent 0.</translation>
    </message>
    <message>
      <source>{count} units of '{layer}' have no geometry: their statistics are NULL.</source>
      <translation>{count} unités de « {layer} » n'ont pas de géométrie : leurs statistiques sont NULL.</translation>
    </message>
    <message>
      <source>Zonal statistics indicator</source>
      <translation>Indicateur de statistiques zonales</translation>
    </message>
    <message>
      <source>&lt;p&gt;Summarises the cells of a raster over each spatial unit, band by band: count, sum, mean, min, max, range, stdev, variance, median, majority, minority, variety, covered_area, and quantiles (10,90 gives the fields q10 and q90).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Coverage rule&lt;/b&gt;. Exact (the default): each cell is weighted by the fraction of it inside the unit, as the exactextract library does (count is the sum of those fractions; mean, stdev, variance, median and quantiles are weighted; min, max, majority, minority and variety consider every cell the unit touches). Pixel centre: a cell counts wholly when its centre lies in the unit, as QGIS's Zonal statistics; a unit holding at most one valid cell centre is measured with exact fractions, as QGIS does. A centre exactly on a border counts in the unit right of or below it (QGIS counts it in neither).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Categorical&lt;/b&gt; mode, for a class raster (land cover): the area of each class in each unit (area) and its share of the unit (pct_unit, %); the class table names the values, and values given one name are one class.&lt;/p&gt;&lt;p&gt;Nodata cells, NaN values and cells outside the raster are left out; a band's scale and offset are applied. A unit partly outside the raster is summarised on the part inside (covered_area says how much); a unit wholly outside gets NULL statistics and is counted in a warning. Units are reprojected to the raster's CRS. covered_area and area follow the ellipsoid set for measurements, like the overlay indicator: only they need one for units in degrees.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Output layout&lt;/b&gt;: the long table has one row per unit and band (the unit identifier, band, then the statistics), or per unit and class (the unit identifier, class, area, pct_unit). The wide layout is the units layer with one field per statistic and band, such as mean_b1 (the bare statistic names for a single band), or per measure and class, such as area_forest.&lt;/p&gt;&lt;p&gt;The raster is read window by window, never whole: any size works. &lt;b&gt;Run on&lt;/b&gt; (advanced parameters): this computer, or a Dask cluster, whose scheduler address (tcp://host:8786) is given here or in Options &gt; Processing &gt; Providers &gt; GeoIndicators; its workers open the raster themselves, so it must be in a shared folder mapped in those settings, or a URL.&lt;/p&gt;</source>
      <translation>&lt;p&gt;Résume les cellules d'un raster sur chaque unité spatiale, bande par bande : count, sum, mean, min, max, range, stdev, variance, median, majority, minority, variety, covered_area, et des quantiles (10,90 donne les champs q10 et q90).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Règle de couverture&lt;/b&gt;. Exacte (par défaut) : chaque cellule est pondérée par la part d'elle située dans l'unité, comme le fait la bibliothèque exactextract (count est la somme de ces parts ; mean, stdev, variance, median et les quantiles sont pondérés ; min, max, majority, minority et variety considèrent toute cellule que l'unité touche). Centre de pixel : une cellule compte entièrement quand son centre est dans l'unité, comme les Statistiques de zone de QGIS ; une unité contenant au plus un centre de cellule valide est mesurée avec les parts exactes, comme le fait QGIS. Un centre exactement sur une limite compte dans l'unité à sa droite ou au-dessous (QGIS ne le compte dans aucune).&lt;/p&gt;&lt;p&gt;Mode &lt;b&gt;catégoriel&lt;/b&gt;, pour un raster de classes (occupation du sol) : la surface de chaque classe dans chaque unité (area) et sa part de l'unité (pct_unit, %) ; la table des classes nomme les valeurs, et les valeurs d'un même nom forment une seule classe.&lt;/p&gt;&lt;p&gt;Les cellules nodata, les valeurs NaN et les cellules hors du raster sont écartées ; l'échelle et le décalage d'une bande sont appliqués. Une unité en partie hors du raster est résumée sur la partie intérieure (covered_area dit combien) ; une unité entièrement hors du raster reçoit des statistiques NULL et est comptée dans un avertissement. Les unités sont reprojetées dans le SCR du raster. covered_area et area suivent l'ellipsoïde défini pour les mesures, comme l'indicateur de superposition : seules elles en demandent un pour des unités en degrés.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Disposition de la sortie&lt;/b&gt; : la table longue a une ligne par unité et par bande (l'identifiant de l'unité, band, puis les statistiques), ou par unité et par classe (l'identifiant de l'unité, class, area, pct_unit). La disposition large est la couche des unités avec un champ par statistique et par bande, comme mean_b1 (les noms nus des statistiques pour une seule bande), ou par mesure et par classe, comme area_foret.&lt;/p&gt;&lt;p&gt;Le raster est lu fenêtre par fenêtre, jamais en entier : toute taille convient. &lt;b&gt;Exécuter sur&lt;/b&gt; (paramètres avancés) : cet ordinateur, ou un cluster Dask, dont l'adresse d'ordonnanceur (tcp://hôte:8786) est donnée ici ou dans Options &gt; Traitement &gt; Fournisseurs &gt; GeoIndicators ; ses workers ouvrent eux-mêmes le raster, qui doit donc être dans un dossier partagé déclaré dans ces paramètres, ou être une URL.&lt;/p&gt;</translation>
    </message>
    <message>
      <source>raster</source>
      <translation>raster</translation>
    </message>
    <message>
      <source>mean</source>
      <translation>moyenne</translation>
    </message>
    <message>
      <source>median</source>
      <translation>médiane</translation>
    </message>
    <message>
      <source>class area</source>
      <translation>surface par classe</translation>
    </message>
    <message>
      <source>exactextract</source>
      <translation>exactextract</translation>
    </message>
    <message>
      <source>Long table (one row per unit and band, or unit and class)</source>
      <translation>Table longue (une ligne par unité et bande, ou par unité et classe)</translation>
    </message>
    <message>
      <source>Units layer with one field per statistic (wide)</source>
      <translation>Couche des unités avec un champ par statistique (large)</translation>
    </message>
    <message>
      <source>Long: a table without geometry. Wide: the units with one field per statistic and band, or per measure and class.</source>
      <translation>Longue : une table sans géométrie. Large : les unités avec un champ par statistique et par bande, ou par mesure et par classe.</translation>
    </message>
    <message>
      <source>Polygons (communes, watersheds, grid cells), in any CRS: they are reprojected to the raster's.</source>
      <translation>Polygones (communes, bassins versants, mailles), dans tout SCR : ils sont reprojetés dans celui du raster.</translation>
    </message>
    <message>
      <source>Any raster GDAL reads, of any size: it is read window by window.</source>
      <translation>Tout raster que GDAL lit, de toute taille : il est lu fenêtre par fenêtre.</translation>
    </message>
    <message>
      <source>The bands to summarise, such as 2,1 with qgis_process; none: every band.</source>
      <translation>Les bandes à résumer, comme 2,1 avec qgis_process ; aucune : toutes les bandes.</translation>
    </message>
    <message>
      <source>With qgis_process, their numbers from 0 (count) to 12 (covered_area), such as STATISTICS=0,2,8.</source>
      <translation>Avec qgis_process, leurs numéros de 0 (count) à 12 (covered_area), comme STATISTICS=0,2,8.</translation>
    </message>
    <message>
      <source>Percentages between 0 and 100; 10,90 gives the fields q10 and q90.</source>
      <translation>Des pourcentages entre 0 et 100 ; 10,90 donne les champs q10 et q90.</translation>
    </message>
    <message>
      <source>Exact: each cell weighted by the share of it inside the unit. Pixel centre: a cell counts when its centre is inside.</source>
      <translation>Exacte : chaque cellule pondérée par sa part dans l'unité. Centre de pixel : une cellule compte quand son centre est dedans.</translation>
    </message>
    <message>
      <source>For a class raster (land cover): the area and share of each class value, on one band.</source>
      <translation>Pour un raster de classes (occupation du sol) : la surface et la part de chaque valeur de classe, sur une bande.</translation>
    </message>
    <message>
      <source>Pairs of raster value and name, such as 1,forest,2,water; values given one name are one class.</source>
      <translation>Des paires de valeur du raster et de nom, comme 1,forêt,2,eau ; les valeurs d'un même nom forment une seule classe.</translation>
    </message>
    <message>
      <source>The units are reprojected from {units} to the raster's CRS {raster}. </source>
      <translation>Les unités sont reprojetées de {units} vers le SCR du raster {raster}. </translation>
    </message>
    <message>
      <source>No area is asked for (covered_area, categorical): the ellipsoid does not matter.</source>
      <translation>Aucune surface n'est demandée (covered_area, catégoriel) : l'ellipsoïde n'intervient pas.</translation>
    </message>
    <message>
      <source>band</source>
      <translation>bande</translation>
    </message>
    <message>
      <source>Raster</source>
      <translation>Raster</translation>
    </message>
    <message>
      <source>Bands (none = all)</source>
      <translation>Bandes (aucune = toutes)</translation>
    </message>
    <message>
      <source>Quantiles (percentages, such as 10,90)</source>
      <translation>Quantiles (pourcentages, par exemple 10,90)</translation>
    </message>
    <message>
      <source>Coverage rule</source>
      <translation>Règle de couverture</translation>
    </message>
    <message>
      <source>Categorical raster (area and share of each class value)</source>
      <translation>Raster de classes (surface et part de chaque valeur de classe)</translation>
    </message>
    <message>
      <source>Categorical mode reads one band, and the raster '{layer}' has {count}: choose the band of classes in BANDS.</source>
      <translation>Le mode classes lit une seule bande, et le raster « {layer} » en a {count} : choisissez la bande des classes dans BANDS.</translation>
    </message>
    <message>
      <source>The raster '{layer}' holds at least {count} distinct values{real}: in the wide layout categorical mode makes {per} fields per value, and {output} may have {limit} fields. Choose the long layout, or make the values classes first (Raster &gt; Raster Calculator, or Reclassify by table).</source>
      <translation>Le raster « {layer} » contient au moins {count} valeurs distinctes{real} : en disposition large le mode catégoriel crée {per} champs par valeur, et {output} peut avoir {limit} champs. Choisissez la disposition longue, ou faites d'abord des classes de ses valeurs (Raster &gt; Calculatrice raster, ou Reclassification par table).</translation>
    </message>
    <message>
      <source>The quantiles '{value}' cannot be read: give percentages between 0 and 100 separated by commas, such as 10,90.</source>
      <translation>Les quantiles « {value} » ne peuvent pas être lus : donnez des pourcentages entre 0 et 100 séparés par des virgules, par exemple 10,90.</translation>
    </message>
    <message>
      <source>Exact partial-pixel coverage</source>
      <translation>Couverture exacte des pixels partiels</translation>
    </message>
    <message>
      <source>Pixel centre (as QGIS's Zonal statistics)</source>
      <translation>Centre du pixel (comme les Statistiques zonales de QGIS)</translation>
    </message>
    <message>
      <source> (real numbers: a continuous raster rather than classes)</source>
      <translation> (des nombres réels : un raster continu plutôt que des classes)</translation>
    </message>
    <message>
      <source>GeoIndicators: Python libraries</source>
      <translation>GeoIndicators : bibliothèques Python</translation>
    </message>
    <message>
      <source>Also install Dask distributed, to run on a Dask cluster</source>
      <translation>Installer aussi Dask distributed, pour exécuter sur un cluster Dask</translation>
    </message>
    <message>
      <source>Also install the Earth Engine client (earthengine-api), for Earth Engine zonal statistics</source>
      <translation>Installer aussi le client Earth Engine (earthengine-api), pour les statistiques zonales Earth Engine</translation>
    </message>
    <message>
      <source>Install</source>
      <translation>Installer</translation>
    </message>
    <message>
      <source>Cancel the install</source>
      <translation>Annuler l'installation</translation>
    </message>
    <message>
      <source>Installing {names} from {source}…</source>
      <translation>Installation de {names} depuis {source}…</translation>
    </message>
    <message>
      <source>Nothing more was installed: {reason}</source>
      <translation>Rien de plus n'a été installé : {reason}</translation>
    </message>
    <message>
      <source>Library</source>
      <translation>Bibliothèque</translation>
    </message>
    <message>
      <source>Here</source>
      <translation>Ici</translation>
    </message>
    <message>
      <source>Needed</source>
      <translation>Nécessaire</translation>
    </message>
    <message>
      <source>Used for</source>
      <translation>Sert à</translation>
    </message>
    <message>
      <source>computing</source>
      <translation>calculer</translation>
    </message>
    <message>
      <source>H3 grids</source>
      <translation>grilles H3</translation>
    </message>
    <message>
      <source>Dask clusters</source>
      <translation>clusters Dask</translation>
    </message>
    <message>
      <source>Earth Engine</source>
      <translation>Earth Engine</translation>
    </message>
    <message>
      <source>{version} or later</source>
      <translation>{version} ou ultérieure</translation>
    </message>
    <message>
      <source>Every library the indicators need is here.</source>
      <translation>Toutes les bibliothèques nécessaires aux indicateurs sont présentes.</translation>
    </message>
    <message>
      <source>The indicators need these Python libraries. Install brings the missing ones at the versions the plugin is tested with.</source>
      <translation>Les indicateurs ont besoin de ces bibliothèques Python. Installer apporte celles qui manquent, dans les versions avec lesquelles l'extension est testée.</translation>
    </message>
    <message>
      <source>To install: {names}.</source>
      <translation>À installer : {names}.</translation>
    </message>
    <message>
      <source>Nothing to install.</source>
      <translation>Rien à installer.</translation>
    </message>
    <message>
      <source>Into {folder}, a folder of this QGIS profile's own; QGIS's Python is not changed. From {source}.</source>
      <translation>Dans {folder}, un dossier propre à ce profil QGIS ; le Python de QGIS n'est pas modifié. Depuis {source}.</translation>
    </message>
    <message>
      <source>Installed. {names} was already loaded in this QGIS in an older version: restart QGIS to use the new one.</source>
      <translation>Installé. {names} était déjà chargé dans ce QGIS dans une version plus ancienne : relancez QGIS pour utiliser la nouvelle.</translation>
    </message>
    <message>
      <source>{library} {needed} or later comes with QGIS, not with this installer: install it with {command}.</source>
      <translation>{library} {needed} ou plus récent vient avec QGIS, pas avec cet installateur : installez-la avec {command}.</translation>
    </message>
    <message>
      <source>Installed, but the libraries are still not fit: see the table. Restart QGIS.</source>
      <translation>Installé, mais les bibliothèques ne conviennent toujours pas : voir le tableau. Relancez QGIS.</translation>
    </message>
    <message>
      <source>Installed. The indicators can run now, without restarting QGIS.</source>
      <translation>Installé. Les indicateurs peuvent s'exécuter dès maintenant, sans relancer QGIS.</translation>
    </message>
  </context>
</TS>
