# snd-melspec as a user runs it: values against torchaudio, files read by h5py, the frame
# stream, threads, appending, pictures, and every way to get it wrong.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
[ -x $py ] || py=python3
checker=$SND_TOP/tests/cli/melspec_check.py
golden=$SND_SHARED/ref/melspec_golden.h5

# Twelve FSDD recordings (8 kHz FLAC), and a tone as raw PCM and WAV.
ls "$fsdd"/[0-3]_theo_[0-2].flac >"$tmp/list"
sox -n -r 16000 -c 1 -b 16 -e signed -t raw "$tmp/tone.raw" synth 1.5 sine 440 vol 0.3
sox -r 16000 -c 1 -b 16 -e signed "$tmp/tone.raw" "$tmp/tone.wav"

test_help() {
    snd-melspec --help | grep -q '^usage: snd-melspec' && snd-melspec --version | grep -q '^snd-melspec [0-9]'
}
check "--help and --version" test_help

test_golden() {
    mkdir gold && $py "$checker" golden "$SND_BIN/snd-melspec" "$golden" gold
}
check "every torchaudio golden case: frame counts, 0.01 dB where float32 resolves, 0.01 dB of float64 everywhere" test_golden

test_h5py_layout() {
    # shellcheck disable=SC2046
    snd-melspec -q -j 2 -o fsdd.h5 $(cat list) && $py "$checker" layout fsdd.h5 12
}
check "h5py reads the HDF5 layout, attributes and frame counts of resampled FSDD files" test_h5py_layout

test_stream_same_as_file() {
    # shellcheck disable=SC2046
    snd-melspec -q -o a.h5 $(cat list) && snd-melspec -q $(cat list) >a.fs &&
        $py "$checker" same a.h5 a.fs
}
check "the frame stream and the HDF5 file carry the same numbers" test_stream_same_as_file

test_threads_same_bytes() {
    # shellcheck disable=SC2046
    snd-melspec -q -j 1 -o j1.h5 $(cat list) && snd-melspec -q -j 2 -o j2.h5 $(cat list) &&
        same_bytes j1.h5 j2.h5 &&
        snd-melspec -q -j 2 $(cat list) >j2.fs && snd-melspec -q -j 1 $(cat list) >j1.fs &&
        same_bytes j1.fs j2.fs
}
check "-j 1 and -j 2 give the same bytes, in input order" test_threads_same_bytes

test_stdin_stream() {
    snd-melspec --id live <tone.raw >s.fs && $py "$checker" stream s.fs >out &&
        grep -q '1 clips' out && snd-melspec -q -o s.h5 --id live - <tone.raw &&
        $py -c "import h5py; f = h5py.File('s.h5'); assert f['id'].asstr()[0] == 'live'; assert f['mel'].shape == (151, 64)"
}
check "raw PCM on stdin is one clip named by --id" test_stdin_stream

test_live() {
    # Frames must leave while the input is still open: a writer that pauses shows it.
    mkfifo in.fifo
    { cat tone.raw; sleep 3; } >in.fifo &
    snd-melspec <in.fifo >live.fs &
    pid=$!
    sleep 1.5
    size=$(wc -c <live.fs)
    wait $pid
    [ "$size" -ge $((100 * 64 * 4)) ] || { echo "only $size bytes before the input ended"; return 1; }
}
check "a live stream's frames leave before the input ends" test_live

test_append() {
    snd-melspec -q -o ap.h5 "$(sed -n 1p list)" && snd-melspec -q -a -o ap.h5 "$(sed -n 2p list)" &&
        $py -c "import h5py; f = h5py.File('ap.h5'); assert len(f['id']) == 2 and f['offsets'][-1] == len(f['mel'])" &&
        cp ap.h5 before.h5 &&
        expect_error 1 "cannot append: ap.h5 has n_mels=64, this run has n_mels=40" \
            snd-melspec -q -a --n-mels 40 -o ap.h5 "$(sed -n 3p list)" &&
        same_bytes ap.h5 before.h5
}
check "-a appends; different parameters are refused and the file is untouched" test_append

