"""`python -m metrics.ingest.parse_server SOCKET PARENT_PID`: the parse server metrics.ingest.worker
starts; `--once` parses one pickled request from standard input instead (where fork is not available)."""
import pickle
import sys

from .worker import parse_once, serve

if __name__ == "__main__":
    if sys.argv[1:] == ["--once"]:
        sys.stdout.buffer.write(pickle.dumps(parse_once(pickle.loads(sys.stdin.buffer.read()))))
    else:
        serve(sys.argv[1], int(sys.argv[2]))
