dofile("scripts/wrk/report.lua")
-- A GET with the bench token.
function init(args)
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("KESU_BENCH_TOKEN")
end
