"""Management information (``GET /mi``): the figures of docs/mi.md as JSON, the same as
``councilflow mi --json``, or one table as CSV (``format=csv&table=NAME``) or every table as an
OpenDocument spreadsheet (``format=ods``). For team leads and admins."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from engine import mi
from engine.types import Role

from . import bp, context
from .payload import Query
from .roles import requires

ODS = "application/vnd.oasis.opendocument.spreadsheet"


@bp.get("/mi")
@requires(Role.TEAM_LEAD, Role.ADMIN)
def management_information() -> Any:
    query = Query(request.args)
    texts = {name: query.text(name) for name in ("from", "to", "team", "service", "channel")}
    form = query.choice("format", ("json", "csv", "ods"), "json")
    table = query.choice("table", mi.TABLE_TITLES, "summary")
    query.check()
    found = mi.figures(context(), mi.Filters.of(texts["from"], texts["to"], texts["team"], texts["service"],
                                                texts["channel"]))
    if form == "json":
        return jsonify(found)
    name = f"councilflow-mi-{found['from']}-to-{found['to']}"
    if form == "csv":
        return Response(mi.to_csv(*mi.table(found, table)), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}-{table}.csv"'})
    return Response(mi.to_ods(mi.tables(found)), mimetype=ODS,
                    headers={"Content-Disposition": f'attachment; filename="{name}.ods"'})


def openapi_paths(operation: Any) -> dict[str, Any]:
    """This endpoint in the OpenAPI document (``operation`` is openapi's builder)."""
    def param(name: str, text: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": name in ("from", "to"), "description": text,
                "schema": schema or {"type": "string"}}
    params = [param("from", "First day, YYYY-MM-DD (local).", {"type": "string", "format": "date"}),
              param("to", "Last day, YYYY-MM-DD, included.", {"type": "string", "format": "date"}),
              param("team", "Only this team's figures (docs/mi.md says which)."),
              param("service", "Only this service (directory key)."),
              param("channel", "Only this channel (ours or the Local Government Channel List's)."),
              param("format", "json (default), csv (one table) or ods (every table).",
                    {"type": "string", "enum": ["json", "csv", "ods"]}),
              param("table", "The table a CSV holds.", {"type": "string", "enum": list(mi.TABLE_TITLES)})]
    ok = {"application/json": {"schema": {"type": "object", "required": [
        "contacts", "by_channel", "cases_started", "fcr_rate", "handoffs", "bounce_backs", "avoidable_contact_rate",
        "sla", "backlog"]}}, "text/csv": {"schema": {"type": "string"}},
        ODS: {"schema": {"type": "string", "format": "binary"}}}
    return {"/mi": {"get": operation("management_information",
                                     "Management information for a date range (docs/mi.md)", (200, ok), (404, 422), params)}}
