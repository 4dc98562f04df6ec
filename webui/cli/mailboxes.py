"""``mailboxes`` commands: the shared mailboxes whose emails come into the triage inboxes."""
from __future__ import annotations

import click

from engine import email
from engine.types import MAILBOX_CHANNELS

from . import Output, context, json_option, main


def _line(box: dict[str, object]) -> str:
    state = "" if box["active"] else "  (turned off)"
    error = f"\n  last poll failed: {box['last_error']}" if box["last_error"] else ""
    where = (f"graph {box['graph_url']}/users/{box['username']}/mailFolders/{box['folder']}" if box["kind"] == "graph"
             else f"imaps://{box['host']}:{box['port']}/{box['folder']}")
    if box["kind"] == "imap" and box.get("auth") == "oauth2":
        where += f" (OAuth2 app {box['client_id']})"
    return (f"{box['name']}: {box['address']} ({box['channel']}) -> {box['team']}, "
            f"{where}, {box['emails']} emails{state}{error}")


@main.group("mailboxes")
def mailboxes_group() -> None:
    """Shared mailboxes read over IMAP (TLS; an app password or OAuth2) or Microsoft Graph by the worker."""


@mailboxes_group.command("add")
@click.argument("name")
@click.option("--address", required=True, help="The mailbox's email address, e.g. hub@council.gov.uk.")
@click.option("--team", required=True, help="The team whose triage inbox its emails go to.")
@click.option("--kind", type=click.Choice(email.KINDS), default="imap", show_default=True,
              help="graph: an Exchange Online mailbox read through Microsoft Graph with an app's client credentials.")
@click.option("--host", default="", help="The IMAP server, e.g. outlook.office365.com (IMAP only).")
@click.option("--port", default=993, show_default=True, help="IMAP over TLS port.")
@click.option("--username", required=True, help="The user name the mailbox signs in with (Graph: the mailbox's "
                                                "user, its address or id).")
@click.option("--auth", type=click.Choice(email.AUTHS), default="password", show_default=True,
              help="IMAP: oauth2 signs in with an app's client credentials (a token from --token-url for "
                   "--scope, presented with SASL XOAUTH2) instead of an app password.")
@click.option("--password-env", "--secret-env", "--client-secret-env", "secret_env", required=True,
              help="The NAME of the worker's environment variable holding the (app) password, or for Graph and "
                   "--auth oauth2 the app's client secret; never the password or secret itself.")
@click.option("--channel", type=click.Choice([c.value for c in MAILBOX_CHANNELS]), default="email",
              show_default=True, help="councillor: the members' mailbox.")
@click.option("--folder", default="INBOX", show_default=True, help="Graph: a folder id or well-known name (inbox).")
@click.option("--tenant-id", default="", help="Graph: the Microsoft Entra tenant id or domain.")
@click.option("--client-id", default="", help="Graph and --auth oauth2: the app's client (application) id.")
@click.option("--token-url", default="", help="--auth oauth2: the sign-in service's token endpoint, e.g. "
                                              "https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token.")
@click.option("--scope", default="", help="--auth oauth2: the scope tokens are asked for, e.g. "
                                          "https://outlook.office365.com/.default.")
@click.option("--authority-url", default="", help="Graph: the sign-in service (default "
                                                  "https://login.microsoftonline.com).")
@click.option("--graph-url", default="", help="Graph: the API's base (default https://graph.microsoft.com/v1.0).")
@click.option("--smtp-host", default="", help="The outgoing server replies are sent through (SMTP over TLS, the "
                                              "same user and password); none: no replies from this mailbox.")
@click.option("--smtp-port", default=465, show_default=True)
@click.option("--notify-adapter", default="", help="Send replies through this configured GOV.UK Notify adapter "
                                                   "(e.g. notify) instead of SMTP.")
@json_option
def add(name: str, address: str, team: str, kind: str, host: str, port: int, username: str, auth: str,
        secret_env: str, channel: str, folder: str, tenant_id: str, client_id: str, token_url: str, scope: str,
        authority_url: str, graph_url: str, smtp_host: str, smtp_port: int, notify_adapter: str, out: Output) -> None:
    """Read the mailbox NAME (a short name like 'hub') from the next poll on."""
    box = email.add_mailbox(context(), email.MailboxDetails(
        name, address, team, host, username, secret_env, channel, port,
        "inbox" if kind == "graph" and folder == "INBOX" else folder, smtp_host, smtp_port, notify_adapter, kind,
        tenant_id, client_id, authority_url, graph_url, auth, token_url, scope))
    out.result(box.to_dict(), _line)


@mailboxes_group.command("list")
@json_option
def list_boxes(out: Output) -> None:
    found = [b.to_dict() for b in email.list_mailboxes(context())]
    out.result(found, lambda rows: "\n".join(map(_line, rows)) or "No mailboxes")


@mailboxes_group.command("remove")
@click.argument("name")
@json_option
def remove(name: str, out: Output) -> None:
    """Stop reading NAME (turned off rather than deleted once emails were taken from it)."""
    result = email.remove_mailbox(context(), name)
    out.result({"mailbox": name, "result": result}, f"{name} {result}")
