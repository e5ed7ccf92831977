#!/bin/sh
# run.sh: `make fuzz`. Makes seed corpora from the real specs, then runs
# every libFuzzer target for FUZZ_SECONDS (default 60) and reports its
# executions per second. The corpora grow in $BUILD/fuzz/corpus/TARGET
# from run to run; crashes are written to $BUILD/fuzz/crashes/. Exits 1
# when any target crashed, timed out or ran out of memory.
#
# Seeds, made anew each run and never committed: corpus/, the test
# fixtures, $SHARED/seeds and every 25th CalHR spec under 32 KB (spec,
# analyze); the same records as JSON lines from jobdex-index --dump
# (jsonl); tests/fuzz/query.seeds and the fixture résumés (query).
set -u
BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
SECS=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-spec analyze jsonl query}
FB=$BUILD/fuzz
INDEX=$BUILD/jobdex-index

mkdir -p "$FB/seed" "$FB/corpus" "$FB/crashes" "$FB/log" "$FB/tmp"
rm -rf "$FB/seed"/*

copy_specs() { # DEST
    n=0
    for f in corpus/*/*.txt tests/fixtures/specs/*/*.txt "$SHARED"/seeds/*.txt; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        cp "$f" "$1/real-$n.txt"
    done
    calhr="$SHARED/data/calhr-class-specs/specs"
    if [ -d "$calhr" ]; then
        ls "$calhr" | awk 'NR % 25 == 1' | while read -r name; do
            f="$calhr/$name"
            [ "$(wc -c < "$f")" -lt 32768 ] && cp "$f" "$1/calhr-$name"
        done
    fi
}

mkdir -p "$FB/seed/spec" "$FB/seed/analyze" "$FB/seed/jsonl" "$FB/seed/query"
copy_specs "$FB/seed/spec"
cp "$FB/seed/spec"/* "$FB/seed/analyze/"
n=0
for f in tests/fixtures/resumes/*.txt; do
    n=$((n + 1))
    cp "$f" "$FB/seed/analyze/resume-$n.txt"
    cp "$f" "$FB/seed/query/resume-$n.txt"
done
n=0
while IFS= read -r q; do
    n=$((n + 1))
    printf '%s' "$q" > "$FB/seed/query/q-$n"
done < tests/fuzz/query.seeds
"$INDEX" --dump "$FB/seed/spec" > "$FB/tmp/all.jsonl" 2>/dev/null
(cd "$FB/seed/jsonl" && split -l 1 -a 4 ../../tmp/all.jsonl one- &&
    head -n 3 ../../tmp/all.jsonl > three.jsonl)

status=0
report=$FB/report.txt
: > "$report"
for t in $TARGETS; do
    case $t in
    spec | jsonl) maxlen=32768 ;;
    *) maxlen=4096 ;;
    esac
    dict=""
    [ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
    mkdir -p "$FB/corpus/$t"
    echo "fuzz: $t for $SECS s (log: $FB/log/$t.log)"
    TMPDIR=$FB/tmp "$FB/fuzz_$t" -max_total_time="$SECS" -timeout=10 \
        -rss_limit_mb=2048 -max_len=$maxlen -print_final_stats=1 \
        -artifact_prefix="$FB/crashes/$t-" $dict \
        "$FB/corpus/$t" "$FB/seed/$t" > "$FB/log/$t.log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$FB/log/$t.log")
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$FB/log/$t.log")
    if [ $rc -eq 0 ]; then
        verdict="no crash"
    else
        verdict="FAILED (exit $rc; see $FB/log/$t.log and $FB/crashes/)"
        status=1
    fi
    line=$(printf '%-8s %10s runs %8s exec/s  %s' "$t" "${runs:-?}" \
        "${eps:-?}" "$verdict")
    echo "fuzz: $line"
    echo "$line" >> "$report"
done
echo "fuzz: summary ($SECS s each)"
cat "$report"
exit $status
