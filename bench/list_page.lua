-- GET /Users?startIndex=<random>&count=100: one page of 100 users at a random position
-- (RFC 7644 §3.4.2.4), as an IdP's import or reconciliation reads the directory.
local common = dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local users = common.user_count()

common.numbered_threads()

function request()
    local start = math.random(1, math.max(1, users - 99))
    return wrk.format("GET", wrk.path .. "/Users?startIndex=" .. start .. "&count=100",
                      common.headers)
end

done = common.done
