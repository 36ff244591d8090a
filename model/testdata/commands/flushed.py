# Follows the protocol: one line per row, flushed as each row is read.
import json
import sys

for line in sys.stdin:
    x = json.loads(line)["x"]
    print(2 * x, flush=True)
