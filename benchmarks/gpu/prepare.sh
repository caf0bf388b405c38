#!/usr/bin/env bash
# Prepare the GPU fine-tuning run (benchmarks/gpu/README.md). Run HERE, on the CPU
# machine, from anywhere: it works in the repository root.
#
# 1. downloads, for CPython 3.12 on manylinux x86_64, the wheels of what ecgtoolkit needs
#    and the GPU machine lacks (deepfake-ecg with the generator's weights, wfdb,
#    neurokit2, loky, PyWavelets, soundfile, cffi, pycparser) into .whl/, the versions
#    of this checkout's .venv where it has them;
# 2. ignores .whl/ and .gpu/ in .git/info/exclude (they travel as `carry`, not in git);
# 3. writes the split of the real records (LUDB + CinC 2021 sinus; training pool and
#    test set, int16 µV) to .gpu/real.npz, so that the GPU machine needs no database;
# 4. prints what would travel (tracked and untracked-not-ignored files + .whl + .gpu),
#    which must stay under 64 MiB.
#
# Environment: PYTHON (default .venv/bin/python), ECGTOOLKIT_DATA (default
# ../shared/data, else /work/shared/data).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
PYTHON=${PYTHON:-.venv/bin/python}
if [ -z "${ECGTOOLKIT_DATA:-}" ]; then
    for d in ../shared/data /work/shared/data; do
        [ -d "$d/ludb" ] && { ECGTOOLKIT_DATA=$(cd "$d" && pwd); break; }
    done
fi
export ECGTOOLKIT_DATA=${ECGTOOLKIT_DATA:?set ECGTOOLKIT_DATA to the folder with ludb/, cinc2021/}

# name==version: this checkout's version where its venv has the package, else the pin.
PACKAGES="deepfake-ecg==1.1.2 wfdb==4.3.1 neurokit2==0.3.0 loky==3.7.0 PyWavelets==1.9.0
          soundfile==0.14.0 cffi==2.1.1 pycparser==3.12"
pins=()
for spec in $PACKAGES; do
    name=${spec%%==*}
    version=$("$PYTHON" -c "import importlib.metadata as m; print(m.version('$name'))" \
              2>/dev/null || echo "${spec##*==}")
    pins+=("$name==$version")
done
echo "wheels: ${pins[*]}"

mkdir -p .git/info
touch .git/info/exclude
for path in /.whl/ /.gpu/; do
    grep -qxF "$path" .git/info/exclude || echo "$path" >> .git/info/exclude
done

rm -rf .whl && mkdir -p .whl
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    --platform manylinux1_x86_64 -d .whl "${pins[@]}"
ls -l .whl
# One wheel per package, each for cp312 or pure Python: two versions stop the install.
"$PYTHON" - <<'PY'
import re, sys
from pathlib import Path
names, bad = {}, []
for wheel in sorted(Path(".whl").glob("*.whl")):
    name, version, *_, python, abi, platform = wheel.stem.split("-")
    names.setdefault(name.lower(), []).append(version)
    if not (python in ("cp312", "py3", "py2.py3") and (abi in ("cp312", "none", "abi3"))
            and (platform == "any" or re.search(r"manylinux.*x86_64", platform))):
        bad.append(wheel.name)
twice = {n: v for n, v in names.items() if len(v) > 1}
if bad or twice:
    sys.exit(f"wheels that will not install there: {bad}; packages twice: {twice}")
print(f"{len(names)} wheels, one version each, all cp312 or pure Python")
PY

mkdir -p .gpu
"$PYTHON" benchmarks/bench_finetune.py --export-npz .gpu/real.npz

# What travels: the files git would send (tracked + untracked, not ignored) + carried.
tree=$( { git ls-files -z; git ls-files -z --others --exclude-standard; } \
        | xargs -0 -r du -cb 2>/dev/null | awk '$2 == "total" {s += $1} END {print s + 0}')
whl=$(du -cb .whl | tail -1 | cut -f1)
gpu=$(du -cb .gpu | tail -1 | cut -f1)
total=$((tree + whl + gpu))
awk -v t="$tree" -v w="$whl" -v g="$gpu" -v s="$total" 'BEGIN {
    m = 1048576
    printf "travels: repo %.1f MiB + .whl %.1f MiB + .gpu %.1f MiB = %.1f MiB (limit 64 MiB)\n",
           t / m, w / m, g / m, s / m }'
if [ "$total" -ge $((64 * 1048576)) ]; then
    echo "too large to travel: leave something out" >&2
    exit 1
fi
echo "ready: see benchmarks/gpu/README.md for the run call"
