-- string.format cases; record with lua/tests/record_library.sh.

local inf, nan = 1e300 * 1e300, 0 / 0

-- Every numeric conversion with each single flag and some pairs, on
-- values that exercise signs, rounding, casts and the special values.
local values = {
  0, NEGZERO, 1, -1, 42, -42, 0.5, 1.5, 2.5, -2.5, 3.99, -3.99, 123.456,
  0.000123456, 1e-5, 100000, 123456789, 1e15, 1e16, 2 ^ 31, 2 ^ 32 + 65,
  2 ^ 53, 2 ^ 63, -2 ^ 63, 2 ^ 64, -2 ^ 64, 1e30, 1e100, inf, -inf, nan, -nan,
  255, 65, 1 / 3,
}
for _, conv in ipairs { "d", "i", "u", "o", "x", "X", "c", "e", "E", "f", "g", "G" } do
  for _, flags in ipairs { "", "-", "+", " ", "#", "0", "+ ", "-0", "#0", "+0", "-#" } do
    for _, v in ipairs(values) do
      fmt("%" .. flags .. "8" .. conv .. "|", v)
    end
  end
end

-- Width and precision combinations.
for _, conv in ipairs { "d", "x", "o", "e", "f", "g", "G", "s", "c" } do
  for _, wp in ipairs { "", "1", "5", "05", "99", ".0", ".1", ".3", ".10", ".99", "5.0", "10.3", "-10.3", "3.", "." } do
    for _, v in ipairs { 0, 7, -7, 3.14159, 1234.5678, 1e-10, 2 ^ 40 } do
      fmt("[%" .. wp .. conv .. "]", v)
    end
  end
end

-- %g switching between styles, and precision 0 and 1.
for _, v in ipairs {
  0.0001, 0.00001, 0.000123456789, 123456, 1234567, 999999.5, 9999995, 1e-4 * 9.999995,
  100, 1e6, 0.1, 0.15, 0.25, 0.35, 1e22, 1e21, 5e-324, 1.7976931348623157e308,
} do
  for _, f in ipairs { "%g", "%.0g", "%.1g", "%.2g", "%.3g", "%.10g", "%.14g", "%.17g", "%.20g", "%#g", "%#.3g", "%G", "%.99g" } do
    fmt(f, v)
  end
end

-- %f and %e at large precision and of huge or tiny values, exact digits.
for _, v in ipairs { 0.1, 1 / 3, 2 ^ -1074, 2 ^ -1022, 1e308, 1.7976931348623157e308, 123456789.123456789, 0.125, 0.375, 2.675 } do
  for _, f in ipairs { "%.99f", "%.99e", "%.0f", "%.0e", "%.2f", "%.2e", "%.20f", "%#.0f", "%#.0e", "%99.2e" } do
    fmt(f, v)
  end
end

-- Ties: glibc rounds the exact binary value, halfway cases to even.
for _, v in ipairs { 0.5, 1.5, 2.5, 3.5, -0.5, -2.5, 0.125, 0.375, 1e23, 5e-5, 2.5e-5 } do
  fmt("%.0f %.2f %.0e %.1e %.1g", v, v, v, v, v)
end

-- %s: precision, width, NUL, long strings, numbers.
local long = string.rep("abcdefghij", 10)
for _, s in ipairs { "", "a", "hello", "a\0b", "\0", "tab\there", long, long .. "\0tail", string.rep("x", 99), string.rep("y", 99) .. "\0" } do
  for _, f in ipairs { "%s", "%5s", "%-5s", "%.2s", "%10.3s", "%-10.3s|", "%.0s", "%.s", "%05s", "%.99s", "%99s" } do
    fmt(f, s)
  end
end
for _, v in ipairs { 1, -0.5, 1e100, 2 ^ 63, inf, -nan, 1 / 3, NEGZERO } do
  fmt("%s|%.3s|%10s", v, v, v)
end

-- %q: quotes, escapes and raw bytes; numbers; flags are ignored.
for _, s in ipairs { "", "plain", 'a"b', "a\\b", "line\nbreak", "cr\rlf\r\n", "nul\0nul", "\0\0\0", "\1\2\3\127\128\255", "\t\v\f", "'single'", long .. "\0" } do
  fmt("%q", s)
