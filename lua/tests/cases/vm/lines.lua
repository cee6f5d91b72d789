-- case: arithmetic across lines
local t = nil
local x = 1 +
  t
-- case: call across lines
local f = nil
f(
  1,
  2
)
-- case: index across lines
local t = {}
local v = t.a
  .b
-- case: method across lines
local s = {}
s
  :m()
-- case: concat across lines
local a = "x"
local b = a ..
  a ..
  nil
-- case: error level 2 across lines
local function check(v)
  if not v then
    error("check failed", 2)
  end
end
local function user()
  local ok = true

  check(false)
end
user()
-- case: nested function error lines
local function a()
  local t = {}
  return t.x.y
end
local function b()
  return (a())
end
print(pcall(b))
-- case: nan and infinities
local z = 0
print(0/z, -(0/z), 1/z, -1/z, math.huge - math.huge, tostring(0/z))
-- case: error in constructor on later line
local t = {
  1,
  2,
  x = nil + 1,
}
-- case: compare across lines
local a = {}
if a
  < 1 then end
-- case: uncaught error table
error({})
-- case: global function call error line
local x = 1
undefined_global_fn(x,
  x)
-- case: for loop error line
for i = 1,
  "x" do end
-- case: while condition error
local n
while n > 0 do end
