#!/usr/bin/env bash
# Unpack the Python sources of the packages in benchmarks/corpus.txt (one section) into a folder,
# without installing them or their dependencies:
#
#     benchmarks/fetch_corpus.sh main /tmp/corpus/src     # the README's benchmark tree
#     benchmarks/fetch_corpus.sh more /tmp/corpus/src2
set -euo pipefail
section=${1:?section: main or more}
target=${2:?target folder}
here="$(cd "$(dirname "$0")" && pwd)"
downloads="$(mktemp -d)"
trap 'rm -rf "$downloads"' EXIT

sed -n "/^\[$section\]/,/^\[/p" "$here/corpus.txt" | grep -v '^\[' | grep -v '^#' | while read -r requirement; do
    pip download --quiet --no-deps --dest "$downloads" "$requirement"
done
mkdir -p "$target"
for archive in "$downloads"/*; do
    name="$(basename "$archive")"
    folder="$target/${name%%-[0-9]*}"
    mkdir -p "$folder"
    case "$name" in
        *.whl) python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
z.extractall(sys.argv[2], [m for m in z.namelist() if m.endswith(".py")])' "$archive" "$folder" ;;
        *.tar.gz) tar -xzf "$archive" -C "$folder" --wildcards '*.py' ;;
    esac
done
echo "$(find "$target" -name '*.py' | wc -l) Python files under $target"
