"""PostgreSQL restarted in the middle of crawls: nothing half-written, nothing lost.

    python -m bench.pg_restart --db URL [--rounds 3] [--restart "pg_ctlcluster 15 main restart"]

Restarts the real server (run it by hand, on a machine where that is yours to do: every
connection to the server is cut, other users' included). The same fourteen feeds as
``bench.kill_recovery``; each round starts ``warwatch crawl --force``, restarts the
server at a random moment of the crawl (within half a clean crawl's length after its
first request: fetching, extracting or storing), and records how the crawl ended. Then one normal
crawl, and the same checks against a clean crawl's store.
"""

from __future__ import annotations

import argparse
import random
import shlex
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from bench.kill_recovery import (
    Report,
    _SlowHandler,
    check,
    crawl,
    finish,
    reference_store,
    serve_feeds,
    write_config,
)

KILL_FIELDS = ("kills", "clean_crawl_seconds", "kill_times", "items_after_round",
               "finished_before_kill")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="a PostgreSQL URL (an empty schema)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--restart", default="pg_ctlcluster 15 main restart")
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()
    server = serve_feeds()
    report = Report()
    outcomes = []
    try:
        with tempfile.TemporaryDirectory() as directory:
            config = write_config(Path(directory), server.server_address[1])
            reference, span = reference_store(config, Path(directory))
            rng = random.Random(args.seed)
            pause = threading.Event()
            command = [sys.executable, "-m", "warwatch.cli", "crawl", "--config", str(config),
                       "--db", args.db, "--force"]  # fmt: skip
            for _ in range(args.rounds):
                _SlowHandler.requested.clear()
                running = subprocess.Popen(command, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, text=True)  # fmt: skip
                if not _SlowHandler.requested.wait(60):
                    sys.exit("the crawl never fetched anything")
                after = rng.uniform(0, span / 2)  # while fetching, extracting or storing
                pause.wait(after)
                subprocess.run(shlex.split(args.restart), check=True)
                out, err = running.communicate(timeout=300)
                failed = [line for line in err.splitlines() if line.startswith("FAILED")]
                outcomes.append((after, running.returncode, out.count(": ok"), failed[:2]))
            report.final_exit = crawl(config, args.db)
            check(args.db, report, reference)
    finally:
        _SlowHandler.stopping.set()
        server.shutdown()
        server.server_close()
    for number, (after, code, ok, failed) in enumerate(outcomes, 1):
        print(
            f"round {number}: restart {after:.1f} s into fetching; crawl exit {code}, "
            f"{ok} sources ok, failures: {failed or 'none'}"
        )
    finish(report, skip=KILL_FIELDS)


if __name__ == "__main__":
    main()
