-- PATCH /Groups/{id} adding one member to a group that already has 5,000 (RFC 7644 §3.5.2.1),
-- the request an IdP sends when a user is assigned to a pushed group. Each request adds a
-- different seeded user that was not in the initial membership; once the candidates run out
-- the requests repeat additions, which must be harmless no-ops. The requests are those of
-- patch_member_of.lua on its default files (group_id.txt, candidate_ids.txt) and no query.
dofile(os.getenv("BENCH_DIR") .. "/patch_member_of.lua")
