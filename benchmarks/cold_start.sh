#!/bin/bash
# Cold start to N records (a fresh embedded server per run): BASE checkout vs this one, alternating, two rounds.
# Usage: BASE=/tmp/base benchmarks/cold_start.sh [N]   (run under the model lock on a shared machine)
N=${1:-8}
BASE=${BASE:?set BASE to a checkout to compare with, e.g. git worktree add --detach /tmp/base HEAD~3}
NEW=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mktemp -d)

for i in 1 2; do
  for tree in base new; do
    if [ $tree = base ]; then PP=$BASE; else PP=$NEW; fi
    out=$OUT/$tree-$i.jsonl
    s=$(date +%s.%N)
    (cd "$OUT" && PYTHONPATH=$PP $NEW/.venv/bin/langsynth generate medical_billing -n $N -o $out --concurrency 4 --seed $i > /dev/null 2>$OUT/$tree-$i.err)
    e=$(date +%s.%N)
    python3 - "$tree" "$i" "$s" "$e" "$out" <<'PY'
import json, sys
from pathlib import Path
tree, i, s, e, out = sys.argv[1:]
m = json.loads((Path(out + ".run") / "manifest.json").read_text()) if (Path(out + ".run") / "manifest.json").exists() else {}
rows = len(Path(out).read_text().splitlines()) if Path(out).exists() else 0
flat = {}
def walk(d, p=""):
    for k, v in d.items():
        if isinstance(v, dict): walk(v, p + k + ".")
        else: flat[p + k] = v
walk(m)
keep = {k: v for k, v in flat.items() if any(w in k for w in ("elapsed", "setup", "attempts", "input_tokens", "output_tokens", "cached"))}
print(tree, i, f"wall {float(e)-float(s):.1f}s", "rows", rows, keep, flush=True)
PY
  done
done
