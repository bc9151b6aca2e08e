import sys

from .cli import main

# Guarded: a worker process (metrics.ingest.worker) imports the main module again, and must not
# run the command a second time.
if __name__ == "__main__":
    sys.exit(main())
