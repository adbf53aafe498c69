-- PATCH adding one member to the group in BENCH_GROUP_FILE, a different candidate from
-- BENCH_CANDIDATES_FILE each request (RFC 7644 §3.5.2.1). BENCH_PATCH_QUERY is appended to the
-- URL, e.g. "?excludedAttributes=members" so the answer does not list every member.
local common = dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local group_id
local candidates
local thread_counter = 0
local next_index = 0
local stride = tonumber(os.getenv("BENCH_THREADS") or "1")
local query = os.getenv("BENCH_PATCH_QUERY") or ""

function setup(thread)
    thread_counter = thread_counter + 1
    thread:set("thread_id", thread_counter)
end

function init(args)
    group_id = common.read_lines(os.getenv("BENCH_GROUP_FILE"))[1]
    candidates = common.read_lines(os.getenv("BENCH_CANDIDATES_FILE"))
    next_index = thread_id - 1
end

function request()
    local id = candidates[(next_index % #candidates) + 1]
    next_index = next_index + stride
    local body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],' ..
        '"Operations":[{"op":"add","path":"members","value":[{"value":"' .. id .. '"}]}]}'
    return wrk.format("PATCH", wrk.path .. "/Groups/" .. group_id .. query, common.headers, body)
end

done = common.done
