#!/bin/sh
# Records what Lua 5.1 prints for the VM's differential cases, so that
# tests/vm.rs can check the interpreter without a Lua installed (CI has
# none).
#
# A case file cases/vm/NAME.lua holds snippets, each starting with a line
#
#   -- case: TITLE
#
# Each snippet runs in a fresh lua5.1 process, compiled as a chunk named
# @user_script (as Redis names scripts) and called through pcall.
# NAME.expected gets, per snippet, a line "== TITLE", what it printed,
# then either "return V1 V2 ..." (tostring of the returned values,
# tab-separated) or "error: MESSAGE" for an error it did not catch
# ("error: (TYPE)" for a non-string error value).
#
# Usage: lua/tests/record_vm.sh [LUA]   (default: lua5.1)
set -eu
lua=${1:-lua5.1}
dir=$(dirname "$0")/cases/vm
"$lua" -v 2>&1 | grep -q '^Lua 5\.1' || {
	echo "record_vm.sh: $lua is not Lua 5.1" >&2
	exit 1
}
runner=$(mktemp)
trap 'rm -f "$runner"' EXIT
cat >"$runner" <<'LUA'
-- arg[1]: case file, arg[2]: index of the snippet to run.
local write, tostring, type, select, pcall = io.write, tostring, type, select, pcall
local concat = table.concat
local want, n, title, buf = tonumber(arg[2]), 0, nil, {}
for line in io.lines(arg[1]) do
  local t = line:match("^%-%- case: (.*)$")
  if t then
    n = n + 1
    if n > want then break end
    title, buf = t, {}
  elseif n == want then
    buf[#buf + 1] = line
  end
end
write("== ", title, "\n")
local f, err = loadstring(concat(buf, "\n"), "@user_script")
if not f then
  write("error: ", err, "\n")
  return
end
local function finish(ok, ...)
  if ok then
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
    write("return ", concat(parts, "\t"), "\n")
  else
    local e = ...
    write("error: ", type(e) == "string" and e or ("(" .. type(e) .. ")"), "\n")
  end
end
finish(pcall(f))
LUA
for case_file in "$dir"/*.lua; do
	count=$(grep -c '^-- case: ' "$case_file")
	i=1
	while [ "$i" -le "$count" ]; do
		"$lua" "$runner" "$case_file" "$i"
		i=$((i + 1))
	done >"${case_file%.lua}.expected"
done
