"""Test emails as a resident's mail program, an out-of-office or a bounce would send them."""
from __future__ import annotations

from email.message import EmailMessage

from engine.email import mailboxes
from engine.people.routing import ensure_team

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def email(subject: str = "Bin not collected", body: str = "My bin was missed on Tuesday.",
          sender: str = "Pat Smith <pat.smith@example.com>", html: str | None = None,
          attachments: tuple[tuple[str, str, bytes], ...] = (), **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "hub@council.test", subject
    msg["Date"] = "Sat, 05 Dec 2026 09:30:00 +0000"
    msg["Message-ID"] = headers.pop("message_id", f"<{abs(hash((subject, body, sender)))}@example.com>")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, kind, content in attachments:
        maintype, subtype = kind.split("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def add_hub_mailbox(ctx, server, team: str = "Customer Hub", channel: str = "email", name: str = "hub",
                    smtp=None):
    with ctx.db.transaction() as session:
        ensure_team(session, team, ctx.clock.now())
    return mailboxes.add_mailbox(ctx, mailboxes.MailboxDetails(
        name=name, address="hub@council.test", team=team, host="127.0.0.1", port=server.port,
        username=server.users[0], secret_env="COUNCILFLOW_MAIL_HUB_PASSWORD", channel=channel,
        smtp_host="127.0.0.1" if smtp else "", smtp_port=smtp.port if smtp else 465))


def add_oauth2_mailbox(ctx, sign_in, server, smtp=None, name: str = "hub"):
    """The hub's mailbox on ``server``, signing in with OAuth2 at the fake ``sign_in`` service."""
    with ctx.db.transaction() as session:
        ensure_team(session, "Customer Hub", ctx.clock.now())
    return mailboxes.add_mailbox(ctx, mailboxes.MailboxDetails(
        name=name, address="hub@council.test", team="Customer Hub", host="127.0.0.1", port=server.port,
        username=server.users[0], secret_env="COUNCILFLOW_MAIL_HUB_SECRET", auth="oauth2",
        token_url=sign_in.token_url, client_id=sign_in.client_id, scope=sign_in.scope,
        smtp_host="127.0.0.1" if smtp else "", smtp_port=smtp.port if smtp else 465))
