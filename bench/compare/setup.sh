#!/usr/bin/env bash
# Creates bench/compare/.venv with the pinned Splink (DuckDB) and the generator's dependencies,
# then generates the people data sets. Idempotent: skips what is already there.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q splink==5.0.0 duckdb==2.0.0 pandas==2.3.3 numpy==2.4.6 pyarrow==26.0.1 \
    Faker==40.54.0
fi
mkdir -p data results
# splink_febrl.py reads data/febrl/dataset3.csv: the copy bundled in examples/.
[ -e data/febrl ] || ln -s ../../../examples/febrl data/febrl
for n in "$@"; do
  f="data/people_${n}.csv"
  [ -s "$f" ] || .venv/bin/python gen_people.py --records "$n" --seed 42 --out "$f"
done
