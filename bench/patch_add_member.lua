-- PATCH /Groups/{id} adding one member to a group that already has 5,000 (RFC 7644 §3.5.2.1),
-- the request an IdP sends when a user is assigned to a pushed group. Each request adds a
-- different seeded user that was not in the initial membership; once the candidates run out
-- the requests repeat additions, which must be harmless no-ops.
local common = dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local group_id
local candidates
local thread_counter = 0
local next_index = 0
local stride = tonumber(os.getenv("BENCH_THREADS") or "1")

function setup(thread)
    thread_counter = thread_counter + 1
    thread:set("thread_id", thread_counter)
end

function init(args)
    group_id = common.read_lines("group_id.txt")[1]
    candidates = common.read_lines("candidate_ids.txt")
    next_index = thread_id - 1
end

function request()
    -- Threads interleave over the candidates so they never add the same user at once.
    local id = candidates[(next_index % #candidates) + 1]
    next_index = next_index + stride
    local body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],' ..
        '"Operations":[{"op":"add","path":"members","value":[{"value":"' .. id .. '"}]}]}'
    return wrk.format("PATCH", wrk.path .. "/Groups/" .. group_id, common.headers, body)
end

done = common.done
