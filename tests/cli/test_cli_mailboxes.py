"""An admin configures the shared mailboxes from the command line; the password stays in the worker's
environment and never reaches the database."""
from __future__ import annotations

from sqlalchemy import create_engine, text

ADD = ("mailboxes", "add", "hub", "--address", "hub@council.gov.uk", "--team", "Customer Hub",
       "--host", "outlook.office365.com", "--username", "hub@council.gov.uk",
       "--password-env", "COUNCILFLOW_MAIL_HUB_PASSWORD")


def test_an_admin_adds_lists_and_removes_a_mailbox(cli, database_url):
    assert cli("teams", "add", "Customer Hub").exit_code == 0
    added = cli(*ADD, "--json")
    assert added.exit_code == 0, added.stdout
    assert added.json() == {**added.json(), "name": "hub", "channel": "email", "team": "Customer Hub",
                                 "port": 993, "folder": "INBOX", "active": True, "emails": 0,
                                 "secret_env": "COUNCILFLOW_MAIL_HUB_PASSWORD"}
    listed = cli("mailboxes", "list")
    assert listed.stdout.startswith("hub: hub@council.gov.uk (email) -> Customer Hub, "
                                    "imaps://outlook.office365.com:993/INBOX, 0 emails")
    assert [b["name"] for b in cli("mailboxes", "list", "--json").json()] == ["hub"]
    removed = cli("mailboxes", "remove", "hub", "--json")
    assert removed.json() == {"mailbox": "hub", "result": "removed"}
    assert cli("mailboxes", "list").stdout.strip() == "No mailboxes"


def test_bad_mailbox_details_are_refused_field_by_field(cli):
    cli("teams", "add", "Customer Hub")
    result = cli("mailboxes", "add", "Hub Box", "--address", "not-an-address", "--team", "Customer Hub",
                 "--host", "bad host!", "--username", "u", "--password-env", "hunter2 is my password",
                 "--port", "99999", "--json")
    assert result.exit_code == 2
    assert set(result.json()["errors"]) == {"name", "address", "host", "port", "secret_env"}
    assert cli("mailboxes", "remove", "nowhere").exit_code == 2
    assert "no team called 'Nobody'" in cli(*ADD[:6], "Nobody", *ADD[7:]).stderr


def test_the_password_itself_is_never_stored(cli, database_url, monkeypatch):
    monkeypatch.setenv("COUNCILFLOW_MAIL_HUB_PASSWORD", "s3cret-app-password")
    cli("teams", "add", "Customer Hub")
    assert cli(*ADD).exit_code == 0
    engine = create_engine(database_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM mailbox")).mappings().one()
    engine.dispose()
    assert "s3cret-app-password" not in repr(dict(row))


def test_the_worker_takes_the_mailboxs_emails_once(cli, dovecot):
    from tests.engine.mails import email
    cli("teams", "add", "Customer Hub")
    assert cli("mailboxes", "add", "hub", "--address", "hub@council.test", "--team", "Customer Hub",
               "--host", "127.0.0.1", "--port", str(dovecot.port), "--username", dovecot.users[0],
               "--password-env", "COUNCILFLOW_MAIL_HUB_PASSWORD").exit_code == 0
    dovecot.deliver(email())
    assert "took 1 emails from the mailboxes" in cli("worker", "--once").stdout
    assert "took 0 emails from the mailboxes" in cli("worker", "--once").stdout
    [box] = cli("mailboxes", "list", "--json").json()
    assert (box["emails"], box["last_uid"], box["last_error"]) == (1, 1, None)


def test_an_exchange_online_mailbox_is_read_through_graph_and_its_secret_never_stored(cli, graph, database_url):
    from tests.engine.mails import email
    cli("teams", "add", "Customer Hub")
    added = cli("mailboxes", "add", "hub", "--address", "hub@council.test", "--team", "Customer Hub", "--kind", "graph",
                "--tenant-id", graph.tenant, "--client-id", graph.client_id, "--username", graph.user,
                "--secret-env", "COUNCILFLOW_MAIL_HUB_SECRET", "--authority-url", graph.url,
                "--graph-url", graph.graph_url, "--json")
    assert added.exit_code == 0, added.stdout
    assert (added.json()["kind"], added.json()["folder"]) == ("graph", "inbox")
    assert f"graph {graph.graph_url}/users/hub@council.test/mailFolders/inbox, 0 emails" in cli("mailboxes", "list").stdout
    graph.deliver(email())
    assert "took 1 emails from the mailboxes" in cli("worker", "--once").stdout
    assert "took 0 emails from the mailboxes" in cli("worker", "--once").stdout
    engine = create_engine(database_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM mailbox")).mappings().one()
    engine.dispose()
    assert graph.secret not in repr(dict(row))


def test_an_imap_mailbox_signing_in_with_oauth2_is_read_and_its_client_secret_never_stored(cli, oauth2_imap,
                                                                                           database_url):
    from tests.engine.mails import email
    sign_in, dovecot, _ = oauth2_imap
    cli("teams", "add", "Customer Hub")
    added = cli("mailboxes", "add", "hub", "--address", "hub@council.test", "--team", "Customer Hub",
                "--host", "127.0.0.1", "--port", str(dovecot.port), "--username", dovecot.users[0],
                "--auth", "oauth2", "--token-url", sign_in.token_url, "--client-id", sign_in.client_id,
                "--scope", sign_in.scope, "--client-secret-env", "COUNCILFLOW_MAIL_HUB_SECRET", "--json")
    assert added.exit_code == 0, added.stdout
    assert added.json() == {**added.json(), "kind": "imap", "auth": "oauth2", "token_url": sign_in.token_url,
                            "client_id": sign_in.client_id, "scope": sign_in.scope,
                            "secret_env": "COUNCILFLOW_MAIL_HUB_SECRET"}
    assert f"imaps://127.0.0.1:{dovecot.port}/INBOX (OAuth2 app {sign_in.client_id})" in cli("mailboxes", "list").stdout
    dovecot.deliver(email())
    assert "took 1 emails from the mailboxes" in cli("worker", "--once").stdout
    assert "took 0 emails from the mailboxes" in cli("worker", "--once").stdout
    engine = create_engine(database_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM mailbox")).mappings().one()
    engine.dispose()
    assert sign_in.secret not in repr(dict(row))
    refused = cli("mailboxes", "add", "other", "--address", "other@council.test", "--team", "Customer Hub",
                  "--host", "127.0.0.1", "--username", "other@council.test", "--auth", "oauth2",
                  "--token-url", "http://login.example.com/token", "--secret-env", "OTHER_SECRET", "--json")
    assert refused.exit_code == 2
    assert set(refused.json()["errors"]) == {"token_url", "client_id", "scope"}
