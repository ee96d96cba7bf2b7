#!/usr/bin/env bash
# Run ansible-lint (profile production, offline) on the multicloud.transit collection.
#
# usage: scripts/lint.sh [VENV_DIR]            (default: <repo>/.venv)
#
# env:
#   LINT_SRC=DIR     collection to lint (default: the repo root); its .ansible-lint is used if it
#                    has one, else the repo's
#   LINT_ARGS="..."  extra ansible-lint arguments
#
# ansible-lint resolves multicloud.transit.* (modules, roles, action groups) through
# ANSIBLE_COLLECTIONS_PATH=<src>/.collections, where .collections/ansible_collections/multicloud/transit
# is a symlink to the repo (the Makefile makes it; made here too if missing). The config says
# offline: true, so ansible-lint neither installs anything from galaxy nor checks for a newer
# release, and does not build/install the collection into a .ansible/ cache of its own.
set -euo pipefail

t_start=$(date +%s)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$(cd "${LINT_SRC:-$ROOT}" && pwd)
VENV=${1:-$ROOT/.venv}
VENV=$(cd "$VENV" && pwd)
LINT=$VENV/bin/ansible-lint
[[ -x $LINT ]] || { echo "lint: $LINT not found (make venv installs requirements-dev.txt)" >&2; exit 2; }

CONFIG=$SRC/.ansible-lint
[[ -f $CONFIG ]] || CONFIG=$ROOT/.ansible-lint

LINK=$SRC/.collections/ansible_collections/multicloud/transit
if [[ ! -e $LINK/galaxy.yml ]]; then
    mkdir -p "$(dirname "$LINK")"
    ln -sfn ../../.. "$LINK"
fi

export PATH="$VENV/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH=$SRC/.collections
[[ -f $SRC/ansible.cfg ]] && export ANSIBLE_CONFIG=$SRC/ansible.cfg
export NO_COLOR=1

rc=0
# shellcheck disable=SC2086
(cd "$SRC" && "$LINT" -c "$CONFIG" --project-dir "$SRC" ${LINT_ARGS:-}) || rc=$?
echo "lint: ansible-lint rc=$rc ($(( $(date +%s) - t_start ))s)"
exit "$rc"
