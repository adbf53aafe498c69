-- POST /Users with a userName no other request of this run uses (RFC 7644 §3.3). Names carry
-- the run's start time and the thread number, so repeated runs against one server never collide.
local common = dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local counter = 0
local run_tag = tostring(os.time())

common.numbered_threads()

function request()
    counter = counter + 1
    local name = string.format("new-%s-%d-%d", run_tag, thread_id, counter)
    local body = string.format(
        '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],' ..
        '"userName":"%s@example.com","externalId":"ext-%s","active":true,' ..
        '"name":{"givenName":"New","familyName":"%s"},' ..
        '"emails":[{"value":"%s@example.com","type":"work","primary":true}]}',
        name, name, name, name)
    return wrk.format("POST", wrk.path .. "/Users", common.headers, body)
end

done = common.done