end
fmt("%q", 1 / 3)
fmt("%q", -nan)
fmt("%10q|%-5q|%.1q", "a", "b", "c")

-- %c: casts to int, NULs cut the item.
for _, v in ipairs { 65, 0, 255, 256, 321, -191, -1, 65.9, 2 ^ 31, 2 ^ 32 + 65, -2 ^ 31, 1e10, inf, nan, 10 } do
  fmt("[%c]", v)
  fmt("[%5c]", v)
  fmt("[%-5c]", v)
end

-- %%, literal text, and NULs in the format.
fmt("100%%")
fmt("%%%d%%", 5)
fmt("a\0b%dc\0", 1)
fmt("")
fmt("no conversions")
fmt("%5%")

-- Strings and numbers converted into each other.
fmt("%d", "10")
fmt("%d", " 0x10 ")
fmt("%x", "255")
fmt("%f", "1e2")
fmt("%5.1f", "  3.14159  ")
fmt("%d", "10\0junk")
fmt("%s %s", 10, -2.5)
fmt("%d", "abc")
fmt("%d", "")
fmt("%g", "inf")

-- Argument errors.
fmt("%d")
fmt("%d %d", 1)
fmt("%s")
fmt("%d", nil)
fmt("%d", true)
fmt("%d", {})
fmt("%s", nil)
fmt("%s", false)
fmt("%q", {})
fmt("%c", "x")
fmt("%y")
fmt("%5", 1)
fmt("%", 1)
fmt("%", nil)

-- Format errors: flags, widths, unknown options.
for _, f in ipairs {
  "%-----d", "%------d", "%-+ #0d", "%-+ #0-d", "%00000d", "%000000d", "%99d", "%100d",
  "%.99d", "%.100d", "%99.99d", "%1.1.1d", "%ld", "%hd", "%lld", "%a", "%A", "%F", "%n",
  "%p", "%b", "%z", "%y", "%\0d", "%5\0", "%-", "%.", "%5.", "%$d", "%*d", "%'d", "%I",
} do
  fmt(f, 1)
end
fmt("%d %y %d", 1, 2, 3)
fmt("%d %s", 1)

-- Pseudo-random values (a fixed LCG, so the cases never change) through
-- the float conversions, many of them just below a power of ten where
-- rounding carries into a new digit.
local seed = 12345
local function rand(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n
end
local float_formats = { "%g", "%#g", "%.3g", "%#.3g", "%#.1g", "%#.2g", "%.10g", "%#.12g", "%e", "%.3e", "%f", "%.2f", "%#.0f", "%.14g" }
for _ = 1, 150 do
  local digits = rand(1000000000) + rand(1000) / 1000
  local v = digits * 10 ^ (rand(40) - 25)
  if rand(2) == 0 then v = -v end
  fmt(float_formats[rand(#float_formats) + 1], v)
end
for _ = 1, 150 do
  local nines = rand(8) + 1
  local v = (10 ^ nines - 0.5 - rand(100) / 1000) * 10 ^ (rand(20) - 10)
  fmt(float_formats[rand(#float_formats) + 1], v)
end

-- Pseudo-random format items and arguments.
local items = { "%", "-", "+", " ", "#", "0", "1", "7", "12", ".", ".0", ".5", "d", "i", "u", "o", "x", "X", "c", "e", "E", "f", "g", "G", "s", "q" }
local args = { 0, -1, 3.5, -1234.5678, 1e20, 0.000123, 255, 2 ^ 63, "12", "abc", "a\0b", "" }
for _ = 1, 1000 do
  local f = { "<" }
  for i = 1, rand(3) + 1 do
    f[#f + 1] = "%"
    for _ = 1, rand(5) do f[#f + 1] = items[rand(#items - 1) + 2] end
    f[#f + 1] = ({ "d", "x", "g", "e", "f", "s", "c", "q", "o", "u", "G", "X" })[rand(12) + 1]
    f[#f + 1] = "|"
  end
  fmt(table.concat(f), args[rand(#args) + 1], args[rand(#args) + 1], args[rand(#args) + 1])
end
