#!/bin/sh
# eval.sh: ranking quality of `jobdex-query match` against a flat-BM25
# baseline (bench/baseline_bm25.cc) on O*NET, for `make eval`.
#
# Rebuilds both indexes from ../shared/data/onet-29.3 every run (a few
# seconds) so a stale index can never be measured, runs both systems on
# each dev query set in ../shared/eval-dev, scores them with bench/score,
# prints a Markdown table and appends it, dated, to
# bench/results/quality.md. It never reads ../shared/holdout.enc.
#
# Environment: BUILD (default build) holds the binaries made by the
# Makefile and bench/eval.mk; SHARED (default ../shared). Both are taken
# relative to the repository root, where make runs this script.
# EVAL_JOBS (default 2): the batch is also run with match -j EVAL_JOBS,
# timed, and must answer byte for byte as one process did.
#
# A fourth set, onet_resume_composed, is made here from two dev sets
# (bench/score --compose-resumes): short résumés of a withheld title line
# and the same occupation's withheld task statements as list items. No
# labelled résumé set exists; this one measures text of several parts.
# When ../shared/data/calhr-class-specs is there, a fifth, calhr_self,
# gives every 5th CalHR spec file whole as the query against an index of
# all of them (bench/score --compose-self): a spec should find its own
# class among its series' siblings. It guards the mix of long texts.
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
ONET=$SHARED/data/onet-29.3
SETS="esco_descriptions onet_alt_titles onet_task_single onet_resume_composed"
N=10
JOBS=${EVAL_JOBS:-2} # match --batch -j, timed beside one process
OUT=$BUILD/eval
RESULTS=bench/results/quality.md

if [ ! -f "$ONET/Occupation Data.txt" ] || [ ! -d "$SHARED/eval-dev" ]; then
    echo "eval: skipped: no O*NET data or eval-dev sets under '$SHARED'" \
         "(set SHARED=DIR)"
    exit 0
fi
for bin in jobdex-index jobdex-query bench/baseline_bm25 bench/score; do
    if [ ! -x "$BUILD/$bin" ]; then
        echo "eval: missing '$BUILD/$bin': run 'make eval'" >&2
        exit 3
    fi
done

mkdir -p "$OUT"
rm -rf "$OUT/onet.db" "$OUT/baseline.db"
echo "eval: indexing O*NET for jobdex and the baseline" >&2
"$BUILD/jobdex-index" --no-progress -q -d "$OUT/onet.db" "$ONET"
"$BUILD/jobdex-index" --dump "$ONET" > "$OUT/onet.jsonl"
"$BUILD/bench/baseline_bm25" index "$OUT/baseline.db" "$OUT/onet.jsonl"

# CalHR is indexed just before its own set, so that its writes do not
# slow the timing of the sets before it.
CALHR=$SHARED/data/calhr-class-specs/specs
[ -d "$CALHR" ] && SETS="$SETS calhr_self"

# Index every CalHR spec for both systems and make the calhr_self set.
# Status 1 from jobdex-index only means some files were rejected.
index_calhr() {
    echo "eval: indexing CalHR for jobdex and the baseline" >&2
    rm -rf "$OUT/calhr.db" "$OUT/calhr-baseline.db"
    rc=0
    "$BUILD/jobdex-index" --no-progress -q -j 2 -d "$OUT/calhr.db" "$CALHR" \
        2>/dev/null || rc=$?
    [ "$rc" -le 1 ] || { echo "eval: indexing CalHR failed ($rc)" >&2; exit 3; }
    rc=0
    "$BUILD/jobdex-index" --dump "$CALHR" > "$OUT/calhr.jsonl" 2>/dev/null || rc=$?
    [ "$rc" -le 1 ] || { echo "eval: dumping CalHR failed ($rc)" >&2; exit 3; }
    "$BUILD/bench/baseline_bm25" index "$OUT/calhr-baseline.db" "$OUT/calhr.jsonl"
    "$BUILD/bench/score" --compose-self "$OUT/calhr.jsonl" 5 > "$OUT/calhr_self.jsonl"
}

