"""Hall export and import: one JSON document per hall, objects named by natural keys.

    {"format": "fiber-hall", "version": 1, "site": "DC1",
     "hall": {"name", "polarity_method", "standard_duplex_cord", "standard_array_cord",
              "rack_pitch_mm", "row_pitch_mm", "tray_height_mm", "rack_floor_offset_mm",
              "cable_slack_mm"},
     "rows": [{"name", "index", "racks": [{"name", "position", "height_u",
         "devices": [{"name", "kind", "u", "height_u",
                      "transceivers": [{"cage", "product", "revision"}]}],
         "enclosures": [{"name", "product", "revision", "u",
                         "modules": [{"slot", "product", "revision", "orientation"}]}]}]}],
     "cables": [{"label", "product", "revision", "length_mm", "status",
                 "legs": [{"leg": "A1", "port": <port>, "side": "front"}]}],   (mated legs only)
     "links": [{"name", "shape", "ends": [{"role", "port": <port>, "lanes", "application"}]}]}

    <port> = {"device": "leaf-1", "cage": "1", "port": "1"}          a transceiver receptacle
           | {"enclosure": "R01-U40", "slot": 2, "port": "R1"}      a cassette or panel port
           (+ "hall": "Hall 2" when the port is in another hall of the site)

Natural keys: rows, racks, devices and enclosures by name (unique in a hall), a transceiver by
(device, cage), a module by (enclosure, slot), a cable by label and a link by name (unique in the
project). Ports and legs are not listed: they come from the catalog product, as the services make
them. Products are catalog codes with the revision number (omitted on import: the current one).

Import validates the whole document first (every reference resolves, products exist and are of the
right kind, U ranges fit and do not overlap, slots exist, one mating per port side, one link end
per port, names not taken elsewhere in the project) and raises one `DocumentInvalid` listing every
error with a JSON pointer; then it applies the difference in one transaction: creating, updating
(a product change replaces a transceiver, module or cable and re-plugs what the document plugs into
it) and, only with `prune=True`, deleting what the document does not list. Importing the same
document twice changes nothing the second time.

Bulk: reads are a fixed number of `values_list` queries; new rows are written per table with one
`nextval` query and one COPY (fixed queries whatever the size, far faster than INSERT for the
generator's hundreds of thousands of rows); single-object services are not used.

The package: schema.py (constants, DocumentInvalid, ImportReport), export.py (hall_export),
read.py (the document into keyed dicts, shape errors), stored.py (the hall as stored), plan.py
(the final state and its checks), bulk.py (nextval + COPY), apply.py (writing the difference),
importer.py (hall_import), trusted.py (hall_create_trusted: the generator's path, which writes a
new hall without re-validating a document built valid by construction). This module re-exports
the public names.
"""

from apps.plant.io.export import PORT_FIELDS, hall_export
from apps.plant.io.importer import hall_import
from apps.plant.io.schema import (
    FORMAT,
    HALL_DEFAULTS,
    HALL_FIELDS,
    KINDS,
    VERSION,
    DocumentInvalid,
    ImportReport,
    PortKey,
)
from apps.plant.io.trusted import hall_create_trusted

__all__ = [
    "FORMAT",
    "HALL_DEFAULTS",
    "HALL_FIELDS",
    "KINDS",
    "PORT_FIELDS",
    "VERSION",
    "DocumentInvalid",
    "ImportReport",
    "PortKey",
    "hall_create_trusted",
    "hall_export",
    "hall_import",
]
