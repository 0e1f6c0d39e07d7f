dofile("scripts/wrk/report.lua")
-- POST /api/v1/complaints with a distinct Idempotency-Key, customer phone and waybill on every request.
local threads = {}
local counter = 0
local id = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("KESU_BENCH_TOKEN")
  math.randomseed(os.time() + id)
end

local descriptions = {
  "快递员没有送货上门，直接放在驿站了。",
  "包裹三天没有更新物流信息，承诺次日达。",
  "收到的箱子破损，里面的杯子碎了。",
  "预约上门取件一直没人来。",
}

request = function()
  counter = counter + 1
  local n = id * 10000000 + counter
  local body = string.format(
    '{"channel":"phone","customer":{"name":"压测客户","phone":"139%08d"},"waybillNumbers":["BK%012d"],"description":"%s"}',
    n % 100000000, n, descriptions[(counter % #descriptions) + 1])
  return wrk.format("POST", "/api/v1/complaints", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = string.format("bench-%d-%d-%d", os.time(), id, counter),
  }, body)
end
