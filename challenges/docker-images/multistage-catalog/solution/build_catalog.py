"""Build step: validate catalog.csv and write catalog.json (build stage only).

Usage: python3 build_catalog.py catalog.csv OUTPUT.json
"""
import csv
import json
import sys


def main(source, target):
    catalog = {}
    with open(source, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            sku = row["sku"].strip()
            if not sku or sku in catalog:
                sys.exit(f"build_catalog: empty or duplicate sku {sku!r}")
            catalog[sku] = {
                "name": row["name"].strip(),
                "price_cents": int(row["price_cents"]),
                "stock": int(row["stock"]),
            }
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(dict(sorted(catalog.items())), handle, indent=1)
    print(f"build_catalog: wrote {len(catalog)} products to {target}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