now() { date +%s.%N; }
# Queries per second for COUNT queries between two now() stamps.
qps() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
# "top1=A top5=B mrr10=C n=N" -> "A / B / C" (fields of the score line).
metrics() { echo "$1" | sed 's/top1=\([^ ]*\) top5=\([^ ]*\) mrr10=\([^ ]*\).*/\1 \/ \2 \/ \3/'; }

TABLE="| set | n | jobdex top-1 / top-5 / MRR@10 | baseline top-1 / top-5 / MRR@10 | jobdex q/s | jobdex -j $JOBS q/s | baseline q/s |
|---|---:|---|---|---:|---:|---:|"
"$BUILD/bench/score" --compose-resumes "$SHARED/eval-dev/onet_task_single.jsonl" \
    "$SHARED/eval-dev/onet_alt_titles.jsonl" > "$OUT/onet_resume_composed.jsonl"
for set in $SETS; do
    [ "$set" = calhr_self ] && index_calhr
    src=$SHARED/eval-dev/$set.jsonl
    [ -f "$src" ] || src=$OUT/$set.jsonl # made above
    # Only id and text reach the systems; answers stay with the scorer.
    "$BUILD/bench/score" --queries "$src" > "$OUT/$set.queries.jsonl"
    count=$(wc -l < "$OUT/$set.queries.jsonl")

    jdb=$OUT/onet.db bdb=$OUT/baseline.db
    if [ "$set" = calhr_self ]; then
        jdb=$OUT/calhr.db bdb=$OUT/calhr-baseline.db
    fi

    t0=$(now)
    rc=0
    "$BUILD/jobdex-query" -d "$jdb" -f json -n $N match \
        --batch "$OUT/$set.queries.jsonl" > "$OUT/$set.jobdex.jsonl" || rc=$?
    t1=$(now)
    # Status 1 only means some lines were rejected; score counts them.
    if [ "$rc" -gt 1 ]; then
        echo "eval: jobdex-query failed on $set (exit $rc)" >&2
        exit 3
    fi
    "$BUILD/bench/baseline_bm25" query "$bdb" \
        "$OUT/$set.queries.jsonl" $N > "$OUT/$set.baseline.jsonl"
    t2=$(now)
    # The same batch in worker processes must answer the same, faster.
    rc=0
    "$BUILD/jobdex-query" -d "$jdb" -f json -n $N match -j "$JOBS" \
        --batch "$OUT/$set.queries.jsonl" > "$OUT/$set.jobdex-j.jsonl" || rc=$?
    t3=$(now)
    if [ "$rc" -gt 1 ] || ! cmp -s "$OUT/$set.jobdex.jsonl" "$OUT/$set.jobdex-j.jsonl"; then
        echo "eval: match --batch -j $JOBS answered $set differently (exit $rc)" >&2
        exit 3
    fi

    js=$("$BUILD/bench/score" "$src" "$OUT/$set.jobdex.jsonl")
    bs=$("$BUILD/bench/score" "$src" "$OUT/$set.baseline.jsonl")
    n=${js##*n=}
    TABLE="$TABLE
| $set | $n | $(metrics "$js") | $(metrics "$bs") | $(qps "$count" "$t0" "$t1") | $(qps "$count" "$t2" "$t3") | $(qps "$count" "$t1" "$t2") |"
done

# The results file itself is left out of the dirty check: otherwise
# every run after the first would report its own earlier output.
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- . ':!bench/results' 2>/dev/null)" ]; then
    rev="$rev + uncommitted changes"
fi
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)

mkdir -p "$(dirname "$RESULTS")"
{
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M') UTC"
    echo
    echo "- revision: $rev"
    echo "- command: \`make eval\`"
    echo "- machine: $(nproc) CPUs${cpu:+ ($cpu)}, $mem memory"
    echo
    echo "$TABLE"
} >> "$RESULTS"
echo "$TABLE"
echo "eval: appended to $RESULTS" >&2
