-- case: upvalue of upvalue
local function outer()
  local x = 0
  return function()
    return function() x = x + 1 return x end
  end
end
local mk = outer()
local a, b = mk(), mk()
print(a(), b(), a())
-- case: local function vs local f = function
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(fact(10))
local g = function(n) if n == 0 then return 0 end return g(n - 1) end
print(pcall(g, 1))
-- case: vararg in middle
local function f(...) return ... end
print(f(1, 2), f(3, 4))
print({f(1, 2), f(3, 4)}[1] == nil)
-- case: vararg in middle fixed
local function f(...) return ... end
local t = {f(1, 2), f(3, 4)}
print(#t, t[1], t[2], t[3])
print((f(5, 6)))
-- case: assignment order
local a = {}
local i = 1
i, a[i] = i + 1, 20
print(i, a[1], a[2])
local t = {}
local u = t
t.x, t = 1, 2
print(u.x, t)
-- case: swap fields
local t = {1, 2}
t[1], t[2] = t[2], t[1]
print(t[1], t[2])
-- case: number keys normalization
local t = {}
t[1.0] = "a" t[2] = "b" t["1"] = "c"
print(t[1], t[2.0], t["1"], #t)
t[2^53] = "big"
print(t[2^53])
-- case: long concat chains
local s = "a" .. "b" .. 1 .. 2.5 .. "c" .. -3
print(s)
local parts = ""
for i = 1, 10 do parts = parts .. i .. "," end
print(parts)
-- case: conditions with side effects
local n = 0
local function bump(v) n = n + 1 return v end
if bump(false) and bump(true) then end
if bump(nil) or bump(1) then end
print(n)
print(not (1 < 2), not not nil, (1 < 2) == true)
-- case: repeat until sees body local
local i = 0
repeat local done = i >= 3 i = i + 1 until done
print(i)
-- case: float for loop
local c = 0
for x = 0, 1, 0.1 do c = c + 1 end
print(c)
for i = 10, 1, -3 do io = nil print(i) end
-- case: for loop var is a copy
for i = 1, 3 do
  local j = i
  i = i * 10
  print(i, j)
end
-- case: nested break and closures
local out = {}
for i = 1, 3 do
  for j = 1, 3 do
    if j > i then break end
    out[#out + 1] = function() return i * 10 + j end
  end
end
local r = {}
for k, f in ipairs(out) do r[k] = f() end
print(table.concat(r, ","))
-- case: while with closures capture each iteration
local fs, i = {}, 0
while i < 3 do
  i = i + 1
  local v = i
  fs[i] = function() v = v + 100 return v end
end
print(fs[1](), fs[1](), fs[2](), fs[3]())
-- case: constructor with varargs and nils
local function f(...) return {...}, select("#", ...) end
local t, n = f(1, nil, 3, nil)
print(n, t[1], t[2], t[3])
local big = {}
for i = 1, 60 do big[i] = i end
local function pass(...) return {...} end
print(#pass(unpack(big)))
-- case: method on number string
local s = 12
print(("x"):rep(2), ("%d"):format(s), ("abc"):upper():lower())
-- case: multiple returns adjust in expressions
local function two() return 1, 2 end
local x = two() + 10
local t = {two(), two(), k = two()}
print(x, #t, t.k, (two()))
-- case: string keys and integer keys distinct
local t = {}
t["10"] = "s" t[10] = "n"
print(t["10"], t[10])
-- case: nil and false keys
local t = {[false] = "f", [true] = "t"}
print(t[false], t[true])
print(pcall(function() local t = {} t[nil] = 1 end))
-- case: deep closure recursion through upvalues
local function make(n)
  if n == 0 then return function() return 0 end end
  local inner = make(n - 1)
  return function() return 1 + inner() end
end
print(make(100)())
-- case: and or values
local a = nil
local b = a and a.x or "default"
print(b, false or nil, nil and false, 0 and "zero")
-- case: numeric edge printing
print(0/0 ~= 0/0, -0 == 0, 1e308 * 10, -1e308 * 10, 2^31, 2^32 + 1, -2^31)
print(5 // 1 == nil)
-- case: numeric edge printing 2
print(100000000000000, 1e14 + 0.5, 12345678901234567, 0.1 + 0.7, 1/3 * 3)
print(math.floor(-0.5), 3 % 0, -3 % 0, 0 % 0)
-- case: string number comparison
print(pcall(function() return 1 < "2" end))
print("10" == 10, "abc" < "abd", "" == "")
-- case: length of strings and tables with holes
local t = {}
t[1] = 1 t[2] = 2 t[4] = 4
print(#t, #"", #"\n\t")
-- case: integer division and modulo floats
print(7 % 2.5, -7 % 2.5, 7.5 % -2, 2 ^ 0.5, 2 ^ -1, (-8) ^ (1/3))
-- case: goto is not a keyword
local goto = 5
print(goto)
-- case: semicolons and empty statements
local a = 1; local b = 2;
;;; print(a + b)
-- case: global function definitions
function gf(a) return a * 2 end
function gt() return gf(21) end
print(gt())
-- case: method definitions with self
local Account = {}
Account.__index = Account
function Account.new(b) return setmetatable({balance = b}, Account) end
function Account:deposit(v) self.balance = self.balance + v return self end
function Account:get() return self.balance end
local acc = Account.new(10)
print(acc:deposit(5):deposit(7):get())
-- case: inheritance chain
local Base = {}
Base.__index = Base
function Base:name() return "base" end
function Base:hello() return "hello from " .. self:name() end
local Derived = setmetatable({}, {__index = Base})
Derived.__index = Derived
function Derived:name() return "derived" end
local obj = setmetatable({}, Derived)
print(obj:hello(), Base.hello(obj))
-- case: closures counter table
local function counters()
  local t = {}
  for i = 1, 3 do
    local c = 0
    t[i] = {inc = function() c = c + i return c end}
  end
  return t
end
local cs = counters()
cs[1].inc() cs[3].inc()
print(cs[1].inc(), cs[2].inc(), cs[3].inc())
-- case: tail call in method and varargs
local obj = {}
function obj:f(...) return select("#", ...), ... end
local function g(...) return obj:f(...) end
print(g(1, nil, 3))
-- case: return in the middle via do end
local function f(x)
  if x then do return "early" end end
  return "late"
end
print(f(true), f(false))
-- case: numeric for with large counts
local s = 0
for i = 1, 100000 do s = s + i end
print(s)
-- case: while false and nested functions in conditions
local function check(v) return function() return v end end
while check(false)() do print("never") end
print("done")
-- case: tostring of integers in keys concat
local t = {}
for i = 1, 5 do t[#t + 1] = i * 1.5 end
print(table.concat(t, " "))
-- case: error in for iterator
local function bad() error("iter fail") end
print(pcall(function() for x in bad do end end))
-- case: call through __call in for iterator
local it = setmetatable({}, {__call = function(self, s, c) if c < 3 then return c + 1 end end})
for i in it, nil, 0 do print(i) end
-- case: unary minus on string
print(-"2", - -3, -"0x10")
-- case: concat with float formatting
print(1.5 .. "", 1e100 .. "", -0.0 .. "", 2^63 .. "")
-- case: nan signs from operators
local z = 0
local inf = 1 / z
print(0 / z, inf - inf, -(0 / z), inf * 0, z * inf, 1 % 0, (-8) ^ 0.5, inf + -inf)
