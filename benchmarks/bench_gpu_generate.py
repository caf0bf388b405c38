"""Generation rate on a GPU: the model in fp32 and bf16 (with the bf16 error), end to end.

(et.generate runs CUDA in full fp32: TF32 is switched off around the model.)

Meant to run once on a lent GPU machine (see the README's "Generating large datasets").
In one run, on one device, it measures:

* the model alone, on noise already on the GPU, for several batch sizes, in
  - fp32 as PyTorch runs it by default (cuDNN may use TF32 for convolutions),
  - strict fp32 (TF32 off),
  - bf16 (``torch.autocast``);
* the error of TF32 and bf16 against strict fp32 on the same noise, in µV and relative
  to the signal's RMS, and of strict fp32 on the GPU against the CPU;
* ``et.generate(n, device="cuda")`` end to end (noise drawn on the CPU, leads derived,
  copied back): the rate a user gets, against ``et.generate`` on the CPU (baseline,
  same run, all cores);
* ``generate_store(path, n, device="cuda")``: into a Zarr store on local disk.

Prints a table and writes ``--json`` (results) when given.

Usage::

    python benchmarks/bench_gpu_generate.py --n 20000 --json out.json
    python benchmarks/bench_gpu_generate.py --smoke          # tiny run, CPU allowed
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

import ecgtoolkit as et
from ecgtoolkit.generators.generate import OUTPUT_SCALE_MV
from ecgtoolkit.store import generate_store

TARGET = 150_000
UV_PER_UNIT = OUTPUT_SCALE_MV * 1000.0  # model output (tanh) -> µV


def synchronize(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def model_rate(model, device: str, batch: int, mode: str, repeat: int) -> float:
    """ECGs per second of the model alone on uniform noise already on the device."""
    noise = torch.rand(batch, 8, 5000, device=device) * 2 - 1
    torch.backends.cudnn.allow_tf32 = mode != "fp32-strict"
    torch.backends.cuda.matmul.allow_tf32 = mode != "fp32-strict"
    autocast = torch.autocast(device.split(":")[0], dtype=torch.bfloat16, enabled=mode == "bf16")
    with torch.inference_mode(), autocast:
        model(noise)  # warm-up: cuDNN picks its kernels
        synchronize(device)
        start = time.perf_counter()
        for _ in range(repeat):
            model(noise)
        synchronize(device)
    return batch * repeat / (time.perf_counter() - start)


def outputs(model, noise: torch.Tensor, mode: str) -> np.ndarray:
    device = str(noise.device)
    torch.backends.cudnn.allow_tf32 = mode != "fp32-strict"
    torch.backends.cuda.matmul.allow_tf32 = mode != "fp32-strict"
    autocast = torch.autocast(device.split(":")[0], dtype=torch.bfloat16, enabled=mode == "bf16")
    with torch.inference_mode(), autocast:
        return model(noise).float().cpu().numpy().astype(np.float64)


def error(test: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    diff = (test - reference) * UV_PER_UNIT
    return {
        "max_abs_uV": float(np.abs(diff).max()),
        "rms_uV": float(np.sqrt(np.mean(diff**2))),
        "rms_relative": float(np.sqrt(np.mean(diff**2)) / (np.std(reference) * UV_PER_UNIT)),
    }


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="ECGs for the end-to-end runs")
    parser.add_argument("--cpu-n", type=int, default=512, help="ECGs for the CPU baseline")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[256, 512, 1024, 2048])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes; runs on a CPU")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu" and not args.smoke:
        raise SystemExit("no CUDA device: this benchmark is for a GPU machine (or use --smoke)")
    if args.smoke:
        args.n, args.cpu_n, args.batch_sizes, args.repeat = 64, 32, [16], 1
    name = torch.cuda.get_device_name() if device == "cuda" else platform.processor()
    print(f"device: {name}; torch {torch.__version__}; {os.cpu_count()} CPU cores")
    results: dict = {"device": name, "torch": torch.__version__, "cpu_cores": os.cpu_count()}

    model = et.load_generator(device)
    rates = {}
    for batch in args.batch_sizes:
        for mode in ("fp32", "fp32-strict", "bf16"):
            rates[f"{mode}@{batch}"] = model_rate(model, device, batch, mode, args.repeat)
    results["model_ecg_per_s"] = rates
    print("\nmodel alone (noise on the device), ECGs/s")
    print(
        f"{'batch':>6} {'fp32 (TF32 convs)':>18} {'fp32 strict':>12} {'bf16':>10} {'bf16/strict':>12}"
    )
    for batch in args.batch_sizes:
        f, s, b = (rates[f"{m}@{batch}"] for m in ("fp32", "fp32-strict", "bf16"))
        print(f"{batch:>6} {f:>18,.0f} {s:>12,.0f} {b:>10,.0f} {b / s:>11.2f}x")

    generator = torch.Generator(device="cpu").manual_seed(0)
    noise_cpu = torch.rand(64, 8, 5000, generator=generator) * 2 - 1
    noise = noise_cpu.to(device)
    strict = outputs(model, noise, "fp32-strict")
    errors = {"tf32": error(outputs(model, noise, "fp32"), strict)}
    errors["bf16"] = error(outputs(model, noise, "bf16"), strict)
    cpu_model = et.load_generator("cpu")
    with torch.inference_mode():
        cpu_out = cpu_model(noise_cpu).numpy().astype(np.float64)
    errors["gpu_fp32_strict_vs_cpu"] = error(strict, cpu_out)
    if device == "cuda":
        on_gpu = et.generate(64, seed=3, device=device, batch_size=64).signal
        on_cpu = et.generate(64, seed=3, device="cpu", batch_size=64).signal
        errors["et.generate_cuda_vs_cpu"] = error(
            on_gpu / OUTPUT_SCALE_MV, on_cpu / OUTPUT_SCALE_MV
        )
    results["errors_vs_fp32_strict"] = errors
    print(
        "\nerror against strict fp32 on the same 64 noise inputs (8 leads x 5000 samples); "
        "last row: et.generate's 12 leads on the GPU against the CPU"
    )
    for key, value in errors.items():
        print(
            f"  {key:<24} max |err| {value['max_abs_uV']:8.2f} µV   RMS {value['rms_uV']:7.3f} µV"
            f"   RMS / signal RMS {value['rms_relative']:.2e}"
        )

    torch.backends.cudnn.allow_tf32 = True  # PyTorch's defaults again
    torch.backends.cuda.matmul.allow_tf32 = False
    et.generate(1, seed=0, device="cpu")
    cpu_time = timed(lambda: et.generate(args.cpu_n, seed=1, device="cpu"))
    cpu_rate = args.cpu_n / cpu_time
    et.generate(1, seed=0, device=device)
    gpu_time = timed(lambda: et.generate(args.n, seed=1, device=device))
    gpu_rate = args.n / gpu_time
    with tempfile.TemporaryDirectory() as tmp:
        store_time = timed(
            lambda: generate_store(
                Path(tmp) / "bench.zarr", args.n, seed=1, device=device, progress=False
            )
        )
        store_bytes = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
        shutil.rmtree(Path(tmp) / "bench.zarr")
    store_rate = args.n / store_time
    results["end_to_end_ecg_per_s"] = {
        "generate_cpu_baseline": cpu_rate,
        "generate_gpu": gpu_rate,
        "generate_store_gpu": store_rate,
        "n": args.n,
        "store_bytes_per_ecg": store_bytes / args.n,
    }
    print(f"\nend to end, default batch size, full fp32, n = {args.n:,}")
    print(f"  et.generate on the CPU ({os.cpu_count()} cores, baseline): {cpu_rate:8,.0f} ECGs/s")
    print(
        f"  et.generate on {device}:  {gpu_rate:8,.0f} ECGs/s ({gpu_rate / cpu_rate:.1f}x the CPU); "
        f"150,000 ECGs in {TARGET / gpu_rate / 60:.1f} min"
    )
    print(
        f"  generate_store on {device}: {store_rate:8,.0f} ECGs/s ({store_rate / cpu_rate:.1f}x); "
        f"150,000 ECGs in {TARGET / store_rate / 60:.1f} min, "
        f"{store_bytes / args.n / 1000:.0f} kB per ECG"
    )
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
