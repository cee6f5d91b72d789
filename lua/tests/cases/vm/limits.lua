-- case: tostring recursion
local t = setmetatable({}, {__tostring = function(s) return tostring(s) end})
local ok, e = pcall(tostring, t)
print(ok, e)
-- case: sort comparator recursion
local function cmp(a, b) table.sort({2, 1}, cmp) return a < b end
print(pcall(table.sort, {3, 2, 1}, cmp))
-- case: gsub recursion
local function rep(c) return (string.gsub("ab", "%w", rep)) end
print(pcall(string.gsub, "x", "%w", rep))
-- case: index chain of functions deep
local t = {}
for i = 1, 50 do
  local prev = t
  t = setmetatable({}, {__index = function(_, k) return prev[k] end})
end
print(t.missing)
-- case: unpack too many
print(pcall(unpack, {}, 1, 10000))
-- case: pcall chain
print(pcall(pcall, pcall, pcall, error, "x"))
-- case: many locals and registers
local a1, a2, a3, a4, a5, a6, a7, a8, a9, a10 = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
print(a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10)
-- case: long string building
local parts = {}
for i = 1, 1000 do parts[i] = string.rep("x", i % 10) end
print(#table.concat(parts))
-- case: string rep huge
print(pcall(string.rep, "x", 2^31))
-- case: select many
print(select("#", unpack({}, 1, 200)))
-- case: too many registers
local args = {}
for i = 1, 300 do args[i] = tostring(i) end
local f, err = loadstring("return f(" .. table.concat(args, ",") .. ")")
-- 5.1 ends the message with "near '250'", the token it stopped at.
print(f, (err:gsub(" near .*", "")))
local t = {}
for i = 1, 300 do t[i] = "x" .. i end
print(type(loadstring("local a = {" .. table.concat(t, ",") .. "}")))
-- case: many constants
local parts = {}
for i = 1, 5000 do parts[i] = "'s" .. i .. "'" end
local f = loadstring("return {" .. table.concat(parts, ",") .. "}")
local t = f()
print(#t, t[1], t[5000])
