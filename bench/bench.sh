#!/bin/sh
# bench/bench.sh: the indexing and query benchmark behind `make bench`.
#
# On one generated corpus of BENCH_N class specs, on one disk, it times
#   jobdex-index -j1 and -j2 (once, without -j, if the build has no -j),
#   the Xapian TermGenerator baseline at XAPIAN_FLUSH_THRESHOLD 1000 and
#   10000, and SQLite FTS5 (porter, one transaction),
# each under /usr/bin/time -v (wall time, peak RSS), and reports docs/s,
# input MB/s, peak RSS, index bytes per input byte and docs/s relative to
# the better TermGenerator run. Then, on the jobdex index, it times
# BENCH_QUERIES 3-term AND searches and as many 300-word resume matches,
# one process each (so process start is included), and one
# `match --batch` run over the same resumes (queries/s in one process).
#
# Raw numbers go to $BENCH_OUT/results-N.tsv and queries-N.tsv (the
# latest run for each N; chart.sh plots them), the report is appended to
# RESULTS_MD. Indexes are deleted once measured, except jobdex's last
# (for the queries), unless BENCH_KEEP_INDEXES=1: at 1M documents they
# would not all fit on the disk.
#
# Environment: BENCH_N (100000), BUILD (build: where the binaries are),
# BENCH_OUT ($BUILD/bench: corpus, indexes, logs, TSVs), SHARED
# (../shared), BENCH_SEED (1), BENCH_QUERIES (1000), RESULTS_MD
# (bench/results/indexing.md), BENCH_CMD (the command to quote in the
# report), BENCH_KEEP_INDEXES (0). Run from the top of the tree.
set -eu

N=${BENCH_N:-100000}
BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
SEED=${BENCH_SEED:-1}
QUERIES=${BENCH_QUERIES:-1000}
RESULTS_MD=${RESULTS_MD:-bench/results/indexing.md}
BENCH_CMD=${BENCH_CMD:-"BENCH_N=$N sh bench/bench.sh"}
KEEP=${BENCH_KEEP_INDEXES:-0}

T=$BUILD/bench
B=${BENCH_OUT:-$T}
GEN=$T/gen
QTIME=$T/qtime
TG=$T/baseline_index
FTS=$T/fts5_load
TIME=/usr/bin/time

CORPUS=$B/corpus-$N
QDIR=$B/queries-$QUERIES-seed$SEED
IDX=$B/idx-$N
LOGS=$B/logs-$N
TSV=$B/results-$N.tsv
QTSV=$B/queries-$N.tsv

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# ---- checks -----------------------------------------------------------

check_inputs() {
    case $N in '' | *[!0-9]*) die "invalid BENCH_N '$N'" ;; esac
    case $QUERIES in '' | *[!0-9]*) die "invalid BENCH_QUERIES '$QUERIES'" ;; esac
    [ "$N" -gt 0 ] || die "invalid BENCH_N '$N'"
    for t in "$GEN" "$QTIME" "$TG" "$FTS" "$BUILD/jobdex-index" \
        "$BUILD/jobdex-query"; do
        [ -x "$t" ] || die "missing '$t': run 'make bench' (it builds it)"
    done
    [ -x "$TIME" ] || die "missing '$TIME': install the Debian package 'time'"
    [ -d "$SHARED/data" ] || die "no source data in '$SHARED/data'"
}

# Read KEY=VALUE from a generator stamp file.
stamp_get() {
    tr ' ' '\n' <"$1" | sed -n "s/^$2=//p"
}

# Run copies of the jobdex binaries: a `make` in the same tree during
# the run (it takes most of half an hour) would otherwise replace them
# under our feet, failing a query run or mixing two versions in one
# report.
snapshot_jobdex() {
    mkdir -p "$B/bin"
    cp "$BUILD/jobdex-index" "$BUILD/jobdex-query" "$B/bin/"
    INDEX=$B/bin/jobdex-index
    QUERY=$B/bin/jobdex-query
}

# ---- inputs -----------------------------------------------------------

