"""Reading: the ``where`` interpreter, list filters, ordering and paging."""
import re

from .util import parse_date


class QueryError(Exception):
    pass


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<str>"(?:[^"\\]|\\.)*")
    | (?P<op>==|!=|>=|<=|>|<|&&|\|\||\(|\)|,)
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    )""", re.X)


def tokenize(s):
    pos, out = 0, []
    s = s.strip()
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if not m or m.end() == pos:
            raise QueryError(f"Unexpected character at position {pos} in where clause: {s[pos:pos + 20]!r}")
        pos = m.end()
        kind = m.lastgroup
        val = m.group(kind)
        if kind == "str":
            val = re.sub(r"\\(.)", r"\1", val[1:-1])
        elif kind == "num":
            val = float(val)
        elif kind == "word" and val.upper() in ("AND", "OR"):
            kind, val = "op", "&&" if val.upper() == "AND" else "||"
        out.append((kind, val))
        while pos < len(s) and s[pos].isspace():
            pos += 1
    return out


def resolve(rec, path):
    cur = rec
    for part in path.split("."):
        if not isinstance(cur, dict):
            return None
        if part in cur:
            cur = cur[part]
            continue
        low = part.lower()
        for k, v in cur.items():
            if k.lower() == low:
                cur = v
                break
        else:
            if part == "UpdatedDateUTC" and "_updated" in cur:
                cur = cur["_updated"]
                continue
            return None
    return cur


METHODS = ("contains", "startswith", "endswith", "tolower", "toupper", "hasvalue")
DATE_FIELDS = ("date", "duedate", "updateddateutc", "fullypaidondate", "expirydate")


class Parser:
    def __init__(self, text):
        self.toks = tokenize(text)
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, kind=None, val=None):
        t = self.peek()
        if t[0] is None or (kind and t[0] != kind) or (val is not None and t[1] != val):
            raise QueryError(f"Syntax error in where clause near token {self.i + 1}")
        self.i += 1
        return t

    def parse(self):
        fn = self.expr_or()
        if self.i != len(self.toks):
            raise QueryError("Syntax error in where clause: unexpected trailing tokens")
        return fn

    def expr_or(self):
        left = self.expr_and()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.expr_and()
            left = (lambda a, b: lambda r: a(r) or b(r))(left, right)
        return left

    def expr_and(self):
        left = self.unary()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.unary()
            left = (lambda a, b: lambda r: a(r) and b(r))(left, right)
        return left

    def unary(self):
        if self.peek() == ("op", "("):
            self.take()
            fn = self.expr_or()
            self.take("op", ")")
            return fn
        if self.peek() == ("word", "not") or self.peek() == ("word", "NOT"):
            self.take()
            inner = self.unary()
            return lambda r: not inner(r)
        return self.comparison()

    def value(self):
        kind, val = self.take()
        if kind in ("str", "num"):
            return val
        if kind == "word":
            low = val.lower()
            if low == "true":
                return True
            if low == "false":
                return False
            if low == "null":
                return None
            if low in ("guid", "datetime"):
                self.take("op", "(")
                args = []
                while self.peek() != ("op", ")"):
                    k, v = self.take()
                    if k == "op" and v == ",":
                        continue
                    args.append(v)
                self.take("op", ")")
                if low == "guid":
                    return str(args[0]).lower() if args else None
                nums = [int(a) for a in args]
                while len(nums) < 3:
                    nums.append(1)
                from datetime import datetime, timezone
                return datetime(*nums, tzinfo=timezone.utc).timestamp()
        raise QueryError(f"Unexpected value {val!r} in where clause")

    def comparison(self):
        kind, path = self.take("word")
        # method call forms: Field.Contains("x"), Field.ToLower() == "x"
        method = None
        parts = path.split(".")
        if parts[-1].lower() in METHODS:
            method = parts[-1].lower()
            path = ".".join(parts[:-1])
            if self.peek() == ("op", "("):
                self.take()
                arg = None if self.peek() == ("op", ")") else self.value()
                self.take("op", ")")
            else:
                arg = None
            if method in ("contains", "startswith", "endswith"):
                needle = str(arg or "").lower()
                op = {"contains": lambda s: needle in s, "startswith": lambda s: s.startswith(needle),
                      "endswith": lambda s: s.endswith(needle)}[method]
                return lambda r: isinstance(resolve(r, path), str) and op(resolve(r, path).lower())
            if method == "hasvalue":
                return lambda r: resolve(r, path) not in (None, "")
        t = self.peek()
        if t[0] != "op" or t[1] not in ("==", "!=", ">=", "<=", ">", "<"):
            raise QueryError(f"Expected a comparison after {path}")
        op = self.take()[1]
        val = self.value()
        is_date = path.split(".")[-1].lower() in DATE_FIELDS

        def norm(v):
            if v is None:
                return None
            if is_date:
                try:
                    return parse_date(v)
                except ValueError:
                    return v
            if isinstance(v, bool):
                return v
            if isinstance(v, (int, float)):
                return float(v)
            if isinstance(v, str):
                return v.lower()
            return v

        target = norm(val)

        def pred(r):
            got = norm(resolve(r, path))
            if op == "==":
                return got == target
            if op == "!=":
                return got != target
            if got is None or target is None:
                return False
            try:
                return {">": got > target, "<": got < target, ">=": got >= target, "<=": got <= target}[op]
            except TypeError:
                return False
        return pred


def compile_where(text):
    return Parser(text).parse()


def order_key(spec):
    parts = spec.strip().split()
    if not parts:
        return None, False
    desc = len(parts) > 1 and parts[1].upper() == "DESC"
    field = parts[0]

    def key(r):
        v = resolve(r, field)
        if field.split(".")[-1].lower() in DATE_FIELDS and v is not None:
            try:
                v = parse_date(v)
            except ValueError:
                pass
        if isinstance(v, str):
            v = v.lower()
        return (v is None, v if v is not None else 0)
    return key, desc
