-- case: string library extension
function string.shout(s) return s:upper() .. "!" end
print(("hey"):shout(), ("abc"):len(), #("abc"):rep(2))
-- case: call metamethod varargs and tail
local obj = setmetatable({}, {__call = function(self, ...) return select("#", ...), ... end})
local function tail(...) return obj(...) end
print(tail(1, nil, 3))
print(obj())
-- case: metamethod multiple results truncated
local mt = {__add = function() return 1, 2, 3 end, __index = function() return "a", "b" end}
local t = setmetatable({}, mt)
print(t + t, t.x)
-- case: index function returning nil
local t = setmetatable({}, {__index = function() end})
print(t.anything, rawget(t, "anything"))
-- case: eq not called for same or different types
local calls = 0
local mt = {__eq = function() calls = calls + 1 return false end}
local a = setmetatable({}, mt)
local b = setmetatable({}, mt)
print(a == a, a == 1, a == "x", a == b, calls)
-- case: lt mixed types error
local a = setmetatable({}, {__lt = function() return true end})
print(pcall(function() return a < 1 end))
print(pcall(function() return 1 < a end))
print(a < a)
-- case: concat metamethod with numbers
local c = setmetatable({}, {__concat = function(a, b)
  local x = type(a) == "table" and "T" or tostring(a)
  local y = type(b) == "table" and "T" or tostring(b)
  return x .. y
end})
print(1 .. c, c .. 2, "s" .. c .. "e", c .. c)
-- case: unm and len metamethods on tables
local t = setmetatable({}, {__unm = function(a) return "neg" end})
print(-t)
-- case: pcall in tail position
local function f() return pcall(error, "tailerr") end
print(f())
-- case: uncaught error with tostring metamethod
error(setmetatable({}, {__tostring = function() return "custom" end}))
-- case: error in tostring metamethod
local t = setmetatable({}, {__tostring = function() error("ts fail") end})
print(pcall(tostring, t))
-- case: tostring returning non string
local t = setmetatable({}, {__tostring = function() return 42 end})
print(pcall(tostring, t))
local u = setmetatable({}, {__tostring = function() return {} end})
local ok, r = pcall(tostring, u)
print(ok, type(r))
-- case: setmetatable nil removes
local t = setmetatable({}, {__index = {a = 1}})
print(t.a)
setmetatable(t, nil)
print(t.a, getmetatable(t))
-- case: getmetatable of non tables
print(getmetatable(1), getmetatable(nil), getmetatable(print))
-- case: newindex chain to table with newindex
local final = {}
local mid = setmetatable({}, {__newindex = final})
local top = setmetatable({}, {__newindex = mid})
top.k = "v"
print(rawget(top, "k"), rawget(mid, "k"), final.k)
-- case: index via string key on number
print(pcall(function() local n = 5 return n.x end))
print(pcall(function() local b = true return b[1] end))
-- case: metamethods in generic for state
local t = setmetatable({}, {__index = function(t, i) if i <= 3 then return i * 2 end end})
for i, v in ipairs(t) do print(i, v) end
-- case: comparisons of mixed numbers and strings in sort
local t = {"10", "9", "100"}
table.sort(t)
print(table.concat(t, " "))
-- case: arithmetic metamethod from second operand
local v = setmetatable({}, {__add = function(a, b) return type(a) .. "+" .. type(b) end})
print(1 + v, v + 1, "2" + v)
-- case: arithmetic on string that is not a number with metamethod
local v = setmetatable({}, {__mul = function(a, b) return "mul" end})
print("abc" * v)
print(pcall(function() return "abc" * 2 end))
-- case: le with only lt metamethod on different tables
local mt = {__lt = function(a, b) return a.v < b.v end}
local x, y = setmetatable({v = 1}, mt), setmetatable({v = 1}, mt)
print(x <= y, x < y, x >= y)