# Reuse a corpus only if it was made for this seed and count by a gen
# that writes what ours writes (same fingerprint: same code and source
# data). Regenerating is cheap at 100k but not at 1M, and someone may be
# reading the corpus.
make_corpus() {
    stamp=$CORPUS/.gen-stamp
    if [ -f "$stamp" ] &&
        [ "$(stamp_get "$stamp" fingerprint)" = "$FINGERPRINT" ] &&
        [ "$(stamp_get "$stamp" seed)" = "$SEED" ] &&
        [ "$(stamp_get "$stamp" count)" = "$N" ]; then
        CORPUS_REUSED=yes
        say "reusing $CORPUS"
    else
        CORPUS_REUSED=no
        rm -rf "$CORPUS"
        say "generating $N specs into $CORPUS"
        "$GEN" --seed "$SEED" --count "$N" --out "$CORPUS" \
            --source "$SHARED/data"
    fi
    INPUT_BYTES=$(stamp_get "$stamp" bytes)
    GEN_SECONDS=$(stamp_get "$stamp" seconds)
    SIZE_P10=$(stamp_get "$stamp" p10)
    SIZE_MEDIAN=$(stamp_get "$stamp" median)
    SIZE_P90=$(stamp_get "$stamp" p90)
}

make_queries() {
    stamp=$QDIR/.gen-stamp
    if [ -f "$stamp" ] &&
        [ "$(stamp_get "$stamp" fingerprint)" = "$FINGERPRINT" ]; then
        return
    fi
    rm -rf "$QDIR"
    "$GEN" --seed "$SEED" --queries "$QUERIES" --out "$QDIR" \
        --source "$SHARED/data"
}

# A reused corpus may have left the page cache: read it once so that no
# system pays for a cold cache the others do not. One just written is in
# the cache already.
warm_corpus() {
    [ "$CORPUS_REUSED" = yes ] || return 0
    say "reading $CORPUS once to warm the page cache"
    find "$CORPUS" -name '*.txt' -exec cat {} + >/dev/null
}

# ---- measuring --------------------------------------------------------

# Wall seconds and peak RSS (KB) from a `time -v` report.
time_wall() {
    awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, a, ":"); s = 0
        for (i = 1; i <= n; i++) s = s * 60 + a[i]
        print s }' "$1"
}

time_rss() {
    awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"
}

# CPU use as a percentage of one core: under 95 for a one-thread
# indexer means it waited for the disk or for someone else's process.
time_cpu() {
    awk -F': ' '/Percent of CPU this job got/ { sub(/%/, "", $2); print $2 }' "$1"
}

# run_system ID LABEL OUTPUT OKSTATUS CMD...: time CMD, which writes its
# index to OUTPUT, and append a row to the TSV. OKSTATUS is the highest
# exit status that still means "indexed" (jobdex-index exits 1 when it
# rejected some inputs, which the report then shows).
run_system() {
    id=$1 label=$2 out=$3 okstatus=$4
    shift 4
    say "indexing with $label"
    rm -rf "$out"
    st=0
    "$TIME" -v -o "$LOGS/$id.time" "$@" >"$LOGS/$id.out" 2>"$LOGS/$id.err" ||
        st=$?
    if [ "$st" -gt "$okstatus" ]; then
        sed 's/^/  /' "$LOGS/$id.err" >&2
        die "$label failed with status $st (log: $LOGS/$id.err)"
    fi
    wall=$(time_wall "$LOGS/$id.time")
    rss=$(time_rss "$LOGS/$id.time")
    cpu=$(time_cpu "$LOGS/$id.time")
    size=$(du -sb "$out" | cut -f1)
    if [ "$KEEP" != 1 ] && [ "$id" != "$KEEP_ID" ]; then
        rm -rf "$out"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$N" "$id" "$label" \
        "$wall" "$rss" "$size" "$INPUT_BYTES" "$st" "$cpu" >>"$TSV.raw"
    say "  $wall s, peak RSS $rss KB, index $size bytes, CPU $cpu%"
}

# Does this jobdex-index take -j N? Until it does, it runs once.
has_jobs() {
    "$INDEX" --help 2>/dev/null | grep -Eq -- '(^|[[:space:],])-j([[:space:],]|$)|--jobs'
}

