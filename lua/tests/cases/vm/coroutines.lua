-- case: wrap yield resume
local gen = coroutine.wrap(function(a) local b = coroutine.yield(a * 2) return b * 10 end)
print(gen(1), gen(2), type(gen))
-- case: resume results and status
local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  return d + e
end)
print(coroutine.status(co))
print(coroutine.resume(co, 1, 2))
print(coroutine.status(co))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 3, 4))
print(coroutine.status(co))
print(coroutine.resume(co))
-- case: errors inside coroutines
local co = coroutine.create(function() local x = nil return x.y end)
print(coroutine.resume(co))
print(coroutine.status(co))
local w = coroutine.wrap(function() error("wrapped") end)
print(pcall(w))
local w2 = coroutine.wrap(function() error({}) end)
local ok, e = pcall(w2)
print(ok, type(e))
-- case: yield outside coroutine
print(pcall(coroutine.yield, 1))
-- case: running and status from inside
local co
co = coroutine.create(function()
  print(coroutine.status(co), coroutine.running() == co)
  coroutine.yield()
end)
coroutine.resume(co)
print(coroutine.status(co), coroutine.running())
-- case: generators with loops
local function range(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end)
end
local s = 0
for i in range(10) do s = s + i end
print(s)
-- case: nested coroutines
local outer = coroutine.wrap(function()
  local inner = coroutine.wrap(function() coroutine.yield("i1") coroutine.yield("i2") end)
  coroutine.yield(inner())
  coroutine.yield(inner())
  coroutine.yield("o3")
end)
print(outer(), outer(), outer())
-- case: upvalues shared with coroutine
local count = 0
local co = coroutine.wrap(function()
  local mine = 0
  while true do count = count + 1 mine = mine + 1 coroutine.yield(mine) end
end)
co() co()
print(count, co())
-- case: closures created inside coroutine outlive it
local getter
local co = coroutine.create(function()
  local v = "inside"
  getter = function() return v end
  coroutine.yield()
  v = "changed"
end)
coroutine.resume(co)
print(getter())
coroutine.resume(co)
print(getter(), coroutine.status(co))
-- case: create with non function
print(pcall(coroutine.create, 1))
print(pcall(coroutine.resume, 1))
-- case: yield across pcall inside coroutine
local co = coroutine.create(function()
  local ok, v = pcall(function() return coroutine.yield("from pcall") end)
  return ok, v
end)
print(coroutine.resume(co))
print(coroutine.resume(co, "back"))
-- case: pcall of yield directly
local co = coroutine.create(function() return pcall(coroutine.yield, 1) end)
print(coroutine.resume(co))
-- case: resume running coroutine
local co
co = coroutine.create(function() return coroutine.resume(co) end)
print(coroutine.resume(co))
-- case: yield in sort comparator
local co = coroutine.create(function()
  table.sort({3, 2, 1}, function(a, b) coroutine.yield() return a < b end)
end)
print(coroutine.resume(co))
