#!/usr/bin/env bash
# The GPU fine-tuning run (benchmarks/gpu/README.md). Run THERE, on the GPU machine, in
# the repository root, after benchmarks/gpu/prepare.sh here put .whl/ and .gpu/ beside it:
#
#     bash benchmarks/gpu/run.sh [MINUTES] [more bench_finetune.py options]
#
# Installs the carried wheels into $SITE, prints the machine, fine-tunes the published
# generator with the published critic (fp32) on .gpu/real.npz for MINUTES (default 4) of
# training, then scores it (leaderboard on the test set, copy audit), and leaves in $OUT:
#   finetune_gpu/{metrics.csv,leaderboard.csv,summary.json}  the results, to commit;
#   run.log                                                   everything printed;
#   best.pt, or best.pt.part00, .part01 …  the best generator and how it was trained
#     (no critic: ~26 MB), split in 15 MiB parts where it is over 16 MiB (the largest
#     file that comes back), with
#   best.txt                                                  its sha256 and how to join.
# Options after MINUTES override the defaults below (argparse keeps the last value).
# Environment: OUT (required), PYTHON (python3), SITE (/tmp/site), RUN_DIR (/tmp/run),
# WHEELS=0 to skip installing the wheels (a Python that has them already).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${OUT:?set OUT to the folder whose files come back}"
MINUTES=${1:-4}  # 4 min of training + ~1 min set-up + 2-4 min table and audit < 10 min
shift $(($# > 0 ? 1 : 0))
PYTHON=${PYTHON:-python3}
SITE=${SITE:-/tmp/site}
RUN_DIR=${RUN_DIR:-/tmp/run}
export PYTHONUNBUFFERED=1
mkdir -p "$OUT"

main() {
    local started=$SECONDS
    if [ "${WHEELS:-1}" != 0 ]; then
        "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
            --upgrade --target "$SITE" .whl/*.whl
    fi
    export PYTHONPATH="$SITE:$PWD${PYTHONPATH:+:$PYTHONPATH}"
    echo "== machine ($((SECONDS - started)) s)"
    if command -v nvidia-smi >/dev/null; then nvidia-smi; else echo "no nvidia-smi"; fi
    "$PYTHON" -c "
import platform, torch, numpy, scipy, pandas, sklearn, neurokit2, wfdb, ecgtoolkit
print('python', platform.python_version(), '| torch', torch.__version__, '| cuda',
      torch.version.cuda, torch.cuda.is_available(),
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')
print('numpy', numpy.__version__, '| scipy', scipy.__version__, '| pandas', pandas.__version__,
      '| sklearn', sklearn.__version__, '| neurokit2', neurokit2.__version__, '| wfdb',
      wfdb.__version__, '| ecgtoolkit', ecgtoolkit.__version__, ecgtoolkit.__file__)
"
    echo "== fine-tuning ($((SECONDS - started)) s)"
    rm -rf "$RUN_DIR"
    "$PYTHON" benchmarks/bench_finetune.py --real-npz .gpu/real.npz --device cuda \
        --critic published --steps 100000 --max-minutes "$MINUTES" --eval-every 50 \
        --jobs "$(nproc)" --results "$OUT/finetune_gpu" --out "$RUN_DIR" "$@"

    echo "== best.pt ($((SECONDS - started)) s)"
    ls -l "$RUN_DIR"
    local limit=$((16 * 1024 * 1024))
    if [ "$(stat -c %s "$RUN_DIR/best.pt")" -le "$limit" ]; then
        cp "$RUN_DIR/best.pt" "$OUT/best.pt"
        echo "brought back best.pt whole"
    else
        split -b 15M -d "$RUN_DIR/best.pt" "$OUT/best.pt.part"
        {
            echo "best.pt (the generator and how it was trained), split in 15 MiB parts to"
            echo "come back from the GPU machine. Join:"
            echo "    cat best.pt.part* > best.pt"
            echo "    sha256sum best.pt   # must print:"
            (cd "$RUN_DIR" && sha256sum best.pt)
            echo "Then et.generate(n, generator='best.pt')."
        } > "$OUT/best.txt"
        cat "$OUT/best.txt"
    fi
    echo "== done in $((SECONDS - started)) s"
    ls -lR "$OUT"
}

set -o pipefail
main "$@" 2>&1 | tee "$OUT/run.log"
