-- case: serializer
local function ser(v, indent)
  indent = indent or ""
  if type(v) == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    local out = {}
    for _, k in ipairs(keys) do
      out[#out + 1] = indent .. "  " .. tostring(k) .. " = " .. ser(v[k], indent .. "  ")
    end
    return "{\n" .. table.concat(out, ",\n") .. "\n" .. indent .. "}"
  elseif type(v) == "string" then
    return string.format("%q", v)
  end
  return tostring(v)
end
print(ser({a = 1, b = {c = "x\n", d = {true, false}}, [1] = 2.5}))
-- case: sieve
local function sieve(n)
  local is = {}
  for i = 2, n do is[i] = true end
  for i = 2, math.floor(math.sqrt(n)) do
    if is[i] then for j = i * i, n, i do is[j] = false end end
  end
  local out = {}
  for i = 2, n do if is[i] then out[#out + 1] = i end end
  return out
end
local p = sieve(200)
print(#p, p[#p], table.concat(p, " ", 1, 10))
-- case: memoize with varargs closures
local function memoize(f)
  local cache = {}
  return function(...)
    local key = table.concat({...}, ",")
    local hit = cache[key]
    if hit == nil then hit = {f(...)} cache[key] = hit end
    return unpack(hit)
  end
end
local calls = 0
local add = memoize(function(a, b) calls = calls + 1 return a + b, a * b end)
print(add(2, 3)) print(add(2, 3)) print(add(4, 5))
print(calls)
-- case: split and join
local function split(s, sep)
  local out = {}
  for piece in (s .. sep):gmatch("(.-)" .. sep:gsub("%p", "%%%0")) do out[#out + 1] = piece end
  return out
end
local parts = split("a,b,,c", ",")
print(#parts, table.concat(parts, "|"))
print(table.concat(split("one::two::three", "::"), " "))
-- case: queue class with inheritance
local Queue = {}
Queue.__index = Queue
function Queue.new() return setmetatable({first = 1, last = 0, items = {}}, Queue) end
function Queue:push(v) self.last = self.last + 1 self.items[self.last] = v end
function Queue:pop()
  if self.first > self.last then return nil end
  local v = self.items[self.first]
  self.items[self.first] = nil
  self.first = self.first + 1
  return v
end
local Counted = setmetatable({}, {__index = Queue})
Counted.__index = Counted
function Counted.new() local q = Queue.new() q.n = 0 return setmetatable(q, Counted) end
function Counted:push(v) self.n = self.n + 1 Queue.push(self, v) end
local q = Counted.new()
for i = 1, 5 do q:push(i * i) end
print(q:pop(), q:pop(), q.n, q:pop(), q:pop(), q:pop(), q:pop())
-- case: vararg functions with upvalues
local function outer(...)
  local n = select("#", ...)
  local first = ...
  return function(x) return n, first, x end
end
print(outer(7, 8, 9)("z"))
local function mk(...)
  local fs = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    fs[i] = function() return v end
  end
  return fs
end
local fs = mk("a", "b", "c")
print(fs[1](), fs[2](), fs[3]())
-- case: coroutine pipeline
local function producer()
  return coroutine.create(function()
    for i = 1, 5 do coroutine.yield(i) end
    return nil
  end)
end
local function filter(src)
  return coroutine.create(function()
    while true do
      local ok, v = coroutine.resume(src)
      if not v then return nil end
      if v % 2 == 1 then coroutine.yield(v * 100) end
    end
  end)
end
local f = filter(producer())
local out = {}
while true do
  local ok, v = coroutine.resume(f)
  if not v then break end
  out[#out + 1] = v
end
print(table.concat(out, ","))
-- case: string processing
local text = "The quick brown fox jumps over the lazy dog"
local counts = {}
for w in text:lower():gmatch("%a+") do counts[#w] = (counts[#w] or 0) + 1 end
print(counts[3], counts[4], counts[5])
print(text:gsub("%w+", function(w) return #w > 4 and w:upper() or nil end))
print(("%s has %d chars"):format(text:sub(1, 9), #text), text:find("fox"), text:match("(%a+) dog"))
print(text:reverse():sub(1, 8), text:byte(-1), ("x"):rep(3, ","))
-- case: recursion with pcall at depth
local function depth(n)
  if n == 0 then error("bottom") end
  local ok, e = pcall(depth, n - 1)
  return "level " .. n .. ": " .. tostring(e)
end
print(depth(3))
-- case: numeric formatting in keys and concat
local t = {}
t[1.5] = "a" t[-1] = "b" t[1e10] = "c"
local ks = {}
for k in pairs(t) do ks[#ks + 1] = tostring(k) end
table.sort(ks)
print(table.concat(ks, " "))
print(2^31 .. "", 2^-3 .. "", (1e15 + 0.5) .. "")
