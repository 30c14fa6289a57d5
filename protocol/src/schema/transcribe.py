#!/usr/bin/env python3
"""Transcribes Kafka's JSON message schemas into the Rust tables of `protocol/src/schema/`.

Usage: transcribe.py OUT.rs TABLE_NAME SCHEMA.json...   (then `cargo fmt -p strata-protocol`)

Each schema becomes a `MessageSchema` static; nested and common structs become `&[Field]`
consts. The output is a data table only (names, types, versions, tags, defaults); the codec that
interprets it is `generic.rs`. Re-run when Kafka adds a record type or field.
"""
import json
import re
import sys

MAX = 32767


def versions(s):
    if s is None or s == "none" or s == "":
        return (1, 0)
    s = str(s)
    if s.endswith("+"):
        return (int(s[:-1]), MAX)
    if "-" in s:
        a, b = s.split("-")
        return (int(a), int(b))
    return (int(s), int(s))


def vlit(v):
    return "Versions { min: %d, max: %s }" % (v[0], "MAX" if v[1] == MAX else str(v[1]))


def load(path):
    text = open(path).read()
    text = re.sub(r"^\s*//.*$", "", text, flags=re.M)
    return json.loads(text)


def upper_snake(name):
    out = []
    prev_cap = True
    for c in name:
        if c.isupper():
            if not prev_cap:
                out.append("_")
            out.append(c.lower())
            prev_cap = True
        else:
            out.append(c)
            prev_cap = False
    return "".join(out).upper()


SCALARS = {
    "bool": "Bool", "int8": "Int8", "int16": "Int16", "uint16": "Uint16", "int32": "Int32",
    "uint32": "Uint32", "int64": "Int64", "float64": "Float64", "uuid": "Uuid",
    "string": "String", "bytes": "Bytes", "records": "Records",
}


class Emitter:
    def __init__(self):
        self.consts = []
        self.seen = set()

    def fields(self, prefix, fields, commons):
        lines = []
        for f in fields:
            lines.append(self.field(prefix, f, commons))
        return lines

    def struct_const(self, prefix, name, fields, commons):
        cname = "%s__%s" % (prefix, upper_snake(name))
        if cname in self.seen:
            return cname
        self.seen.add(cname)
        body = self.fields(cname, fields, commons)
        self.consts.append("const %s: &[Field] = &[\n%s\n];\n" % (cname, "\n".join("    " + b for b in body)))
        return cname

    def field(self, prefix, f, commons):
        t = f["type"]
        is_array = t.startswith("[]")
        base = t[2:] if is_array else t
        if base in SCALARS:
            elem = "Element::%s" % SCALARS[base]
        else:
            sub = f.get("fields")
            if sub is None:
                sub = commons[base]
            elem = "Element::Struct(%s)" % self.struct_const(prefix, base, sub, commons)
        ty = "FieldType::Array(%s)" % elem if is_array else "FieldType::One(%s)" % elem
        tagged = versions(f.get("taggedVersions"))
        vers = versions(f.get("versions")) if f.get("versions") is not None else tagged
        default = f.get("default")
        if default is None:
            dlit = '""'
        elif isinstance(default, bool):
            dlit = '"%s"' % ("true" if default else "false")
        else:
            dlit = json.dumps(str(default))
        name = f["name"][0].lower() + f["name"][1:]
        return ("Field { name: %s, ty: %s, versions: %s, nullable: %s, tagged: %s, tag: %d, default: %s },"
                % (json.dumps(name), ty, vlit(vers), vlit(versions(f.get("nullableVersions"))),
                   vlit(tagged), int(str(f.get("tag", 0)), 0), dlit))


def main():
    out, table, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    em = Emitter()
    statics = []
    names = []
    for p in paths:
        d = load(p)
        name = d["name"]
        sname = upper_snake(name)
        commons = {c["name"]: c["fields"] for c in d.get("commonStructs", [])}
        cname = em.struct_const(sname, "fields", d["fields"], commons)
        api_key = d.get("apiKey")
        statics.append(
            "/// Kafka's `%s`.\npub(crate) static %s: MessageSchema = MessageSchema {\n"
            "    name: %s,\n    api_key: %s,\n    valid: %s,\n    flexible: %s,\n    fields: %s,\n};\n"
            % (name, sname, json.dumps(name),
               "Some(%d)" % api_key if api_key is not None else "None",
               vlit(versions(d["validVersions"])), vlit(versions(d.get("flexibleVersions"))), cname))
        names.append(sname)
    with open(out, "w") as fh:
        fh.write("//! Transcribed by `transcribe.py` from Kafka's JSON schemas; regenerate, do not edit.\n\n")
        fh.write("use super::types::{Element, Field, FieldType, MessageSchema, Versions, MAX};\n\n")
        for c in em.consts:
            fh.write(c + "\n")
        for s in statics:
            fh.write(s + "\n")
        fh.write("/// Every schema in this table.\npub(crate) static %s: &[&MessageSchema] = &[\n" % table)
        for n in names:
            fh.write("    &%s,\n" % n)
        fh.write("];\n")


main()
