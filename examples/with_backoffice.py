"""Run a command with the fake back office running beside it (what ``make run`` does).

    .venv/bin/python examples/with_backoffice.py -- .venv/bin/councilflow serve

starts examples/fake_backoffice.py in the background (127.0.0.1 only), waits for the adapter
configuration it writes (instance/adapters.json), runs the command with COUNCILFLOW_ADAPTERS and
the fakes' test credentials in its environment, and stops the fake back office when the command
ends, fails or is interrupted (Ctrl-C). Several commands: ``-- sh -c 'a && b'``.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STARTUP_S = 30


def _exports(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export "):].partition("=")
            env[name] = value
    return env


def _start_backoffice(instance: Path) -> tuple[subprocess.Popen, dict[str, str]]:
    env_file, log = instance / "backoffice.env", instance / "backoffice.log"
    env_file.unlink(missing_ok=True)
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, str(HERE / "fake_backoffice.py"), "--write", str(instance / "adapters.json"),
             "--env-file", str(env_file), "--folders", str(instance / "backoffice"), "--exit-with-parent"],
            stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + STARTUP_S
    while not env_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            sys.exit(f"The fake back office did not start; see {log}:\n{log.read_text(encoding='utf-8')}")
        time.sleep(0.1)
    return process, _exports(env_file)


def _stop(process: subprocess.Popen) -> None:
    """Ask a process to end (it may have had Ctrl-C already), then insist."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instance", type=Path, default=Path("instance"),
                        help="where the configuration, credentials and log are written (default: instance)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    args.instance.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _interrupted)  # a polite stop tidies up as Ctrl-C does
    backoffice, exports = _start_backoffice(args.instance)
    print(f"Fake back office running (adapters: {exports['COUNCILFLOW_ADAPTERS']}; "
          f"log: {args.instance / 'backoffice.log'})", flush=True)
    child = None
    try:
        child = subprocess.Popen(command, env={**os.environ, **exports})
        return child.wait()
    except KeyboardInterrupt:
        if child is not None:
            _stop(child)
        return 130
    finally:
        _stop(backoffice)


if __name__ == "__main__":
    sys.exit(main())
