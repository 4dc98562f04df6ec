"""Service tasks hand their call to the outbox instead of calling out inside the engine step.

A SpiffArena service task (``spiffworkflow:serviceTaskOperator``) evaluates its parameters, notes
the call in the task's internal data and parks in STARTED; a Camunda external task
(``camunda:topic``) parks in STARTED by itself. The projection then writes one outbox row per
parked task in the same transaction as the case state, and the worker makes the call.

A case whose data names the resident's ``language`` (``cy``: they used the Welsh pages) passes it on
with every call, unless the map gives its own ``language`` parameter: the Notify adapter then sends
the template's Welsh twin.
"""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter
from SpiffWorkflow.spiff.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask as PlainServiceTask
from SpiffWorkflow.bpmn.parser.event_parsers import ReceiveTaskParser, SendTaskParser
from SpiffWorkflow.bpmn.specs.defaults import ReceiveTask, SendTask
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import CamundaEventDefinitionParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from ..bpmn import cron, data_stores

CALL = "councilflow_call"  # internal-data key: the call this task asks for
LANGUAGE = "language"  # the case-data field with the resident's language (engine.residents.web_reports)


class OutboxServiceTask(ServiceTask):  # type: ignore[misc]  # SpiffWorkflow is untyped: Any
    """A SpiffArena service task whose call is made later by the worker, exactly once in effect."""

    def _execute(self, task: Any) -> None:
        params = {name: spec["value"] for name, spec in self.evaluate_params(task).items()}
        if isinstance(task.data.get(LANGUAGE), str) and LANGUAGE not in params:
            params[LANGUAGE] = task.data[LANGUAGE]
        task.internal_data[CALL] = {"operation": self.operation_name, "params": params,
                                    "result_variable": self.result_variable}
        return None  # STARTED: finished by the worker with the adapter's result


class CouncilSpiffParser(SpiffBpmnParser):  # type: ignore[misc]  # SpiffWorkflow is untyped: Any
    OVERRIDE_PARSER_CLASSES = {**SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
                               full_tag("serviceTask"): (ServiceTaskParser, OutboxServiceTask)}
    DATA_STORE_CLASSES = data_stores.CLASSES


SPIFF_OUTBOX_CONFIG = {**SPIFF_CONFIG, OutboxServiceTask: ServiceTaskConverter, **data_stores.CONVERTERS}
class _CamundaSendTaskParser(CamundaEventDefinitionParser, SendTaskParser):  # type: ignore[misc]  # untyped
    def create_task(self) -> Any:
        return SendTaskParser.create_task(self)


class _CamundaReceiveTaskParser(CamundaEventDefinitionParser, ReceiveTaskParser):  # type: ignore[misc]  # untyped
    def create_task(self) -> Any:
        return ReceiveTaskParser.create_task(self)


class CouncilCamundaParser(CamundaParser):  # type: ignore[misc]  # SpiffWorkflow is untyped: Any
    """Camunda's parser, whose send and receive tasks otherwise get the plain message definition
    that its serializer cannot store (every other message event gets Camunda's), and whose cycle
    timers may be cron expressions (``engine.bpmn.cron``)."""

    OVERRIDE_PARSER_CLASSES = {**cron.with_cron_timers(CamundaParser.OVERRIDE_PARSER_CLASSES),
                               full_tag("sendTask"): (_CamundaSendTaskParser, SendTask),
                               full_tag("receiveTask"): (_CamundaReceiveTaskParser, ReceiveTask)}
    DATA_STORE_CLASSES = data_stores.CLASSES


# Camunda's service tasks are SpiffWorkflow's plain ones, which park in STARTED by themselves but have
# no converter in its Camunda configuration: without one their spec cannot be stored.
CAMUNDA_OUTBOX_CONFIG = {**CAMUNDA_CONFIG, PlainServiceTask: BpmnTaskSpecConverter, **cron.CONVERTERS,
                         **data_stores.CONVERTERS}
