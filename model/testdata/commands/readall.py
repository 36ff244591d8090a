# Reads all its input before answering: trustml keeps standard input open
# while it waits for answers, so this never answers.
import sys

rows = sys.stdin.read().splitlines()
for _ in rows:
    print(1.0, flush=True)
