-- GET /Users/{id} for random seeded users (RFC 7644 §3.4.1).
local common = dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local ids

common.numbered_threads(function()
    ids = common.read_lines("user_ids.txt")
end)

function request()
    return wrk.format("GET", wrk.path .. "/Users/" .. ids[math.random(1, #ids)], common.headers)
end

done = common.done
