#!/usr/bin/env python3
"""Known-answer vectors of the 1C exchange signature (v2, plus one v1) — issue 16.

An implementation independent of the portal's Rust code: Python's hmac/hashlib only.
It writes docs/exchange/1c/vectors.json (the format of /work/notes/sig-v2.md, copied into
docs/exchange/1c-contract.md): an array of
  {"name", "secret", "method", "path", "timestamp", "nonce", "body_base64", "signature"}
and one v1 vector {"version": "v1", "name", "secret", "timestamp", "body_base64", "signature"}.

Deterministic: the inputs are literals below, no clock, no randomness, keys in a fixed order.
1C cannot run here: these vectors are the bridge between the Rust tests and the BSL
self-test (ПорталСамопроверка.bsl embeds the same cases as literals).

  python3 docs/exchange/1c/make_vectors.py            # (re)write vectors.json and the BSL self-test block
  python3 docs/exchange/1c/make_vectors.py --check    # exit 1 if vectors.json is not current
  python3 docs/exchange/1c/make_vectors.py --bsl      # print the BSL literals for the self-test
"""
import base64
import hashlib
import hmac
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "vectors.json")

# 100 ASCII bytes: longer than SHA-256's 64-byte block, so HMAC hashes the key first.
SECRET_100 = ("portal-1c-exchange-secret-" * 4)[:100]
SECRET = "test-onec-secret"
PUSH_SECRET = "test-push-secret"

BOM = b"\xef\xbb\xbf"
CYRILLIC_JSON = (
    '{"messages":[{"id":"m-1","type":"company.upsert","entity_id":"c-1","seq":1,'
    '"payload":{"name":"ООО «Ромашка»","inn":"7701234567"}}],"extension_version":"1.0.0"}'
).encode("utf-8")
ASCII_JSON = b'{"limit":100}'
BINARY = bytes([0x25, 0x50, 0x44, 0x46, 0x00, 0xFF, 0x0A, 0x0D, 0x80, 0x7F])

CASES = [
    # name, secret, method, path, timestamp, nonce, body
    ("v2-long-secret-100-bytes", SECRET_100, "POST", "/exchange/v1/changes/pull",
     "1767225600", "0f8fad5b-d9cb-469f-a165-70867728950e", ASCII_JSON),
    ("v2-cyrillic-json-body", SECRET, "POST", "/exchange/v1/messages",
     "1767225601", "7c9e6679-7425-40de-944b-e07fc1f90ae7", CYRILLIC_JSON),
    ("v2-body-with-utf8-bom", SECRET, "POST", "/exchange/v1/messages",
     "1767225602", "a1b2c3d4e5f60718293a4b5c6d7e8f90", BOM + CYRILLIC_JSON),
    ("v2-empty-body-get", SECRET, "GET", "/exchange/v1/capabilities",
     "1767225603", "nonce_empty-body-0001", b""),
    ("v2-binary-put-percent-encoded-key", SECRET, "PUT",
     "/exchange/v1/files/docs%2F2025%2F%D0%A3%D0%9F%D0%94-1.pdf?x=1",
     "1767225604", "e4eaaaf2-d142-11e1-b3e4-080027620cdd", BINARY),
    ("v2-push-to-1c-push-secret", PUSH_SECRET, "POST", "/hs/portal/changes",
     "1767225605", "b3f1c0de-0000-4000-8000-000000000001",
     '{"id":"ch-1","kind":"order.created","comment":"Срочно"}'.encode("utf-8")),
]

V1_CASE = ("v1-migration-window", SECRET, "1767225606", CYRILLIC_JSON)


def string_to_sign_v2(timestamp, method, path, nonce, body):
    head = "\n".join(["v2", timestamp, method.upper(), path, nonce]) + "\n"
    return head.encode("utf-8") + body


def sign_v2(secret, timestamp, method, path, nonce, body):
    mac = hmac.new(secret.encode("utf-8"), string_to_sign_v2(timestamp, method, path, nonce, body),
                   hashlib.sha256)
    return "v2=" + mac.hexdigest()


