# Entry points for a fresh Debian/Ubuntu machine. Each target first installs what is missing
# (scripts/install-deps.sh), then configures and builds with meson.
#
#   make demo           build fabc, compile examples/mm1.fab into a simulator and run it
#   make test           build and run every test suite
#   make test-sanitize  the suites under AddressSanitizer and UndefinedBehaviorSanitizer (clang-19);
#                       the queueing-theory validation suite is left to `make test`: its long runs
#                       exercise the same runtime code as the runtime suite, at 10x the cost under ASan;
#                       test timeouts are tripled (ASan and UBSan slow the tests 2-4x)
#   make fuzz           build the libFuzzer targets and run each for FUZZ_SECONDS, from the fixed
#                       mutation seed FUZZ_SEED (0: a new random seed each run)
#   make bench          build the benchmarks (docs/performance.md says how to run each)

BUILD       ?= build
ASAN_BUILD  ?= build-asan
FUZZ_BUILD  ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SEED   ?= 1
MESON_TEST_ARGS ?= --print-errorlogs

.PHONY: deps build demo test test-sanitize fuzz bench clean

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	./$(BUILD)/compiler/fabc run examples/mm1.fab

test: build
	meson test -C $(BUILD) $(MESON_TEST_ARGS)

$(ASAN_BUILD)/build.ninja: | deps
	CC=clang-19 meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

test-sanitize: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  meson test -C $(ASAN_BUILD) $(MESON_TEST_ARGS) --no-suite validation --timeout-multiplier 3

$(FUZZ_BUILD)/build.ninja: | deps
	CC=clang-19 meson setup $(FUZZ_BUILD) -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized

fuzz: deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	FUZZ_SEED=$(FUZZ_SEED) bash tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	ninja -C $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
