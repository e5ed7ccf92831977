#!/bin/sh
# check-includes.sh [ROOT]: fail when a source file of indexer/ or query/
# includes a header against the dependency direction (README,
# "Architecture"):
#
#   indexer: util <- text <- spec <- store <- model <- check
#   query:   core <- search, match, overlap (siblings: none includes another)
#   query/*  may use every library folder of indexer/, never the reverse
#   indexer/cli and query/cli are programs: the public include/jobdex.h
#   and their own folder only.
#
# A file may always include headers of its own folder and jobdex.h.
# Prints one line per violation (FILE:LINE: ...) and exits 1 if any.
set -eu
root=${1:-.}
cd "$root"

# The rank of a folder; programs and unknown folders get none.
rank() {
    case $1 in
    indexer/util) echo 0 ;; indexer/text) echo 1 ;; indexer/spec) echo 2 ;;
    indexer/store) echo 3 ;; indexer/model) echo 4 ;; indexer/check) echo 5 ;;
    query/core) echo 10 ;;
    query/search | query/match | query/overlap) echo 11 ;;
    *) echo "" ;;
    esac
}

bad=0
for f in $(find indexer query -name '*.c' -o -name '*.h' -o -name '*.cc' | sort); do
    dir=$(dirname "$f")
    case $dir in indexer/*/* | query/*/*) dir=$(echo "$dir" | cut -d/ -f1-2) ;; esac
    if [ "$dir" = indexer ] || [ "$dir" = query ]; then
        echo "$f: a source file directly in $dir/ (each belongs to a folder of one concern)"
        bad=1
        continue
    fi
    from=$(rank "$dir")
    # Every quoted include, with its line number.
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
        sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1 \2/' > "${TMPDIR:-/tmp}/jd-inc.$$" || true
    while read -r line hdr; do
        [ "$hdr" = jobdex.h ] && continue
        hdir=$(dirname "$hdr")
        [ "$hdir" = "$dir" ] && continue
        to=$(rank "$hdir")
        why=""
        if [ -z "$from" ]; then
            why="$dir is a program: it uses jobdex.h and its own folder only"
        elif [ -z "$to" ]; then
            why="$hdir is not a library folder"
        elif [ "$from" -lt 10 ] && [ "$to" -ge 10 ]; then
            why="indexer/ never depends on query/"
        elif [ "$to" -ge "$from" ] && { [ "$from" -lt 10 ] || [ "$to" -ge 10 ]; }; then
            why="$dir may not depend on $hdir (the direction is the other way, or they are siblings)"
        fi
        if [ -n "$why" ]; then
            echo "$f:$line: includes \"$hdr\": $why"
            bad=1
        fi
    done < "${TMPDIR:-/tmp}/jd-inc.$$"
    rm -f "${TMPDIR:-/tmp}/jd-inc.$$"
done
exit $bad
