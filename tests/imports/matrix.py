"""Import views in the permission matrix. The batch is the leader's (青溪县反诈中心)."""

from __future__ import annotations

from typing import Any

from tests.imports.files import PEOPLE_HEADER, csv_bytes, person_row
from tests.matrix import Case


def leader_batch(world: Any) -> dict[str, Any]:
    from fanzha.imports.pipeline import import_run

    data = csv_bytes(PEOPLE_HEADER, [person_row(1)])
    result = import_run(actor=world.users["leader"], importer="people", file_name="人员.csv", data=data)
    return {"pk": result.batch.pk}


#                 leader analyst p_cg p_lq g_cd g_sq bank tel  aud  admin head
OWN_OR_CENTRE = "200 200 403 403 403 403 403 403 403 404 403"
CASES = {
    "import_list": Case("200 200 403 403 403 403 403 403 403 200 403"),
    "import_upload": Case(
        "200 200 403 403 403 403 403 403 403 403 403", kwargs=lambda w: {"importer": "people"}
    ),
    "import_template": Case(
        "200 200 403 403 403 403 403 403 403 403 403", kwargs=lambda w: {"importer": "people"}
    ),
    "import_detail": Case(OWN_OR_CENTRE, kwargs=leader_batch),
    "import_errors": Case(OWN_OR_CENTRE, kwargs=leader_batch),
    "area_import": Case("403 403 403 403 403 403 403 403 403 302 403"),
    "area_export": Case("403 403 403 403 403 403 403 403 403 200 403"),
}
