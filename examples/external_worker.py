"""An external task worker for councilflow, in plain Python (standard library only).

It fetches and locks tasks of one topic, does the work (here: makes up an account number from the
case's UPRN, where a real worker would call the council's back-office system), and completes each
task with variables that go into the case. A failure is reported with the retries left, so the task
comes back later, and becomes an incident for an admin when none are left; a business refusal is a
BPMN error that the map may catch with a boundary event.

    councilflow tokens create worker@council.gov.uk --label "revenues connector" --scope worker
    COUNCILFLOW_TOKEN=cf_... python examples/external_worker.py --topic revenues-account

The same four calls are what Camunda's external task clients make, so any language will do.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import time
import urllib.error
import urllib.request
from typing import Any

WORKER_ID = f"example-worker-{socket.gethostname()}-{os.getpid()}"


def open_account(uprn: Any) -> str:
    """The council's own work: a real worker calls its back-office system here (and may fail)."""
    return f"CT-{uprn}"


class Worker:
    def __init__(self, base_url: str, token: str, topic: str, worker_id: str = WORKER_ID) -> None:
        self.base_url, self.token, self.topic, self.worker_id = base_url.rstrip("/"), token, topic, worker_id

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            f"{self.base_url}/api/v1/external-tasks{path}", data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=90) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    def fetch(self, wait_ms: int = 0) -> list[dict[str, Any]]:
        return self._post("/fetch-and-lock", {"workerId": self.worker_id, "maxTasks": 10,
                                              "asyncResponseTimeout": wait_ms,
                                              "topics": [{"topicName": self.topic, "lockDuration": 60_000}]})

    def handle(self, task: dict[str, Any]) -> None:
        """Do one task: the council's own work goes here."""
        uprn = task["variables"].get("uprn", {}).get("value")
        done = f"/{task['id']}"
        if uprn is None:  # a business refusal: the map decides what happens next
            self._post(done + "/bpmnError", {"workerId": self.worker_id, "errorCode": "no_uprn",
                                             "errorMessage": "The case has no UPRN"})
            return
        try:
            account = open_account(uprn)
        except OSError as err:  # the back office is down: try again in a minute, three times
            left = 3 if task.get("retries") is None else task["retries"] - 1
            self._post(done + "/failure", {"workerId": self.worker_id, "errorMessage": str(err),
                                           "retries": max(left, 0), "retryTimeout": 60_000})
            return
        self._post(done + "/complete", {"workerId": self.worker_id,
                                        "variables": {"account_number": {"value": account, "type": "String"}}})

    def run_once(self, wait_ms: int = 0) -> int:
        """Fetch once and handle what came; how many tasks were handled."""
        tasks = self.fetch(wait_ms)
        for task in tasks:
            self.handle(task)
        return len(tasks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--topic", required=True)
    args = parser.parse_args()
    worker = Worker(args.url, os.environ["COUNCILFLOW_TOKEN"], args.topic)
    while True:
        try:
            worker.run_once(wait_ms=20_000)  # long polling: the server answers as soon as a task is due
        except urllib.error.URLError as err:
            print(f"councilflow unreachable ({err}); trying again in 10 s")
            time.sleep(10)


if __name__ == "__main__":
    main()