def sign_v1(secret, timestamp, body):
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def bsl_model_v2(secret, timestamp, method, path, nonce, body):
    """The steps of ПорталПодпись.bsl, one for one, in Python: the key hex-padded to the 64-byte
    block, pads XOR-ed in a buffer, the message fed to the inner hash in parts with separate 0x0A
    bytes. Checked against hmac below, so the BSL's construction (not its syntax) is verified here."""
    key = secret.encode("utf-8")
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key_buf = bytes.fromhex(key.hex() + "00" * (64 - len(key)))
    ipad = bytes(b ^ k for b, k in zip(bytes.fromhex("36" * 64), key_buf))
    opad = bytes(b ^ k for b, k in zip(bytes.fromhex("5c" * 64), key_buf))
    lf = bytes.fromhex("0a")
    parts = [b"v2", lf, timestamp.encode(), lf, method.upper().encode(), lf, path.encode(), lf,
             nonce.encode(), lf, body]
    inner = hashlib.sha256()
    inner.update(ipad)
    for part in parts:
        if len(part) > 0:
            inner.update(part)
    outer = hashlib.sha256()
    outer.update(opad)
    outer.update(inner.digest())
    return "v2=" + outer.hexdigest().lower()


def selfcheck():
    # RFC 4231 test case 1 and 6 (key longer than the block): guards the HMAC itself.
    assert hmac.new(b"\x0b" * 20, b"Hi There", hashlib.sha256).hexdigest() == \
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    assert hmac.new(b"\xaa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First",
                    hashlib.sha256).hexdigest() == \
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    assert len(SECRET_100.encode("utf-8")) == 100
    for name, secret, method, path, ts, nonce, body in CASES:
        assert bsl_model_v2(secret, ts, method, path, nonce, body) == \
            sign_v2(secret, ts, method, path, nonce, body), name


def build():
    out = []
    for name, secret, method, path, ts, nonce, body in CASES:
        assert 16 <= len(nonce) <= 64 and all(c.isascii() and (c.isalnum() or c in "-_") for c in nonce)
        out.append({
            "name": name,
            "secret": secret,
            "method": method,
            "path": path,
            "timestamp": ts,
            "nonce": nonce,
            "body_base64": base64.b64encode(body).decode("ascii"),
            "signature": sign_v2(secret, ts, method, path, nonce, body),
        })
    name, secret, ts, body = V1_CASE
    out.append({
        "version": "v1",
        "name": name,
        "secret": secret,
        "timestamp": ts,
        "body_base64": base64.b64encode(body).decode("ascii"),
        "signature": sign_v1(secret, ts, body),
    })
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


def bsl_literal(s):
    return '"' + s.replace('"', '""') + '"'


def bsl():
    """The cases as BSL statements for ПорталСамопроверка.bsl (paste between the markers)."""
    lines = []
    for v in json.loads(build()):
        if v.get("version") == "v1":
            lines.append("\tДобавитьВекторV1(Векторы, %s, %s, %s, %s, %s);" % tuple(
                bsl_literal(v[k]) for k in ("name", "secret", "timestamp", "body_base64", "signature")))
        else:
            lines.append("\tДобавитьВектор(Векторы, %s, %s, %s, %s, %s, %s, %s, %s);" % tuple(
                bsl_literal(v[k]) for k in ("name", "secret", "method", "path", "timestamp", "nonce",
                                            "body_base64", "signature")))
    return "\n".join(lines) + "\n"


def main(argv):
    selfcheck()
    text = build()
    if "--bsl" in argv:
        sys.stdout.write(bsl())
        return 0
    if "--check" in argv:
        try:
            with open(OUT, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            print("vectors.json missing: run make_vectors.py", file=sys.stderr)
            return 1
        if current != text:
            print("vectors.json is not current: run make_vectors.py", file=sys.stderr)
            return 1
        # The BSL self-test must embed the same vectors.
        bsl_path = os.path.join(HERE, "ПорталСамопроверка.bsl")
        if os.path.exists(bsl_path):
            with open(bsl_path, encoding="utf-8-sig") as f:
                src = f.read().replace("\r\n", "\n")
            if bsl() not in src:
                print("ПорталСамопроверка.bsl does not embed the current vectors: "
                      "run make_vectors.py (it rewrites the block between the markers)", file=sys.stderr)
                return 1
        print("vectors.json is current (%d vectors)" % len(json.loads(text)))
        return 0
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("wrote", OUT)
    write_bsl_block()
    return 0


BEGIN = "// НАЧАЛО ВЕКТОРОВ"
END = "\t// КОНЕЦ ВЕКТОРОВ"


def write_bsl_block():
    """Replace the literals between the markers of ПорталСамопроверка.bsl with the current ones."""
    bsl_path = os.path.join(HERE, "ПорталСамопроверка.bsl")
    if not os.path.exists(bsl_path):
        return
    with open(bsl_path, encoding="utf-8") as f:
        src = f.read()
    start = src.index("\n", src.index(BEGIN)) + 1
    end = src.index(END, start)
    new = src[:start] + bsl() + src[end:]
    if new != src:
        with open(bsl_path, "w", encoding="utf-8", newline="\n") as f:
            f.write(new)
        print("updated the vectors in", bsl_path)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
