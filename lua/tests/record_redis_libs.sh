#!/bin/sh
# Records what Redis 7.0's bundled Lua libraries (bit, cjson, cmsgpack,
# struct) answer, so tests/redis_libs.rs can check ours without a Redis.
#
# Each line of cases/redis_libs/NAME.cases is a snippet (a function body on
# one line). It runs through EVAL as prelude.lua followed by the snippet and
# "\nend))": the prelude calls it under pcall and returns its results as
# one printable line, TYPE:TEXT per value, tab-separated (numbers as %.17g,
# bytes outside printable ASCII and the backslash as \xNN). NAME.expected
# gets one such line per snippet.
#
# Usage: lua/tests/record_redis_libs.sh [PORT]   (a running redis-server 7.0)
set -eu
port=${1:-6396}
dir=$(dirname "$0")/cases/redis_libs
prelude=$(cat "$dir/prelude.lua")
redis-cli -p "$port" INFO server | grep -q '^redis_version:7\.0\.' || {
	echo "record_redis_libs.sh: no Redis 7.0 on port $port" >&2
	exit 1
}
for cases in "$dir"/*.cases; do
	out=${cases%.cases}.expected
	: >"$out"
	while IFS= read -r snippet; do
		src="$prelude$snippet
end))"
		redis-cli -p "$port" --raw EVAL "$src" 0 | tr -d '\r' >>"$out"
	done <"$cases"
done
