-- case: error string
error("boom")
-- case: error level 0
error("boom", 0)
-- case: error level 2
local function f() error("deep", 2) end
local function g()
  f()
end
g()
-- case: error table value
local ok, e = pcall(error, {code = 7})
print(ok, type(e), e.code)
-- case: error nil
print(pcall(error))
-- case: pcall results
print(pcall(function(...) return ... end, 1, 2, 3))
print(pcall(function() error("x") end))
print(pcall(function() error() end))
print(pcall(function() error(setmetatable({}, {__tostring = function() return "T" end})) end))
-- case: pcall non function
print(pcall(nil))
print(pcall(42))
-- case: pcall nested
print(pcall(pcall, error, "e"))
print(pcall(pcall))
print(select("#", pcall(pcall, function() end)))
-- case: error with number
local ok, e = pcall(error, 42)
print(ok, e, type(e))
-- case: runtime errors in pcall
print(pcall(function() local x = nil; return x.y end))
print(pcall(function() return 1 + {} end))
print(pcall(function() return #5 end))
print(pcall(function() return {} .. "" end))
-- case: assert
print(assert(1, "unused"), select("#", assert(1, 2, 3)))
print(pcall(assert, false))
print(pcall(assert, nil, "custom message"))
print(pcall(assert))
-- case: assert uncaught
assert(false, "bad thing")
-- case: assert default
local x = nil
assert(x)
-- case: error rethrow
local ok, e = pcall(function()
  local ok2, e2 = pcall(error, "inner")
  error(e2, 0)
end)
print(ok, e)
-- case: error across lines
local t = {}
local function f()
  return t.a.b
end
print(pcall(f))
-- case: stack overflow
local function r() return 1 + r() end
local ok, e = pcall(r)
print(ok, e)
-- case: stack overflow uncaught
local function r(n) return r(n + 1) + 1 end
r(1)
-- case: tail call depth
local function loop(n) if n == 0 then return "end" end return loop(n - 1) end
print(loop(100000))
-- case: bad argument messages
print(pcall(setmetatable, 1, {}))
print(pcall(setmetatable, {}, 1))
print(pcall(rawget, 1))
print(pcall(ipairs))
print(pcall(string.rep))
print(pcall(string.sub, "x"))
-- case: bad argument call site names
local s = string
print(pcall(function() return s.rep() end))
print(pcall(function() local r = string.rep return r() end))
print(pcall(function() return ("x"):rep() end))
print(pcall(function() return ("x").rep() end))
print(pcall(function() return string.char(256) end))
print(pcall(function() return tonumber("10", 99) end))
print(pcall(function() return select(-5, 1) end))
-- case: error in metamethod level 2
local t = setmetatable({}, {__index = function(t, k) error("missing " .. k, 2) end})
local function get()
  return t.key
end
print(pcall(get))
-- case: loadstring errors
print(loadstring("x = "))
print(loadstring("return 1 +", "=mychunk"))
print(loadstring("goto done ::done::"))
local f = loadstring("return ...")
print(f(1, 2))
local g = loadstring("error('in loaded')")
print(pcall(g))
local h = loadstring("local a = nil; return a.b", "=named")
print(pcall(h))
-- case: next errors
print(pcall(next, {}, "nokey"))
-- case: compare errors more
print(pcall(function() return {} < 1 end))
print(pcall(function() return "a" < 1 end))
print(pcall(function() return nil > nil end))
print(pcall(function() return true <= false end))
-- case: for in error
for x in nil do end
-- case: concat number and nil
local n = 5
return n .. nil
