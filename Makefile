# jobdex: one non-recursive GNU Makefile.
#
#   make            build build/jobdex-index and build/jobdex-query
#   make demo       install what is missing, build, index corpus/, query it
#   make check      all tests, then the same tests built with ASan+UBSan
#   make golden     rewrite tests/golden/expected from what the programs write
#   make lint       cppcheck and clang-tidy;  make format / format-check
#   make parse-report   parser rates over the CalHR specs in ../shared
#   make fuzz       libFuzzer targets, FUZZ_SECONDS (60) s each (clang)
#   make crash-test jobdex-index killed at 20 random moments, 20,000 specs
#   make valgrind   an index-and-query session under valgrind
#
# A second build with sanitizers lives in build/san (make BUILD=build/san
# SAN=1 ...), so the two never mix objects.

SHARED    ?= ../shared
BUILD     ?= build
SAN       ?=

CC        ?= cc
CXX       ?= g++
CPPFLAGS  += -Iinclude -I. -Itests/lib -D_POSIX_C_SOURCE=200809L -MMD -MP
WARN       = -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wundef \
             -Wwrite-strings -Wpointer-arith
CWARN      = $(WARN) -Wstrict-prototypes -Wmissing-prototypes \
             -Wold-style-definition
WERROR    ?= -Werror
OPT       ?= -O2
SANFLAGS   = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all
ifeq ($(SAN),1)
OPT        = $(SANFLAGS)
LDSAN      = -fsanitize=address,undefined
endif
CFLAGS    ?= -std=c11 -g $(OPT) $(CWARN) $(WERROR)
CXXFLAGS  ?= -std=c++17 -g $(OPT) $(WARN) $(WERROR)
LDLIBS     = -lxapian -lstemmer -ljansson -lutf8proc -larpack -lm
TESTLIBS   = -lcmocka

# Debian packages the build and the tests need.
DEB_PACKAGES = g++ make pkg-config libxapian-dev libstemmer-dev \
               libcmocka-dev libjansson-dev libutf8proc-dev libarpack2-dev \
               valgrind

