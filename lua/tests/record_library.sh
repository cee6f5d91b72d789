#!/bin/sh
# Records what Lua 5.1 answers for the library cases, so that
# tests/library.rs can check number.rs, format.rs and pattern.rs without a
# Lua installed (CI has none).
#
# Each tests/cases/library/NAME.lua lists calls to the helpers defined
# below (tostr, tonum, fmt, find, match, gmatch, gsub, gsubf, gsubt); this
# script runs it under lua5.1 and writes NAME.txt, one line per call:
#
#   kind <TAB> arg <TAB> arg ... <TAB> => <TAB> result <TAB> result ...
#
# where a value is s:TEXT (a string, with \xNN for every byte outside
# printable ASCII and for the backslash), n:NUMBER (%.17g, or nan/-nan),
# b:true / b:false, nil, or a type name (table); a failed call has the
# single result !MESSAGE, without the position prefix.
#
# Usage: lua/tests/record_library.sh [LUA]   (default: lua5.1)
set -eu
lua=${1:-lua5.1}
dir=$(dirname "$0")/cases/library
"$lua" -v 2>&1 | grep -q '^Lua 5\.1' || {
	echo "record_library.sh: $lua is not Lua 5.1" >&2
	exit 1
}
for case_file in "$dir"/*.lua; do
	"$lua" - "$case_file" >"${case_file%.lua}.txt" <<'EOF'
local function esc(s)
  return (s:gsub(".", function(c)
    local b = c:byte()
    if b < 32 or b > 126 or c == "\\" then
      return string.format("\\x%02x", b)
    end
  end))
end

local function enc(v)
  local t = type(v)
  if t == "string" then
    return "s:" .. esc(v)
  elseif t == "number" then
    -- tostring shows the sign of a NaN; %.17g round-trips the rest.
    return "n:" .. (v ~= v and tostring(v) or string.format("%.17g", v))
  elseif t == "boolean" then
    return "b:" .. tostring(v)
  elseif t == "nil" then
    return "nil"
  end
  return t
end

local function emit(kind, args, nargs, ok, ...)
  local fields = { kind }
  for i = 1, nargs do
    fields[#fields + 1] = enc(args[i])
  end
  fields[#fields + 1] = "=>"
  if ok then
    for i = 1, select("#", ...) do
      fields[#fields + 1] = enc((select(i, ...)))
    end
  else
    local msg = tostring((...)):gsub("^stdin:%d+: ", "")
    fields[#fields + 1] = "!" .. esc(msg)
  end
  io.write(table.concat(fields, "\t"), "\n")
end

-- Calls f through a Lua function, as a script would, so that argument
-- errors name the function ("bad argument #2 to 'format'").
local function recorder(kind, f)
  return function(...)
    local args, n = { ... }, select("#", ...)
    emit(kind, args, n, pcall(function() return f(unpack(args, 1, n)) end))
  end
end

NEGZERO = -tonumber("0") -- a literal -0 is folded into the constant 0
tostr = recorder("tostring", function(x) return tostring(x) end)
tonum = recorder("tonumber", function(...) return tonumber(...) end)
fmt = recorder("format", function(...) return string.format(...) end)
find = recorder("find", function(...) return string.find(...) end)
match = recorder("match", function(...) return string.match(...) end)
gsub = recorder("gsub", function(...) return string.gsub(...) end)

-- All the values of every iteration; a true ends each iteration.
gmatch = recorder("gmatch", function(s, p)
  local out = {}
  local it = string.gmatch(s, p)
  for _ = 1, 1000 do
    local vals = { it() }
    if vals[1] == nil then break end
    for _, v in ipairs(vals) do out[#out + 1] = v end
    out[#out + 1] = true
  end
  return unpack(out)
end)

-- gsub with a function: nil for a first value "keep", false for "false",
-- else "<" .. the values joined with "," .. ">".
gsubf = recorder("gsubf", function(s, p, n)
  return string.gsub(s, p, function(...)
    local first = ...
    if first == "keep" then return nil end
    if first == "false" then return false end
    return "<" .. table.concat({ ... }, ",") .. ">"
  end, n)
end)

-- gsub with a table built from the key/value pairs after the pattern.
gsubt = recorder("gsubt", function(s, p, ...)
  local t = {}
  for i = 1, select("#", ...), 2 do
    local k, v = select(i, ...)
    t[k] = v
  end
  return string.gsub(s, p, t)
end)

dofile(arg[1])
EOF
done