run_indexers() {
    # Indexes left by an earlier run (kept for its queries) are stale.
    rm -rf "$IDX"
    mkdir -p "$IDX"
    : >"$TSV.raw"
    if has_jobs; then
        JOBDEX_IDS="jobdex-j1 jobdex-j2"
        KEEP_ID=jobdex-j2
        run_system jobdex-j1 "jobdex-index -j1" "$IDX/jobdex-j1" 1 \
            "$INDEX" --no-progress -j 1 -d "$IDX/jobdex-j1" "$CORPUS"
        run_system jobdex-j2 "jobdex-index -j2" "$IDX/jobdex-j2" 1 \
            "$INDEX" --no-progress -j 2 -d "$IDX/jobdex-j2" "$CORPUS"
    else
        say "jobdex-index has no -j: running it once"
        JOBDEX_IDS=jobdex
        KEEP_ID=jobdex
        run_system jobdex "jobdex-index (-j not available)" "$IDX/jobdex" 1 \
            "$INDEX" --no-progress -d "$IDX/jobdex" "$CORPUS"
    fi
    for f in 1000 10000; do
        run_system "xapian-tg-$f" "Xapian TermGenerator, flush $f" \
            "$IDX/tg-$f" 0 env XAPIAN_FLUSH_THRESHOLD=$f \
            "$TG" "$IDX/tg-$f" "$CORPUS"
    done
    run_system fts5 "SQLite FTS5 (porter)" "$IDX/fts5.db" 0 \
        "$FTS" "$IDX/fts5.db" "$CORPUS"
    QUERY_IDX=$IDX/$KEEP_ID
}

# Derive the reported columns; the ratio is to the faster TermGenerator
# run, which is how a Xapian user would have tuned it.
finish_tsv() {
    awk -F'\t' -v OFS='\t' -v date="$DATE" -v commit="$COMMIT" '
        { row[NR] = $0
          dps[NR] = ($4 > 0) ? $1 / $4 : 0
          if ($2 ~ /^xapian-tg-/ && dps[NR] > best) best = dps[NR] }
        END {
          print "n", "system", "label", "seconds", "docs_per_s",
                "input_mb_per_s", "peak_rss_kb", "index_bytes",
                "index_bytes_per_input_byte", "ratio_to_termgenerator",
                "exit_status", "cpu_percent", "date", "commit"
          for (i = 1; i <= NR; i++) {
            split(row[i], f, "\t")
            printf "%s\t%s\t%s\t%.2f\t%.1f\t%.2f\t%s\t%s\t%.3f\t%.3f\t%s\t%s\t%s\t%s\n",
              f[1], f[2], f[3], f[4], dps[i],
              (f[4] > 0) ? f[7] / 1e6 / f[4] : 0, f[5], f[6],
              (f[7] > 0) ? f[6] / f[7] : 0, (best > 0) ? dps[i] / best : 0,
              f[8], f[9], date, commit
          }
        }' "$TSV.raw" >"$TSV"
    rm -f "$TSV.raw"
}

# ---- queries ----------------------------------------------------------

run_queries() {
    say "timing $QUERIES 3-term AND searches (one process each)"
    AND_LINE=$("$QTIME" -e "$LOGS/and.err" "$QDIR/and-queries.txt" \
        "$QUERY" -d "$QUERY_IDX" search {})
    say "timing $QUERIES resume matches (one process each)"
    MATCH_LINE=$("$QTIME" -e "$LOGS/match.err" "$QDIR/resume-files.txt" \
        "$QUERY" -d "$QUERY_IDX" match {})
    say "timing one match --batch run over $QUERIES resumes"
    st=0
    "$TIME" -v -o "$LOGS/batch.time" "$QUERY" -d "$QUERY_IDX" -f json \
        match --batch "$QDIR/resumes.jsonl" >"$LOGS/batch.out" \
        2>"$LOGS/batch.err" || st=$?
    [ "$st" -le 1 ] || die "match --batch failed with status $st (log: $LOGS/batch.err)"
    BATCH_WALL=$(time_wall "$LOGS/batch.time")
    BATCH_RSS=$(time_rss "$LOGS/batch.time")
    BATCH_LINES=$(wc -l <"$LOGS/batch.out" | tr -d ' ')
    BATCH_QPS=$(awk -v q="$QUERIES" -v s="$BATCH_WALL" \
        'BEGIN { printf "%.1f", (s > 0) ? q / s : 0 }')
    say "timing one match --batch -j 2 run over $QUERIES resumes"
    st=0
    "$TIME" -v -o "$LOGS/batch-j2.time" "$QUERY" -d "$QUERY_IDX" -f json \
        match --batch "$QDIR/resumes.jsonl" -j 2 >"$LOGS/batch-j2.out" \
        2>"$LOGS/batch-j2.err" || st=$?
    [ "$st" -le 1 ] || die "match --batch -j 2 failed with status $st (log: $LOGS/batch-j2.err)"
    cmp -s "$LOGS/batch.out" "$LOGS/batch-j2.out" ||
        die "match --batch -j 2 answered differently from one process"
    BATCH_J2_WALL=$(time_wall "$LOGS/batch-j2.time")
    BATCH_J2_QPS=$(awk -v q="$QUERIES" -v s="$BATCH_J2_WALL" \
        'BEGIN { printf "%.1f", (s > 0) ? q / s : 0 }')
    {
        printf 'n\tkind\tqueries\tok\tnomatch\tfailed\tp50_ms\tp95_ms\tp99_ms\tmean_ms\n'
        printf '%s\tand3\t%s\n' "$N" "$AND_LINE"
        printf '%s\tmatch\t%s\n' "$N" "$MATCH_LINE"
        printf '%s\tbatch\t%s\t\t\t\t\t\t\t\t%s queries/s, %s s, %s KB\n' \
            "$N" "$QUERIES" "$BATCH_QPS" "$BATCH_WALL" "$BATCH_RSS"
        printf '%s\tbatch-j2\t%s\t\t\t\t\t\t\t\t%s queries/s, %s s\n' \
            "$N" "$QUERIES" "$BATCH_J2_QPS" "$BATCH_J2_WALL"
    } >"$QTSV"
}

