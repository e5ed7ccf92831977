# bench/bench.mk: the indexing and query benchmark, included by the top
# Makefile. Nothing here runs in `make check`.
#
#   make bench                 100,000 documents (BENCH_N=... to change)
#   make bench-large           1,000,000 documents
#   make bench-smoke           1,000 documents, 200 queries, no chart;
#                              everything goes to $(BUILD)/bench-smoke/
#
# It relies on BUILD, SHARED, CC, CXX, BINS and WERROR from the top
# Makefile and uses its own compiler flags otherwise, since the tree's
# CFLAGS may carry sanitizers or warnings meant for the library.

BUILD         ?= build
SHARED        ?= ../shared
WERROR        ?= -Werror
BENCH_N       ?= 100000
BENCH_DIR      = $(BUILD)/bench
BENCH_CFLAGS   = -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -Wall -Wextra \
                 $(WERROR)
BENCH_CXXFLAGS = -std=c++17 -O2 -g -Wall -Wextra $(WERROR)
BENCH_TOOLS    = $(BENCH_DIR)/gen $(BENCH_DIR)/qtime \
                 $(BENCH_DIR)/baseline_index $(BENCH_DIR)/fts5_load
# Needed to build and run; gnuplot only draws the chart.
BENCH_DEBS     = libsqlite3-dev time
BENCH_DEBS_OPT = gnuplot-nox

.PHONY: bench bench-large bench-smoke bench-deps bench-tools

$(BENCH_DIR)/gen: bench/gen.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< -lm

$(BENCH_DIR)/qtime: bench/qtime.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

$(BENCH_DIR)/baseline_index: bench/baseline_index.cc indexer/text/stopwords.inc
	@mkdir -p $(@D)
	$(CXX) $(BENCH_CXXFLAGS) -I. -o $@ $< -lxapian

# Order-only on bench-deps: sqlite3.h must be installed before this
# compiles, but installing it is no reason to rebuild.
$(BENCH_DIR)/fts5_load: bench/fts5_load.c | bench-deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< -lsqlite3

bench-tools: $(BINS) $(BENCH_TOOLS)

# Install what is missing with apt-get when root (one `apt-get update`
# first), else print the command; only the required packages stop the
# run when missing.
bench-deps:
	@missing=""; optional=""; \
	if ! command -v dpkg-query >/dev/null 2>&1; then \
	  echo "bench: not a Debian system; needs $(BENCH_DEBS) (and $(BENCH_DEBS_OPT) for the chart)"; \
	  exit 0; \
	fi; \
	for p in $(BENCH_DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
	    grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	for p in $(BENCH_DEBS_OPT); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
	    grep -q 'install ok installed' || optional="$$optional $$p"; \
	done; \
	[ -n "$$missing$$optional" ] || exit 0; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "bench: installing$$missing$$optional"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing $$optional; \
	elif [ -n "$$missing" ]; then \
	  echo "bench: missing packages; run:"; \
	  echo "  sudo apt-get update && sudo apt-get install -y$$missing$$optional"; \
	  exit 1; \
	else \
	  echo "bench: no chart without$$optional; to install it run:"; \
	  echo "  sudo apt-get update && sudo apt-get install -y$$optional"; \
	fi

# No sub-make: this file may be included with -f, which a sub-make
# would not see. fts5_load waits for bench-deps by itself.
bench: bench-deps bench-tools
	BENCH_N=$(BENCH_N) BUILD=$(BUILD) SHARED=$(SHARED) \
	  BENCH_CMD='make bench BENCH_N=$(BENCH_N)' sh bench/bench.sh
	BUILD=$(BUILD) sh bench/chart.sh

bench-large: bench-deps bench-tools
	BENCH_N=1000000 BUILD=$(BUILD) SHARED=$(SHARED) \
	  BENCH_CMD='make bench-large' sh bench/bench.sh
	BUILD=$(BUILD) sh bench/chart.sh

# A quick run of the whole harness; its report stays out of
# bench/results/ and its raw numbers are left out of the chart.
bench-smoke: bench-deps bench-tools
	BENCH_N=1000 BENCH_QUERIES=200 BUILD=$(BUILD) SHARED=$(SHARED) \
	  BENCH_OUT=$(BUILD)/bench-smoke RESULTS_MD=$(BUILD)/bench-smoke/smoke.md \
	  BENCH_CMD='make bench-smoke' sh bench/bench.sh
