#!/usr/bin/env bash
# Run `ansible-test sanity` on the multicloud.transit collection.
#
# usage: scripts/sanity.sh [VENV_DIR]          (default: <repo>/.venv)
#
# env:
#   SANITY_SRC=DIR        collection source to test (default: the repo root)
#   SANITY_BUILD=DIR      where the ansible_collections/ tree is built (default: <SANITY_SRC>/build)
#   SANITY_MODE=local|venv  controller environment (default: local, see below)
#   SANITY_ARGS="..."     extra ansible-test arguments (e.g. "--test pylint" or "-v")
#
# What it does:
#   1. copies the tracked collection files (git ls-files: tracked + untracked-not-ignored, minus the
#      dirs that are not collection content, see COPY_EXCLUDE_RE/COPY_KEEP_RE) into a fresh
#      <SANITY_BUILD>/ansible_collections/multicloud/transit/ (ansible-test needs that path layout);
#   2. `git init`s the copy: the copy lives under the repo's gitignored build/, and ansible-test walks
#      up to the nearest .git and lists files with `git ls-files --exclude-standard`, which would find
#      NOTHING (build/ is ignored). A .git in the copy makes the copy its own content root;
#   3. runs `ansible-test sanity --local --python 3.11` from there, then `scripts/docs_check.sh`.
#
# Choices (measured, see docs/dev/sanity-notes.md):
#   --local      the controller is our own venv (it already has ansible-core). `--venv` builds an extra
#                controller venv under tests/output/.tmp on every run (warm: 14 s vs 10 s for a tiny
#                collection) for nothing: every sanity test that needs packages
#                (pylint, pep8, yamllint, validate-modules, runtime-metadata, import, ansible-doc...)
#                ALWAYS gets its own pinned venv under ~/.ansible/test/venv/<test>/<py>/<hash>/,
#                whichever of --local/--venv is used. Those venvs are the cache: they are reused while
#                the pins (ansible-core version) do not change, and rebuilt from PyPI if missing.
#   --python 3.11  only the controller Python. Without it `compile` and `import` run (and build venvs)
#                for every Python 3.8-3.13 found on PATH (pyenv has 3.9/3.11/3.12/3.13 here).
#                tests/config.yml limits modules to python >= 3.9 anyway.
#   no --requirements: for sanity it only installs ansible-test's own controller requirements
#                (coverage), which we do not use; the per-test requirements are installed regardless,
#                and collection SDKs (boto3, alibabacloud_*) are NEVER installed into the sanity venvs.
#   skipped tests: none. `shellcheck`/`pslint` skip themselves when the tool is absent; there are no
#                .sh/.ps1 files in the copied tree anyway. `changelog` runs only if changelogs/ exists.
set -euo pipefail

t_start=$(date +%s)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$(cd "${SANITY_SRC:-$ROOT}" && pwd)
VENV=${1:-$ROOT/.venv}
VENV=$(mkdir -p "$VENV" && cd "$VENV" && pwd)
BUILD=${SANITY_BUILD:-$SRC/build}
MODE=${SANITY_MODE:-local}
PY=3.11
DEST=$BUILD/ansible_collections/multicloud/transit

# Not collection content: never shipped (galaxy.yml build_ignore) and not written to Ansible's module
# conventions, so sanity does not scan them. Included, emulator/ (the cloud twin) would get pylint,
# pep8, shebang ('#!/usr/bin/env python3' is rejected) and no-smart-quotes with ansible-test's
# *collection* rules. tests/ here is a pytest suite (tests/integration/test_<module>.py,
# tests/twin, conftest.py, helpers), not ansible-test units/integration targets: ansible-test would
# pylint it with the collection rules (pytest fixtures -> unused-import, redefined-outer-name...),
# so only tests/sanity/ (ignore files) and tests/config.yml are copied.
COPY_EXCLUDE_RE=${SANITY_COPY_EXCLUDE_RE:-'^(emulator|scripts|\.ci|build|reports|\.venv|\.collections|\.twin)/|^Makefile$|^tests/|\.pyc$'}
COPY_KEEP_RE=${SANITY_COPY_KEEP_RE:-'^tests/sanity/|^tests/config\.yml$'}

elapsed() { echo $(( $(date +%s) - $1 )); }

# --- 0. venv: must work from nothing --------------------------------------------------------------
if [[ ! -x $VENV/bin/ansible-test ]]; then
    echo "sanity: $VENV has no ansible-test, installing ansible-core into it"
    [[ -x $VENV/bin/python ]] || "python$PY" -m venv "$VENV"
    core_pin=$(grep -E '^ansible-core==' "$SRC/requirements.txt" 2>/dev/null || echo 'ansible-core==2.19.14')
    "$VENV/bin/python" -m pip install -q "$core_pin"
fi
vpy=$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [[ $vpy != "$PY" ]]; then
    echo "sanity: $VENV is Python $vpy, need $PY" >&2
    exit 2