# The folders say what is library and what is program (see README,
# "Architecture"): indexer/cli and query/cli are the two programs, every
# other folder of indexer/ and query/ is libjobdex.
INDEXER_LIB_DIRS = util text spec store model check
QUERY_LIB_DIRS   = core search match overlap
INDEXER_SRC = $(foreach d,$(INDEXER_LIB_DIRS),$(sort $(wildcard indexer/$(d)/*.c)))
QUERY_SRC   = $(foreach d,$(QUERY_LIB_DIRS),$(sort $(wildcard query/$(d)/*.c)))
CXX_SRC     = indexer/store/xapian_shim.cc

LIB_OBJ  = $(INDEXER_SRC:%.c=$(BUILD)/obj/%.o) $(QUERY_SRC:%.c=$(BUILD)/obj/%.o) \
           $(CXX_SRC:%.cc=$(BUILD)/obj/%.o)
LIB      = $(BUILD)/libjobdex.a
INDEX_BIN = $(BUILD)/jobdex-index
QUERY_BIN = $(BUILD)/jobdex-query
BINS     = $(INDEX_BIN) $(QUERY_BIN)
# The index tool: options, the run, parallel workers.
INDEX_CLI = $(sort $(wildcard indexer/cli/*.c))
# The query tool: arguments, batches and output formats.
QUERY_CLI = $(sort $(wildcard query/cli/*.c))

UNIT_TESTS = test_analyze test_spec test_json test_shim test_index test_overlap test_calhr \
             test_onet test_model test_parts test_layout
CLI_TESTS  = test_cli_index test_cli_query test_cli_limits \
             test_cli_concurrent test_cli_crash test_cli_parallel \
             test_cli_rank test_cli_walk test_cli_scaling test_cli_store \
             test_cli_golden
TEST_BINS  = $(UNIT_TESTS:%=$(BUILD)/tests/%) $(CLI_TESTS:%=$(BUILD)/tests/%) \
             $(REPLAY_TESTS:%=$(BUILD)/tests/%)

.PHONY: all deps deps-present demo check check-build run-tests lint format format-check \
        parse-report clean crash-test valgrind golden
.SECONDARY:

all: $(BINS)

# Quiet by default; make V=1 shows the commands.
ifeq ($(V),1)
Q =
say = @true
else
Q = @
say = @echo
endif

$(BUILD)/obj/%.o: %.c | deps-present
	@mkdir -p $(@D)
	$(say) "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The class model's training loops (indexer/model/train.c) are most of
# an O*NET import, and its concept scoring (indexer/model/score.c) a tenth of a
# match: let GCC vectorise them at -O2 too (clang does anyway, and knows
# neither option).
CC_IS_GCC := $(shell $(CC) --version 2>/dev/null | grep -q 'Free Software' && echo yes)
ifeq ($(CC_IS_GCC),yes)
$(BUILD)/obj/indexer/model/train.o $(BUILD)/obj/indexer/model/score.o: \
    CFLAGS += -ftree-loop-vectorize -fvect-cost-model=dynamic
endif

$(BUILD)/obj/%.o: %.cc | deps-present
	@mkdir -p $(@D)
	$(say) "  CXX     $<"
	$(Q)$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(say) "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(INDEX_BIN): $(INDEX_CLI:%.c=$(BUILD)/obj/%.o) $(LIB)
	$(say) "  LINK    $@"
	$(Q)$(CXX) $(LDSAN) -o $@ $^ $(LDLIBS)

$(QUERY_BIN): $(QUERY_CLI:%.c=$(BUILD)/obj/%.o) $(LIB)
	$(say) "  LINK    $@"
	$(Q)$(CXX) $(LDSAN) -o $@ $^ $(LDLIBS)

TESTUTIL = $(BUILD)/obj/tests/lib/testutil.o

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TESTUTIL) $(LIB)
	@mkdir -p $(@D)
	$(say) "  LINK    $@"
	$(Q)$(CXX) $(LDSAN) -o $@ $^ $(LDLIBS) $(TESTLIBS)

$(BUILD)/tests/test_cli_%: $(BUILD)/obj/tests/cli/test_cli_%.o $(TESTUTIL) $(LIB)
	@mkdir -p $(@D)
	$(say) "  LINK    $@"
	$(Q)$(CXX) $(LDSAN) -o $@ $^ $(LDLIBS) $(TESTLIBS)

# ---- reliability (README: Reliability) ----

CRASH_SPECS  ?= 20000
CRASH_TRIALS ?= 20
CRASH_PARALLEL_TRIALS ?= 5

# The SIGKILL test in full; make check runs it on 500 specs, 5 trials
# (and 2 of -j 2).
crash-test: $(BINS) $(BUILD)/tests/test_cli_crash
	JOBDEX_BIN=$(BUILD) JOBDEX_CRASH_SPECS=$(CRASH_SPECS) \
	  JOBDEX_CRASH_TRIALS=$(CRASH_TRIALS) \
	  JOBDEX_CRASH_PARALLEL_TRIALS=$(CRASH_PARALLEL_TRIALS) \
	  $(BUILD)/tests/test_cli_crash

# An index-and-query session under valgrind: no error, no leak.
valgrind: $(BINS)
	@$(MAKE) --no-print-directory deps DEB_PACKAGES=valgrind
	BUILD=$(BUILD) sh tests/valgrind.sh

# ---- fuzzing (make fuzz; the saved inputs replay in check) ----

include tests/fuzz/fuzz.mk

# ---- quality and speed measurements (never part of check) ----

include bench/eval.mk
include bench/bench.mk

# ---- set-up ----

# Before compiling anything: a bare `make` on a machine without the
# libraries says what to do instead of failing on a missing header.
deps-present:
	@command -v dpkg-query >/dev/null 2>&1 || exit 0; missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
	    grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "jobdex: missing packages:$$missing"; \
	  echo "jobdex: run 'make deps' first (as root it installs them; otherwise it prints the command)"; \
	  exit 1; \
	fi

deps:
	@missing=""; \
	if command -v dpkg-query >/dev/null 2>&1; then \
	  for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
	      grep -q 'install ok installed' || missing="$$missing $$p"; \
	  done; \
	else \
	  echo "deps: not a Debian system; install:$(DEB_PACKAGES)"; exit 0; \
	fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "deps: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "deps: missing packages; run:"; \
	    echo "  sudo apt-get update && sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

DEMO_DB = $(BUILD)/demo.db

demo: deps
	@$(MAKE) --no-print-directory all
	@rm -rf $(DEMO_DB)
	$(INDEX_BIN) --no-progress -d $(DEMO_DB) corpus
	$(QUERY_BIN) -d $(DEMO_DB) search '"public relations"' --jurisdiction milwaukie
	$(QUERY_BIN) -d $(DEMO_DB) -n 3 match --explain \
	  tests/fixtures/resumes/web-content-manager.txt

# ---- tests ----

# new_delete_type_mismatch=0: libxapian 1.4's Database::check (jobdex-query
# check) deletes a table checker through its base type, inside the library;
# ASan reports that sized delete on every check. Nothing of jobdex's is
# deleted so.
check: deps
	$(MAKE) format-check
	$(MAKE) check-build
	$(MAKE) run-tests
	$(MAKE) BUILD=$(BUILD)/san SAN=1 check-build
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:new_delete_type_mismatch=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(MAKE) BUILD=$(BUILD)/san SAN=1 run-tests

check-build: $(BINS) $(TEST_BINS)

run-tests: $(BINS) $(TEST_BINS)
	@set -e; for t in $(TEST_BINS); do \
	  echo "== $$t"; \
	  JOBDEX_BIN=$(BUILD) JOBDEX_SHARED=$(SHARED) JOBDEX_SAN=$(SAN) $$t; \
	done

# Rewrite the expected outputs of tests/golden/cases from what the
# programs write now (tests/golden/README.md): review them with git diff.
golden: $(BINS) $(BUILD)/tests/test_cli_golden
	JOBDEX_BIN=$(BUILD) JOBDEX_GOLDEN=update $(BUILD)/tests/test_cli_golden

parse-report: $(BUILD)/tests/test_calhr
	JOBDEX_SHARED=$(SHARED) JOBDEX_REPORT=1 $(BUILD)/tests/test_calhr

# ---- code quality ----

ALL_C = $(wildcard indexer/*/*.c query/*/*.c tests/*/*.c bench/*.c)
ALL_H = $(wildcard include/*.h indexer/*/*.h query/*/*.h tests/*/*.h)

lint:
	cppcheck --std=c11 --enable=warning,style,performance,portability \
	  --error-exitcode=1 --inline-suppr --quiet \
	  --suppress=missingIncludeSystem -Iinclude -I. \
	  indexer/*/*.c query/*/*.c tests/*/*.c
	@set -e; for f in indexer/*/*.c query/*/*.c; do \
	  clang-tidy --quiet $$f -- -Iinclude -I. \
	    -D_POSIX_C_SOURCE=200809L -std=c11 2>/dev/null; done
	clang-tidy --quiet $(CXX_SRC) -- -Iinclude -I. -std=c++17 \
	  2>/dev/null

ALL_CXX = $(CXX_SRC) $(wildcard bench/*.cc)

format:
	clang-format -i $(ALL_C) $(ALL_H) $(ALL_CXX)

format-check:
	@clang-format --dry-run --Werror $(ALL_C) $(ALL_H) $(ALL_CXX) || \
	  { echo "format-check: run 'make format' (clang-format 14, see .clang-format)"; exit 1; }

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
