-- GET /Users?filter=userName eq "<random seeded user>": the lookup an IdP makes before it
-- creates or links an account (RFC 7644 §3.4.2.2).
local common = dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local users = common.user_count()

common.numbered_threads()

function request()
    local name = common.user_name(math.random(1, users))
    -- %20 for spaces and %22 for quotes; '@' and '.' are safe in a query value.
    local filter = "userName%20eq%20%22" .. name .. "%22"
    return wrk.format("GET", wrk.path .. "/Users?filter=" .. filter, common.headers)
end

done = common.done
