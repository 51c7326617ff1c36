# snd: build libsnd and the snd-* binaries, test, install.
#   make               build into build/rel
#   make check         build and run every test (SAN=1: under ASan and UBSan)
#   make asan          same as make check SAN=1
#   make fuzz          build libFuzzer targets with clang and run each for FUZZ_SECONDS
#   make fuzz-long     the same for FUZZ_LONG_SECONDS (600) each
#   make install       PREFIX=/usr/local DESTDIR=
#   make deps          install the Debian packages the build and tests need
#   make demo          run the toolkit end to end on sound it synthesises

PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d

PKGS = sndfile samplerate fftw3 libpng openblas alsa
CC ?= cc
CFLAGS ?= -O2 -g
WARN = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# HDF5 is linked statically when its archive is there (Debian's libhdf5-dev has it): the
# shared library brings libcurl and three TLS libraries for a remote-file driver snd never
# uses, which cost every start 6 MB of memory and 20 ms of loading.
HDF5_LIBDIR := $(patsubst -L%,%,$(firstword $(shell pkg-config --libs-only-L hdf5 2>/dev/null)))
PKG_CFLAGS += $(shell pkg-config --cflags hdf5 2>/dev/null)
PKG_LIBS += $(if $(wildcard $(HDF5_LIBDIR)/libhdf5.a),$(HDF5_LIBDIR)/libhdf5.a -lsz -laec -lz -ldl,\
	$(shell pkg-config --libs hdf5 2>/dev/null))
# -iquote, not -I: lib/ headers are found only by #include "...", so names like features.h
# and png.h cannot shadow the system headers of the same name.
CPPFLAGS += -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -iquote lib

ifeq ($(SAN),1)
BUILD = build/san
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
BUILD = build/rel
SANFLAGS =
endif

ALL_CFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) $(CPPFLAGS) -MMD -MP
LDLIBS = $(PKG_LIBS) -lm -lpthread

LIB_SRC = $(wildcard lib/*.c)
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB = $(BUILD)/libsnd.a
CMDS = $(patsubst cmd/%.c,%,$(wildcard cmd/snd-*.c))
BINS = $(CMDS:%=$(BUILD)/bin/%)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_SECONDS ?= 20
FUZZ_LONG_SECONDS ?= 600

.PHONY: all check asan fuzz fuzz-long install uninstall deps demo clean format
# Keep objects make would treat as intermediate, so a second make does nothing.
.SECONDARY:
all: $(BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The network's elementwise loops and the Winograd transforms are written to vectorise,
# which GCC does at -O3.
$(BUILD)/lib/winograd.o $(BUILD)/lib/nn.o: ALL_CFLAGS += -O3

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) $^ $(LDLIBS) -o $@

check: $(BINS) $(UNIT_BINS)
	@sh tests/run.sh $(BUILD)

asan:
	$(MAKE) check SAN=1

# libFuzzer needs clang; each target runs from its seed corpus in tests/fuzz/corpus/.
fuzz:
	@mkdir -p build/fuzz
	@for f in $(FUZZ_SRC); do \
	  n=$$(basename $$f .c); \
	  clang -g -O1 -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) $(CPPFLAGS) \
	    $$f $(LIB_SRC) $(PKG_LIBS) -lm -lpthread -o build/fuzz/$$n || exit 1; \
	  mkdir -p build/fuzz/corpus-$$n; \
	  echo "== $$n ($(FUZZ_SECONDS) s)"; \
	  build/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    build/fuzz/corpus-$$n tests/fuzz/corpus/$$n 2>&1 | \
	    grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' || exit 1; \
	done

# The same, for long: FUZZ_LONG_SECONDS (default 600) per target; figures in
# bench/reliability/README.md.
fuzz-long:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_LONG_SECONDS)

install: $(BINS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(MANDIR)/man7 \
	  $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5
	install -m 644 man/*.7 $(DESTDIR)$(MANDIR)/man7
	for c in $(CMDS); do \
	  install -m 644 completions/$$c.bash $(DESTDIR)$(BASHCOMPDIR)/$$c; \
	  install -m 644 completions/_$$c $(DESTDIR)$(ZSHCOMPDIR)/_$$c; \
	  install -m 644 completions/$$c.fish $(DESTDIR)$(FISHCOMPDIR)/$$c.fish; \
	done

uninstall:
	for c in $(CMDS); do \
	  rm -f $(DESTDIR)$(BINDIR)/$$c $(DESTDIR)$(MANDIR)/man1/$$c.1 \
	    $(DESTDIR)$(BASHCOMPDIR)/$$c $(DESTDIR)$(ZSHCOMPDIR)/_$$c \
	    $(DESTDIR)$(FISHCOMPDIR)/$$c.fish; \
	done
	rm -f $(DESTDIR)$(MANDIR)/man5/snd-formats.5 $(DESTDIR)$(MANDIR)/man7/snd.7

deps:
	@sh tools/deps.sh

# The main job, on a fresh machine: install what is missing, build, run.
demo:
	@sh tools/deps.sh
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh $(BUILD)/bin

format:
	clang-format -i lib/*.c lib/*.h cmd/*.c tests/unit/*.c tests/unit/*.h tests/fuzz/*.c

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(BUILD)/cmd/*.d $(BUILD)/tests/unit/*.d
