-- case: arithmetic
print(1 + 2, 7 - 10, 3 * 4, 7 / 2, 7 % 3, -7 % 3, 7 % -3, 5.5 % 2, 2 ^ 10, -2 ^ 2)
print(10 / 2, 1 / 0, -1 / 0, 2 ^ 53, 1e15, 1e100, 123456789012, 0.1)
-- case: string coercion
print("10" + 1, "10" * "2", "0x10" + 0, " 5 " * 2, 1 .. "", 1.5 .. "x", 2 ^ 53 .. "")
-- case: arith error string
return "abc" + 1
-- case: arith error global
return x + 1
-- case: arith error local
local t = {} return 1 + t
-- case: arith error field
local t = {} return t.x * 2
-- case: arith error upvalue
local u local function f() return u - 1 end return f()
-- case: unm error
local s = {} return -s
-- case: concat
local a, b = "x", 3 print(a .. b, a .. b .. a, 1 .. 2)
-- case: concat error
local t = {} return "a" .. t
-- case: concat error nil global
return "a" .. y .. "b"
-- case: comparisons
print(1 < 2, 2 <= 2, "a" < "b", "abc" < "abd", "Z" < "a", 1 == 1.0, "1" == 1, 3 > 2, 3 >= 4)
-- case: compare error
return 1 < nil
-- case: compare error 2
return {} < {}
-- case: compare error 3
return "x" >= 1
-- case: length
local t = {1, 2, 3, nil, 5}
print(#"hello", #t, #{}, #{nil, nil, 3}, #{1, 2, nil, 4})
-- case: length error
local n = 5 return #n
-- case: and or
print(nil and 1, false or "d", 1 and 2, nil or false, 1 or error("no"), false and error("no"))
print(1 and nil or 3, (nil or 0) + 1, not nil, not 0)
-- case: multiple assignment
local a, b, c = 1, 2
print(a, b, c)
a, b = b, a
print(a, b)
local t = {}
t[1], t[2], t[3] = 10, 20
print(t[1], t[2], t[3])
-- case: multiple returns
local function f() return 1, 2, 3 end
local function g() return end
print(f())
print(f(), 10)
print((f()))
print({f()}[3], #{f(), f()}, select("#", g()), select("#", f(), nil))
local x, y, z, w = f()
print(x, y, z, w)
-- case: varargs
local function v(...)
  local a, b = ...
  print(select("#", ...), a, b, ...)
  return ...
end
print(v(1, nil, 3))
print(v())
print(select(2, "a", "b", "c"), select(-1, "a", "b", "c"))
-- case: vararg arg table
local function old(...) return arg.n, arg[1], arg[2] end
print(old(5, 6))
-- case: select errors
return select(0, 1)
-- case: closures
local function counter()
  local n = 0
  return function() n = n + 1 return n end, function() return n end
end
local inc, get = counter()
inc() inc()
print(get(), inc(), get())
-- case: closures per iteration
local fs = {}
for i = 1, 3 do fs[i] = function() return i end end
print(fs[1](), fs[2](), fs[3]())
local gs = {}
for _, v in ipairs({"a", "b"}) do gs[#gs + 1] = function() return v end end
print(gs[1](), gs[2]())
local hs = {}
local j = 0
while j < 3 do j = j + 1 local k = j hs[j] = function() return k end end
print(hs[1](), hs[2](), hs[3]())
-- case: closure shared upvalue
local a = 1
local function set(v) a = v end
local function get() return a end
set(5) print(get(), a)
-- case: repeat scope
local i = 0
repeat local j = i i = i + 1 until j >= 3
print(i)
local fs = {}
repeat local k = #fs fs[#fs + 1] = function() return k end until k >= 2
print(fs[1](), fs[3]())
-- case: numeric for
for i = 1, 3 do io = nil print(i) end
for i = 3, 1, -1 do print(i) end
for i = 1, 2, 0.5 do print(i) end
for i = 1, 0 do print("never") end
for i = "1", "2" do print(i) end
-- case: for errors
for i = nil, 2 do end
-- case: for limit error
for i = 1, {} do end
-- case: for step error
for i = 1, 2, "x" do end
-- case: generic for
local t = {10, 20, 30, x = 1}
local s = 0
for i, v in ipairs(t) do s = s + i * v end
print(s)
local keys = 0
for k, v in pairs(t) do keys = keys + 1 end
print(keys)
for k, v in next, {5} do print(k, v) end
-- case: generic for custom iterator
local function range(n)
  return function(_, i) if i < n then return i + 1 end end, nil, 0
end
for i in range(3) do print(i) end
-- case: break
for i = 1, 10 do if i > 2 then break end print(i) end
local n = 0
while true do n = n + 1 if n == 5 then break end end
print(n)
repeat n = n + 1 if n > 7 then break end until false
print(n)
-- case: break closes upvalues
local fs = {}
for i = 1, 5 do
  local x = i * 2
  fs[i] = function() return x end
  if i == 3 then break end
end
print(fs[1](), fs[3]())
-- case: nested functions and recursion
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(20))
-- case: method calls
local obj = {n = 5}
function obj:get(a) return self.n + (a or 0) end
function obj.plain(a) return a end
print(obj:get(), obj:get(10), obj.plain(3))
local a = {b = {c = {}}}
function a.b.c.f() return "deep" end
print(a.b.c.f())
-- case: call errors
local t = {}
t.x.y = 1
-- case: call nil global
undefinedfn()
-- case: call field
local t = {} t.missing()
-- case: call method
local t = {} t:nomethod()
-- case: call local
local f = 5 f()
-- case: call upvalue
local f local function g() f() end g()
-- case: index nil local
local t t.x = 1
-- case: index field chain
local a = {} return a.b.c
-- case: index global
return nothing.x
-- case: index string method missing
return ("x"):nosuch()
-- case: table constructors
local t = {1, 2, 3; x = "a", ["y"] = "b", [10] = 10, 4}
print(#t, t[4], t.x, t.y, t[10])
local function three() return 1, 2, 3 end
local u = {three(), three()}
print(#u)
local w = {three(), (three())}
print(#w)
-- case: long constructor
local t = {}
local src = {}
for i = 1, 120 do src[i] = tostring(i) end
local f = loadstring("return {" .. table.concat(src, ",") .. "}")
print(#f(), f()[120], f()[51])
-- case: nil index error
local t = {} t[nil] = 1
-- case: nan index error
local t = {} t[0/0] = 1
-- case: globals
x = 5
print(x, _G.x, rawget(_G, "x"))
-- case: while loop
local i, s = 0, 0
while i < 100 do i = i + 1 s = s + i end
print(s)
-- case: if elseif
local function cls(n)
  if n < 0 then return "neg" elseif n == 0 then return "zero" elseif n < 10 then return "small" else return "big" end
end
print(cls(-1), cls(0), cls(5), cls(50))
-- case: do blocks and shadowing
local x = 1
do local x = 2 print(x) end
print(x)
local x = x + 1
print(x)
-- case: string escapes
print("a\tb", "a\\b", "\65\066", 'q"q', [[long
string]], #"a\0b")
-- case: return values
return 1, "two", nil, true
-- case: tostring numbers
print(tostring(1/0), tostring(-1/0), 3, -0, 1e300*1e10, 0.1 + 0.2, 100, 1e14, 1e16, -123.5)
