"""GOV.UK Notify through the official client against a fake that checks its signed JWT."""
from __future__ import annotations

import json
import uuid

import pytest

from adapters.base import AdapterError
from adapters.notify import parse_delivery_receipt
from engine.people.notifications import OutgoingNotification

from .conftest import FAULT_DELAY_S, notify_config, notify_env, registry

ACK = {"template": "acknowledgement", "email_address": "resident@example.org", "first_name": "Sam",
       "case_ref": "CF-12"}


def test_an_email_is_sent_from_the_configured_template_with_our_reference(notify):
    result = registry(notify_config(notify), notify_env(notify)).call("notify/send_email", ACK, "case-12/ack")
    sent = notify.sent[result["notification_id"]]
    assert sent["reference"] == "case-12/ack"
    assert sent["personalisation"] == {"name": "Sam", "case_ref": "CF-12"}
    assert sent["template"]["id"] == notify.email_template


def test_a_text_takes_personalisation_from_the_case(notify):
    result = registry(notify_config(notify), notify_env(notify)).call("notify/send_sms", {
        "template": "received_sms", "phone_number": "07700 900123", "personalisation": {"case_ref": "CF-13"}},
        "case-13/sms")
    assert notify.sent[result["notification_id"]]["type"] == "sms"


def test_a_key_signed_with_the_wrong_secret_is_refused_as_an_incident(notify):
    forged = f"councilflow_test-{notify.service_id}-{uuid.uuid4()}"
    with pytest.raises(AdapterError) as raised:
        registry(notify_config(notify), {"NOTIFY_API_KEY": forged}).call("notify/send_email", ACK, "k")
    assert not raised.value.business and not raised.value.retryable
    assert "Invalid token" in raised.value.message and notify.sent == {}


def test_a_timeout_after_notify_accepted_the_email_does_not_send_it_twice(notify, retrying):
    notify.delay(FAULT_DELAY_S, method="POST")
    result = retrying(registry(notify_config(notify), notify_env(notify)))("notify/send_email", ACK, "case-12/ack")
    assert list(notify.sent) == [result["notification_id"]] and result["already_done"]


def test_503s_then_success_sends_one_email(notify, retrying):
    notify.fail(times=2, method="POST")
    retrying(registry(notify_config(notify), notify_env(notify)))("notify/send_email", ACK, "case-12/ack")
    assert len(notify.sent) == 1


def test_missing_personalisation_is_a_business_rejection_with_notifys_reason(notify):
    with pytest.raises(AdapterError) as raised:
        registry(notify_config(notify), notify_env(notify)).call(
            "notify/send_email", {**ACK, "first_name": None}, "case-12/ack")
    assert (raised.value.business, raised.value.code) == (True, "notify_rejected")
    assert raised.value.message == "Missing personalisation: name"


def test_a_delivery_receipt_names_our_reference_and_only_our_token_is_accepted(notify):
    adapters = registry(notify_config(notify), notify_env(notify))
    sent = adapters.call("notify/send_email", ACK, "case-12/ack")
    body = json.dumps(notify.delivery_receipt(sent["notification_id"], "permanent-failure")).encode()
    receipt = parse_delivery_receipt(body)
    assert (receipt.reference, receipt.status, receipt.final, receipt.failed) == (
        "case-12/ack", "permanent-failure", True, True)
    assert adapters.find("notify").verify_callback("Bearer callback-secret")
    assert not adapters.find("notify").verify_callback("Bearer guess")
    assert not adapters.find("notify").verify_callback(None)
    with pytest.raises(ValueError):
        parse_delivery_receipt(b'{"id": "x"}')


def test_the_adapter_is_the_engines_sender_of_emails_to_staff(notify):
    adapter = registry(notify_config(notify), notify_env(notify)).find("notify")
    adapter.send(OutgoingNotification("lead@council.example", "Lee Lead", "Task overdue", "CF-99"))
    (sent,) = notify.sent.values()
    assert sent["email_address"] == "lead@council.example"
    assert sent["personalisation"] == {"name": "Lee Lead", "text": "Task overdue", "case_reference": "CF-99"}
    notify.reject("Can't send to this recipient using a team-only API key")
    with pytest.raises(AdapterError):  # the engine leaves the row unsent and tries again next sweep
        adapter.send(OutgoingNotification("someone@else.example", "Someone", "Task overdue", None))


def test_a_resident_who_used_the_welsh_pages_gets_the_templates_welsh_twin(notify):
    welsh = str(uuid.uuid4())
    notify.templates[welsh] = {"type": "email", "subject": "Mae eich adroddiad ((case_ref)) gyda ni",
                               "body": "Annwyl ((name)), diolch.", "placeholders": ["name", "case_ref"]}
    config = notify_config(notify)
    config["notify"]["templates"]["acknowledgement_cy"] = {"id": welsh, "personalisation": {"name": "first_name",
                                                                                             "case_ref": "case_ref"}}
    adapters = registry(config, notify_env(notify))
    in_welsh = adapters.call("notify/send_email", {**ACK, "language": "cy"}, "case-14/ack")
    assert notify.sent[in_welsh["notification_id"]]["template"]["id"] == welsh
    # No Welsh twin configured (the text message): the English template, not a refusal.
    text = adapters.call("notify/send_sms", {"template": "received_sms", "phone_number": "07700 900123",
                                             "personalisation": {"case_ref": "CF-14"}, "language": "cy"}, "case-14/sms")
    assert notify.sent[text["notification_id"]]["template"]["id"] == notify.sms_template
    english = adapters.call("notify/send_email", {**ACK, "language": "en"}, "case-15/ack")
    assert notify.sent[english["notification_id"]]["template"]["id"] == notify.email_template