# ---- report -----------------------------------------------------------

machine() {
    cores=$(nproc 2>/dev/null || echo '?')
    mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
    fs=$(df -PT "$B" 2>/dev/null | awk 'NR == 2 { print $2 " on " $1 }')
    printf '%s cores (%s), %s memory, %s, %s' "$cores" "${cpu:-unknown CPU}" \
        "${mem:-unknown}" "$(uname -sr)" "${fs:-unknown disk}"
}

# The 1-minute load average: a busy machine makes every number slower.
load_average() {
    cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo unknown
}

commit_id() {
    c=$(git rev-parse --short HEAD 2>/dev/null) || { echo unknown; return; }
    if [ -n "$(git status --porcelain 2>/dev/null)" ]; then
        c="$c + uncommitted changes"
    fi
    echo "$c"
}

# Thousands separators for counts in prose: 100000 -> 100,000.
group() {
    awk -v n="$1" 'BEGIN {
        s = ""
        while (length(n) > 3) {
            s = "," substr(n, length(n) - 2) s
            n = substr(n, 1, length(n) - 3)
        }
        print n s }'
}

# jobdex-index's own summary line, for the record count.
jobdex_summary() {
    for id in $JOBDEX_IDS; do
        s=$(grep 'indexed' "$LOGS/$id.err" | tail -n 1)
        printf '%s\n' "- \`$id\`: ${s:-no summary line}"
        rec=$(echo "$s" | sed -n 's/.*indexed \([0-9]*\) record.*/\1/p')
        if [ -n "$rec" ] && [ "$rec" != "$N" ]; then
            printf '%s\n' "  **Warning: $rec records from $N files.**"
        fi
    done
}

index_table() {
    echo '| System | Docs/s | Input MB/s | Peak RSS (MB) | Index bytes per input byte | Docs/s vs TermGenerator | Wall s | CPU |'
    echo '|---|--:|--:|--:|--:|--:|--:|--:|'
    awk -F'\t' 'NR > 1 {
        printf "| %s | %.0f | %.2f | %.0f | %.2f | %.2f× | %.0f | %s%% |\n",
          $3, $5, $6, $7 / 1024, $9, $10, $4, $12 }' "$TSV"
}

# "p50 p95 p99" cells from a qtime line (queries ok nomatch failed p50...).
query_row() {
    echo "$2" | awk -F'\t' -v name="$1" '{
        printf "| %s | %s | %.1f | %.1f | %.1f | %s | %s |\n",
          name, $1, $5, $6, $7, $3, $4 }'
}

