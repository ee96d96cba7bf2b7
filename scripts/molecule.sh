#!/usr/bin/env bash
# Run every molecule scenario of the collection (extensions/molecule/*/molecule.yml) against the
# local twin: each scenario's `create` starts its own twin, `destroy` stops it. Prints the time of
# each scenario and the total; exits non-zero if any scenario failed.
#
# usage: scripts/molecule.sh [VENV_DIR] [SCENARIO...]      (default: <repo>/.venv, every scenario)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${1:-$ROOT/.venv}
shift || true
VENV=$(cd "$VENV" && pwd)
cd "$ROOT"

# molecule runs ansible-config/ansible-playbook from PATH; modules use the venv's SDKs.
export PATH="$VENV/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH=$ROOT/.collections
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY all_proxy
# The scenarios talk to their own twin only: no endpoint or key from the caller's shell leaks in.
unset AWS_ENDPOINT_URL ALICLOUD_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE \
      ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET ALIBABA_CLOUD_SECURITY_TOKEN
export MOLECULE_NO_LOG=false NO_COLOR=1

LINK=$ROOT/.collections/ansible_collections/multicloud/transit
if [[ ! -e $LINK/galaxy.yml ]]; then
    mkdir -p "$(dirname "$LINK")"
    ln -sfn ../../.. "$LINK"
fi

if [[ $# -gt 0 ]]; then
    scenarios=("$@")
else
    scenarios=()
    for f in extensions/molecule/*/molecule.yml; do
        scenarios+=("$(basename "$(dirname "$f")")")
    done
fi

t_all=$(date +%s)
failed=()
for s in "${scenarios[@]}"; do
    t=$(date +%s)
    log=$(mktemp)
    if molecule test -s "$s" >"$log" 2>&1; then
        echo "molecule: $s ok ($(( $(date +%s) - t ))s)"
    else
        echo "molecule: $s FAILED ($(( $(date +%s) - t ))s); last lines:"
        tail -60 "$log" | sed 's/\x1b\[[0-9;]*m//g'
        failed+=("$s")
    fi
    rm -f "$log"
done
echo "molecule: ${#scenarios[@]} scenario(s), ${#failed[@]} failed, total $(( $(date +%s) - t_all ))s"
[[ ${#failed[@]} -eq 0 ]]
