-- string.find/match/gmatch/gsub cases; record with lua/tests/record_library.sh.

-- Every byte against every class and its complement (C locale).
local all = {}
for i = 0, 255 do all[#all + 1] = string.char(i) end
all = table.concat(all)
for _, c in ipairs { "a", "c", "d", "l", "p", "s", "u", "w", "x", "z" } do
  gsub(all, "%" .. c .. "+", "")
  gsub(all, "%" .. c:upper() .. "+", "")
  gsub(all, "[%" .. c .. "]", "")
  gsub(all, "[^%" .. c .. "]", "")
end
-- Escaped punctuation and other letters match themselves.
for _, p in ipairs { "%.", "%%", "%[", "%]", "%(", "%)", "%^", "%$", "%*", "%+", "%-", "%?", "%q", "%Q", "%1a", "%\255", "%\0" } do
  gsub(all, p, "#")
end

-- Sets: ranges, '-' at the edges, ']' first, '^', escapes, classes.
for _, p in ipairs {
  "[a-c]", "[c-a]", "[a-]", "[-a]", "[a-c-e]", "[%a-z]", "[a%-z]", "[]]", "[]a]", "[^]]",
  "[^]a]", "[]-a]", "[%]]", "[%%]", "[^%a%d]", "[%w_]", "[.]", "[%.]", "[a-c%d]", "[\0-\31]",
  "[\128-\255]", "[^\0-\127]", "[^^]", "[^]^]", "[a^]", "[%^]", "[[]", "[%[]", "[-]", "[--/]",
  "[!--]", "[a-a]", "[z-a]", "[%z]", "[^%z]", "[%Z]",
} do
  gsub(all, p, "#")
  find("x-y]z^a", p)
end

-- find: plain searches, specials, init positions, NULs.
for _, case in ipairs {
  { "hello world", "o" }, { "hello world", "o", 6 }, { "hello world", "o", -3 },
  { "hello world", "o", 100 }, { "hello world", "o", -100 }, { "hello world", "l+" },
  { "hello world", "xyz" }, { "hello world", "" }, { "hello world", "", 100 },
  { "hello world", "", -100 }, { "hello world", "", 12 }, { "hello world", "", 13 },
  { "", "" }, { "", "a" }, { "", ".*" }, { "a.b", ".", 1, true }, { "a.b", "." },
  { "a+b", "+", 1, true }, { "a+b", "a+", 1, false }, { "a+b", "a+", 1, 0 },
  { "a+b", "a+", 1, nil }, { "a+b", "%+" }, { "a\0b", "\0b" }, { "a\0b%", "\0b%" },
  { "ab", "a\0x" }, { "a\0b", "%z" }, { "a\0b", "[%z]b" }, { "aaa", "a)" },
  { "x(y)", "(y)" }, { "hello", "l", 3.7 }, { "hello", "l", -2.5 }, { "hello", "l", 0 },
  { "hello", "^h" }, { "hello", "^e" }, { "hello", "^e", 2 }, { "hello", "o$" },
  { "hello", "l$" }, { "hello$", "o$", 1, true }, { "a$b", "$b" }, { "a$b", "a$b" },
  { "^ab", "^^" }, { "abc", "^", 2 }, { "abc", "$" }, { "abc", "()", 4 },
  { "abc", "()", 10 }, { "abc", "b()" }, { "THE (quick) fox", "%((%a+)%)" },
  { "  trim  ", "^%s*(.-)%s*$" }, { "key = value", "(%w+)%s*=%s*(%w+)" },
  { "aaa", "a-" }, { "aaa", "a-$" }, { "aaa", "a*" }, { "aaa", "a+" }, { "aaa", "a?" },
  { "baaac", "ba*" }, { "baaac", "ba-c" }, { "baaac", "ba*c" }, { "bc", "ba+c" },
  { "abc", "a?b?c?d?" }, { "xyz", "a*" }, { "xyz", "a-" }, { "xyz", "a?" },
} do
  find(case[1], case[2], case[3], case[4])
end

-- match: captures, positions, back-references, balances, frontiers.
for _, case in ipairs {
  { "hello world", "(%w+) (%w+)" }, { "hello world", "((%w+) (%w+))" },
  { "hello", "()ll()" }, { "hello", "(h)(e)(l)(l)(o)" }, { "hello", "()" },
  { "hello", "(l)(l)" }, { "date: 2024-01-15", "(%d+)-(%d+)-(%d+)" },
  { "abcabc", "(abc)%1" }, { "abcab", "(abc)%1" }, { "aaa", "(a)%1%1" },
  { "xyyx", "(.)(.)%2%1" }, { "abba", "(.)(.)%2%1" }, { "aa", "()%1" },
  { "a(b(c)d)e", "%b()" }, { "a(b(c)d", "%b()" }, { "((", "%b()" }, { "x", "%b()" },
  { "[[x]]", "%b[]" }, { "<a<b>>", "%b<>" }, { "aXbXc", "%bXX" }, { "abc", "%bac" },
  { "if x then y end end", "%bie" }, { "()", "%b()" }, { "(", "%b()" }, { ")(", "%b()" },
  { "THE (quick) fox", "%f[%a]%a+" }, { "THE (quick) fox", "%f[%a]%a+", 5 },
  { "hello", "%f[%l]" }, { "hello", "%f[%z]" }, { "hello", "%f[%Z]" },
  { "foo bar", "%f[%w]%w+$" }, { "x", "%f[x]x" }, { "ax", "%f[x]x" }, { "", "%f[%z]" },
  { "a,b,,c", "([^,]*)" }, { "a.b", "%a%.%a" }, { "a.b", "%a.%a" },
  { "  x  ", "^%s*(.-)%s*$" }, { "", "^$" }, { "", "^(.*)$" }, { "abc", "^(.-)$" },
  { "abc", "^(a)(b)(c)$" }, { "abc", "(a)(b)(c)(d?)" }, { "aaab", "(a-)b" },
  { "aaab", "(a*)b" }, { "aaab", "(a+)(a)" }, { "aaab", "(a-)(a)" }, { "ab", "(a?)(a?)b" },
  { "[test]", "%[(.*)%]" }, { "a-b", "%a%-%a" }, { "x^y", "x^y" }, { "x$y", "x$y" },
  { "abc", "((a)(b))" }, { "abc", "(a(b(c)))" }, { "abc", "()a()b()c()" },
  { "foo123bar", "%a+(%d+)%a+" }, { "foo", "(f)(o)(o)(x?)" }, { "\0\1\2", "(%z)(.)(.)" },
  { "a\0b", "a%zb" }, { "a\0b", "a.b" }, { "hello", "h.-o" }, { "hello", "h.*l" },
  { "hello", "h.-l" }, { "hello", "l*" }, { "hello", "l*", 3 }, { "hello", "o?$" },
  { "abc", "a.c", -3 }, { "abc", "a.c", -2 },
} do
  match(case[1], case[2], case[3])
end

-- gmatch: words, pairs, empty matches, positions, a literal '^'.
for _, case in ipairs {
  { "hello world from lua", "%a+" }, { "a=1, b=2, c=3", "(%w+)=(%w+)" },
  { "abc", "" }, { "abc", "()" }, { "abc", "()(.?)" }, { "abc", ".-" }, { "abc", "a*" },
  { "aaa", "a*" }, { "baaac", "a*" }, { "^a^a", "^a" }, { "one two", "^%a+" },
  { "1,2,,3", "([^,]*)" }, { "x", "(x)(y?)" }, { "", "" }, { "", "x" },
  { "the (quick) (brown) fox", "%b()" }, { "THE (quick) fox", "%f[%a]%a+" },
  { "a1b2c3", "%a()%d" }, { "aXbX", "(.)X" }, { "\0a\0b", "%z(.)" },
} do
  gmatch(case[1], case[2])
end

-- gsub: replacement strings (%0-%9, %%, other escapes, a trailing %),
-- counts, anchors, empty matches.
for _, case in ipairs {
  { "hello world", "o", "0" }, { "hello world", "(o)", "[%1]" }, { "hello world", "o", "%0%0" },
  { "hello world", "%w+", "<%0>" }, { "hello world", "(%w+) (%w+)", "%2 %1" },
  { "hello world", "%w+", "%1" }, { "hello", "", "-" }, { "hello", "x*", "-" },
  { "hello", "l*", "-" }, { "hello", "l-", "-" }, { "abc", "^", "x" }, { "abc", "$", "x" },
  { "abc", "^a*", "x" }, { "aaa", "^a", "b" }, { "abc", ".", "x", 2 }, { "abc", ".", "x", 0 },
  { "abc", ".", "x", -1 }, { "abc", ".", "x", 2.7 }, { "abc", ".", "x", 10 },
  { "abc", "b", "%" }, { "abc", "b", "%%" }, { "abc", "b", "%x" }, { "abc", "b", "%\0" },
  { "abc", "b", "100%" }, { "abc", "b", "%2" }, { "abc", "(b)", "%2" }, { "abc", "(b)", "%0%1" },
  { "abc", "b", "%1" }, { "abc", "(b", "x" }, { "abc", "(b", "%1" }, { "abc", "(b", "%0" },
  { "abc", "()b", "%1" }, { "abc", "(b)()", "%2%1" }, { "abc", "b", 42 }, { "abc", "b", 0.5 },
  { "abc", "b", "\0" }, { "a\0b\0c", "%z", "[%0]" }, { "abc", "%w", "%0%0%0" },
  { "x = 1, y = 2", "(%w+) = (%w+)", "%2 = %1" }, { "abc", "", "" }, { "", "", "x" },
  { "", "x*", "y" }, { "abc", ".-", "-" }, { "hello world", "o", "0", 1 },
  { "^^", "^^", "x" }, { "ab", "a?", "x" }, { "abab", "(a)(b)", "%2%1%0" },
} do
  gsub(case[1], case[2], case[3], case[4])
end

-- gsub with a function and a table.
gsubf("hello world", "%w+")
gsubf("hello world", "(%w)(%w*)")
gsubf("hello world", "()o()")
gsubf("keep false x", "%a+")
gsubf("abc", "")
gsubf("abc", ".", 2)
gsubf("abc", "(b", nil)
gsubt("$name is $age", "%$(%w+)", "name", "Bob", "age", "42")
gsubt("$name is $x", "%$(%w+)", "name", "Bob")
gsubt("a b c", "%a", "a", "A", "b", false)
gsubt("a b c", "(%a)(%s*)", "a", "1")
gsubt("abc", "(b", "b", "x")

-- Errors, each raised only when the matcher reaches the faulty item.
for _, case in ipairs {
  { "abc", "x%" }, { "xbc", "x%" }, { "abc", "%" }, { "abc", "a%" }, { "abc", "[a" },
  { "abc", "[" }, { "abc", "[^" }, { "abc", "[]" }, { "abc", "[^]" }, { "abc", "[a%" },
  { "abc", "[a%]" }, { "abc", "x[a" }, { "abc", "%f" }, { "abc", "%fa" }, { "abc", "%f[a" },
  { "abc", "%b" }, { "abc", "%ba" }, { "abc", "x%b" }, { "abc", "(a" }, { "abc", "a)" },
  { "abc", "a)(" }, { "abc", "(a))" }, { "abc", "%1" }, { "abc", "(a)%2" }, { "abc", "(a%1)" },
  { "abc", "%0" }, { "abc", "(a)%0" }, { "a", string.rep("()", 32) }, { "a", string.rep("()", 33) },
  { "a", string.rep("(", 33) }, { "xyz", "a" .. string.rep("()", 33) }, { "abc", "((a)" },
  { "abc", "(()" }, { "abc", "(a)(" }, { "abc", "(.)%1)" }, { "ab\0", "b%\0" }, { "abc", "a%\0x" },
} do
  find(case[1], case[2])
  match(case[1], case[2])
end

-- Pseudo-random patterns and subjects (a fixed LCG, so the cases never
-- change) through every entry point, errors included.
local seed = 4242
local function rand(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return math.floor(seed / 65536) % n
end
local pieces = {
  "a", "b", "x", ".", "%", "(", ")", "()", "[", "]", "[^", "^", "$", "*", "+", "-", "?",
  "%a", "%d", "%s", "%W", "%z", "%b()", "%bab", "%b", "%f[a]", "%f[%s]", "%f", "%1", "%2",
  "%0", "\0", "[a-c]", "[%a_]", "[]", "%%", "a-", ".-", "(.)", "(a*)", "b+", "[^a]*",
}
local bytes = { "a", "a", "b", "(", ")", "[", "]", "x", " ", "\0", "1", "_", "-", "%" }
local function random_text(list, max)
  local t = {}
  for i = 1, rand(max + 1) do t[i] = list[rand(#list) + 1] end
  return table.concat(t)
end
local repls = { "%0", "<%1>", "%2%1", "%%", "%", "x", "", "%9" }
for _ = 1, 1500 do
  local s, p = random_text(bytes, 12), random_text(pieces, 6)
  local which = rand(5)
  if which == 0 then
    find(s, p, rand(#s + 3) - 1)
  elseif which == 1 then
    match(s, p)
  elseif which == 2 then
    gmatch(s, p)
  elseif which == 3 then
    gsub(s, p, repls[rand(#repls) + 1])
  else
    gsubf(s, p)
  end
end
