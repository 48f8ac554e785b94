#!/usr/bin/env python3
"""A structural proofreader for the reference BSL modules (1C cannot run here).

Not a compiler: it strips comments and string literals (including 1C's multi-line
"...\n|..." query texts and "" escapes) and checks that the block keywords balance and nest:
Процедура/КонецПроцедуры, Функция/КонецФункции, Если/КонецЕсли, Для|Пока ... Цикл/КонецЦикла,
Попытка/Исключение/КонецПопытки, #Область/#КонецОбласти; that Если/ИначеЕсли have Тогда; that
Возврат with a value is only inside a Функция; and that English keywords are not used.

  python3 docs/exchange/1c/check_bsl.py [FILE.bsl ...]   # default: every .bsl next to this file
"""
import glob
import os
import re
import sys

WORD = r"[A-Za-zА-Яа-яЁё_][A-Za-zА-Яа-яЁё_0-9]*"
ENGLISH = {"procedure", "endprocedure", "function", "endfunction", "if", "then", "elsif", "else",
           "endif", "for", "each", "in", "do", "enddo", "while", "try", "except", "endtry",
           "return", "new", "and", "or", "not", "true", "false", "undefined", "export", "val"}


def strip(src):
    """Source with comments and string contents blanked, line structure kept."""
    out, i, n, in_str = [], 0, len(src), False
    while i < n:
        c = src[i]
        if in_str:
            if c == '"':
                if i + 1 < n and src[i + 1] == '"':
                    i += 2
                    continue
                in_str = False
                out.append('"')
            elif c == "\n":
                out.append("\n")  # a multi-line literal continues on lines starting with |
            i += 1
            continue
        if c == '"':
            in_str = True
            out.append('"')
        elif src.startswith("//", i):
            while i < n and src[i] != "\n":
                i += 1
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def check(path):
    errors = []
    src = open(path, encoding="utf-8-sig").read()
    text = strip(src)
    stack = []  # (kind, line)
    for ln, line in enumerate(text.split("\n"), 1):
        s = line.strip()
        low = s.lower()
        if low.startswith("#область"):
            stack.append(("#Область", ln))
            continue
        if low.startswith("#конецобласти"):
            if not stack or stack[-1][0] != "#Область":
                errors.append(f"{ln}: #КонецОбласти without #Область (open: {stack[-1] if stack else None})")
            else:
                stack.pop()
            continue
        words = re.findall(WORD, s)
        for w in words:
            if w.lower() in ENGLISH:
                errors.append(f"{ln}: English keyword {w!r}")
        toks = [w.lower() for w in words]
        for k, t in enumerate(toks):
            prev = toks[k - 1] if k else ""
            if t in ("процедура", "функция") and k == 0:
                if any(x[0] in ("Процедура", "Функция") for x in stack):
                    errors.append(f"{ln}: {t} inside another method")
                stack.append(("Процедура" if t == "процедура" else "Функция", ln))
            elif t in ("конецпроцедуры", "конецфункции"):
                want = "Процедура" if t == "конецпроцедуры" else "Функция"
                if not stack or stack[-1][0] != want:
                    errors.append(f"{ln}: {t} closes {stack[-1] if stack else None}")
                else:
                    stack.pop()
            elif t == "если":
                if "тогда" not in toks[k:]:
                    errors.append(f"{ln}: Если without Тогда on the line")
                stack.append(("Если", ln))
            elif t == "иначеесли":
                if not stack or stack[-1][0] != "Если":
                    errors.append(f"{ln}: ИначеЕсли outside Если")
                if "тогда" not in toks[k:]:
                    errors.append(f"{ln}: ИначеЕсли without Тогда on the line")
            elif t == "иначе":
                if not stack or stack[-1][0] != "Если":
                    errors.append(f"{ln}: Иначе outside Если")
            elif t == "конецесли":
                if not stack or stack[-1][0] != "Если":
                    errors.append(f"{ln}: КонецЕсли closes {stack[-1] if stack else None}")
                else:
                    stack.pop()
            elif t in ("для", "пока") and k == 0:
                if toks[-1] != "цикл":
                    errors.append(f"{ln}: {t} without Цикл at the end of the line")
            elif t == "цикл":
                stack.append(("Цикл", ln))
            elif t == "конеццикла":
                if not stack or stack[-1][0] != "Цикл":
                    errors.append(f"{ln}: КонецЦикла closes {stack[-1] if stack else None}")
                else:
                    stack.pop()
            elif t == "попытка":
                stack.append(("Попытка", ln))
            elif t == "исключение":
                if not stack or stack[-1][0] != "Попытка":
                    errors.append(f"{ln}: Исключение outside Попытка")
                else:
                    stack[-1] = ("Попытка/Исключение", stack[-1][1])
            elif t == "конецпопытки":
                if not stack or stack[-1][0] != "Попытка/Исключение":
                    errors.append(f"{ln}: КонецПопытки closes {stack[-1] if stack else None}")
                else:
                    stack.pop()
            elif t == "возврат" and k == 0:
                method = next((x for x in reversed(stack) if x[0] in ("Процедура", "Функция")), None)
                if method is None:
                    errors.append(f"{ln}: Возврат outside a method")
                elif method[0] == "Процедура" and s.rstrip(";").strip().lower() != "возврат":
                    errors.append(f"{ln}: Возврат with a value in a Процедура")
                elif method[0] == "Функция" and s.rstrip(";").strip().lower() == "возврат":
                    errors.append(f"{ln}: Возврат without a value in a Функция")
    for kind, ln in stack:
        errors.append(f"{ln}: {kind} never closed")
    return errors


def contract_types(here):
    """The message types of the contract's section 4, in its order (### `type`: headings)."""
    text = open(os.path.join(here, "..", "1c-contract.md"), encoding="utf-8").read()
    section = text.split("\n## 4.", 1)[1].split("\n## 5.", 1)[0]
    return re.findall(r"^### `([a-z_]+)`", section, re.M)


def module_types(here):
    """The types ПорталОбмен.bsl sends (ТипыРасширения), in its order."""
    src = open(os.path.join(here, "ПорталОбмен.bsl"), encoding="utf-8-sig").read()
    body = src.split("Функция ТипыРасширения()", 1)[1].split("КонецФункции", 1)[0]
    listed = "".join(re.findall(r'"([^"]*)"', body.rsplit(",", 1)[0]))  # the separator is the last literal
    return [t for t in listed.split(",") if t]


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    files = argv or sorted(glob.glob(os.path.join(here, "*.bsl")))
    bad = 0
    if not argv:
        # The module sends every type the contract defines, in the contract's order (an entity
        # before what references it): a new message type must reach the reference module too.
        want, have = contract_types(here), module_types(here)
        if want != have:
            bad += 1
            print(f"ПорталОбмен.bsl: ТипыРасширения() is {have}, the contract's section 4 lists {want}")
    for f in files:
        errs = check(f)
        name = os.path.basename(f)
        if errs:
            bad += 1
            for e in errs:
                print(f"{name}:{e}")
        else:
            print(f"{name}: ok")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
