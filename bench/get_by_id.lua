-- GET /Users/{id} for random seeded users (RFC 7644 §3.4.1).
local common = dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local ids
local thread_counter = 0

function setup(thread)
    thread_counter = thread_counter + 1
    thread:set("thread_id", thread_counter)
end

function init(args)
    common.seed(thread_id)
    ids = common.read_lines("user_ids.txt")
end

function request()
    return wrk.format("GET", wrk.path .. "/Users/" .. ids[math.random(1, #ids)], common.headers)
end

done = common.done
