# Answers every row, but never flushes: with a pipe for standard output,
# Python buffers the answers until it exits, so trustml sees nothing.
import sys

for line in sys.stdin:
    print(1.0)
