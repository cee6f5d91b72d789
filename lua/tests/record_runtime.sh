#!/bin/sh
# Records what Lua 5.1 does with tables, so that tests/runtime.rs can check
# table.rs (array/hash layout, `#`, `next`/`pairs` order, errors) without a
# Lua installed (CI has none).
#
# First it (re)writes cases/runtime/random.cases from a seeded generator
# (below). Then for every cases/runtime/NAME.cases it writes NAME.expected:
# each case line
#
#   NAME: OP ; OP ; ...
#
# is run on a fresh table and answered by a line
#
#   NAME: RESULT ; RESULT ; ...
#
# with one RESULT per op that reports something. Values are written as
# tokens: nil, true, false, nan (0/0), 'TEXT (a string without spaces or
# semicolons), anything else a number (read by tonumber; written back with
# %.17g). The ops:
#
#   new                    t = {}
#   ctor ITEM ...          t = { ITEM, ... } compiled by loadstring, where
#                          ITEM is V (a list item) or K=V (a [K]=V field)
#   set K V                t[K] = V             (reports "set !ERR" on error)
#   get K                  "get V"
#   len                    "len #t"
#   pairs                  "pairs K=V K=V ..." in pairs order
#   next K                 "next K=V", "next end" or "next !ERR"
#   append V               t[#t+1] = V
#   insert V               table.insert(t, V)
#   insertat P V           table.insert(t, P, V)
#   remove / removeat P    "remove V": table.remove(t [, P])
#   fill A B / fillrev A B t[i] = i for i = A..B, upwards / downwards
#   clear                  "clear K ...": pairs, setting each visited key to nil
#   touch                  "touch K ...": pairs, setting each visited key to true
#
# Errors are written without their position prefix. The collector is
# stopped: 5.1 turns keys whose value is nil into dead keys when it runs,
# which changes where they are reinserted, and when it runs is not
# something the Rust side can reproduce.
#
# Usage: lua/tests/record_runtime.sh [LUA]   (default: lua5.1)
set -eu
lua=${1:-lua5.1}
dir=$(dirname "$0")/cases/runtime
"$lua" -v 2>&1 | grep -q '^Lua 5\.1' || {
	echo "record_runtime.sh: $lua is not Lua 5.1" >&2
	exit 1
}

# The generator: a Park-Miller generator in doubles (exact below 2^53), so
# the file only changes when this script does.
"$lua" - >"$dir/random.cases" <<'EOF'
local seed = 20250601
local function rnd(n)
  seed = (seed * 16807) % 2147483647
  return seed % n
