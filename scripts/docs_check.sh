#!/usr/bin/env bash
# Check that `ansible-doc` renders every module and every role (meta/argument_specs.yml) of
# multicloud.transit.
#
# usage: scripts/docs_check.sh [VENV_DIR] [COLLECTIONS_ROOT]
#   VENV_DIR          venv with ansible-core (default: <repo>/.venv)
#   COLLECTIONS_ROOT  dir holding ansible_collections/multicloud/transit (default: a temporary
#                     symlink to the repo; scripts/sanity.sh passes its build/ copy)
#
# ansible-doc exits 0 when a name is not found (only a [WARNING]) and a single broken DOCUMENTATION
# aborts a multi-name call, so: one batched call (fast, ~1 s), and if it is not clean, one call per
# name to say which one is broken. Any [WARNING]/[ERROR] or a missing "> MODULE name" header fails.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${1:-$ROOT/.venv}
COLL_ROOT=${2:-}
NS=multicloud
NAME=transit

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ -z $COLL_ROOT ]]; then
    mkdir -p "$tmp/ansible_collections/$NS"
    ln -s "$ROOT" "$tmp/ansible_collections/$NS/$NAME"
    COLL_ROOT=$tmp
fi
COLL_ROOT=$(cd "$COLL_ROOT" && pwd)
COLL=$COLL_ROOT/ansible_collections/$NS/$NAME
[[ -f $COLL/galaxy.yml ]] || { echo "docs_check: no collection at $COLL" >&2; exit 2; }

# Only this tree: no ~/.ansible/collections, no ansible_collections on sys.path, no repo ansible.cfg.
export ANSIBLE_COLLECTIONS_PATH=$COLL_ROOT ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=False
printf '[defaults]\n' >"$tmp/ansible.cfg"
export ANSIBLE_NOCOLOR=1 ANSIBLE_CONFIG=$tmp/ansible.cfg
DOC=$VENV/bin/ansible-doc
cd "$tmp"

modules=()
for f in "$COLL"/plugins/modules/*.py; do
    [[ -e $f ]] || continue
    m=$(basename "$f" .py)
    [[ $m == __init__ ]] || modules+=("$NS.$NAME.$m")
done
roles=()
for f in "$COLL"/roles/*/meta/argument_specs.y*ml; do
    [[ -e $f ]] || continue
    roles+=("$NS.$NAME.$(basename "$(dirname "$(dirname "$f")")")")
done

# check TYPE HEADER NAME... : batched render, per-name fallback
check() {
    local type=$1 header=$2; shift 2
    local out=$tmp/out err=$tmp/err rc=0 n bad=0
    [[ $# -gt 0 ]] || { echo "docs_check: no ${type}s"; return 0; }
    "$DOC" -t "$type" "$@" >"$out" 2>"$err" || rc=$?
    if [[ $rc -eq 0 ]] && ! grep -qE '\[(WARNING|ERROR)\]' "$err"; then
        for n in "$@"; do
            grep -qE "^> ${header}:? [*]?${n}[*]?( |$)" "$out" || { echo "docs_check: FAIL $type $n: not rendered" >&2; bad=1; }
        done
        [[ $bad -eq 0 ]] && { echo "docs_check: ok, $# ${type}(s) render"; return 0; }
    fi
    for n in "$@"; do
        rc=0
        "$DOC" -t "$type" "$n" >"$out" 2>"$err" || rc=$?
        if [[ $rc -ne 0 ]] || grep -qE '\[(WARNING|ERROR)\]' "$err" || ! grep -qE "^> ${header}:? [*]?${n}[*]?( |$)" "$out"; then
            echo "docs_check: FAIL ansible-doc -t $type $n (rc=$rc)" >&2
            cat "$err" >&2
            bad=1
        fi
    done
    return "$bad"
}

rc=0
check module MODULE "${modules[@]}" || rc=1
check role ROLE "${roles[@]}" || rc=1
exit "$rc"
