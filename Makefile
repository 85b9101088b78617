# cgrad: `make demo` for a tour, `make test` for the tests. Needs only a C11 compiler and make;
# `make memcheck` needs valgrind, `make sanitize` a compiler with ASan and UBSan.

CC ?= gcc
PREFIX ?= /usr/local
BUILD ?= build
OPT ?= -O2
# -ffp-contract=off: the random streams must round exactly as PyTorch's do.
CFLAGS_BASE = -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -ffp-contract=off -Iinclude -Isrc
CFLAGS ?= $(OPT) -g
ALL_CFLAGS = $(CFLAGS_BASE) $(OPT_CFLAGS) $(CFLAGS) -fPIC
# The library exports only what include/cgrad.h declares (its visibility pragma marks those).
# Its own calls of the public ops report no call site (anomaly mode's: the program's, cgrad.h), and
# its no_grad blocks propagate no tangents (src/core/tensor.h).
LIB_CFLAGS = $(ALL_CFLAGS) -fvisibility=hidden -DCG_NO_CALL_SITES -DCG_BUILDING_LIB
LDLIBS = -lm -pthread

# Optional libraries, each behind a seam with a portable fallback, found with pkg-config:
# OpenBLAS (Debian: libopenblas-dev) for matrix products, SLEEF (libsleef-dev) for vectorized
# transcendental functions, zlib (zlib1g-dev) for gzip-compressed IDX files. NO_BLAS=1, NO_SLEEF=1
# or NO_ZLIB=1 builds without one; tests pass either way.
have_pc = $(shell pkg-config --exists $(1) 2>/dev/null && echo yes)
ifeq ($(NO_BLAS)$(call have_pc,openblas),yes)
OPT_CFLAGS += -DCG_HAVE_BLAS $(shell pkg-config --cflags openblas)
OPT_LIBS += $(shell pkg-config --libs openblas)
OPT_PC += openblas
endif
ifeq ($(NO_SLEEF)$(call have_pc,sleef),yes)
OPT_CFLAGS += -DCG_HAVE_SLEEF $(shell pkg-config --cflags sleef)
OPT_LIBS += $(shell pkg-config --libs sleef)
OPT_PC += sleef
endif
# oneDNN (libdnnl-dev) for float32 convolutions where PyTorch runs them on it: Debian ships no .pc
# file, so the header decides. NO_DNNL=1 builds without it.
ifeq ($(NO_DNNL)$(shell printf '\#include <dnnl.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo yes),yes)
OPT_CFLAGS += -DCG_HAVE_DNNL
OPT_LIBS += -ldnnl -lgomp
OPT_PRIVATE_LIBS += -ldnnl -lgomp
endif
# LAPACK (Debian: liblapack-dev; here the alternatives point liblapack.so.3 at OpenBLAS's, as
# PyTorch's is) for linalg.*; NO_LAPACK=1 leaves LU, Cholesky and triangular solves on plain C.
ifeq ($(NO_LAPACK)$(call have_pc,lapack),yes)
OPT_CFLAGS += -DCG_HAVE_LAPACK $(shell pkg-config --cflags lapack)
OPT_LIBS += $(shell pkg-config --libs lapack)
OPT_PC += lapack
endif
ifeq ($(NO_ZLIB)$(call have_pc,zlib),yes)
OPT_CFLAGS += -DCG_HAVE_ZLIB $(shell pkg-config --cflags zlib)
OPT_LIBS += $(shell pkg-config --libs zlib)
OPT_PC += zlib
endif

# The version is the header's; the soname changes with the major version only.
VERSION := $(shell sed -n 's/^\#define CG_VERSION_STRING "\(.*\)"/\1/p' include/cgrad.h)
MAJOR := $(firstword $(subst ., ,$(VERSION)))
SONAME = libcgrad.so.$(MAJOR)
SHARED = $(BUILD)/libcgrad.so.$(VERSION)
LIBDIR = $(PREFIX)/lib

LIB_SRC := $(sort $(wildcard src/*/*.c src/*/*/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
EXAMPLE_SRC := $(sort $(wildcard examples/*.c examples/seeds/*.c))
EXAMPLE_BIN := $(EXAMPLE_SRC:examples/%.c=$(BUILD)/examples/%)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
HEADERS := include/cgrad.h $(wildcard src/*/*.h src/*/*/*.h)
# The C++ test (the header from C++17) with the C++ compiler that goes with CC, when there is one.
ifeq ($(origin CXX),default)
CXX := $(if $(findstring clang,$(CC)),clang++,g++)
endif
CPP_TEST := $(if $(shell command -v $(CXX) 2>/dev/null),$(BUILD)/tests/test_cpp)

.PHONY: all lib test examples demo train bench bench-build print-libs difftest memcheck sanitize tsan install uninstall clean

all: lib examples

lib: $(BUILD)/libcgrad.a $(SHARED) $(BUILD)/$(SONAME) $(BUILD)/libcgrad.so

$(BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) $(FILE_CFLAGS) -c $< -o $@

# The AVX2 and AVX-512 loops are compiled for those on x86-64 and run only where the CPU has them
# (simd.h).
ifneq ($(findstring x86_64,$(shell $(CC) -dumpmachine)),)
$(BUILD)/obj/src/backend/cpu/simd_avx2.o: FILE_CFLAGS = -mavx2 -mfma -fno-math-errno
$(BUILD)/obj/src/backend/cpu/simd_avx512.o: FILE_CFLAGS = -mavx512f -mavx2 -mfma
$(BUILD)/obj/src/backend/cpu/math_avx2.o: FILE_CFLAGS = -mavx2 -mfma -ffp-contract=fast
endif

# sqrt as an instruction in the optimizer's loops, so that they vectorize (errno is never read).
$(BUILD)/obj/src/backend/cpu/optim.o: FILE_CFLAGS = -fno-math-errno

$(BUILD)/libcgrad.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) -o $@ $^ $(LDLIBS) $(OPT_LIBS)

$(BUILD)/$(SONAME) $(BUILD)/libcgrad.so: $(SHARED)
	ln -sf $(notdir $<) $@

$(BUILD)/tests/%: tests/%.c $(BUILD)/libcgrad.a $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DCG_BUILD_DIR='"$(BUILD)"' $< -o $@ $(BUILD)/libcgrad.a $(LDLIBS) $(OPT_LIBS)

# The OpInfo runner includes each family's adapter table (tests/opinfo/).
$(BUILD)/tests/test_opinfo: $(wildcard tests/opinfo/*.c tests/opinfo/*.h)

$(BUILD)/tests/test_cpp: tests/cpp/test_cpp.cpp tests/cpp/probe.c $(BUILD)/libcgrad.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c tests/cpp/probe.c -o $(BUILD)/tests/cpp_probe.o
	$(CXX) -std=c++17 -Wall -Wextra -Werror -Iinclude $(CFLAGS) $< $(BUILD)/tests/cpp_probe.o -o $@ \
		$(BUILD)/libcgrad.a $(LDLIBS) $(OPT_LIBS)

$(BUILD)/examples/%: examples/%.c $(wildcard examples/*.h) $(BUILD)/libcgrad.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(BUILD)/libcgrad.a $(LDLIBS) $(OPT_LIBS)

$(BUILD)/bench/%: bench/%.c bench/bench.h $(BUILD)/libcgrad.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O3 -march=native $< -o $@ $(BUILD)/libcgrad.a $(LDLIBS) $(OPT_LIBS)

# The test binaries, the C++ test and the misuses that must not compile (tests/compile_fail/).
test: $(TEST_BIN) $(CPP_TEST) $(EXAMPLE_BIN)
	@CC="$(CC)" CXX="$(CXX)" tests/run.sh $(TEST_BIN) $(CPP_TEST) tests/compile_fail/run.sh

examples: $(EXAMPLE_BIN)

# The interpreter of the differential tester (tools/difftest/README.md); its regression test
# tests/test_difftest.c includes it.
difftest: $(BUILD)/tools/difftest

$(BUILD)/tools/difftest: tools/difftest/interp.c $(BUILD)/libcgrad.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(BUILD)/libcgrad.a $(LDLIBS) $(OPT_LIBS)

$(BUILD)/tests/test_difftest: tools/difftest/interp.c

demo: $(BUILD)/examples/demo
	@$(BUILD)/examples/demo

# An MLP and LeNet-5 on Fashion-MNIST (examples/train.c): the embedded subset by default;
# make train TRAIN_ARGS=--full for Debian's dataset-fashion-mnist. Writes $(BUILD)/train/.
TRAIN_ARGS ?=
train: $(BUILD)/examples/train
	@$(BUILD)/examples/train --out $(BUILD)/train $(TRAIN_ARGS)

bench: $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; done

# What a program linking libcgrad.a needs besides it (tools/fuzz/run.sh links its targets so).
print-libs:
	@echo $(LDLIBS) $(OPT_LIBS)

bench-build: $(BENCH_BIN)

VALGRIND_CMD = valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
	--suppressions=tests/valgrind.supp
memcheck: $(TEST_BIN) $(CPP_TEST) $(EXAMPLE_BIN)
	@command -v valgrind >/dev/null || { echo "memcheck needs valgrind (apt-get install valgrind)"; exit 1; }
	@CG_QUICK=1 VALGRIND="$(VALGRIND_CMD)" CG_CHILD_RUNNER="$(VALGRIND_CMD)" tests/run.sh $(TEST_BIN) $(CPP_TEST)

# The tests again, built with AddressSanitizer and UndefinedBehaviorSanitizer in build-sanitize/.
SANITIZE_BUILD ?= build-sanitize
sanitize:
	@$(MAKE) --no-print-directory BUILD=$(SANITIZE_BUILD) OPT=-O1 \
		CFLAGS="-g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		LDLIBS="-lm -fsanitize=address,undefined" test

# The header, both libraries (libcgrad.so.MAJOR.MINOR.PATCH with its soname and link-time
# symlinks) and cgrad.pc under $(DESTDIR)$(PREFIX); uninstall removes exactly these.
# The thread stress test (tests/test_threads.c) built with ThreadSanitizer in build-tsan/ and run
# TSAN_REPEAT rounds; any report fails it.
TSAN_BUILD ?= build-tsan
TSAN_REPEAT ?= 50
tsan:
	@$(MAKE) --no-print-directory BUILD=$(TSAN_BUILD) OPT=-O1 \
		CFLAGS="-g -fsanitize=thread -fno-omit-frame-pointer" LDLIBS="-lm -pthread -fsanitize=thread" \
		$(TSAN_BUILD)/tests/test_threads
	@TSAN_OPTIONS="halt_on_error=1 exitcode=66" CG_THREAD_REPEAT=$(TSAN_REPEAT) $(TSAN_BUILD)/tests/test_threads

install: lib
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 include/cgrad.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/libcgrad.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SHARED)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(notdir $(SHARED)) $(DESTDIR)$(LIBDIR)/libcgrad.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' -e 's|@REQUIRES_PRIVATE@|$(OPT_PC)|' \
		-e 's|@LIBS_PRIVATE@|$(OPT_PRIVATE_LIBS)|' cgrad.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/cgrad.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/include/cgrad.h $(DESTDIR)$(LIBDIR)/libcgrad.a \
		$(DESTDIR)$(LIBDIR)/$(notdir $(SHARED)) $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libcgrad.so $(DESTDIR)$(LIBDIR)/pkgconfig/cgrad.pc

clean:
	rm -rf build build-sanitize build-sanitize-clang build-clang build-tsan build-portable
