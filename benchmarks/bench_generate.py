"""Generation speed: ecgtoolkit against the published deepfake-ecg package, same run.

End to end, as whole processes (start-up, model load, noise, model, files):

* baseline: ``deepfakeecg.generate(N, dir, 0, "cpu")`` (one ECG per forward pass,
  integer-µV text files, 8 leads);
* ours: ``ecgtoolkit generate -n N -o dir --format wfdb`` (12 leads, WFDB).

Then the raw model throughput (noise already in memory, no files) of the published
module (batch 1 as it is run upstream, and batched) and of ours at several batch sizes.

Usage::

    python benchmarks/bench_generate.py            # N = 2000
    python benchmarks/bench_generate.py --n 500    # quicker
    python benchmarks/bench_generate.py --device cuda   # model throughput on a GPU,
                                                        # fp32 and bf16 with its max error
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

import ecgtoolkit as et
from ecgtoolkit.generators.pulse2pulse import _weights_path

BIN = Path(sys.executable).parent


def run_process(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def end_to_end(n: int, work: Path) -> dict[str, float]:
    upstream_dir, ours_dir = work / "upstream", work / "ours"
    upstream_dir.mkdir()
    code = f"import deepfakeecg; deepfakeecg.generate({n}, {str(upstream_dir)!r}, 0, 'cpu')"
    t_up = run_process([sys.executable, "-W", "ignore", "-c", code])
    t_ours = run_process(
        [
            str(BIN / "ecgtoolkit"),
            "generate",
            "-n",
            str(n),
            "-o",
            str(ours_dir),
            "--format",
            "wfdb",
            "--seed",
            "0",
            "-q",
        ]
    )
    assert len(list(upstream_dir.glob("*.asc"))) == n
    assert len(list(ours_dir.glob("*.hea"))) == n
    return {"deepfake-ecg": n / t_up, "ecgtoolkit": n / t_ours}


def throughput(model, batch: int, device: str, repeats: int, dtype=None) -> float:
    noise = torch.rand(batch, 8, 5000, device=device) * 2 - 1
    ctx = (
        torch.autocast(device_type=device.split(":")[0], dtype=dtype)
        if dtype
        else torch.inference_mode()
    )
    with torch.inference_mode(), ctx:
        model(noise)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(repeats):
            model(noise)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
    return batch * repeats / (time.perf_counter() - start)


def published_model(device: str):
    import warnings

    import deepfakeecg

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = deepfakeecg.models.Generator()
    state = torch.load(_weights_path(), map_location="cpu", weights_only=True)["stat_dict"]
    model.load_state_dict(state)
    return model.to(device).eval()


def fidelity(ours, published, device: str) -> tuple[float, float]:
    noise = torch.rand(8, 8, 5000, generator=torch.Generator().manual_seed(0)) * 2 - 1
    noise = noise.to(device)
    with torch.inference_mode():
        f32 = (ours(noise) - published(noise)).abs().max().item()
        import copy

        o64, p64 = copy.deepcopy(ours).double(), copy.deepcopy(published).double()
        f64 = (o64(noise.double()) - p64(noise.double())).abs().max().item()
    return f32, f64


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="ECGs in the end-to-end runs")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--skip-e2e", action="store_true", help="model throughput only")
    args = parser.parse_args()

    print(
        f"# bench_generate: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"ecgtoolkit {et.__version__}, device {args.device}"
    )
    if args.device.startswith("cuda"):
        print(f"# GPU: {torch.cuda.get_device_name(0)}")
    if not args.skip_e2e and args.device == "cpu":
        work = Path(tempfile.mkdtemp(prefix="bench_generate_"))
        try:
            e2e = end_to_end(args.n, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        ratio = e2e["ecgtoolkit"] / e2e["deepfake-ecg"]
        print(f"\n## End to end, N = {args.n} (whole processes)\n")
        print("| | ECG/s | ratio |")
        print("| --- | ---: | ---: |")
        print(
            f"| deepfake-ecg 1.1.2 `generate(N, dir, 0, 'cpu')` (8-lead ASCII) | {e2e['deepfake-ecg']:.1f} | 1.0x |"
        )
        print(
            f"| ecgtoolkit `generate -n N --format wfdb` (12-lead WFDB) | {e2e['ecgtoolkit']:.1f} | **{ratio:.1f}x** |"
        )

    device = args.device
    ours = et.load_generator(device)
    published = published_model(device)
    repeats = 3 if device == "cpu" else 20
    rows = [
        (
            "published, batch 1 (as upstream runs it)",
            throughput(published, 1, device, 30 if device == "cpu" else 100),
        )
    ]
    for batch in (64,) if device == "cpu" else (256, 1024):
        rows.append((f"published, batch {batch}", throughput(published, batch, device, repeats)))
    sizes = (1, 16, 32, 64, 128) if device == "cpu" else (64, 256, 512, 1024, 2048)
    for batch in sizes:
        rows.append(
            (
                f"ecgtoolkit, batch {batch}",
                throughput(ours, batch, device, repeats if batch > 1 else 30),
            )
        )
    if device.startswith("cuda"):
        best = max(sizes, key=lambda b: throughput(ours, b, device, 5))
        rows.append(
            (
                f"ecgtoolkit, batch {best}, bf16 autocast",
                throughput(ours, best, device, repeats, torch.bfloat16),
            )
        )
    base = rows[0][1]
    print(f"\n## Model throughput ({device}, noise in memory, no files)\n")
    print("| model | ECG/s | vs published batch 1 |")
    print("| --- | ---: | ---: |")
    for name, value in rows:
        print(f"| {name} | {value:.1f} | {value / base:.1f}x |")

    f32, f64 = fidelity(ours, published, device)
    print(
        f"\nFidelity vs the published module, same noise (8 ECGs): max |diff| "
        f"{f32:.2e} in float32, {f64:.2e} in float64 (tanh units; × 6000 = µV)"
    )
    if device.startswith("cuda"):
        noise = torch.rand(64, 8, 5000, device=device) * 2 - 1
        with torch.inference_mode():
            ref = ours(noise)
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
                low = ours(noise).float()
        err = (low - ref).abs().max().item()
        print(f"bf16 autocast max |error| vs fp32: {err:.2e} (= {err * 6000:.1f} µV)")
    print(f"\n(numpy {np.__version__}; N={args.n})")


if __name__ == "__main__":
    main()
