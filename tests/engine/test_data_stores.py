"""SpiffArena's data stores kept in our database: one case writes a JSON and a key-value store, another
case (of another map of the same service) reads them; a hostile write is refused and leaves nothing."""
from __future__ import annotations

import pytest

from engine.bpmn import data_stores, modeltest
from engine.casework import cases
from engine.errors import UserError
from tests.engine.helpers import deploy_text
from tests.engine.maps import process

STORES = ('<bpmn:dataStore id="fees" name="JSONDataStore" />\n'
          '<bpmn:dataStore id="prices" name="KKVDataStore" />\n'
          '<bpmn:dataStore id="streets" name="TypeaheadDataStore" />\n')


def _with_stores(text: str) -> str:
    return text.replace("<bpmn:process ", STORES + "<bpmn:process ", 1)


def _one_script(key: str, script: str, associations: str) -> str:
    return _with_stores(process(key, f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="work" />
    <bpmn:scriptTask id="work"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
      {associations}
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f1" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
    <bpmn:dataStoreReference id="fees_ref" dataStoreRef="fees" />
    <bpmn:dataStoreReference id="prices_ref" dataStoreRef="prices" />
    <bpmn:dataStoreReference id="streets_ref" dataStoreRef="streets" />"""))


WRITER_SCRIPT = """fees = {"garden_waste": size * 10}
prices = {"bin": {"small": 12, "large": 30}, "old": None}
streets = {"ward_a": [{"search_term": "High Street", "result": {"usrn": 1}}]}"""
WRITES = "".join(f'<bpmn:dataOutputAssociation id="o{n}"><bpmn:targetRef>{ref}</bpmn:targetRef></bpmn:dataOutputAssociation>'
                 for n, ref in enumerate(("fees_ref", "prices_ref", "streets_ref")))
READER_SCRIPT = """fee = fees["garden_waste"]
large = prices("bin", "large")
bins = prices("bin")
missing = prices("bag", "x")"""
# As SpiffArena's modeller draws a read: the association targets a placeholder property of the task.
READS = '<bpmn:property id="placeholder" name="__targetRef_placeholder" />' + "".join(
    f'<bpmn:dataInputAssociation id="i{n}"><bpmn:sourceRef>{ref}</bpmn:sourceRef>'
    '<bpmn:targetRef>placeholder</bpmn:targetRef></bpmn:dataInputAssociation>' for n, ref in enumerate(("fees_ref", "prices_ref")))


def test_one_case_writes_the_stores_another_case_reads_them(ctx):
    deploy_text(ctx, "bins.bpmn", _one_script("bins", WRITER_SCRIPT, WRITES))
    wrote = cases.start_case(ctx, "bins", {"size": 3}, actor=None)
    assert wrote.status == "completed", wrote.error
    assert not {"fees", "prices", "streets"} & set(cases.show_case(ctx, wrote.reference).data)
    assert data_stores.show_store(ctx, "bins", "fees")["data"] == {"garden_waste": 30}
    assert data_stores.show_store(ctx, "bins", "prices")["data"] == {"bin": {"large": 30, "small": 12}}
    assert data_stores.show_store(ctx, "bins", "streets")["data"] == {"ward_a": {"High Street": {"usrn": 1}}}

    # The next version of the map reads what the last case wrote: one process group.
    deploy_text(ctx, "bins.bpmn", _one_script("bins", READER_SCRIPT, READS))
    read = cases.start_case(ctx, "bins", {}, actor=None)
    assert read.status == "completed", read.error
    got = cases.show_case(ctx, read.reference).data
    assert (got["fee"], got["large"], got["bins"], got["missing"]) == (30, 30, {"large": 30, "small": 12}, None)
    assert "fees" not in got

    # Another group sees none of it: reading a JSON store it never wrote fails the case, saying why.
    deploy_text(ctx, "elsewhere.bpmn", _one_script("elsewhere", READER_SCRIPT, READS))
    other = cases.start_case(ctx, "elsewhere", {}, actor=None)
    assert other.status == "failed" and "data store 'fees' of elsewhere has no data yet" in other.error


def test_hostile_sizes_are_refused_and_leave_nothing(ctx):
    big = _one_script("bins_big", 'fees = {"blob": "x" * 300000}',
                      '<bpmn:dataOutputAssociation id="o1"><bpmn:targetRef>fees_ref</bpmn:targetRef></bpmn:dataOutputAssociation>')
    deploy_text(ctx, "bins_big.bpmn", big)
    view = cases.start_case(ctx, "bins_big", {}, actor=None)
    assert view.status == "failed" and "over the limit" in view.error
    assert data_stores.list_stores(ctx, "bins_big") == []
    with pytest.raises(UserError, match="over the limit"):
        data_stores.set_store(ctx, "a@example.gov.uk", "g", "fees", "json", ["y" * 1000] * 300)
    with pytest.raises(UserError, match="1 to 200 characters"):
        data_stores.set_store(ctx, "a@example.gov.uk", "g", "prices", "kkv", {"k" * 201: {"a": 1}})
    assert data_stores.list_stores(ctx, "g") == []


def test_admins_list_show_and_set_stores(cli):
    done = cli("datastores", "set", "bins", "prices", '{"bin": {"small": 12}}', "--kind", "kkv", "--json")
    assert done.exit_code == 0, done.stderr
    assert done.json()["data"] == {"bin": {"small": 12}}
    assert cli("datastores", "set", "bins", "prices", '{"bin": {"small": null}}', "--kind", "kkv").exit_code == 0
    listed = cli("datastores", "list", "--json").json()
    assert [(s["group"], s["id"], s["kind"], s["entries"]) for s in listed] == [("bins", "prices", "kkv", 0)]
    wrong = cli("datastores", "set", "bins", "prices", "{}", "--kind", "json")
    assert wrong.exit_code == 2 and "is a kkv store" in wrong.stderr
    assert cli("datastores", "show", "bins", "nothing").exit_code == 2
    piped = cli("datastores", "set", "bins", "fees", "-", input='{"garden_waste": 30}')
    assert piped.exit_code == 0 and "bins  fees  [json, document]" in piped.stdout
    assert cli("datastores", "show", "bins", "fees", "--json").json()["data"] == {"garden_waste": 30}


def test_a_model_test_runs_on_empty_stores_of_its_own(ctx, tmp_path):
    """``councilflow test``: a map writing a store and reading it back passes; nothing reaches the database."""
    body = process("bins", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="save" />
    <bpmn:scriptTask id="save"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:dataOutputAssociation id="o1"><bpmn:targetRef>prices_ref</bpmn:targetRef></bpmn:dataOutputAssociation>
      <bpmn:script>prices = {"bin": {"large": 30}}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f1" sourceRef="save" targetRef="read" />
    <bpmn:scriptTask id="read"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:property id="placeholder" name="__targetRef_placeholder" />
      <bpmn:dataInputAssociation id="i1"><bpmn:sourceRef>prices_ref</bpmn:sourceRef>
        <bpmn:targetRef>placeholder</bpmn:targetRef></bpmn:dataInputAssociation>
      <bpmn:script>large = prices("bin", "large")</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="read" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:dataStoreReference id="prices_ref" dataStoreRef="prices" />""")
    (tmp_path / "bins.bpmn").write_text(_with_stores(body), encoding="utf-8")
    (tmp_path / "test_bins.json").write_text('{"twice": {"expected_output_json": {"large": 30}}, '
                                             '"again": {"expected_output_json": {"large": 30}}}', encoding="utf-8")
    results = modeltest.run_path(ctx, tmp_path)
    assert [r.passed for r in results] == [True, True], [r.message for r in results]
    assert data_stores.list_stores(ctx) == []
