-- case: index table and function
local base = {greet = function() return "hi" end}
local t = setmetatable({}, {__index = base})
print(t.greet(), t.missing)
local u = setmetatable({}, {__index = function(t, k) return k .. "!" end})
print(u.foo, u[1])
local chain = setmetatable({}, {__index = setmetatable({}, {__index = {deep = 42}})})
print(chain.deep)
-- case: newindex
local log = {}
local t = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k rawset(t, k, v * 2) end})
t.a = 1 t.a = 5 t.b = 2
print(t.a, t.b, #log)
local store = {}
local p = setmetatable({}, {__newindex = store})
p.x = 3
print(rawget(p, "x"), store.x)
-- case: call metamethod
local c = setmetatable({}, {__call = function(self, a, b) return a + b, self end})
local r, s = c(2, 3)
print(r, s == c)
-- case: arithmetic metamethods
local mt = {}
mt.__add = function(a, b) return "add" end
mt.__sub = function(a, b) return "sub" end
mt.__mul = function(a, b) return "mul" end
mt.__div = function(a, b) return "div" end
mt.__mod = function(a, b) return "mod" end
mt.__pow = function(a, b) return "pow" end
mt.__unm = function(a) return "unm" end
mt.__concat = function(a, b) return "cat" end
local v = setmetatable({}, mt)
print(v + 1, 1 - v, v * v, v / 2, v % 2, v ^ 2, -v, v .. "x", "x" .. v, 1 .. v)
-- case: comparison metamethods
local mt = {}
mt.__eq = function(a, b) return true end
mt.__lt = function(a, b) return a.n < b.n end
mt.__le = function(a, b) return a.n <= b.n end
local a = setmetatable({n = 1}, mt)
local b = setmetatable({n = 2}, mt)
print(a == b, a ~= b, a < b, a > b, a <= b, a >= b)
local c = setmetatable({n = 1}, {__eq = function() return true end})
print(a == c, a == {})
-- case: le falls back to lt
local mt = {__lt = function(a, b) return a.n < b.n end}
local a = setmetatable({n = 1}, mt)
local b = setmetatable({n = 2}, mt)
print(a <= b, b <= a)
-- case: len not used for tables
local t = setmetatable({1, 2}, {__len = function() return 99 end})
print(#t)
-- case: tostring metamethod
local t = setmetatable({}, {__tostring = function() return "OBJ" end})
print(tostring(t), t)
-- case: metatable protection
local t = setmetatable({}, {__metatable = "locked"})
print(getmetatable(t))
print(pcall(setmetatable, t, {}))
return setmetatable(t, nil)
-- case: getmetatable string
print(getmetatable("x").__index == string)
-- case: string methods
local s = "Hello"
print(s:upper(), s:lower(), s:len(), ("x"):rep(3), s:sub(2, 3), s:byte(1))
-- case: index loop
local t = setmetatable({}, {})
getmetatable(t).__index = t
return t.x
-- case: redis style global protection
setmetatable(_G, {
  __newindex = function(t, n) error("Script attempted to create global variable '" .. tostring(n) .. "'", 2) end,
  __index = function(t, n) error("Script attempted to access nonexistent global variable '" .. tostring(n) .. "'", 2) end,
})
print(pcall(function() newglobal = 1 end))
print(pcall(function() return missing end))
local ok = pcall(function() local x = 1 end)
print(ok)
-- case: metamethod error inside
local t = setmetatable({}, {__index = function(t, k) error("no field " .. k) end})
print(pcall(function() return t.abc end))
-- case: arithmetic on table without metamethod
local t = setmetatable({}, {})
return t + 1
-- case: eq different metamethods
local a = setmetatable({}, {__eq = function() return true end})
local b = setmetatable({}, {__eq = function() return true end})
print(a == b)
-- case: call non-callable with metatable
local t = setmetatable({}, {})
t()
-- case: rawequal rawget rawset
local t = setmetatable({}, {__index = function() return 1 end, __newindex = function() end})
rawset(t, "a", 2)
t.b = 3
print(rawget(t, "a"), rawget(t, "b"), t.c, rawequal(t, t), rawequal(t, {}))
