#!/bin/sh
# bench/chart.sh: plot indexing throughput (docs/s) against corpus size
# for jobdex and the baselines, from every $BUILD/bench/results-N.tsv
# that bench.sh has written (the latest run at each size), into
# bench/results/throughput.svg with gnuplot.
#
# Environment: BUILD (build), CHART (bench/results/throughput.svg).
# Without gnuplot it says how to install it and exits 0: the chart is
# a convenience, the numbers are in the TSVs and the Markdown report.
set -eu

BUILD=${BUILD:-build}
CHART=${CHART:-bench/results/throughput.svg}
B=$BUILD/bench

if ! command -v gnuplot >/dev/null 2>&1; then
    echo "chart: gnuplot not found; install it (apt-get install gnuplot-nox) for $CHART" >&2
    exit 0
fi

set -- "$B"/results-*.tsv
if [ ! -f "$1" ]; then
    echo "chart: no results in $B; run 'make bench' first" >&2
    exit 0
fi

DATA=$B/chart
rm -rf "$DATA"
mkdir -p "$DATA" "$(dirname "$CHART")"

# One data file per system: "N docs_per_s", sorted by N; and the
# system's label, in order of first appearance, for the legend.
awk -F'\t' -v dir="$DATA" '
    FNR == 1 { next }
    { print $1 "\t" $5 > (dir "/" $2 ".dat")
      if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2; label[$2] = $3 } }
    END { for (i = 1; i <= n; i++) print order[i] "\t" label[order[i]] > (dir "/systems") }
' "$@"
for f in "$DATA"/*.dat; do
    sort -n -o "$f" "$f"
done

# Labels lose any "(...)" remark that only makes sense in the table.
plots=$(awk -F'\t' -v dir="$DATA" '{
    l = $2; gsub(/"/, "", l)
    printf "%s\"%s/%s.dat\" using 1:2 with linespoints lw 2 pt 7 title \"%s\"",
      (NR > 1 ? ", " : ""), dir, $1, l }' "$DATA/systems")

gnuplot <<EOF
set terminal svg size 900,540 dynamic enhanced font "sans,12"
set output "$CHART"
set title "Indexing throughput against corpus size (generated class specs)"
set xlabel "corpus size (documents)"
set ylabel "documents per second"
# Both axes logarithmic: FTS5 is ten times faster than the Xapian
# systems, which a linear axis would squash together at the bottom.
set logscale xy
set format x "%.0s%c"
set mytics 10
set key outside right top
set grid
plot $plots
EOF
echo "chart: wrote $CHART" >&2
