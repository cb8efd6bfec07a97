"""Plant writes: keyword-only, typed, one transaction each; the only way to change the plant.

Rules every service follows:

* `project` and `hall` of a new row come from its parent; a second object given by the caller (a
  port for a leg, the ports of a link) must belong to the same project, else ApplicationError
  `does_not_exist` (404): another project's objects are never revealed.
* Every topology write bumps `Hall.plant_revision` of each hall it touches (audits compare it)
  and marks the links whose last walk went through what changed `needs_revalidation=True`.
* Occupancy is settled by the database: unique constraints (one mating per (port, side) and per
  leg, one module per slot, one link end per port) and a row lock on the rack for U ranges. A lost
  race answers ApplicationError 409 with a named code (`port_mated`, `leg_mated`, `slot_occupied`,
  `u_occupied`, `port_linked`), exactly as the friendly pre-check does.

Deletes: `*_delete` refuses with 409 `in_use` when something a user would lose silently depends on
the row (a site with halls, a hall/row/rack with contents, an enclosure with modules, a port that
is a link end); it cascades where users expect it: removing a transceiver, module or cable
unplugs its legs (matings go), deleting a device removes its transceivers, deleting a link
removes its ends.

The package, by concern (every public name is re-exported here: `from apps.plant import services`):
_common (conflicts, revision bumps, link marking, checks) · places (sites, halls, rows, racks,
devices) · equipment (transceivers, enclosures, modules) · cables (cables, matings) · links ·
updates (renames and settings) · revisions (catalog revisions).
"""

from __future__ import annotations

from apps.plant.services._common import CONFLICTS
from apps.plant.services.cables import (
    cable_create,
    cable_delete,
    cable_update,
    leg_connect,
    leg_disconnect,
)
from apps.plant.services.equipment import (
    enclosure_move,
    enclosure_place,
    enclosure_remove,
    module_install,
    module_remove,
    transceiver_install,
    transceiver_remove,
)
from apps.plant.services.links import link_create, link_delete, links_revalidate
from apps.plant.services.places import (
    device_create,
    device_delete,
    hall_create,
    hall_delete,
    rack_create,
    rack_delete,
    row_create,
    row_delete,
    site_create,
    site_delete,
)
from apps.plant.services.revisions import hall_adopt_revision
from apps.plant.services.updates import (
    HALL_SETTINGS,
    device_update,
    enclosure_update,
    hall_update,
    link_update,
    module_update,
    rack_update,
    row_update,
    site_update,
)

__all__ = [
    "CONFLICTS",
    "HALL_SETTINGS",
    "cable_create",
    "cable_delete",
    "cable_update",
    "device_create",
    "device_delete",
    "device_update",
    "enclosure_move",
    "enclosure_place",
    "enclosure_remove",
    "enclosure_update",
    "hall_adopt_revision",
    "hall_create",
    "hall_delete",
    "hall_update",
    "leg_connect",
    "leg_disconnect",
    "link_create",
    "link_delete",
    "link_update",
    "links_revalidate",
    "module_install",
    "module_remove",
    "module_update",
    "rack_create",
    "rack_delete",
    "rack_update",
    "row_create",
    "row_delete",
    "row_update",
    "site_create",
    "site_delete",
    "site_update",
    "transceiver_install",
    "transceiver_remove",
]