test_like() {
    snd-melspec -q --n-mels 40 --hop-length 80 -o like.h5 tone.wav &&
        snd-melspec -q --like like.h5 -o again.h5 tone.wav &&
        $py -c "import h5py; a = h5py.File('like.h5').attrs; b = h5py.File('again.h5').attrs; assert dict(a) == dict(b)" &&
        expect_error 2 "--like takes every feature parameter from like.h5; leave out --n-mels" \
            snd-melspec --like like.h5 --n-mels 64 tone.wav
}
check "--like takes the parameters of a feature file" test_like

test_png() {
    snd-melspec -q --png one.png -o p.h5 tone.wav && [ "$(od -An -c -N4 one.png | tr -d ' ')" = "211PNG" ] &&
        mkdir pics && snd-melspec -q --png 'pics/{base}.png' --cmap magma --png-scale 2 -o p2.h5 $(sed -n '1,3p' list) &&
        [ "$(ls pics | wc -l)" -eq 3 ]
}
check "--png draws one picture, or one per clip by template" test_png

test_other_params() {
    snd-melspec -q --n-mels 40 --log ln --power 1 --window hamming --no-center -r 8000 -o o.h5 tone.wav &&
        $py -c "
import h5py
f = h5py.File('o.h5'); a = f.attrs
assert (a['n_mels'], a['log'], a['power'], a['window'], a['center'], a['sample_rate'], a['f_max']) == (40, 'ln', 1.0, 'hamming', 0, 8000, 4000.0), dict(a)
assert f['mel'].shape == (1 + (12000 - 512) // 160, 40)"
}
check "every parameter is an option and is stored" test_other_params

test_failed_source_left_out() {
    head -c 2001 tone.raw >odd.raw
    snd-melspec -q -o part.h5 tone.wav missing.wav odd.raw tone.wav 2>err
    [ $? -eq 1 ] && [ "$(wc -l <err)" -eq 2 ] && grep -q '^snd-melspec: missing.wav: No such file' err &&
        grep -q '^snd-melspec: odd.raw: truncated stream' err &&
        $py -c "import h5py; f = h5py.File('part.h5'); assert list(f['id'].asstr()) == ['tone.wav', 'tone.wav']; assert f['offsets'][-1] == len(f['mel']) == 2 * 151"
}
check "failing sources are reported and left out of the file; exit 1" test_failed_source_left_out

test_failed_source_stops_stream() {
    head -c 2001 tone.raw >odd.raw
    snd-melspec odd.raw >cut.fs 2>err
    [ $? -eq 1 ] && grep -q 'odd.raw: truncated stream' err &&
        ! $py "$checker" stream cut.fs >/dev/null
}
check "a source failing after its frames left ends the stream short, so readers see it" test_failed_source_stops_stream

test_closed_pipe() {
    sox -n -r 16000 -c 1 -b 16 -e signed -t raw long.raw synth 120 sine 300 &&
        snd-melspec long.raw 2>err | head -c 100 >/dev/null && [ ! -s err ]
}
check "a closed stdout ends it quietly" test_closed_pipe

test_no_file_on_failure() {
    expect_error 1 'nope.wav: No such file' snd-melspec -q -o none.h5 nope.wav && [ ! -e none.h5 ] &&
        [ -z "$(ls -A | grep '^\.none')" ]
}
check "nothing but failures: no file" test_no_file_on_failure

test_bad_feature_files() {
    snd-melspec -q -o good.h5 tone.wav && head -c 3000 good.h5 >trunc.h5 &&
        expect_error 1 'trunc.h5: cannot open as HDF5' snd-melspec --like trunc.h5 tone.wav &&
        expect_error 1 'trunc.h5: cannot open as HDF5' snd-melspec -q -a -o trunc.h5 tone.wav &&
        $py -c "import h5py; h5py.File('foreign.h5', 'w')['x'] = [1, 2]" &&
        expect_error 1 'foreign.h5: not an snd feature file' snd-melspec -q -a -o foreign.h5 tone.wav &&
        expect_error 1 'foreign.h5: attribute sample_rate missing' snd-melspec --like foreign.h5 tone.wav
}
check "truncated and foreign HDF5 files are refused" test_bad_feature_files

check "n_fft smaller than the window" expect_error 2 '^snd-melspec: win_length 400 must be between 1 and n_fft (256)' snd-melspec --n-fft 256 tone.wav
check "fmax above Nyquist" expect_error 2 'fmax 9000 Hz is above the Nyquist frequency 8000 Hz' snd-melspec --fmax 9000 tone.wav
check "more mel bands than the FFT can fill" expect_error 2 'n_mels 200 is too many for n_fft 512' snd-melspec --n-mels 200 tone.wav
check "fmin above fmax" expect_error 2 'fmin 5000 Hz must be below fmax 4000 Hz' snd-melspec --fmin 5000 --fmax 4000 tone.wav
check "a bad window" expect_error 2 "^snd-melspec: --window: unknown value 'kaiser'" snd-melspec --window kaiser tone.wav
check "a bad mel scale" expect_error 2 "--mel-scale: unknown value" snd-melspec --mel-scale bark tone.wav
check "zero hop" expect_error 2 '^snd-melspec: --hop-length: 0 is out of range' snd-melspec --hop-length 0 tone.wav
check "append without -o" expect_error 2 'append needs -o FILE.h5' snd-melspec -a tone.wav
check "one picture for two clips" expect_error 2 'names one picture for 2 sources' snd-melspec --png x.png tone.wav tone.wav
check "a bad picture range" expect_error 2 'picture range 10..-10 dB is empty' snd-melspec --png x.png --png-range 10:-10 tone.wav
check "zero threads" expect_error 2 '^snd-melspec: --threads: 0 is out of range' snd-melspec -j 0 tone.wav
check "--like a missing model" expect_error 1 '^snd-melspec: nope.h5: No such file or directory' snd-melspec --like nope.h5 tone.wav
check "an HDF5 file to a device" expect_error 1 'cannot be written to a pipe or device' snd-melspec -q -o /dev/null tone.wav
check "two pictures with one name" expect_error 1 'pics2/tone.png: a second picture would get this name' sh -c 'mkdir -p pics2 && snd-melspec -q --png "pics2/{base}.png" -o two.h5 tone.wav tone.wav'

test_append_fixed_size() {
    $py -c "
import h5py, numpy as np
pass
" && snd-melspec -q -o grow.h5 tone.wav && $py -c "
import h5py, numpy as np
a = h5py.File('grow.h5'); b = h5py.File('fixed.h5', 'w')
for k, v in a.attrs.items(): b.attrs[k] = v
for k in ('mel', 'offsets', 'start'): b[k] = a[k][()]
b.create_dataset('id', data=a['id'][()], dtype=h5py.string_dtype())
" && expect_error 1 'fixed.h5: cannot append: its datasets have a fixed size' snd-melspec -q -a -o fixed.h5 tone.wav
}
check "appending to a file h5py wrote with fixed-size datasets" test_append_fixed_size

# kill -9 at any moment: no partial file, no temporary beside it, and a file being
# replaced still whole (the temporary is unnamed: lib/atomic.c).
test_kill_leaves_nothing() {
    mkdir killed && cd killed && snd-melspec -q -o keep.h5 ../tone.wav && cp keep.h5 keep.orig &&
        yes ../tone.wav | head -n 300 >many && trial=0 && finished=0 &&
        while [ $trial -lt 12 ]; do
            target=new.h5
            [ $((trial % 2)) = 1 ] && target=keep.h5
            # shellcheck disable=SC2046
            snd-melspec -q -j 1 -o $target $(cat many) &
            pid=$!
            sleep "0.$((trial % 6 * 4))"
            kill -9 $pid 2>/dev/null || finished=$((finished + 1))
            wait $pid 2>/dev/null
            if [ -e new.h5 ]; then
                $py -c "import h5py; assert len(h5py.File('new.h5')['offsets']) == 301" || return 1
                rm new.h5
            fi
            [ $target = new.h5 ] || cmp -s keep.h5 keep.orig ||
                $py -c "import h5py; assert len(h5py.File('keep.h5')['offsets']) == 301" || return 1
            cp keep.orig keep.h5
            trial=$((trial + 1))
        done &&
        [ "$(ls -A | sort | tr '\n' ' ')" = "keep.h5 keep.orig many " ] && [ $finished -lt 12 ]
}
check "kill -9 in 12 trials: no partial output, no temporary left, a replaced file whole" test_kill_leaves_nothing
