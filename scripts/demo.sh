#!/usr/bin/env bash
# make demo: start the twin with a world, run site.yml on the matching inventory, print
# what was built, stop the twin — whatever happens in between.
set -euo pipefail
world=${1:-seed-tgw-cen}
inventory=${2:-inventories/$world}
state_dir=.twin/$world
bin=.venv/bin

"$bin/cloudtwin" stop --state-dir "$state_dir" >/dev/null 2>&1 || true
"$bin/cloudtwin" serve --world "emulator/worlds/$world.yml" --state-dir "$state_dir" --background >/dev/null
trap '"$bin/cloudtwin" stop --state-dir "$state_dir" >/dev/null 2>&1 || true' EXIT
# shellcheck disable=SC1090
source "$state_dir/env"
echo "== twin up: AWS $AWS_ENDPOINT_URL, Alibaba Cloud $ALICLOUD_ENDPOINT (world $world)"

export ANSIBLE_CONFIG=$PWD/ansible.cfg
report_dir=reports/$world
rm -rf "$report_dir" && mkdir -p "$report_dir"
"$bin/ansible-playbook" -i "$inventory" site.yml -e "transit_report_dir=$PWD/$report_dir"
echo
"$bin/python" scripts/summary.py --inventory "$inventory" --report "$report_dir/report.txt"
echo "(full report: $report_dir/report.html, report.json)"
