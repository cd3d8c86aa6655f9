"""Helpers shared by the benchmark scripts: timing, memory, environment, output.

Standard library only (plus NumPy where noted), so that a benchmark child
process that runs PyTorch does not import TensorFlow through this module, and
the other way round.
"""

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A 1-minute load average above this at the start of a run means other work
# shares the cores: the results then say so.
QUIET_LOAD_AVERAGE = 0.5
# Precisions of the training benchmarks: float32, and bfloat16 mixed precision
# (Keras' "mixed_bfloat16" policy, PyTorch's bfloat16 autocast).
PRECISIONS = ("float32", "bfloat16")
# Memory allocators a benchmark child can run with: "default" is the C
# library's malloc (no preload); the others are preloaded with LD_PRELOAD.
ALLOCATORS = {
    "default": None,
    "jemalloc": "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
    "tcmalloc": "/usr/lib/x86_64-linux-gnu/libtcmalloc.so.4",
}


def quiet_tensorflow_logs():
    """Hides TensorFlow's C++ info logs in this process and its children."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def peak_rss_mb():
    """Peak resident set size of this process so far, in MiB (Linux: KiB units)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0


def current_rss_mb():
    """Current resident set size of this process in MiB (Linux), else None."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except OSError:
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024.0 * 1024.0)


def time_windows(run, warmup, steps, repeats):
    """Times `run(n)`: first step, rest of warm-up, then `repeats` windows of `steps`."""
    start = time.perf_counter()
    run(1)
    first_step = time.perf_counter() - start
    start = time.perf_counter()
    if warmup > 1:
        run(warmup - 1)
    rest_of_warmup = time.perf_counter() - start
    windows = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(steps)
        windows.append(time.perf_counter() - start)
    return {"first_step_s": first_step, "rest_of_warmup_s": rest_of_warmup, "window_s": windows}


def parse_choices(text, valid, flag, parser):
    """A comma-separated flag value as a list, each entry checked against `valid`."""
    values = [v for v in text.split(",") if v]
    if not values:
        parser.error(f"--{flag} is empty.")
    for value in values:
        if value not in valid:
            parser.error(f"Unknown {flag} entry {value!r}. Valid: {list(valid)}")
    return values


def check_allocators(names, parser):
    """Errors out when a preloaded allocator's library is not installed."""
    for name in names:
        path = ALLOCATORS[name]
        if path is not None and not os.path.exists(path):
            parser.error(f"--allocators: {name} needs {path}, which does not exist.")


def allocator_env(name):
    """The environment variables that make a child process use allocator `name`."""
    path = ALLOCATORS[name]
    if path is None:
        return {}
    preload = os.environ.get("LD_PRELOAD")
    return {"LD_PRELOAD": f"{path}:{preload}" if preload else path}


def loaded_allocators():
    """The preloadable allocators mapped into this process (Linux), e.g. `["jemalloc"]`.

    A child checks with it that its `LD_PRELOAD` took effect.
    """
    try:
        with open("/proc/self/maps") as f:
            maps = f.read()
    except OSError:
        return None
    return [
        name
        for name, path in ALLOCATORS.items()
        if path is not None and os.path.basename(path).split(".so")[0] in maps
    ]


def median(values):
    return statistics.median(values) if values else float("nan")


