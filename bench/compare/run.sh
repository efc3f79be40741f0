#!/usr/bin/env bash
# omnid and Splink (DuckDB) side by side on the same files, one after the other
# on this machine. Prints one table: wall time, peak RSS and pairwise F1 of
# each, and the ratios.
#
#   bench/compare/run.sh                      # FEBRL3 and 100k people
#   bench/compare/run.sh febrl3 100000 1000000
#
# Splink gets the model of ../../bench/compare/splink_people.py "v2" (exact
# email, the better of its two models) and splink_febrl.py; omnid gets
# examples/people/people.toml and examples/febrl/febrl3.toml. Both read the
# raw CSV, train without labels, score, cluster at probability 0.5.
#
# omnid runs twice: `--no-profiles` does what Splink does (clusters and
# links), the second run also builds and writes the customer 360 (golden
# records, timelines, cases, journeys, values).
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
ROOT=$(cd ../.. && pwd)
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(febrl3 100000)
sizes=()
for s in "${sets[@]}"; do [ "$s" = febrl3 ] || sizes+=("$s"); done
./setup.sh "${sizes[@]}"
(cd "$ROOT" && cargo build --release -q -p omnid-cli)
OMNID="${CARGO_TARGET_DIR:-$ROOT/target}/release/omnid"
mkdir -p results

timed() { # name, command...: /usr/bin/time -v into results/<name>.time
  local name=$1; shift
  /usr/bin/time -v -o "results/$name.time" "$@" > "results/$name.log" 2>&1
}

for s in "${sets[@]}"; do
  if [ "$s" = febrl3 ]; then
    timed omnid_febrl3 "$OMNID" resolve --config "$ROOT/examples/febrl/febrl3.toml" \
      --out results/omnid_febrl3 --quiet --no-profiles
    timed omnid360_febrl3 "$OMNID" resolve --config "$ROOT/examples/febrl/febrl3.toml" \
      --out results/omnid360_febrl3 --quiet
    "$OMNID" eval --json --truth "$ROOT/examples/febrl/truth3.csv" \
      --clusters results/omnid_febrl3/clusters.csv > results/omnid_febrl3.eval.json
    timed splink_febrl3 .venv/bin/python splink_febrl.py 3
  else
    data="$HERE/data/people_$s.csv"
    sed "s#^path = .*#path = \"$data\"#" "$ROOT/examples/people/people.toml" > "results/people_$s.toml"
    awk -F, 'NR==1{print "record_id,entity_id";next}{print $1","$2}' "$data" > "results/truth_$s.csv"
    timed "omnid_people_$s" "$OMNID" resolve --config "results/people_$s.toml" \
      --out "results/omnid_people_$s" --quiet --no-profiles
    timed "omnid360_people_$s" "$OMNID" resolve --config "results/people_$s.toml" \
      --out "results/omnid360_people_$s" --quiet
    "$OMNID" eval --json --truth "results/truth_$s.csv" \
      --clusters "results/omnid_people_$s/clusters.csv" > "results/omnid_people_$s.eval.json"
    timed "splink_people_$s" .venv/bin/python splink_people.py "$data" v2
  fi
done
.venv/bin/python table.py "${sets[@]}"
