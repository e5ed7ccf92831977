# tests/fuzz/fuzz.mk: fuzz targets, included by the top Makefile.
#
#   make fuzz                 every target FUZZ_SECONDS (60) s, with libFuzzer
#   make fuzz FUZZ_SECONDS=10 FUZZ_TARGETS='spec query'
#
# The targets are built with clang into $(BUILD)/fuzz (a sub-make with
# FUZZ=1, so the library gets coverage instrumentation and ASan+UBSan
# there and nowhere else). In make check each target's saved inputs
# (tests/fuzz/regressions/TARGET) are replayed by $(BUILD)/tests/
# replay_TARGET, built with the tree's own compiler and flags.

FUZZ_ALL       = spec analyze jsonl query
FUZZ_TARGETS  ?= $(FUZZ_ALL)
FUZZ_SECONDS  ?= 60
FUZZ_DEBS      = clang libclang-rt-dev
FUZZ_BINS      = $(FUZZ_TARGETS:%=$(BUILD)/fuzz_%)
REPLAY_TESTS   = $(FUZZ_ALL:%=replay_%)

ifeq ($(FUZZ),1)
OPT   = -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
        -fno-omit-frame-pointer -fno-sanitize-recover=all
LDSAN = -fsanitize=address,undefined
endif

.PHONY: fuzz fuzz-build

fuzz: $(BINS)
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(FUZZ_DEBS)"
	$(MAKE) BUILD=$(BUILD)/fuzz FUZZ=1 CC=clang CXX=clang++ fuzz-build
	BUILD=$(BUILD) SHARED=$(SHARED) FUZZ_SECONDS=$(FUZZ_SECONDS) \
	  FUZZ_TARGETS='$(FUZZ_TARGETS)' sh tests/fuzz/run.sh

# Only with FUZZ=1 and BUILD pointing at the fuzz build (see fuzz above).
fuzz-build: $(FUZZ_BINS)

# Static pattern rules: a plain pattern with a fixed prerequisite would
# also match the .d files make tries to remake.
$(FUZZ_BINS): $(BUILD)/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(LIB)
	$(say) "  LINK    $@"
	$(Q)$(CXX) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

$(FUZZ_ALL:%=$(BUILD)/obj/tests/fuzz/replay_%.o): \
$(BUILD)/obj/tests/fuzz/replay_%.o: tests/fuzz/replay.c
	@mkdir -p $(@D)
	$(say) "  CC      $< ($*)"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -DFUZZ_TARGET='"$*"' -c -o $@ $<

$(REPLAY_TESTS:%=$(BUILD)/tests/%): \
$(BUILD)/tests/replay_%: $(BUILD)/obj/tests/fuzz/replay_%.o \
                         $(BUILD)/obj/tests/fuzz/fuzz_%.o $(TESTUTIL) $(LIB)
	@mkdir -p $(@D)
	$(say) "  LINK    $@"
	$(Q)$(CXX) $(LDSAN) -o $@ $^ $(LDLIBS) $(TESTLIBS)