def cpu_count():
    """Cores this process may run on (its affinity), else the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _version(module_name):
    """The installed version of a distribution, without importing it."""
    from importlib import metadata

    try:
        return metadata.version(module_name)
    except metadata.PackageNotFoundError:
        return None


def environment():
    """What the numbers depend on: machine, load and library versions."""
    load = load_average()
    return {
        "time": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_model": _cpu_model(),
        "cpu_count": cpu_count(),
        "load_average_at_start": load,
        "machine_was_quiet": None if load is None else load[0] <= QUIET_LOAD_AVERAGE,
        "tensorflow": _version("tensorflow"),
        "keras": _version("keras"),
        "numpy": _version("numpy"),
        "torch": _version("torch"),
        "keras_gans": _version("keras-gans"),
    }


def load_warning(env):
    if env.get("machine_was_quiet") is False:
        return (
            f"WARNING: the 1-minute load average was {env['load_average_at_start'][0]} at the "
            "start: other work shared the cores, so these timings are distorted."
        )
    return None


def report_start(payload):
    """The first lines of a report: the load warning, when there is one."""
    warning = load_warning(payload["environment"])
    return [f"**{warning}**", ""] if warning else []


def apply_quick(args, parser, overrides):
    """Sets the `--quick` values of the flags the user left at their defaults."""
    for name, value in overrides.items():
        if getattr(args, name) == parser.get_default(name):
            setattr(args, name, value)


def write_json(path, payload):
    if not path:
        return
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "w") as f:
        json.dump(payload, f, indent=2, sort_keys=False)
        f.write("\n")


def markdown_table(headers, rows):
    """A Markdown table; numbers should already be formatted as strings."""
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join("" if cell is None else str(cell) for cell in row) + " |")
    return "\n".join(lines)


def fmt(value, digits=1):
    """Formats a number for a table; None and NaN become a dash."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, int):
        return str(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def fmt_ratio(value):
    return "–" if value is None else f"{value:.2f}×"


def run_child(script, args, timeout, extra_env=None):
    """Runs `python script args...`; returns (returncode, combined output tail).

    `extra_env` adds environment variables for the child, e.g. the
    `LD_PRELOAD` of `allocator_env`.
    """
    command = [sys.executable, script, *args]
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.update(extra_env or {})
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        output = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else ""
        return -1, f"timed out after {timeout} s\n{output[-3000:]}"
    return result.returncode, (result.stdout + result.stderr)[-3000:]


def matmul_gflops(library, size, repeats, torch_threads=0, dtype="float32"):
    """GFLOP/s of a `size x size` matrix product in `library`.

    `library` is `"tensorflow"`, `"numpy"` or `"torch"`; `dtype` is
    `"float32"` or `"bfloat16"` (TensorFlow and PyTorch only: the inputs and
    the product in bfloat16, as mixed precision runs its matrix products).
    Each product is timed alone after two warm-up products; the rate is
    `2 * size**3` over the median time. PyTorch runs `torch_threads` threads
    (0: the core count). Returns a dict with the rate and the times.
    """
    import numpy as np

    if dtype not in PRECISIONS:
        raise ValueError(f"Unknown dtype {dtype!r}. Valid: {PRECISIONS}")
    if dtype != "float32" and library == "numpy":
        raise ValueError("NumPy has no bfloat16 matrix product.")
    rng = np.random.default_rng(0)
    a_np = rng.standard_normal((size, size), dtype=np.float32)
    b_np = rng.standard_normal((size, size), dtype=np.float32)
    if library == "tensorflow":
        import tensorflow as tf

        a, b = tf.constant(a_np, dtype=dtype), tf.constant(b_np, dtype=dtype)

        def product():
            # Reading one element waits for the product without copying it all
            # (eager CPU ops are synchronous anyway).
            return tf.linalg.matmul(a, b)[0, 0].numpy()
    elif library == "numpy":
        a, b = a_np, b_np

        def product():
            return a @ b
    elif library == "torch":
        import torch

        torch.set_num_threads(torch_threads or cpu_count())
        a, b = torch.from_numpy(a_np), torch.from_numpy(b_np)
        if dtype == "bfloat16":
            a, b = a.to(torch.bfloat16), b.to(torch.bfloat16)

        def product():
            with torch.no_grad():
                return torch.matmul(a, b)
    else:
        raise ValueError(f"Unknown library: {library!r}")
    for _ in range(2):
        product()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        product()
        times.append(time.perf_counter() - start)
    flops = 2.0 * size**3
    result = {
        "library": library,
        "size": size,
        "repeats": repeats,
        "seconds": times,
        "gflops_median": flops / median(times) / 1e9,
        "gflops_best": flops / min(times) / 1e9,
    }
    if dtype != "float32":  # float32 results keep their old keys only
        result["dtype"] = dtype
    return result


def spawn_json_child(script, flags, timeout, preload="default", **describe):
    """Runs `script flags... --child_output=FILE` and returns the JSON it wrote.

    The child runs with the allocator `preload` preloaded (`allocator_env`). When it fails,
    returns `describe` with the error and the tail of its output instead.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        output = os.path.join(tmp, "result.json")
        code, tail = run_child(
            script,
            [*flags, f"--child_output={output}"],
            timeout,
            extra_env=allocator_env(preload),
        )
        if code == 0 and os.path.exists(output):
            with open(output) as f:
                return json.load(f)
    return {**describe, "error": f"exit code {code}", "output_tail": tail}


def spawn_variant(script, child_args, args, only, precision="float32", allocator="default"):
    """`spawn_json_child` for one (implementation, precision, allocator) variant of `script`.

    `child_args(args, only, precision, allocator)` gives the child's flags; the allocator
    is preloaded, and a failed child's record names the variant.
    """
    return spawn_json_child(
        script,
        child_args(args, only, precision, allocator),
        args.child_timeout,
        allocator,
        only=only,
        precision=precision,
        allocator=allocator,
    )