fi
# ansible-test --local --python 3.11 looks up `python3.11` on PATH: make it the venv's.
export PATH="$VENV/bin:$PATH"
# (ansible-test warns 'Using locale "C.UTF-8" instead of "en_US.UTF-8"': harmless, it is the only
# UTF-8 locale on this machine.)
export PIP_DISABLE_PIP_VERSION_CHECK=1

# --- 0b. offline pip bootstrap for ansible-test's venvs ----------------------------------------------
# ansible-test creates each sanity venv WITHOUT pip and bootstraps pip by running
# ~/.ansible/test/cache/get_pip_<ver>.py, which it downloads from ci-files.testing.ansible.com: that
# host is unreachable here (only package registries are), so a cold run dies with
# "Download failed ... does not have pip available". We pre-seed that cache file with an equivalent
# shim: it runs pip from the pip wheel (fetched once from PyPI, cached beside it) to install the
# requested pip into the new venv -- exactly what the real get-pip.py does with its embedded copy.
AT_DIR=$("$VENV/bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
PIP_VER=$(sed -n "s/^ *pip='\([0-9.]*\)',\$/\1/p" "$AT_DIR/_internal/python_requirements.py" | head -1)
CACHE=$HOME/.ansible/test/cache
GET_PIP=$CACHE/get_pip_${PIP_VER//./_}.py
PIP_WHL=$CACHE/pip-$PIP_VER-py3-none-any.whl
if [[ -z $PIP_VER ]]; then
    echo "sanity: cannot find ansible-test's pip version in $AT_DIR; not seeding get-pip" >&2
elif [[ ! -s $GET_PIP ]]; then
    mkdir -p "$CACHE"
    [[ -s $PIP_WHL ]] || "$VENV/bin/python" -m pip download -q --no-deps --only-binary=:all: -d "$CACHE" "pip==$PIP_VER"
    cat >"$GET_PIP.tmp" <<EOF
"""Offline stand-in for get-pip.py $PIP_VER, written by multicloud.transit scripts/sanity.sh."""
import os
import runpy
import sys

WHEEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'pip-$PIP_VER-py3-none-any.whl')
ARGS = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
sys.path.insert(0, WHEEL)
sys.argv = ['pip', 'install', '--upgrade', '--force-reinstall', '--no-index',
            '--find-links', os.path.dirname(WHEEL)] + ARGS
runpy.run_module('pip', run_name='__main__', alter_sys=True)
EOF
    mv "$GET_PIP.tmp" "$GET_PIP"
fi

# --- 1. clean copy ---------------------------------------------------------------------------------
t=$(date +%s)
rm -rf "$DEST"
mkdir -p "$DEST"
list_files() {
    if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        # tracked + untracked-but-not-ignored (deleted files are filtered below)
        git -C "$SRC" ls-files -z --cached --others --exclude-standard
    else
        (cd "$SRC" && find . \( -name .git -o -name __pycache__ \) -prune -o \( -type f -o -type l \) -printf '%P\0')
    fi
}
list_files | tr '\0' '\n' | while IFS= read -r f; do
    if [[ $f =~ $COPY_KEEP_RE ]] || ! [[ $f =~ $COPY_EXCLUDE_RE ]]; then
        if [[ -e $SRC/$f || -L $SRC/$f ]]; then printf '%s\0' "$f"; fi
    fi
done | (cd "$SRC" && xargs -0 -r cp --parents -P -t "$DEST")
git -C "$DEST" init -q
# ansible-test writes tests/output/ (and, with --venv, a whole delegation venv under tests/output/.tmp)
# into the content root; with the copy as its own git root those files would be listed as "others"
# and linted unless ignored, whatever the collection's .gitignore says.
printf '%s\n' '/tests/output/' '__pycache__/' '*.pyc' >>"$DEST/.git/info/exclude"
echo "sanity: copied $(cd "$DEST" && find . -path ./.git -prune -o -type f -print | wc -l) files to $DEST ($(elapsed "$t")s)"

# --- 2. ansible-test sanity ------------------------------------------------------------------------
t=$(date +%s)
rc=0
# shellcheck disable=SC2086
(cd "$DEST" && ansible-test sanity "--$MODE" --python "$PY" --color no ${SANITY_ARGS:-}) || rc=$?
echo "sanity: ansible-test sanity rc=$rc ($(elapsed "$t")s)"

# --- 3. every module renders with ansible-doc --------------------------------------------------------
if [[ -z ${SANITY_ARGS:-} ]]; then
    t=$(date +%s)
    drc=0
    "$ROOT/scripts/docs_check.sh" "$VENV" "$BUILD" || drc=$?
    echo "sanity: docs_check rc=$drc ($(elapsed "$t")s)"
    [[ $rc -ne 0 ]] || rc=$drc
fi

echo "sanity: total $(elapsed "$t_start")s, rc=$rc"
exit "$rc"
