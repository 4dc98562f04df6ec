"""Small SpiffArena-dialect maps written inline by the timer, message and SLA tests."""
from __future__ import annotations

_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
         '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
         'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="x">\n')


def process(key: str, body: str, messages: tuple[str, ...] = ()) -> str:
    """A process ``key`` whose elements are ``body``; ``messages`` declares <bpmn:message id=name>."""
    declared = "".join(f'<bpmn:message id="{m}" name="{m}" />\n' for m in messages)
    return (f'{_HEAD}{declared}<bpmn:process id="{key}" name="{key}" isExecutable="true">\n{body}\n'
            f'</bpmn:process>\n</bpmn:definitions>\n')


def flow(fid: str, source: str, target: str) -> str:
    return f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}" />'


def user_task(tid: str, name: str, incoming: str, outgoing: str) -> str:
    return (f'<bpmn:userTask id="{tid}" name="{name}"><bpmn:incoming>{incoming}</bpmn:incoming>'
            f'<bpmn:outgoing>{outgoing}</bpmn:outgoing></bpmn:userTask>')


def start(outgoing: str, definition: str = "") -> str:
    return f'<bpmn:startEvent id="start"><bpmn:outgoing>{outgoing}</bpmn:outgoing>{definition}</bpmn:startEvent>'


def end(eid: str, incoming: str) -> str:
    return f'<bpmn:endEvent id="{eid}"><bpmn:incoming>{incoming}</bpmn:incoming></bpmn:endEvent>'


def timer(kind: str, expression: str) -> str:
    """A timer definition; ``kind`` is timeDuration, timeDate or timeCycle."""
    return f'<bpmn:timerEventDefinition><bpmn:{kind}>{expression}</bpmn:{kind}></bpmn:timerEventDefinition>'


def message(ref: str, variable: str | None = None) -> str:
    extension = (f'<bpmn:extensionElements><spiffworkflow:messageVariable>{variable}'
                 f'</spiffworkflow:messageVariable></bpmn:extensionElements>') if variable else ""
    return f'<bpmn:messageEventDefinition messageRef="{ref}">{extension}</bpmn:messageEventDefinition>'


def boundary(bid: str, attached_to: str, outgoing: str, definition: str, interrupting: bool = True) -> str:
    return (f'<bpmn:boundaryEvent id="{bid}" cancelActivity="{str(interrupting).lower()}" '
            f'attachedToRef="{attached_to}"><bpmn:outgoing>{outgoing}</bpmn:outgoing>{definition}'
            f'</bpmn:boundaryEvent>')


def catch(cid: str, incoming: str, outgoing: str, definition: str) -> str:
    return (f'<bpmn:intermediateCatchEvent id="{cid}"><bpmn:incoming>{incoming}</bpmn:incoming>'
            f'<bpmn:outgoing>{outgoing}</bpmn:outgoing>{definition}</bpmn:intermediateCatchEvent>')
