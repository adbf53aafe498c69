-- Shared by the workload scripts: request headers, id files, and one machine-readable summary
-- line per run. Settings come from the environment, which scripts/bench sets:
--   BENCH_TOKEN  bearer token of the server under test
--   BENCH_DATA   directory with user_ids.txt, candidate_ids.txt, group_id.txt
--   BENCH_USERS  number of seeded users (names bench0000001@example.com ... benchNNNNNNN@...)
local common = {}

common.headers = {
    ["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or ""),
    ["Accept"] = "application/scim+json",
    ["Content-Type"] = "application/scim+json",
}

function common.read_lines(name)
    local path = (os.getenv("BENCH_DATA") or ".") .. "/" .. name
    local lines = {}
    local file = assert(io.open(path, "r"), "cannot open " .. path)
    for line in file:lines() do
        if line ~= "" then
            lines[#lines + 1] = line
        end
    end
    file:close()
    assert(#lines > 0, path .. " is empty")
    return lines
end

function common.user_count()
    return tonumber(os.getenv("BENCH_USERS") or "0")
end

function common.user_name(i)
    return string.format("bench%07d@example.com", i)
end

-- Every thread seeds its own generator so threads do not replay the same sequence.
function common.seed(thread_id)
    math.randomseed(os.time() * 1000 + (thread_id or 0))
end

-- Installs wrk's setup() and init(): every thread gets a number (thread_id, from 1) and its own
-- random seed; on_init, when given, then runs in the thread with wrk's init arguments.
function common.numbered_threads(on_init)
    local count = 0
    setup = function(thread)
        count = count + 1
        thread:set("thread_id", count)
    end
    init = function(args)
        common.seed(thread_id)
        if on_init then
            on_init(args)
        end
    end
end

-- Prints one line that scripts/bench parses. Latencies are in microseconds in wrk.
function common.done(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local errors = summary.errors
    io.write(string.format(
        "BENCH_RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f " ..
        "mean_ms=%.3f non2xx=%d socket_errors=%d\n",
        summary.requests, seconds, summary.requests / seconds,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000,
        errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end

return common
