"""Bounded load generators: `wrk` (preferred: C, light on the 2 cores the server also needs)
and a Python thread pool with keep-alive connections when wrk is not installed. Both stop
after `duration` seconds; the Python one also after MAX_REQUESTS."""

from __future__ import annotations

import http.client
import re
import statistics
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from urllib.parse import urlparse

MAX_REQUESTS = 200_000
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class LoadResult:
    status: int = 0
    requests: int = 0
    errors: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk_load(url: str, headers: dict[str, str], connections: int, duration: float) -> LoadResult:
    args = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{max(1, round(duration))}s",
            "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True,
                         timeout=duration + 30).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return LoadResult(
        requests=int(re.search(r"(\d+) requests in", out).group(1)),
        errors=errors,
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
    )


def python_load(url: str, headers: dict[str, str], connections: int, duration: float) -> LoadResult:
    parsed = urlparse(url)
    path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def worker() -> None:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        mine, failed = [], 0
        while time.monotonic() < deadline and len(latencies) + len(mine) < MAX_REQUESTS:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
                mine.append(time.perf_counter() - t0)
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 30)
    elapsed = time.monotonic() - started
    if not latencies:
        return LoadResult(errors=errors[0])
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return LoadResult(requests=len(latencies), errors=errors[0], rps=len(latencies) / elapsed,
                      p50_ms=cuts[49] * 1000, p99_ms=cuts[98] * 1000)
