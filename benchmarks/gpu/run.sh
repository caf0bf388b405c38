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
#   best_generator.pt, or best_generator.pt.part00, .part01 … best.pt's generator alone
#     (model_state_dict + format/step/settings/data/training), split in 15 MiB parts
#     where it is over 16 MiB (the largest file that comes back), with
#   best_generator.txt                                        its sha256 and how to join.
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

    echo "== best.pt's generator ($((SECONDS - started)) s)"
    ls -l "$RUN_DIR"
    "$PYTHON" - "$RUN_DIR/best.pt" "$RUN_DIR/best_generator.pt" <<'PY'
import sys

import numpy as np
import torch

import ecgtoolkit as et
from ecgtoolkit.generators.checkpoints import read_checkpoint

best, small = sys.argv[1], sys.argv[2]
content = torch.load(best, map_location="cpu", weights_only=True)
keep = ("format", "model_state_dict", "step", "settings", "data", "training")
torch.save({k: content[k] for k in keep if k in content}, small)
checkpoint = read_checkpoint(small)
print(f"{small}: {checkpoint.layout}; step {checkpoint.training['step']}")
a = et.generate(2, seed=0, device="cpu", generator=best, progress=False)
b = et.generate(2, seed=0, device="cpu", generator=small, progress=False)
assert np.array_equal(np.asarray(a.signal), np.asarray(b.signal)), "not best.pt's generator"
print("et.generate(generator=best_generator.pt) makes what best.pt makes")
PY
    local limit=$((16 * 1024 * 1024)) file
    for file in best.pt best_generator.pt; do
        if [ "$(stat -c %s "$RUN_DIR/$file")" -le "$limit" ]; then
            cp "$RUN_DIR/$file" "$OUT/$file"
            echo "brought back $file whole"
            break
        fi
    done
    if [ ! -e "$OUT/best.pt" ] && [ ! -e "$OUT/best_generator.pt" ]; then
        split -b 15M -d "$RUN_DIR/best_generator.pt" "$OUT/best_generator.pt.part"
        {
            echo "best.pt's generator alone (model_state_dict + format/step/settings/data/"
            echo "training), split in 15 MiB parts to come back from the GPU machine. Join:"
            echo "    cat best_generator.pt.part* > best_generator.pt"
            echo "    sha256sum best_generator.pt   # must print:"
            (cd "$RUN_DIR" && sha256sum best_generator.pt)
            echo "Then et.generate(n, generator='best_generator.pt')."
        } > "$OUT/best_generator.txt"
        cat "$OUT/best_generator.txt"
    fi
    echo "== done in $((SECONDS - started)) s"
    ls -lR "$OUT"
}

set -o pipefail
main "$@" 2>&1 | tee "$OUT/run.log"
