#!/usr/bin/env python3
"""The API reference docs/api.md, generated from include/cgrad.h (plain python3, no packages).

    tools/gen_api_docs.py            writes docs/api.md
    tools/gen_api_docs.py --check    fails when docs/api.md is stale or a public function has no comment
    tools/gen_api_docs.py --functions    prints the exported functions the header declares, one a line

The header is read as groups: runs of comments, declarations and macros between blank lines, under
section comments "/* ---- title ---- */". A function is documented by a comment on its own line or
a comment above it in its group. What sits inside #if blocks (the C++ and per-compiler versions of
the macros) is implementation and stays out, as do macros whose names end in "_" (internal).
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = os.path.join(ROOT, "include", "cgrad.h")
OUTPUT = os.path.join(ROOT, "docs", "api.md")
SECTION = re.compile(r"^/\* -+ (.*?) -+ \*/$")
FUNCTION = re.compile(r"\b(cg_\w+)\s*\(")
MACRO = re.compile(r"^#define\s+(\w+)")


def statements(lines):
    """Splits the header's top-level lines (outside #if blocks) into items: ("blank",), ("comment",
    text), ("code", text). A code item is one declaration, definition or macro, with any comment on
    its last line."""
    items, i, depth = [], 0, 0
    # The include guard's #ifndef/#define and its final #endif frame everything else.
    body = [l.rstrip("\n") for l in lines]
    start = next(k for k, l in enumerate(body) if l.startswith("#ifndef CGRAD_H"))
    end = max(k for k, l in enumerate(body) if l.startswith("#endif"))
    intro = body[:start]
    body = body[start + 2:end]
    while i < len(body):
        line = body[i]
        stripped = line.strip()
        if re.match(r"#\s*if", stripped):
            depth += 1
        if depth:
            if re.match(r"#\s*endif", stripped):
                depth -= 1
            i += 1
            continue
        if not stripped:
            items.append(("blank",))
            i += 1
        elif stripped.startswith("/*"):
            j = i
            while "*/" not in body[j]:
                j += 1
            items.append(("comment", "\n".join(body[i:j + 1])))
            i = j + 1
        elif stripped.startswith("#include") or stripped.startswith("#pragma"):
            i += 1
        elif stripped.startswith("#define"):
            j = i
            while body[j].endswith("\\"):
                j += 1
            items.append(("code", "\n".join(body[i:j + 1])))
            i = j + 1
        else:
            j, braces = i, 0
            while True:
                code = re.sub(r"/\*.*?\*/", "", body[j])
                braces += code.count("{") - code.count("}")
                if braces == 0 and (code.rstrip().endswith(";") or code.rstrip().endswith("}")):
                    break
                j += 1
            items.append(("code", "\n".join(body[i:j + 1])))
            i = j + 1
    return intro, items


def name_of(code):
    """(kind, name) of a code item: kind is "function" (exported), "inline", "macro" or "type"."""
    first = code.split("\n")[0]
    m = MACRO.match(first)
    if m:
        return "macro", m.group(1)
    if first.startswith("typedef"):
        names = re.findall(r"(\w+)\s*;", re.sub(r"/\*.*?\*/", "", code))
        fn = re.search(r"\(\*\s*(\w+)\)", first)
        return "type", fn.group(1) if fn else (names[-1] if names else "")
    m = FUNCTION.search(re.sub(r"/\*.*?\*/", "", first))
    if m:
        return ("inline" if first.startswith("static") else "function"), m.group(1)
    return "other", ""


def has_trailing_comment(code):
    return "/*" in code.split("\n")[-1] and not code.lstrip().startswith("/*")


def shown(code, kind):
    """The item as the reference shows it: an inline function's signature, without its body."""
    if kind == "inline":
        return code.split("{")[0].rstrip() + ";"
    return code


def groups(items):
    """Sections of groups: [(title, [(comments, [(kind, name, code)])])]."""
    sections, title, group = [], "", None
    sections.append([title, []])
    for item in items:
        if item[0] == "blank":
            group = None
            continue
        if item[0] == "comment":
            m = SECTION.match(item[1].strip())
            if m:
                sections.append([m.group(1), []])
                group = None
                continue
            if group is None or group[1]:
                group = ([], [])
                sections[-1][1].append(group)
            group[0].append(item[1])
            continue
        kind, name = name_of(item[1])
        if kind == "macro" and name.endswith("_"):
            continue
        if group is None:
            group = ([], [])
            sections[-1][1].append(group)
        group[1].append((kind, name, item[1]))
    return [(t, g) for t, g in sections if g]


def anchor(title):
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")


def render(intro, sections):
    out = ["# cgrad API reference", "",
           "Generated from `include/cgrad.h` by `tools/gen_api_docs.py`: do not edit; CI regenerates it",
           "and fails when it differs. Each block is the header's text: its comments, then what they",
           "describe. C++ sees the same API (see the header's notes on C++).", ""]
    text = "\n".join(intro).strip()
    text = re.sub(r"^/\*+ ?|\s*\*/$", "", text)
    out += [re.sub(r"^ \* ?| \*$", "", l) for l in text.split("\n")]
    out += ["", "## Contents", ""]
    for title, gs in sections:
        names = [name for _, entries in gs for kind, name, _ in entries if kind in ("function", "inline", "macro")]
        if title:
            out.append(f"- [{title}](#{anchor(title)}): " + ", ".join(f"`{n}`" for n in names))
    for title, gs in sections:
        if title:
            out += ["", f"## {title}"]
        for comments, entries in gs:
            block = comments + [shown(code, kind) for kind, _, code in entries]
            out += ["", "```c"] + block + ["```"]
    return "\n".join(out) + "\n"


def undocumented(sections):
    missing = []
    for _, gs in sections:
        for comments, entries in gs:
            for kind, name, code in entries:
                if kind in ("function", "inline") and not comments and not has_trailing_comment(code):
                    missing.append(name)
    return missing


def main(argv):
    with open(HEADER) as f:
        intro, items = statements(f.readlines())
    sections = groups(items)
    if argv[1:] == ["--functions"]:
        for _, gs in sections:
            for _, entries in gs:
                for kind, name, _ in entries:
                    if kind == "function":
                        print(name)
        return 0
    text = render(intro, sections)
    if argv[1:] == ["--check"]:
        ok = True
        missing = undocumented(sections)
        if missing:
            print("include/cgrad.h: public functions without a comment: " + ", ".join(missing))
            ok = False
        current = open(OUTPUT).read() if os.path.exists(OUTPUT) else ""
        if current != text:
            print("docs/api.md is stale: run tools/gen_api_docs.py and commit it")
            ok = False
        return 0 if ok else 1
    if argv[1:]:
        print(__doc__)
        return 2
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
