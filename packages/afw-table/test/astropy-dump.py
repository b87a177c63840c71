"""Independent reference for the afw-table tests: what astropy sees in an afw FITS table.

Usage: /usr/bin/python3 astropy-dump.py FILE [HDU]. Prints JSON: the header items in afw's
order (first appearance of TTYPEn/TFORMn/... for columns, TFLAGn/TFDOCn for flag bits), each
column's TFORM/TUNIT/TDOC/TCCLS and values, the `flags` bits as 0/1 rows, and the raw ALIAS
cards. Floats are JSON numbers except NaN/inf (strings); integers are strings (int64-safe).
"""
import json
import math
import re
import sys

from astropy.io import fits

path = sys.argv[1]
hdu = int(sys.argv[2]) if len(sys.argv) > 2 else 1
with fits.open(path) as f:
    h = f[hdu].header
    data = f[hdu].data
    nrows = h["NAXIS2"]
    order = []
    seen = set()
    for card in h.cards:
        m = re.match(r"^(TTYPE|TFORM|TUNIT|TDOC|TCCLS|TFLAG|TFDOC)(\d+)$", card.keyword)
        if not m:
            continue
        kind = "bit" if m.group(1) in ("TFLAG", "TFDOC") else "column"
        key = (kind, int(m.group(2)))
        if key not in seen:
            seen.add(key)
            order.append({"kind": kind, "n": key[1]})

    def long_string(keyword):
        """A CONTINUE long-string value, read from the raw card images.

        astropy 5.2.1 (Debian bookworm) un-escapes doubled quotes twice in CONTINUE cards
        (astropy issue #14581, fixed in 5.2.2 by PR #14598): four quotes come back as one
        quote instead of two. This re-reads the images as the FITS standard (4.2.1.2) says:
        each piece is a quoted string in which a doubled quote stands for one quote, and a
        trailing & means that another CONTINUE card follows.
        """
        if keyword not in h:
            return None
        image = h.cards[keyword].image
        pieces = [image[i:i + 80] for i in range(0, len(image), 80)]
        text = ""
        for k, piece in enumerate(pieces):
            m = re.match(r"^.{8}(?:= |  )\s*'((?:[^']|'')*)'", piece)
            if not m:
                return h.get(keyword)
            part = m.group(1).rstrip().replace("''", "'")
            if part.endswith("&") and k < len(pieces) - 1:
                part = part[:-1]
            text += part
        return text

    def cell(v):
        if isinstance(v, float):
            if math.isnan(v):
                return "nan"
            if math.isinf(v):
                return "inf" if v > 0 else "-inf"
            return v
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, int):
            return str(v)
        if isinstance(v, (bytes, str)):
            return v.decode() if isinstance(v, bytes) else v
        if isinstance(v, list):
            return [cell(x) for x in v]
        return v

    for item in order:
        n = item["n"]
        if item["kind"] == "column":
            item["name"] = h.get(f"TTYPE{n}")
            item["tform"] = h.get(f"TFORM{n}")
            item["unit"] = h.get(f"TUNIT{n}", "")
            item["tdoc"] = long_string(f"TDOC{n}")
            item["comment"] = h.comments[f"TTYPE{n}"] if f"TTYPE{n}" in h else ""
            item["tccls"] = h.get(f"TCCLS{n}", "")
            if "X" not in item["tform"] and "P" not in item["tform"] and "Q" not in item["tform"]:
                item["values"] = [cell(v) for v in data.field(n - 1).tolist()] if nrows > 0 else []
        else:
            item["name"] = h.get(f"TFLAG{n}")
            item["tfdoc"] = long_string(f"TFDOC{n}")
            item["comment"] = h.comments[f"TFLAG{n}"] if f"TFLAG{n}" in h else ""
    flagcol = h.get("FLAGCOL")
    bits = []
    if flagcol and nrows > 0:
        bits = [[int(b) for b in row] for row in data.field(flagcol - 1).tolist()]
    out = {
        "nrows": nrows,
        "version": h.get("AFW_TABLE_VERSION"),
        "afwType": h.get("AFW_TYPE"),
        "flagcol": flagcol,
        "items": order,
        "bits": bits,
        "aliases": [str(v) for k, v in h.items() if k == "ALIAS"],
        "slots": {k: v for k, v in h.items() if k.endswith("_SLOT")},
    }
    json.dump(out, sys.stdout)
