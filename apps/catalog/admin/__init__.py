"""The catalog admin for catalog managers (issue 6).

base.py        CatalogAdmin: history, a seed row edited becomes local, every write bumps
               the catalog version
vocabulary.py  fibre and connector types, loss grades, splices, layouts, applications (+ limits)
products.py    products edited like datasheets (legs/ports, fibre map + SVG preview),
               import/export, retire, delete only when unused; revisions; the version
"""

from apps.catalog.admin import products, vocabulary  # noqa: F401  (registers the ModelAdmins)
