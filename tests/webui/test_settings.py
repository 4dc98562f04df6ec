"""One configuration: every COUNCILFLOW_* variable is read and checked once, and the web app and the
``councilflow`` command are built from it by the same composition root."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.settings import Settings, SettingsInvalid
from tests.webui.conftest import PASSWORD, sign_in
from webui.app import create_app
from webui.cli import main


def test_a_mistyped_setting_is_refused_with_its_name_and_what_it_should_be():
    with pytest.raises(SettingsInvalid) as refused:
        Settings.from_env({"COUNCILFLOW_OUTBOX_LEASE_S": "abc"})
    assert refused.value.message == "COUNCILFLOW_OUTBOX_LEASE_S must be a number of seconds above 0, got 'abc'"


def test_every_bad_setting_is_named_at_once_so_an_operator_fixes_them_in_one_go():
    with pytest.raises(SettingsInvalid) as refused:
        Settings.from_env({"COUNCILFLOW_SIGN_IN_ACCOUNT_LIMIT": "0", "COUNCILFLOW_INSECURE_COOKIES": "maybe",
                           "COUNCILFLOW_COUNCIL_COLOUR": "red;}body{display:none", "COUNCILFLOW_FORMS_DIR": "/nowhere",
                           "COUNCILFLOW_CONNECTION_LIMIT": "lots", "COUNCILFLOW_DOCUMENT_FILING": "edrms"})
    message = refused.value.message
    for expected in ("COUNCILFLOW_SIGN_IN_ACCOUNT_LIMIT must be a whole number of at least 1, got '0'",
                     "COUNCILFLOW_INSECURE_COOKIES must be 1 or 0, got 'maybe'",
                     "COUNCILFLOW_COUNCIL_COLOUR must be a colour such as #0b4f6c",
                     "COUNCILFLOW_FORMS_DIR must be an existing folder, got '/nowhere'",
                     "COUNCILFLOW_CONNECTION_LIMIT must be a whole number of at least 1, got 'lots'",
                     "COUNCILFLOW_DOCUMENT_FILING must be an adapter operation such as edrms/upload_document"):
        assert expected in message


def test_secrets_never_appear_in_a_refusal_or_in_the_settings_shown_in_logs():
    with pytest.raises(SettingsInvalid) as refused:
        Settings.from_env({"COUNCILFLOW_DATABASE_URL": "postgresql://cf:hunter2@db:notaport/cf"})
    assert "COUNCILFLOW_DATABASE_URL must be a database URL" in refused.value.message
    assert "hunter2" not in refused.value.message
    settings = Settings.from_env({"COUNCILFLOW_DATABASE_URL": "postgresql://cf:hunter2@db/cf",
                                  "COUNCILFLOW_SECRET_KEY": "s3cret-key",
                                  "COUNCILFLOW_OIDC_ISSUER": "https://id.example", "COUNCILFLOW_OIDC_CLIENT_ID": "app",
                                  "COUNCILFLOW_OIDC_CLIENT_SECRET": "client-s3cret"})
    assert settings.database_url == "postgresql://cf:hunter2@db/cf" and settings.oidc.client_secret == "client-s3cret"
    shown = repr(settings)
    assert "hunter2" not in shown and "s3cret" not in shown


def test_half_a_single_sign_on_configuration_says_what_is_missing():
    with pytest.raises(SettingsInvalid) as refused:
        Settings.from_env({"COUNCILFLOW_OIDC_ISSUER": "https://login.example/tenant/v2.0",
                           "COUNCILFLOW_OIDC_CLIENT_ID": "app"})
    assert refused.value.message == "single sign-on needs COUNCILFLOW_OIDC_CLIENT_SECRET as well"


def test_unset_settings_take_their_documented_defaults():
    settings = Settings.from_env({})
    assert (settings.outbox_lease_s, settings.sqlite_busy_timeout_s, settings.default_team) == (300, 5, "Customer Hub")
    assert (settings.sign_in_account_limit, settings.sign_in_address_limit, settings.trusted_proxies) == (5, 30, 0)
    assert settings.serve.connection_limit == 1000 and settings.document_filing == "edrms/upload_document"
    assert Settings.from_env({"COUNCILFLOW_DOCUMENT_FILING": "none"}).document_filing is None


def test_the_web_app_and_the_command_are_built_from_the_same_settings(cli, monkeypatch):
    # cli (tests/conftest.py) puts this test's database in COUNCILFLOW_DATABASE_URL; the app reads it too.
    monkeypatch.setenv("COUNCILFLOW_COUNCIL_NAME", "Borsetshire County Council")
    monkeypatch.setenv("COUNCILFLOW_SECRET_KEY", "settings-test")
    monkeypatch.setenv("COUNCILFLOW_INSECURE_COOKIES", "1")
    added = cli("users", "add", "sam@example.gov.uk", "--role", "front_office", "--password-stdin",
                input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    app = create_app({"TESTING": True})
    try:
        client = app.test_client()
        assert "Borsetshire County Council" in client.get("/sign-in").get_data(as_text=True)
        # The person the command added signs in to the app: both opened the same database.
        assert sign_in(client, "sam@example.gov.uk").headers["Location"] == "/"
    finally:
        app.extensions["councilflow"].db.dispose()


def test_a_bad_setting_stops_the_web_app_and_every_command_with_the_same_message(monkeypatch):
    monkeypatch.setenv("COUNCILFLOW_SIGN_IN_ADDRESS_LIMIT", "-1")
    expected = "COUNCILFLOW_SIGN_IN_ADDRESS_LIMIT must be a whole number of at least 0, got '-1'"
    with pytest.raises(SettingsInvalid, match=expected):
        create_app()
    for command in (["teams", "list"], ["worker", "--once"], ["serve", "--port", "9"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2, (command, result.output)
        assert expected in result.output, command
