#!/bin/sh
# Records Lua 5.1's verdict on every front-end case (tests/cases/parse/*.cases)
# into *.expected, and validates our printed syntax trees into *.printed.
#
# For each case: lua5.1's `loadstring(source, chunkname)` result, `ok` or the
# error message (escaped onto one line), goes to <group>.expected. For each
# case lua5.1 accepts and we print (tests/front_end.rs, `materialize`), both
# the original and our fully parenthesised, renamed print of its tree are run
# through lua5.1; the printed form is kept in <group>.printed only if the two
# produce the same output, and every difference is reported.
#
# Needs lua5.1 and timeout; run from anywhere:  sh lua/tests/record_parse.sh
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cases="$here/cases/parse"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/../../target/lua-a}"
FRONT_END_MATERIALIZE="$work" cargo test --quiet --manifest-path "$here/../Cargo.toml" \
    --test front_end materialize -- --ignored --exact >/dev/null

# Runs one program: its printed output, then a marker if it failed. Runtime
# error texts are left out: they name variables, which the printed form
# renames.
cat >"$work/run.lua" <<'EOF'
local file = assert(io.open(arg[1], "rb"))
local source = file:read("*a")
file:close()
local chunk, err = loadstring(source, "@user_script")
if not chunk then
  io.write("<<does not load: ", err, ">>")
  return
end
if not pcall(chunk) then io.write("<<runtime error>>") end
EOF

cat >"$work/record.lua" <<'EOF'
local work, cases = arg[1], arg[2]

local function read(path)
  local file = io.open(path, "rb")
  if not file then return nil end
  local text = file:read("*a")
  file:close()
  return text
end

local function escape(s)
  return (s:gsub(".", function(c)
    local b = c:byte()
    if b < 32 or b > 126 or c == "\\" then return string.format("\\%03d", b) end
  end))
end

local function run(path)
  local pipe = assert(io.popen("timeout 10 lua5.1 " .. work .. "/run.lua '" .. path .. "' 2>&1"))
  local out = pipe:read("*a")
  pipe:close()
  return out
end

-- loadstring from inside a coroutine: no error handler is active there, so
-- limits 5.1 raises as runtime errors come back without a traceback. The
-- collector is kept out of the parse: a finalizer it runs (of a closed
-- file) is a C call, which in a deeply nested chunk turns the error into
-- "C stack overflow".
local verdict = coroutine.wrap(function(source, chunk)
  while true do
    collectgarbage()
    collectgarbage("stop")
    local f, err = loadstring(source, chunk)
    collectgarbage("restart")
    source, chunk = coroutine.yield(f and "ok" or err)
  end
end)

local expected, printed, order = {}, {}, {}
local problems = 0
for line in io.lines(work .. "/index") do
  local group, name, has_print = line:match("^(.-)\t(.-)\t(%d)$")
  if not expected[group] then
    expected[group], printed[group] = {}, {}
    order[#order + 1] = group
  end
  local base = work .. "/" .. group .. "/" .. name
  local result = verdict(read(base .. ".lua"), read(base .. ".chunk"))
  table.insert(expected[group], name .. "\t" .. escape(result))
  local ours = read(base .. ".printed")
  if result == "ok" and has_print == "1" and ours then
    local want, got = run(base .. ".lua"), run(base .. ".printed")
    if want == got then
      table.insert(printed[group], "==== " .. name .. "\n" .. ours)
    else
      problems = problems + 1
      io.stderr:write("DIFFERENT OUTPUT ", group, "/", name, "\n  lua5.1:  ", want,
                      "\n  printed: ", got, "\n")
    end
  end
end

for _, group in ipairs(order) do
  local file = assert(io.open(cases .. "/" .. group .. ".expected", "wb"))
  file:write(table.concat(expected[group], "\n"), "\n")
  file:close()
  file = assert(io.open(cases .. "/" .. group .. ".printed", "wb"))
  file:write(table.concat(printed[group]))
  file:close()
end
io.stderr:write(problems, " printed forms failed validation\n")
EOF

lua5.1 "$work/record.lua" "$work" "$cases"
