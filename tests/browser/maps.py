"""A small Camunda Modeler map whose user task has a generated form (camunda:formField of every
type we support), for the task page tests and the browser tests."""

CAMUNDA_NOISE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="noise_defs" targetNamespace="https://councilflow.example">
  <bpmn:process id="noise_complaint" name="Noise complaint" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="log_noise" name="Log noise complaint" camunda:candidateGroups="Environmental Health">
      <bpmn:documentation>Ask when the noise happens and how often.</bpmn:documentation>
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="noise_source" label="Source of the noise" type="enum">
          <camunda:value id="music" name="Loud music" /><camunda:value id="dog" name="Barking dog" />
          <camunda:validation><camunda:constraint name="required" /></camunda:validation>
        </camunda:formField>
        <camunda:formField id="nights" label="Nights affected" type="long">
          <camunda:validation>
            <camunda:constraint name="required" /><camunda:constraint name="min" config="1" />
          </camunda:validation>
        </camunda:formField>
        <camunda:formField id="started_on" label="Date it started" type="date" />
        <camunda:formField id="ongoing" label="Still happening" type="boolean" />
        <camunda:formField id="details" label="What the caller said" type="string">
          <camunda:validation><camunda:constraint name="maxlength" config="300" /></camunda:validation>
        </camunda:formField>
      </camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="log_noise" />
    <bpmn:sequenceFlow id="f2" sourceRef="log_noise" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""
