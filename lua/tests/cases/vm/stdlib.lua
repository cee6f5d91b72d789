-- case: type tostring tonumber
print(type(nil), type(1), type("s"), type({}), type(print), type(true))
print(tostring(nil), tostring(true), tostring(12), tostring("s"))
print(tonumber("0x10"), tonumber("  10  "), tonumber("10", 2), tonumber("1e1"), tonumber("z", 36), tonumber(""), tonumber("10a"), tonumber(nil))
print(tonumber("ff", 16), tonumber("-1", 2), tonumber("8", 8), tonumber(12), tonumber("1.5e3"))
-- case: type errors
print(pcall(type))
print(pcall(tostring))
-- case: pairs ipairs next
local t = {1, 2, 3}
local n = 0
for k, v in pairs(t) do n = n + k * v end
print(n, next({}), next({7}))
for i, v in ipairs({1, 2, nil, 4}) do print(i, v) end
-- case: pairs order
local t = {a = 1, b = 2, c = 3, 10, 20, [100] = 5}
local ks = {}
for k, v in pairs(t) do ks[#ks + 1] = tostring(k) end
print(table.concat(ks, ","))
-- case: select
print(select("#"), select("#", nil, nil), select(2, 1, 2, 3), select(-2, 1, 2, 3))
print(select(5, 1, 2))
-- case: unpack
print(unpack({1, 2, 3}))
print(unpack({1, 2, 3}, 2))
print(unpack({1, 2, 3}, 2, 5))
print(unpack({}, 1, 0))
print(pcall(unpack, {}, 1, 1e8))
-- case: string basics
print(("hello"):len(), ("hello"):sub(2), ("hello"):sub(-3), ("hello"):sub(2, -2), ("hello"):sub(0), ("hello"):sub(10))
print(string.upper("abc"), string.lower("ABC"), string.rep("ab", 3), string.rep("x", 0), string.rep("x", -1))
print(string.byte("ABC"), string.byte("ABC", 2, 3), string.byte("ABC", -1), string.char(72, 105), string.reverse("abc"))
print(#"a\0b", string.len("a\0b"), string.byte("", 1))
-- case: string format
print(string.format("%d %5.2f %s %q %x %5s|%-5s|", 3, 3.14159, "str", 'a"b\n', 255, "ab", "ab"))
print(string.format("%5.1s|%c%c|%e|%g|%g", "abc", 72, 105, 12345.678, 0.1, 1e20))
print(string.format("%d", 3.7), string.format("%%"), string.format("%s", 12))
-- case: string format errors
print(pcall(string.format, "%d", "x"))
print(pcall(string.format, "%d"))
print(pcall(string.format, "%y", 1))
print(pcall(function() return ("%d"):format({}) end))
-- case: string find
print(string.find("hello world", "wor"), string.find("hello", "l+"), string.find("hello", "xyz"))
print(string.find("a.b", ".", 1, true), string.find("hello", "(h)(e)"), string.find("hello", "()ll()"))
print(string.find("hello", "l", -2), string.find("abc", "", 10), string.find("abc", "b", 0))
-- case: string match
print(string.match("key=value", "(%w+)=(%w+)"), string.match("  trim me  ", "^%s*(.-)%s*$"), string.match("abc", "%d"))
print(string.match("2024-01-15", "(%d+)-(%d+)-(%d+)"), string.match("hello", ".", -1), string.match("(a(b)c)", "%b()"))
-- case: string gmatch
local out = {}
for k, v in string.gmatch("a=1, b=2, c=3", "(%w+)=(%w+)") do out[#out + 1] = k .. ":" .. v end
print(table.concat(out, ","))
local words = {}
for w in ("one two  three"):gmatch("%a+") do words[#words + 1] = w end
print(#words, words[3])
local n = 0
for e in ("abc"):gmatch("") do n = n + 1 end
print(n)
-- case: string gsub
print(string.gsub("hello world", "(%w+)", "<%1>"))
print(string.gsub("hello", "", "-"))
print(string.gsub("abc", "%w", "%0%0"))
print(string.gsub("hello world", "o", "0", 1))
print(string.gsub("$name is $age", "%$(%w+)", {name = "bob", age = 42}))
print(string.gsub("abc", "%w", function(c) return c:upper() .. "." end))
print(string.gsub("abc", "b", false and 1 or function() return nil end))
print(string.gsub("abc", "^a", "X"))
-- case: gsub errors
print(pcall(string.gsub, "abc", "(", "x"))
print(pcall(string.gsub, "abc", "%", "x"))
print(pcall(string.gsub, "abc", "a", true))
print(pcall(string.gsub, "abc", "a", "%2"))
print(pcall(string.gsub, "abc", "a", function() return {} end))
-- case: table functions
local t = {1, 2, 3}
table.insert(t, 4)
table.insert(t, 1, 0)
print(table.concat(t, ","), table.getn(t), #t)
print(table.remove(t), table.remove(t, 1), table.concat(t, ","))
print(table.concat({}, ","), table.concat({1, "a", 2.5}, "-"), table.concat({1, 2, 3}, ",", 2, 3))
print(pcall(table.concat, {1, {}, 3}))
print(table.maxn({1, 2, [10] = 1}), table.remove({}))
-- case: table sort
local t = {5, 2, 8, 1, 9, 3}
table.sort(t)
print(table.concat(t, ","))
table.sort(t, function(a, b) return a > b end)
print(table.concat(t, ","))
local s = {"banana", "apple", "cherry"}
table.sort(s)
print(table.concat(s, " "))
print(pcall(table.sort, {1, "x", 2}))
-- case: math
print(math.floor(3.7), math.ceil(3.2), math.abs(-4), math.sqrt(16), math.max(1, 5, 3), math.min(4, 2, 8))
print(math.huge, -math.huge, math.pi, math.fmod(7, 3), math.fmod(-7, 3), math.modf(3.5))
print(math.pow(2, 10), math.floor(-3.5), math.max(2), pcall(math.floor, "x"))
-- case: string coercion in library
print(string.rep(5, 2), ("x"):rep("3"), string.len(123))
-- case: tostring and concat of floats
print(1/3, 100/3, 2^63, -2^63, 1e-5, 123e-20)
-- case: loadstring chunk name
local f = loadstring("error('oops')")
print(pcall(f))
local g = loadstring("local x = 1\nerror('line two')")
print(pcall(g))
-- case: varargs in table and select with nils
local function f(...) return select("#", ...), {...} end
local n, t = f(nil, nil, 3)
print(n, #t, t[3])
-- case: string comparison with embedded
print("a\0b" < "a\0c", "" < "a", "abc" == "abc")
-- case: collectgarbage
print(collectgarbage(), collectgarbage("step"), type(collectgarbage("count")))
print(pcall(collectgarbage, "bogus"))
-- case: table insert remove edges
print(select("#", table.remove({1, 2, 3}, 5)), select("#", table.remove({1, 2, 3}, 0)), select("#", table.remove({1, 2, 3}, -1)))
local t = {1, 2, 3}
table.insert(t, -2, "x")
print(t[-2], #t)
print(pcall(table.insert, {}, 1, 2, 3))
print(pcall(table.insert, {}))
local u = {}
table.insert(u, 5, "five")
print(u[5], #u)
-- case: xpcall
print(xpcall(function() return 1, 2 end, function(e) return "handled" end))
print(xpcall(function() error("bad") end, function(e) return "handled: " .. e end))
print(xpcall(function() error({}) end, function(e) return type(e) end))
print(pcall(xpcall, function() end))
-- case: gmatch anchor and frontier
for w in ("^a^b"):gmatch("^%a") do io = nil print(w) end
print(("THE (quick) fox"):find("%f[%a]%a+"), ("x(a(b)c)y"):match("%b()"))
print(string.gsub("hello world", "%f[%w]%w+", function(w) return w:sub(1, 1):upper() .. w:sub(2) end))
-- case: string sub and byte edge positions
print(("abc"):sub(-100, 100), ("abc"):sub(3, 2), ("abc"):sub(-1, -1), ("abc"):byte(-10, 10))
print(("abc"):sub(2.7), ("abc"):rep(2.9))
-- case: tonumber edge cases
print(tonumber("0x"), tonumber("1e"), tonumber(" 0x1p4 "), tonumber("inf"), tonumber("nan"), tonumber("  -7  "))
print(tonumber("7fffffff", 16), tonumber("zz", 36), tonumber("2", 2), pcall(tonumber, "1", 1))
-- case: sort ties follow 5.1
local recs = {}
for i = 1, 30 do recs[i] = {k = i % 4, id = i} end
table.sort(recs, function(a, b) return a.k < b.k end)
local ids = {}
for i, r in ipairs(recs) do ids[i] = r.id end
print(table.concat(ids, ","))
local w = {"b", "a", "B", "c", "a", "A", "b"}
table.sort(w, function(x, y) return x:lower() < y:lower() end)
print(table.concat(w))
-- case: sort invalid order function
print(pcall(table.sort, {5, 4, 3, 2, 1, 6, 7, 8}, function(a, b) return true end))
-- case: sort larger arrays
local t = {}
local x = 7
for i = 1, 200 do x = (x * 31 + 11) % 1000 t[i] = x end
table.sort(t)
local ok = true
for i = 2, #t do if t[i - 1] > t[i] then ok = false end end
print(ok, t[1], t[200])
table.sort(t, function(a, b) return a > b end)
print(t[1], t[200])
-- case: more math
print(math.atan2(1, 1), math.cosh(0), math.sinh(0), math.tanh(0))
print(math.ldexp(0.5, 3), math.frexp(8), math.frexp(-3), math.frexp(0), math.frexp(0.1))
print(math.ldexp(1, 1024), math.ldexp(1, -1074), math.frexp(2^-1070))
-- case: table foreach
local t = {10, 20, 30}
table.foreachi(t, function(i, v) print(i, v) end)
print(table.foreach({a = 1}, function(k, v) return k .. v end))
print(table.foreachi(t, function(i, v) if v == 20 then return "found" end end))
print(pcall(table.foreach, {}, 1))
