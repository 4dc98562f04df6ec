"""``synonyms`` and ``keywords`` commands: the council's own words for the service search."""
from __future__ import annotations

import click

from engine import catalogue
from engine.people import SYSTEM_ACTOR

from . import Output, context, json_option, main


def _line(synonym: catalogue.Synonym) -> str:
    meant = synonym.meant or "(turned off)"
    return f"{synonym.said} -> {meant}  [{synonym.origin}]"


@main.group("synonyms")
def synonyms_group() -> None:
    """What callers say, and the services' words it stands for."""


@synonyms_group.command("list")
@click.option("--council-only", is_flag=True, help="Only the council's additions and changes.")
@json_option
def list_synonyms(council_only: bool, out: Output) -> None:
    found = catalogue.list_synonyms(context(), council_only)
    out.result([s.to_dict() for s in found], lambda _: "\n".join(map(_line, found)) or "No synonyms")


@synonyms_group.command("set")
@click.argument("said")
@click.argument("meant")
@click.option("--user", "actor", default=None)
@json_option
def set_synonym(said: str, meant: str, actor: str | None, out: Output) -> None:
    """Callers saying SAID are looking for a service described by MEANT (e.g. "grit" "gritting winter")."""
    synonym = catalogue.save_synonym(context(), actor or SYSTEM_ACTOR, said, meant)
    out.result(synonym.to_dict(), _line(synonym))


@synonyms_group.command("remove")
@click.argument("said")
@click.option("--user", "actor", default=None)
@json_option
def remove_synonym(said: str, actor: str | None, out: Output) -> None:
    """Stop using SAID: the council's own synonym is deleted, a shipped one turned off."""
    done = catalogue.drop_synonym(context(), actor or SYSTEM_ACTOR, said)
    out.result({"said": catalogue.phrase(said), "result": done}, f"'{said}' {done}")


@synonyms_group.command("restore")
@click.argument("said")
@json_option
def restore_synonym(said: str, out: Output) -> None:
    """Bring back the shipped synonym for SAID as released."""
    synonym = catalogue.bring_back(context(), said)
    out.result(synonym.to_dict(), _line(synonym))


@main.group("keywords")
def keywords_group() -> None:
    """Extra words a service is found by."""


@keywords_group.command("list")
@json_option
def list_keywords(out: Output) -> None:
    found = catalogue.keywords(context())
    out.result(found, lambda k: "\n".join(f"{key}: {words}" for key, words in sorted(k.items())) or "No keywords")


@keywords_group.command("set")
@click.argument("service")
@click.argument("keywords")
@click.option("--user", "actor", default=None)
@json_option
def set_keywords(service: str, keywords: str, actor: str | None, out: Output) -> None:
    """Replace SERVICE's keywords with KEYWORDS (comma separated; "" for none)."""
    stored = catalogue.save_keywords(context(), actor or SYSTEM_ACTOR, service, keywords)
    out.result({"service": service, "keywords": stored}, f"{service}: {stored or '(none)'}")
