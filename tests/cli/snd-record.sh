# snd-record as a user runs it, through the real ALSA API. These machines have no sound
# card, so the test writes its own ALSA configuration: capture devices of ALSA's `file`
# type, whose samples come from a raw recording (`infile`) and whose slave is the `null`
# PCM. Two things about them shape the cases below:
# - The null slave does not keep time: a device captures as fast as the CPU goes. Every
#   run is therefore bounded by -d, by a FIFO as its infile, or by a closed pipe, and
#   every invocation runs under `timeout`.
# - The file plugin fills each read with one read(2) of its infile and returns all the
#   frames asked for even when that read came up short: at the end of the infile (and
#   for the part of a period a FIFO did not have yet) the frames are whatever was in the
#   reader's buffer. snd-record zeroes its buffer before each read, so that is silence.
. "$(dirname "$0")/lib.sh"

# Known audio: 4 s of tone and noise, s16le 16 kHz mono; the same as s32 and f32.
sox -n -r 16000 -c 1 -b 16 -e signed -t raw "$tmp/known.raw" synth 4 sine 300 synth 4 \
    whitenoise mix vol 0.5
sox -r 16000 -c 1 -b 16 -e signed -t raw "$tmp/known.raw" -b 32 -e signed -t raw "$tmp/known32.raw"
sox -r 16000 -c 1 -b 16 -e signed -t raw "$tmp/known.raw" -b 32 -e float -t raw "$tmp/knownf.raw"
# Beeps between silences, for the live chain: 0.5 s beeps at 0.5, 2.0 and 3.5 s in 4.5 s.
sox -n -r 16000 -c 1 -b 16 -e signed -t raw "$tmp/beep.raw" synth 0.5 sine 1000 vol 0.4 pad 0.5 0.5
cat "$tmp/beep.raw" "$tmp/beep.raw" "$tmp/beep.raw" >"$tmp/beeps.raw"

