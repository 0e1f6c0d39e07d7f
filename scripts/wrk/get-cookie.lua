dofile("scripts/wrk/report.lua")
-- A GET with the bench user's session cookie (staff pages).
function init(args)
  wrk.headers["Cookie"] = "kesu_session=" .. os.getenv("KESU_BENCH_TOKEN")
end
