-- GET /Users?filter=externalId eq "<random seeded user>": how Entra ID and Okta find the account
-- they provisioned before (RFC 7644 §3.4.2.2; externalId is caseExact).
local common = dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local users = common.user_count()

common.numbered_threads()

function request()
    local external_id = string.format("ext-bench%07d", math.random(1, users))
    local filter = "externalId%20eq%20%22" .. external_id .. "%22"
    return wrk.format("GET", wrk.path .. "/Users?filter=" .. filter, common.headers)
end

done = common.done