write_report() {
    mkdir -p "$(dirname "$RESULTS_MD")"
    if [ ! -f "$RESULTS_MD" ]; then
        cat >"$RESULTS_MD" <<'EOF'
# Indexing and query benchmarks

Appended by `make bench` (bench/bench.sh), newest last. Each run
generates a corpus of synthetic class specs with bench/gen (real CalHR
and O*NET sentences in the layouts jobdex reads) and measures every
system on it, on the same disk. Throughput against corpus size, from the
latest run at each size: [throughput.svg](throughput.svg).

EOF
    fi
    tg_best=$(awk -F'\t' 'NR > 1 && $2 ~ /^xapian-tg-/ && $5 > b { b = $5; l = $3 }
        END { printf "%s, %.0f docs/s", l, b }' "$TSV")
    {
        echo "## $DATE: $(group "$N") documents"
        echo
        echo "- Command: \`$BENCH_CMD\`"
        echo "- Commit: $COMMIT"
        echo "- Machine: $(machine)"
        echo "- Corpus: $(group "$N") specs, $(awk -v b="$INPUT_BYTES" 'BEGIN { printf "%.1f MB", b / 1e6 }')" \
            "(file size p10 $SIZE_P10, median $SIZE_MEDIAN, p90 $SIZE_P90 bytes)," \
            "\`gen --seed $SEED\`, generated in $GEN_SECONDS s$([ "$CORPUS_REUSED" = yes ] && echo ' (reused)')"
        echo "- Versions: $(awk '{ for (i = 1; i < NF; i++) if ($i == "xapian") print "Xapian " $(i + 1) }' "$LOGS/xapian-tg-1000.out")," \
            "$(awk '{ for (i = 1; i < NF; i++) if ($i == "sqlite") print "SQLite " $(i + 1) }' "$LOGS/fts5.out")"
        echo
        echo "### Indexing"
        echo
        index_table
        echo
        echo "Docs/s and MB/s are over the wall time of the whole process" \
            "(start to exit, \`/usr/bin/time -v\`); index bytes are \`du -sb\`" \
            "of what it wrote. The ratio is to the faster TermGenerator run ($tg_best)." \
            "CPU is the share of one core the process got; well under 100% for a" \
            "one-thread indexer means it waited (disk, or other load: the load" \
            "average was $LOAD_START at the start, $LOAD_END at the end)."
        echo
        jobdex_summary
        echo
        echo "### Queries on the jobdex index (\`$KEEP_ID\`)"
        echo
        echo '| Query | Queries | p50 ms | p95 ms | p99 ms | No match | Failed |'
        echo '|---|--:|--:|--:|--:|--:|--:|'
        query_row "3-term AND search, one process each" "$AND_LINE"
        query_row "300-word résumé match, one process each" "$MATCH_LINE"
        echo
        echo "Batch match (\`match --batch\`, one process, $(group "$QUERIES") résumés):" \
            "**$BATCH_QPS queries/s** ($BATCH_WALL s, peak RSS" \
            "$(awk -v k="$BATCH_RSS" 'BEGIN { printf "%.0f", k / 1024 }') MB," \
            "$BATCH_LINES result lines); with \`-j 2\` (two worker processes," \
            "the same answers): **$BATCH_J2_QPS queries/s** ($BATCH_J2_WALL s)."
        echo "One-process-per-query latency includes process start and index open."
        echo
        echo "Whole run: $(awk -v s="$ELAPSED" 'BEGIN { printf "%.1f min", s / 60 }')" \
            "(generation and cache warming $PREP_SECONDS s, indexing $INDEX_SECONDS s," \
            "queries $QUERY_SECONDS s)."
        echo
    } >>"$RESULTS_MD"
}

# ---- main -------------------------------------------------------------

main() {
    START=$(date +%s)
    check_inputs
    mkdir -p "$B" "$IDX" "$LOGS"
    DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
    LOAD_START=$(load_average)
    COMMIT=$(commit_id)
    snapshot_jobdex
    FINGERPRINT=$("$GEN" --fingerprint --seed "$SEED" --source "$SHARED/data")
    make_corpus
    make_queries
    warm_corpus
    t1=$(date +%s)
    run_indexers
    finish_tsv
    t2=$(date +%s)
    run_queries
    t3=$(date +%s)
    LOAD_END=$(load_average)
    PREP_SECONDS=$((t1 - START))
    INDEX_SECONDS=$((t2 - t1))
    QUERY_SECONDS=$((t3 - t2))
    ELAPSED=$((t3 - START))
    write_report
    say "results: $TSV, $QTSV; report appended to $RESULTS_MD" \
        "($(awk -v s="$ELAPSED" 'BEGIN { printf "%.1f min", s / 60 }'))"
}

main
