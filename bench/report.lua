-- wrk script used by bench/run.py.
--
-- Prints exactly one machine-readable line when the run finishes:
--   BENCH_JSON {"requests":..., "p50_us":..., ...}
-- Latencies are in microseconds; errors_status counts non-2xx/3xx responses.

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%.0f,"duration_us":%.0f,"bytes":%.0f,' ..
    '"errors_connect":%.0f,"errors_read":%.0f,"errors_write":%.0f,' ..
    '"errors_status":%.0f,"errors_timeout":%.0f,' ..
    '"lat_mean_us":%.1f,"lat_stdev_us":%.1f,"lat_max_us":%.0f,' ..
    '"p50_us":%.1f,"p90_us":%.1f,"p99_us":%.1f,"p999_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9)))
end
