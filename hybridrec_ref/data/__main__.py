"""``python -m hybridrec_ref.data``: fetch and verify every dataset the book uses."""

import sys

from .fetch import DataUnavailableError, fetch, load_manifest


def main() -> int:
    for name in load_manifest():
        try:
            cache, source = fetch(name, verbose=True)
        except DataUnavailableError as e:
            print(f"[hybridrec] {e}", file=sys.stderr)
            return 1
        print(f"[hybridrec] {name}: verified ({source['kind']} source) in {cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
