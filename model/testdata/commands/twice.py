# Answers each row twice (the second line a stray debug print): more lines
# than rows.
import json
import sys

for line in sys.stdin:
    x = json.loads(line)["x"]
    print(2 * x, flush=True)
    print(x, flush=True)
