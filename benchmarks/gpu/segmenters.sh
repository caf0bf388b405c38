#!/usr/bin/env bash
# The six segmentation networks (five cross-validation folds and the shipped one) on the
# GPU machine, at once: the recipe of benchmarks/train_segmenter.py, unchanged, with
# --device cuda. Run THERE, in the repository root, after this was run here:
#
#     PYTHONPATH=. .venv/bin/python benchmarks/train_segmenter.py --export-npz .gpu/ludb_segments.npz
#
# (the labelled LUDB records, 16 MiB; .gpu/ is in .git/info/exclude), as
#
#     run(command="bash benchmarks/gpu/segmenters.sh", carry=[".gpu"], timeout_s=540)
#
# Needs only what the machine's image holds (torch, numpy, scipy, pandas). Leaves in $OUT
# segmenter_fold{0..4}.pt, segmenter_all.pt and train.log (every process's lines,
# prefixed with its name). Here: the folds go to benchmarks/_out/, the last one to
# ecgtoolkit/signal/_weights/segmenter.pt.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${OUT:?set OUT to the folder whose files come back}"
PYTHON=${PYTHON:-python3}
THREADS=${THREADS:-2}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
mkdir -p "$OUT"
LOG="$OUT/train.log"
{
    nvidia-smi -L || true
    nproc
    "$PYTHON" -c "import torch, numpy, scipy; print(torch.__version__, torch.cuda.is_available(), numpy.__version__, scipy.__version__)"
} >>"$LOG" 2>&1
pids=()
for which in 0 1 2 3 4 all; do
    if [ "$which" = all ]; then sel=(--all); else sel=(--fold "$which"); fi
    (
        "$PYTHON" benchmarks/train_segmenter.py "${sel[@]}" --records-npz .gpu/ludb_segments.npz \
            --device "${DEVICE:-cuda}" --threads "$THREADS" --out "$OUT/segmenter_$( [ "$which" = all ] && echo all || echo "fold$which").pt" "$@" 2>&1 \
            | sed -u "s/^/[$which] /" >>"$LOG"
    ) &
    pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
echo "done, status $status, ${SECONDS} s" >>"$LOG"
cat "$LOG" | tail -n 20
exit $status
