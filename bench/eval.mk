# bench/eval.mk: `make eval`, ranking quality of jobdex against a
# flat-BM25 baseline on O*NET (see bench/eval.sh). Included from the top
# Makefile, whose BUILD, SHARED, CC, CXX, BINS and WERROR it uses. The
# two bench tools are not part of libjobdex, so they get their own flags
# and only the libraries they use.

BUILD  ?= build
SHARED ?= ../shared
WERROR ?= -Werror

EVAL_BASELINE = $(BUILD)/bench/baseline_bm25
EVAL_SCORE    = $(BUILD)/bench/score
EVAL_CXXFLAGS = -std=c++17 -O2 -Wall -Wextra $(WERROR)
EVAL_CFLAGS   = -std=c11 -O2 -Wall -Wextra $(WERROR) -D_POSIX_C_SOURCE=200809L

.PHONY: eval

eval: $(BINS) $(EVAL_BASELINE) $(EVAL_SCORE)
	BUILD=$(BUILD) SHARED=$(SHARED) sh bench/eval.sh

$(EVAL_BASELINE): bench/baseline_bm25.cc
	@mkdir -p $(@D)
	$(CXX) $(EVAL_CXXFLAGS) -o $@ $< -lxapian -ljansson

$(EVAL_SCORE): bench/score.c
	@mkdir -p $(@D)
	$(CC) $(EVAL_CFLAGS) -o $@ $< -ljansson
