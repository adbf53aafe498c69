-- PATCH adding one member to the group in BENCH_GROUP_FILE (default group_id.txt), a different
-- candidate from BENCH_CANDIDATES_FILE (default candidate_ids.txt) each request (RFC 7644
-- §3.5.2.1). BENCH_PATCH_QUERY is appended to the URL, e.g. "?excludedAttributes=members" so
-- the answer does not list every member.
local common = dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local group_id
local candidates
local next_index = 0
local stride = tonumber(os.getenv("BENCH_THREADS") or "1")
local query = os.getenv("BENCH_PATCH_QUERY") or ""

common.numbered_threads(function()
    group_id = common.read_lines(os.getenv("BENCH_GROUP_FILE") or "group_id.txt")[1]
    candidates = common.read_lines(os.getenv("BENCH_CANDIDATES_FILE") or "candidate_ids.txt")
    next_index = thread_id - 1
end)

function request()
    -- Threads interleave over the candidates so they never add the same user at once.
    local id = candidates[(next_index % #candidates) + 1]
    next_index = next_index + stride
    local body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],' ..
        '"Operations":[{"op":"add","path":"members","value":[{"value":"' .. id .. '"}]}]}'
    return wrk.format("PATCH", wrk.path .. "/Groups/" .. group_id .. query, common.headers, body)
end

done = common.done
