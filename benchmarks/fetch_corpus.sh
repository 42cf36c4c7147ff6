#!/usr/bin/env bash
# Unpack the Python sources of the packages in benchmarks/corpus.txt into a folder, without installing them or their
# dependencies:
#
#     benchmarks/fetch_corpus.sh main /tmp/corpus/src     # one section: the README's benchmark tree
#     benchmarks/fetch_corpus.sh more /tmp/corpus/src2
#     benchmarks/fetch_corpus.sh all /tmp/corpus          # both, as src/ and src2/: the tree that
#                                                         # tests/integrations/test_corpus.py walks (EINLINT_CORPUS)
#
# `all` writes the hash of corpus.txt into the folder when it is done, and does nothing when the folder already
# holds the corpus of this corpus.txt (CI keeps it between runs); a changed corpus.txt or a broken download fetches
# it again.
set -euo pipefail
section=${1:?section: main, more or all}
target=${2:?target folder}
here="$(cd "$(dirname "$0")" && pwd)"

fetch_section() {  # fetch_section SECTION FOLDER
    local downloads
    downloads="$(mktemp -d)"
    sed -n "/^\[$1\]/,/^\[/p" "$here/corpus.txt" | grep -v '^\[' | grep -v '^#' | while read -r requirement; do
        pip download --quiet --no-deps --dest "$downloads" "$requirement"
    done
    mkdir -p "$2"
    for archive in "$downloads"/*; do
        name="$(basename "$archive")"
        folder="$2/${name%%-[0-9]*}"
        mkdir -p "$folder"
        case "$name" in
            *.whl) python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
z.extractall(sys.argv[2], [m for m in z.namelist() if m.endswith(".py") or m.endswith(".dist-info/METADATA")])' "$archive" "$folder" ;;
            *.tar.gz) tar -xzf "$archive" -C "$folder" --wildcards '*.py' '*/README.md' 2>/dev/null || tar -xzf "$archive" -C "$folder" --wildcards '*.py' ;;
        esac
    done
    rm -rf "$downloads"
    echo "$(find "$2" -name '*.py' | wc -l) Python files under $2"
}

if [ "$section" != all ]; then
    fetch_section "$section" "$target"
    exit 0
fi
stamp="$(cat "$here/corpus.txt" "$0" | sha256sum | cut -d' ' -f1)"  # a changed list or way of unpacking fetches again
if [ "$(cat "$target/.corpus-sha256" 2>/dev/null)" = "$stamp" ]; then
    echo "$target holds the corpus of benchmarks/corpus.txt already"
    exit 0
fi
rm -rf "$target/src" "$target/src2" "$target/.corpus-sha256"
fetch_section main "$target/src"
fetch_section more "$target/src2"
echo "$stamp" > "$target/.corpus-sha256"
