"""Finding 10, keep-alive starvation: waitress admits 100 connections by default, so with 200 browsers
holding keep-alive connections half of them were never answered. ``councilflow serve`` sets its
connection limit and idle timeout deliberately (docs/operators.md); 200 concurrent keep-alive clients
are all answered, twice each, on one connection each."""
from __future__ import annotations

import http.client
import time

from .served import serving

CLIENTS = 200
DEADLINE_S = 30  # everyone answered well within this on a 2-core machine; before the fix, 100 never were


def _answer(connection: http.client.HTTPConnection, deadline: float) -> int | None:
    """The status of the answer to the request just sent, or None if none came before the deadline."""
    connection.sock.settimeout(max(0.05, deadline - time.monotonic()))
    try:
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return None


def test_two_hundred_keep_alive_clients_are_all_answered(database_url, tmp_path):
    with serving(database_url, tmp_path) as port:
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(CLIENTS)]
        try:
            for connection in connections:
                connection.request("GET", "/healthz")
            deadline = time.monotonic() + DEADLINE_S
            first = [_answer(c, deadline) for c in connections]
            answered_first = sum(status == 200 for status in first)
            # The same connections, still open (keep-alive), each asked again.
            for connection, status in zip(connections, first):
                if status is not None:
                    connection.request("GET", "/healthz")
            second = [_answer(c, deadline) if status is not None else None for c, status in zip(connections, first)]
            answered_second = sum(status == 200 for status in second)
        finally:
            for connection in connections:
                connection.close()
    assert (answered_first, answered_second) == (CLIENTS, CLIENTS)