end
local function num(x) return string.format("%.17g", x) end
local letters = "abcdefghijklmnopqrstuvwxyz0123456789_"
local function str(maxlen)
  local n = 1 + rnd(maxlen)
  local s = {}
  for i = 1, n do
    local j = 1 + rnd(#letters)
    s[i] = letters:sub(j, j)
  end
  return "'" .. table.concat(s)
end
-- A key of any kind whose pairs order 5.1 makes reproducible.
local function anykey()
  local r = rnd(12)
  if r < 4 then return str(r == 0 and 70 or 12)
  elseif r < 7 then return tostring(rnd(48) - 6)
  elseif r == 7 then return num(rnd(200) / 8 - 5)
  elseif r == 8 then return num(2 ^ (31 + rnd(25)) + rnd(1000))
  elseif r == 9 then return num((rnd(2000) - 1000) * 1e-3 * 2 ^ (rnd(200) - 100))
  elseif r == 10 then return rnd(2) == 0 and "true" or "false"
  else return rnd(20) == 0 and "-0" or tostring(1 + rnd(8)) end
end
local function emit(kind, n, ops)
  io.write(kind, n, ": ", table.concat(ops, " ; "), "\n")
end

-- Constructors with holes, then a few writes.
for n = 1, 160 do
  local size = 1 + rnd(n < 100 and 20 or 70)
  local items = {}
  for i = 1, size do
    items[#items + 1] = rnd(3) == 0 and "nil" or tostring(i)
  end
  if rnd(4) == 0 then
    for _ = 1, 1 + rnd(3) do
      -- Not -0: the compiler shares one constant between -0 and 0, so
      -- [-0]=0 would store -0 as the value (a compiler matter, not tables).
      local k = anykey()
      if k == "-0" then k = "0" end
      table.insert(items, 1 + rnd(#items + 1), k .. "=" .. tostring(rnd(9)))
    end
  end
  local ops = { "ctor " .. table.concat(items, " "), "len", "pairs" }
  for _ = 1, rnd(4) do
    local r = rnd(4)
    if r == 0 then ops[#ops + 1] = "append " .. rnd(9)
    elseif r == 1 then ops[#ops + 1] = "set " .. (1 + rnd(size + 3)) .. " nil"
    elseif r == 2 then ops[#ops + 1] = "set " .. (1 + rnd(size + 3)) .. " " .. rnd(9)
    else ops[#ops + 1] = "insert " .. rnd(9) end
    ops[#ops + 1] = "len"
  end
  ops[#ops + 1] = "pairs"
  emit("ctor", n, ops)
end

-- Sequential and reverse assignment with holes.
for n = 1, 120 do
  local size = 1 + rnd(40)
  local ops = { "new" }
  local first, last, step = 1, size, 1
  if n % 2 == 0 then first, last, step = size, 1, -1 end
  for i = first, last, step do
    ops[#ops + 1] = "set " .. i .. " " .. (rnd(4) == 0 and "nil" or tostring(i))
    if rnd(6) == 0 then ops[#ops + 1] = "len" end
  end
  ops[#ops + 1] = "len"
  ops[#ops + 1] = "pairs"
  emit(n % 2 == 0 and "reverse" or "seq", n, ops)
end

-- Random writes and deletions on small integer keys.
for n = 1, 120 do
  local ops = { "new", "fill 1 " .. rnd(n % 3 == 1 and 20 or 1) }
  for _ = 1, 10 + rnd(40) do
    local k = 1 + rnd(n % 3 == 0 and 64 or 24)
    ops[#ops + 1] = "set " .. k .. " " .. (rnd(3) == 0 and "nil" or tostring(k))
    if rnd(4) == 0 then ops[#ops + 1] = "len" end
  end
  ops[#ops + 1] = "len"
  ops[#ops + 1] = "pairs"
  emit("ints", n, ops)
end

-- table.insert / table.remove / t[#t+1].
for n = 1, 80 do
  local ops = { "new", "fill 1 " .. rnd(12) }
  for _ = 1, 5 + rnd(30) do
    local r = rnd(7)
    if r == 0 then ops[#ops + 1] = "insert " .. rnd(9)
    elseif r == 1 then ops[#ops + 1] = "insertat " .. (1 + rnd(10)) .. " " .. rnd(9)
    elseif r == 2 then ops[#ops + 1] = "remove"
    elseif r == 3 then ops[#ops + 1] = "removeat " .. (1 + rnd(10))
    elseif r == 4 then ops[#ops + 1] = "append " .. rnd(9)
    elseif r == 5 then ops[#ops + 1] = "set " .. (1 + rnd(16)) .. " nil"
    else ops[#ops + 1] = "len" end
  end
  ops[#ops + 1] = "len"
  ops[#ops + 1] = "pairs"
  emit("list", n, ops)
end

-- String keys: insertion, deletion, reinsertion, growth.
for n = 1, 100 do
  local ops = { "new" }
  local keys = {}
  for _ = 1, 1 + rnd(n < 80 and 30 or 120) do
    local k = str(n % 4 == 0 and 80 or 10)
    keys[#keys + 1] = k
    ops[#ops + 1] = "set " .. k .. " " .. rnd(9)
  end
  ops[#ops + 1] = "pairs"
  for _ = 1, rnd(10) do
    ops[#ops + 1] = "set " .. keys[1 + rnd(#keys)] .. " nil"
  end
  for _ = 1, rnd(10) do
    ops[#ops + 1] = "set " .. (rnd(2) == 0 and keys[1 + rnd(#keys)] or str(10)) .. " " .. rnd(9)
  end
  ops[#ops + 1] = "pairs"
  ops[#ops + 1] = "next " .. keys[1 + rnd(#keys)]
  ops[#ops + 1] = "next 'not_a_key"
  emit("strings", n, ops)
end

-- Keys of every kind, with deletions and lookups.
for n = 1, 120 do
  local ops = { rnd(4) == 0 and "ctor 1 2 3 'a=1 'b=2" or "new" }
  local keys = {}
  for _ = 1, 1 + rnd(50) do
    local k = anykey()
    keys[#keys + 1] = k
    ops[#ops + 1] = "set " .. k .. " " .. (rnd(8) == 0 and "nil" or tostring(rnd(9)))
    if rnd(5) == 0 then ops[#ops + 1] = "set " .. keys[1 + rnd(#keys)] .. " nil" end
  end
  ops[#ops + 1] = "len"
  ops[#ops + 1] = "pairs"
  ops[#ops + 1] = "get " .. keys[1 + rnd(#keys)]
  ops[#ops + 1] = "next " .. keys[1 + rnd(#keys)]
  ops[#ops + 1] = "next " .. anykey()
  emit("mixed", n, ops)
end

-- Big tables: many rebuilds, long collision chains.
for n = 1, 16 do
  local ops = { "new" }
  local keys = {}
  for _ = 1, 200 + rnd(400) do
    local k = n % 2 == 0 and str(12) or anykey()
    keys[#keys + 1] = k
    ops[#ops + 1] = "set " .. k .. " " .. rnd(9)
    if rnd(4) == 0 then ops[#ops + 1] = "set " .. keys[1 + rnd(#keys)] .. " nil" end
  end
  ops[#ops + 1] = "len"
  ops[#ops + 1] = "pairs"
  emit("big", n, ops)
end

-- Traversals that clear or reassign what they visit.
for n = 1, 40 do
  local ops = { "new" }
  for _ = 1, 1 + rnd(30) do
    ops[#ops + 1] = "set " .. anykey() .. " " .. rnd(9)
  end
  ops[#ops + 1] = rnd(2) == 0 and "clear" or "touch"
  ops[#ops + 1] = "pairs"
  ops[#ops + 1] = "set " .. anykey() .. " 1"
  ops[#ops + 1] = "pairs"
  emit("traverse", n, ops)
end
EOF

for case_file in "$dir"/*.cases; do
	"$lua" - "$case_file" >"${case_file%.cases}.expected" <<'EOF'
collectgarbage("stop")

local function parse(tok)
  if tok == "nil" then return nil end
  if tok == "true" then return true end
  if tok == "false" then return false end
  if tok == "nan" then return 0 / 0 end
  if tok:sub(1, 1) == "'" then return tok:sub(2) end
  return (assert(tonumber(tok), tok))
end

-- The token as Lua source, for constructors.
local function lit(tok)
  if tok:sub(1, 1) == "'" then return string.format("%q", tok:sub(2)) end
  if tok == "nan" then return "0/0" end
  return tok
end

local function enc(v)
  if type(v) == "number" then return string.format("%.17g", v) end
  if type(v) == "string" then return "'" .. v end
  return tostring(v)
end

local function strip(msg)
  return (tostring(msg):gsub("^[^:]*:%d+: ", ""))
end

local function walk(t, f)
  local ks = {}
  for k, v in pairs(t) do
    ks[#ks + 1] = f(k, v)
  end
  return table.concat(ks, " ")
end

local function run(body)
  local out, t = {}, nil
  for op in (body .. ";"):gmatch("%s*([^;]-)%s*;") do
    local w = {}
    for tok in op:gmatch("%S+") do w[#w + 1] = tok end
    local cmd = w[1]
    if cmd == "new" then
      t = {}
    elseif cmd == "ctor" then
      local items = {}
      for i = 2, #w do
        local k, v = w[i]:match("^(.-)=(.*)$")
        items[#items + 1] = k and "[" .. lit(k) .. "]=" .. lit(v) or lit(w[i])
      end
      t = assert(loadstring("return {" .. table.concat(items, ",") .. "}"))()
    elseif cmd == "set" then
      local ok, err = pcall(function() t[parse(w[2])] = parse(w[3]) end)
      if not ok then out[#out + 1] = "set !" .. strip(err) end
    elseif cmd == "get" then
      out[#out + 1] = "get " .. enc(t[parse(w[2])])
    elseif cmd == "len" then
      out[#out + 1] = "len " .. enc(#t)
    elseif cmd == "pairs" then
      out[#out + 1] = "pairs " .. walk(t, function(k, v) return enc(k) .. "=" .. enc(v) end)
    elseif cmd == "next" then
      local ok, k, v = pcall(next, t, parse(w[2]))
      if not ok then
        out[#out + 1] = "next !" .. strip(k)
      elseif k == nil then
        out[#out + 1] = "next end"
      else
        out[#out + 1] = "next " .. enc(k) .. "=" .. enc(v)
      end
    elseif cmd == "append" then
      t[#t + 1] = parse(w[2])
    elseif cmd == "insert" then
      table.insert(t, parse(w[2]))
    elseif cmd == "insertat" then
      table.insert(t, tonumber(w[2]), parse(w[3]))
    elseif cmd == "remove" then
      out[#out + 1] = "remove " .. enc(table.remove(t))
    elseif cmd == "removeat" then
      out[#out + 1] = "remove " .. enc(table.remove(t, tonumber(w[2])))
    elseif cmd == "fill" or cmd == "fillrev" then
      local a, b = tonumber(w[2]), tonumber(w[3])
      if cmd == "fill" then
        for i = a, b do t[i] = i end
      else
        for i = b, a, -1 do t[i] = i end
      end
    elseif cmd == "clear" then
      out[#out + 1] = "clear " .. walk(t, function(k) t[k] = nil; return enc(k) end)
    elseif cmd == "touch" then
      out[#out + 1] = "touch " .. walk(t, function(k) t[k] = true; return enc(k) end)
    else
      error("unknown op " .. tostring(cmd))
    end
  end
  return table.concat(out, " ; ")
end

for line in io.lines(arg[1]) do
  if line:find("%S") and not line:find("^%s*#") then
    local name, body = line:match("^([^:]*):%s*(.*)$")
    io.write(name, ": ", run(body), "\n")
  end
end
EOF
done
