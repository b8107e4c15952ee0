"""Catalog lookup: no argument prints a summary, a SKU prints that product."""
import json
import sys
from pathlib import Path

CATALOG = Path(__file__).with_name("catalog.json")


def main(argv):
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    if not argv:
        stock = sum(product["stock"] for product in catalog.values())
        print(f"{len(catalog)} products, {stock} items in stock")
        return 0
    product = catalog.get(argv[0])
    if product is None:
        print(f"unknown sku {argv[0]}", file=sys.stderr)
        return 1
    price = product["price_cents"] / 100
    print(f"{argv[0]} {product['name']} {price:.2f} ({product['stock']} in stock)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
