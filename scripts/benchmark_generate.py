"""Time `remedy.generate.generate` at a scale: wall time, peak RSS and output size.

    python scripts/benchmark_generate.py 1.0 --out data/bench_raw [--seed 42] [--keep]
        [--deliveries daily]

Peak RSS is the larger of this process's and its children's (ru_maxrss, KiB on Linux).
The output folder is deleted afterwards unless --keep is given.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from remedy.generate import generate  # noqa: E402


def _folder_bytes(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def _peak_rss_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scale", type=float)
    parser.add_argument("--out", type=Path, default=Path("data/bench_raw"))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--bad-rows", type=float, default=0.001)
    parser.add_argument("--deliveries", choices=("snapshot", "daily"), default="snapshot")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()

    started = time.perf_counter()
    result = generate(args.out, scale=args.scale, seed=args.seed, bad_rows=args.bad_rows,
                      deliveries=args.deliveries)
    wall = time.perf_counter() - started
    size = _folder_bytes(args.out)

    print(f"scale {args.scale}  seed {args.seed}  bad_rows {args.bad_rows}  "
          f"deliveries {args.deliveries}")
    print(f"wall time      {wall:10.1f} s")
    print(f"peak RSS       {_peak_rss_mib():10.0f} MiB")
    print(f"output size    {size / 2**20:10.1f} MiB in {args.out}")
    for table, rows in result["row_counts"].items():
        files = len(result["files"][table])
        print(f"  {table:<24} {rows:>13,} rows  {files} files")
    print(f"  injected rows recorded   {len(result['injected']):>13,}")
    if not args.keep:
        shutil.rmtree(args.out)


if __name__ == "__main__":
    main()
