-- Repeats one GET whose path and query (after the base URL) are in BENCH_PATH_FILE: a page at
-- a fixed position (first, deep by startIndex, deep by cursor) or one group read. The path is
-- read from a file because cursors are long and opaque.
local common = dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local path

function init(args)
    path = common.read_lines(os.getenv("BENCH_PATH_FILE"))[1]
end

function request()
    return wrk.format("GET", wrk.path .. path, common.headers)
end

done = common.done
