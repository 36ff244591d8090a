# Answers every row, but never flushes: its standard output is a pipe with
# a 64 KiB buffer (opened here, so that PYTHONUNBUFFERED in the environment
# does not change it), so trustml sees nothing until it exits.
import os
import sys

out = os.fdopen(1, "w", buffering=1 << 16)
for line in sys.stdin:
    out.write("1.0\n")