# ALSA reads ~/.asoundrc: a home of our own holds the test devices and nothing else.
mkdir "$tmp/home"
mkfifo "$tmp/live.fifo"
device() { # NAME INFILE [DESCRIPTION]
    printf 'pcm.%s {\n    type file\n    slave.pcm "null"\n    file "/dev/null"\n' "$1"
    printf '    infile "%s"\n    format "raw"\n' "$2"
    [ $# -lt 3 ] || printf '    hint { show on description "%s" }\n' "$3"
    printf '}\n'
}
{
    device known "$tmp/known.raw" "a known recording"
    device known32 "$tmp/known32.raw"
    device knownf "$tmp/knownf.raw"
    device beeps "$tmp/beeps.raw" "beeps between silences"
    device live "$tmp/live.fifo"
} >"$tmp/home/.asoundrc"
HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config
export HOME XDG_CONFIG_HOME
to() { timeout -k 5 20 "$@"; }
# watchdog PID: kill PID if it still runs in 20 s, as `to` would (a signal sent to `to`
# would reach timeout, not the tool).
watchdog() { (sleep 20 && kill -KILL "$1") 2>/dev/null & }

test_help() {
    snd-record --help | grep -q '^usage: snd-record' && snd-record --version | grep -q '^snd-record [0-9]'
}
check "--help and --version" test_help

test_list() {
    to snd-record --list-devices >list.tsv || return 1
    grep -q "^known	a known recording\$" list.tsv && grep -q '^beeps	beeps between' list.tsv &&
        [ "$(awk -F '\t' 'NF != 2' list.tsv | wc -l)" -eq 0 ]
}
check "--list-devices lists the test devices, NAME<TAB>description" test_list

test_bytes() {
    to snd-record -q -D known -d 3s >got.raw && head -c 96000 known.raw >want.raw &&
        same_bytes want.raw got.raw
}
check "captured samples equal the recording byte for byte" test_bytes

test_duration_exact() {
    # 1.234 s at 16 kHz is 19744 frames: not a whole number of 800-frame periods.
    to snd-record -q -D known -d 1.234 >got.raw && [ "$(wc -c <got.raw)" -eq $((2 * 19744)) ] &&
        to snd-record -q -D known -d 250ms --period 7ms >got2.raw &&
        [ "$(wc -c <got2.raw)" -eq $((2 * 4000)) ] && head -c 8000 known.raw | cmp - got2.raw
}
check "-d gives exactly rate x duration frames, whatever the period" test_duration_exact

test_encodings() {
    to snd-record -q -D known32 -e s32 -d 2s >got32.raw && head -c 128000 known32.raw | cmp - got32.raw &&
        to snd-record -q -D knownf -e f32 -d 2s >gotf.raw && head -c 128000 knownf.raw | cmp - gotf.raw
}
check "-e s32 and -e f32 capture those samples unchanged" test_encodings

test_summary() {
    to snd-record -D known -d 2s >/dev/null 2>err &&
        grep -q '^snd-record: known: 2\.00 s captured (32000 frames at 16000 Hz, periods of 800)$' err
}
check "a summary on stderr, unless -q" test_summary

test_wav() {
    to snd-record -q -D known -d 2.5s -o x.wav || return 1
    [ "$(soxi -t x.wav)" = wav ] && [ "$(soxi -s x.wav)" -eq 40000 ] && [ "$(soxi -r x.wav)" -eq 16000 ] &&
        sox x.wav -t raw x.raw && head -c 80000 known.raw | cmp - x.raw
}
check "-o x.wav: a WAV of the captured samples" test_wav

test_flac() {
    to snd-record -q -D known -d 2s -o x.flac && [ "$(soxi -t x.flac)" = flac ] &&
        [ "$(soxi -s x.flac)" -eq 32000 ] && sox x.flac -t raw x.raw &&
        head -c 64000 known.raw | cmp - x.raw &&
        to snd-record -q -D known32 -e s32 -d 1s -o y.flac && [ "$(soxi -b y.flac)" -eq 24 ] &&
        to snd-record -q -D known -d 1s -o z.ogg && [ "$(soxi -t z.ogg)" = vorbis ]
}
check "-o x.flac is lossless; s32 into FLAC is 24-bit; .ogg is Vorbis" test_flac

# The live device reads a FIFO: it delivers what is written to the FIFO and then waits
# for more, as a sound card waits for sound. The feeder writes whole periods (800 frames,
# 1600 bytes) at a time: writes that small are atomic, so each read gets a whole one.
test_sigint() {
    { dd if=known.raw bs=1600 status=none; sleep 10; } >live.fifo &
    feeder=$!
    snd-record -q -D live -o int.wav 2>err &
    rec=$!
    watchdog $rec
    sleep 1
    kill -INT $rec
    wait $rec
    status=$?
    kill $feeder 2>/dev/null
    [ $status -eq 0 ] || { echo "exit $status"; cat err; return 1; }
    [ ! -s err ] && [ "$(soxi -t int.wav)" = wav ] || return 1
    # All of the recording, then the period whose read the signal interrupted: silence.
    [ "$(soxi -s int.wav)" -eq 64800 ] || { soxi -s int.wav; return 1; }
    sox int.wav -t raw int.raw && head -c 128000 int.raw | cmp - known.raw &&
        [ "$(tail -c 1600 int.raw | tr -d '\000' | wc -c)" -eq 0 ] &&
        [ -z "$(ls -A | grep '^\.int\.wav\.')" ]
}
check "SIGINT mid-run: exit 0 and a valid WAV of everything captured" test_sigint

test_sigterm_stdout() {
    { dd if=known.raw bs=1600 count=10 status=none; sleep 10; } >live.fifo &
    feeder=$!
    snd-record -q -D live >term.raw 2>err &
    rec=$!
    watchdog $rec
    sleep 1
    # Half a second of audio has been written, flushed, before the run ends.
    size=$(wc -c <term.raw)
    kill -TERM $rec
    wait $rec
    status=$?
    kill $feeder 2>/dev/null
    [ $status -eq 0 ] && [ ! -s err ] && [ "$size" -eq 16000 ] ||
        { echo "exit $status, $size bytes while running"; cat err; return 1; }
    head -c 16000 term.raw | cmp - "$(head -c 16000 known.raw >half.raw; echo half.raw)"
}
check "SIGTERM: exit 0; what was captured left on stdout as it came" test_sigterm_stdout

test_closed_pipe() {
    # Past the end of its infile the device gives silence forever, at full speed.
    to snd-record -D known 2>err | head -c 100 >/dev/null
    [ "$(cat err)" = "" ]
}
check "a closed stdout ends it quietly" test_closed_pipe

test_closed_pipe_status() {
    (to snd-record -q -D known; echo $? >status) | head -c 100 >/dev/null
    [ "$(cat status)" -eq 0 ]
}
check "a closed stdout gives exit status 0" test_closed_pipe_status

# A device that keeps no time never overruns, never vanishes and takes any rate, so for
# those cases the test makes ALSA answer as a real device would: a preloaded library
# wraps snd_pcm_readi(), which returns -SHIM_ERRNO on the calls listed in SHIM_CALLS and
# passes the others to the real one, and, with SHIM_RATE set, refuses every rate but
# SHIM_RATE. The binary under test is the real one, on the real API otherwise.
build_shim() {
    [ -f "$tmp/shim.so" ] && return 0
    cat >"$tmp/shim.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <alsa/asoundlib.h>
static void *real(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}
snd_pcm_sframes_t snd_pcm_readi(snd_pcm_t *pcm, void *buf, snd_pcm_uframes_t size)
{
    snd_pcm_sframes_t (*f)(snd_pcm_t *, void *, snd_pcm_uframes_t);
    const char *calls = getenv("SHIM_CALLS");
    static int n;
    char word[32];
    n++;
    snprintf(word, sizeof word, " %d ", n);
    if (calls != NULL && strstr(calls, word) != NULL)
        return -atoi(getenv("SHIM_ERRNO"));
    *(void **)&f = real("snd_pcm_readi");
    return f(pcm, buf, size);
}
int snd_pcm_hw_params_set_rate(snd_pcm_t *pcm, snd_pcm_hw_params_t *hw, unsigned val, int dir)
{
    int (*f)(snd_pcm_t *, snd_pcm_hw_params_t *, unsigned, int);
    const char *only = getenv("SHIM_RATE");
    if (only != NULL && val != (unsigned)atoi(only))
        return -EINVAL;
    *(void **)&f = real("snd_pcm_hw_params_set_rate");
    return f(pcm, hw, val, dir);
}
int snd_pcm_hw_params_set_rate_near(snd_pcm_t *pcm, snd_pcm_hw_params_t *hw, unsigned *val,
                                    int *dir)
{
    int (*f)(snd_pcm_t *, snd_pcm_hw_params_t *, unsigned *, int *);
    const char *only = getenv("SHIM_RATE");
    if (only != NULL)
        *val = (unsigned)atoi(only);
    *(void **)&f = real("snd_pcm_hw_params_set_rate_near");
    return f(pcm, hw, val, dir);
}
EOF
    cc -shared -fPIC -o "$tmp/shim.so" "$tmp/shim.c" -ldl
}
# ASan insists on being first among preloaded libraries; here it need not be.
with_shim() {
    LD_PRELOAD=$tmp/shim.so ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$@"
}

test_overrun() {
    build_shim || return 1
    SHIM_CALLS=" 3 5 " SHIM_ERRNO=32 with_shim to snd-record -q -D known -d 1s >got.raw 2>err ||
        { cat err; return 1; }
    [ "$(wc -l <err)" -eq 3 ] &&
        [ "$(sed -n 1p err)" = "snd-record: known: overrun at 0.10 s (1 so far)" ] &&
        [ "$(sed -n 2p err)" = "snd-record: known: overrun at 0.15 s (2 so far)" ] &&
        [ "$(sed -n 3p err)" = "snd-record: 2 overruns: samples were lost" ] &&
        [ "$(wc -c <got.raw)" -eq 32000 ] || { cat err; return 1; }
}
check "overruns (-EPIPE) are reported with their time, recovered from, counted" test_overrun

test_strict() {
    build_shim || return 1
    SHIM_CALLS=" 3 " SHIM_ERRNO=32 with_shim to snd-record -q --strict -D known -d 1s -o s.wav 2>err
    status=$?
    [ $status -eq 1 ] && grep -q '^snd-record: known: overrun at 0.10 s, fatal with --strict$' err &&
        grep -q '^snd-record: s.wav: kept the 0.10 s captured before the failure$' err &&
        [ "$(soxi -s s.wav)" -eq 1600 ] || { echo "exit $status"; cat err; return 1; }
}
check "--strict: an overrun is fatal, and what was captured is kept" test_strict

test_vanished() {
    build_shim || return 1
    # -ENODEV (19) on the fourth read: a USB microphone pulled out.
    SHIM_CALLS=" 4 " SHIM_ERRNO=19 with_shim to snd-record -D known -o v.flac 2>err
    status=$?
    [ $status -eq 1 ] && [ "$(wc -l <err)" -eq 2 ] &&
        [ "$(sed -n 1p err)" = "snd-record: known: capture failed: No such device" ] &&
        [ "$(sed -n 2p err)" = "snd-record: v.flac: kept the 0.15 s captured before the failure" ] &&
        [ "$(soxi -s v.flac)" -eq 2400 ] && sox v.flac -t raw v.raw &&
        head -c 4800 known.raw | cmp - v.raw || { echo "exit $status"; cat err; return 1; }
}
check "a device that vanishes: an error naming it, and what was captured is kept" test_vanished

test_rate_refused() {
    build_shim || return 1
    SHIM_RATE=48000 with_shim expect_error 1 \
        '^snd-record: known: cannot capture at 16000 Hz (the nearest it offers is 48000 Hz; use -r 48000, or a plug: device to resample)$' \
        to snd-record -D known -d 1s -o r.wav && [ ! -e r.wav ] &&
        SHIM_RATE=48000 with_shim to snd-record -q -D known -r 48000 -d 1s >r.raw &&
        [ "$(wc -c <r.raw)" -eq 96000 ]
}
check "a rate the device cannot give: refused, naming the rate it can" test_rate_refused

check "a device that does not exist" \
    expect_error 1 '^snd-record: nodev: cannot open capture device: No such file or directory$' \
    to snd-record -D nodev -d 1s
test_no_file_for_bad_device() {
    expect_error 1 '^snd-record: nodev: cannot open' to snd-record -D nodev -o n.wav &&
        [ -z "$(ls -A | grep 'n\.wav')" ]
}
check "a device that does not exist leaves no file" test_no_file_for_bad_device

test_chain() {
    # The whole live chain, through the device, against the same chain fed from the file:
    # the frame streams are the same bytes, so nothing was lost or reordered on the way.
    to sh -c 'snd-record -q -D beeps -d 4.5s | snd-silence -q --gate --pad 0 | tee gated.raw |
        snd-melspec >live.stream' || return 1
    to sh -c 'snd-silence -q --gate --pad 0 <beeps.raw | snd-melspec >file.stream' || return 1
    same_bytes file.stream live.stream || return 1
    # Only the three beeps passed the gate: 1.5 s of the 4.5 s.
    [ "$(wc -c <gated.raw)" -eq $((2 * 16000 * 15 / 10)) ] || { wc -c gated.raw; return 1; }
    # ... and they became 1.5 s of 10 ms frames of 64 float32 bands, after a header.
    size=$(wc -c <live.stream)
    [ "$size" -ge $((151 * 64 * 4)) ] || { echo "frame stream of $size bytes"; return 1; }
}
check "live chain: snd-record | snd-silence --gate | snd-melspec" test_chain

check "a rate that is not a number" expect_error 2 '^snd-record: --rate: invalid integer' snd-record -r fast
check "an unknown encoding" expect_error 2 '^snd-record: --encoding: ' snd-record -e s24
check "a negative duration" expect_error 2 '^snd-record: --duration: invalid duration' snd-record -d -1
check "a zero duration" expect_error 2 '^snd-record: --duration: 0 is out of range' snd-record -d 0
check "a period over a second" expect_error 2 '^snd-record: --period: 2s is out of range' snd-record --period 2s
check "an unknown output extension" expect_error 2 '^snd-record: x.mp4: unknown audio file extension' snd-record -o x.mp4
check "an operand" expect_error 2 "^snd-record: unexpected operand 'x.wav'" snd-record x.wav
check "an empty device name" expect_error 2 '^snd-record: --device: empty device name$' snd-record -D ''
check "unknown option" expect_error 2 '^snd-record: unknown option --loud' snd-record --loud
