"""The collection used the way Ansible users consume collections, offline.

``make dist`` builds the collection tarball and the cloudtwin wheel; the tarball is installed
with ``ansible-galaxy collection install -p``, the wheel into a fresh venv. From a directory
outside the repository, the installed ``cloudtwin`` serves the seed world and
``ansible-playbook -i <copied inventory> multicloud.transit.site --check`` runs every play with
the credentials only in the environment, and every tracked file of the collection's parts is in
the installed copy (the walkthrough is built by test_secrets.py, at -vvv with chosen keys, and by
test_playbook_site.py, for the breakages and the heal; no third build here). A playbook of the user's own reuses the hub roles by FQCN, builds both
hubs, and a re-run with the older Alibaba env spelling changes nothing.

The fresh venv sees the shared venv's packages (ansible-core, boto3, moto, the Alibaba SDKs)
through a plain path in a .pth file, so nothing is downloaded; the shared venv's own .pth
files (its editable cloudtwin among them) are not processed there, so ``cloudtwin`` can only
come from the wheel.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from playbookhelpers import flat, recap

ROOT = Path(__file__).resolve().parents[2]
SHARED_BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow

CLOUD_ENV = re.compile(r"^(AWS_|ALIBABA_CLOUD_|ALICLOUD_|CLOUDTWIN_|ANSIBLE_)")


def run(cmd, cwd, env=None, timeout=1200, expect_rc=0):
    proc = subprocess.run([str(c) for c in cmd], cwd=str(cwd), env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == expect_rc, "%s\n%s" % (" ".join(map(str, cmd)), output[-6000:])
    return output


def clean_env(**extra):
    """The environment of a user's shell: no cloud, twin or Ansible settings from this test run."""
    env = dict((k, v) for k, v in os.environ.items() if not CLOUD_ENV.match(k))
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", PYTHONWARNINGS="ignore", **extra)
    return env


def only(paths):
    found = list(paths)
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """dist/ built by `make dist`, the collection installed, cloudtwin installed in a fresh venv."""
    work = tmp_path_factory.mktemp("as-a-user")
    dist = work / "dist"
    # -o: the shared venv's stamp counts as up to date, so `make dist` never reinstalls into it.
    run(["make", "--no-print-directory", "-o", ".venv/.installed", "DIST=%s" % dist, "dist"], ROOT, clean_env())
    tarball = only(dist.glob("multicloud-transit-*.tar.gz"))
    wheel = only(dist.glob("cloudtwin-*-py3-none-any.whl"))
    only(dist.glob("cloudtwin-*.tar.gz"))
    names = run(["tar", "tzf", tarball], work)
    for left_out in ("tests/", "emulator/", "extensions/molecule/", "docs/dev/", "Makefile", "ansible.cfg",
                     "pytest.ini", "requirements-dev.txt", "constraints.txt", "reports/"):
        assert not re.search(r"^%s" % re.escape(left_out), names, re.M), left_out
    assert re.search(r"^playbooks/site\.yml$", names, re.M) and re.search(r"^roles/aws_hub/", names, re.M)
    assert re.search(r"^extensions/awx/configure\.yml$", names, re.M)  # AWX definitions ship (docs/awx.md)

    collections = work / "collections"
    # --force: a copy already installed in a default path (~/.ansible/collections) would make galaxy skip it
    run([SHARED_BIN / "ansible-galaxy", "collection", "install", "--offline", "--force", "-p", collections, tarball],
        work,
        clean_env())

    venv = work / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], work)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    (site / "shared-venv.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel], work,
        clean_env())
    where = run([venv / "bin" / "python", "-c", "import cloudtwin; print(cloudtwin.__file__)"], work)
    assert where.strip().startswith(str(venv)), where
    return {"work": work, "collections": collections, "venv": venv,
            "installed": collections / "ansible_collections" / "multicloud" / "transit"}


@pytest.fixture
def user_twin(installed, tmp_path):
    """The seed world served by the installed cloudtwin, with the world file the wheel installed."""
    world = installed["venv"] / "share" / "cloudtwin" / "worlds" / "seed-tgw-cen.yml"
    state = tmp_path / "twin"
    cloudtwin = installed["venv"] / "bin" / "cloudtwin"
    run([cloudtwin, "serve", "--world", world, "--state-dir", state, "--background"], tmp_path, clean_env(),
        timeout=120)
    try:
        exports = (state / "env").read_text()
        yield dict(shlex.split(line[len("export "):])[0].split("=", 1) for line in exports.splitlines()
                   if line.startswith("export "))
    finally:
        run([cloudtwin, "stop", "--state-dir", state], tmp_path, clean_env(), timeout=60)


def playbook(installed, cwd, inventory, target, credentials, *extra):
    env = clean_env(ANSIBLE_COLLECTIONS_PATH=str(installed["collections"]), **credentials)
    return run([SHARED_BIN / "ansible-playbook", "-i", inventory, target, *extra], cwd, env)


SHIPPED = ("plugins/", "roles/", "playbooks/", "inventories/", "meta/", "extensions/awx/", "site.yml",
           "README.md", "requirements.txt")


def test_the_tarball_ships_every_tracked_file_the_collection_runs_on(installed):
    """Every git-tracked file of the collection's own parts is in the installed copy: nothing a playbook, role,
    module or filter loads is left out by build_ignore (the site.yml run below reaches only what check mode runs)."""
    tracked = run(["git", "ls-files"], ROOT).split()
    wanted = [path for path in tracked if path.startswith(SHIPPED)]
    assert len(wanted) > 150, wanted  # the listing is the collection's, not an empty clone
    missing = [path for path in wanted if not (installed["installed"] / path).is_file()]
    assert missing == []


def test_site_by_fqcn_from_the_installed_collection(installed, user_twin, tmp_path):
    """multicloud.transit.site from the installed copy, on the installed twin: every play runs in check mode
    (pre-flight, both hubs, the bridge, peerings, verify) and changes nothing. The walkthrough builds run in
    tests/integration/test_secrets.py and test_playbook_site.py, not a third time here."""
    inventory = tmp_path / "inventory"
    shutil.copytree(installed["installed"] / "inventories" / "seed-tgw-cen", inventory)
    checked = playbook(installed, tmp_path, inventory, "multicloud.transit.site", user_twin, "--check", "--diff")
    hosts = recap(checked)
    assert sorted(hosts) == ["alicloud_main", "aws_main"]
    assert all(host["failed"] == 0 and host["unreachable"] == 0 and host["changed"] > 0
               for host in hosts.values()), checked[-3000:]
    for play in ("Pre-flight", "Hubs", "Bridges", "Verify"):
        assert re.search(r"^PLAY \[%s" % play, checked, re.M), play
    assert "Check mode, bridge tgw-tokyo" in flat(checked)


HUBS_PLAYBOOK = """
- name: My own playbook, the collection's hub roles
  hosts: all
  gather_facts: false
  tasks:
    - name: My TGW
      ansible.builtin.include_role:
        name: multicloud.transit.aws_hub
      vars:
        aws_hub: {name: my-tgw, host: aws_main, region: us-east-1, vpcs: [{name: vpc-a}, {name: vpc-b}]}
      when: inventory_hostname == 'aws_main'

    - name: My CEN
      ansible.builtin.include_role:
        name: multicloud.transit.alicloud_hub
      vars:
        alicloud_hub:
          name: my-cen
          host: alicloud_main
          vpcs: [{name: tokyo-vpc, region: ap-northeast-1}, {name: beijing-vpc, region: cn-beijing}]
      when: inventory_hostname == 'alicloud_main'
"""

HOSTS = """
all:
  hosts:
    aws_main:
    alicloud_main:
  vars:
    ansible_connection: local
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
"""


def test_hub_roles_reused_with_credentials_only_in_the_environment(installed, user_twin, tmp_path):
    (tmp_path / "hubs.yml").write_text(HUBS_PLAYBOOK)
    (tmp_path / "hosts.yml").write_text(HOSTS)
    first = playbook(installed, tmp_path, "hosts.yml", "hubs.yml", user_twin)
    assert recap(first)["aws_main"]["changed"] > 0 and recap(first)["alicloud_main"]["changed"] > 0

    older = dict((k, v) for k, v in user_twin.items() if not k.startswith("ALIBABA_CLOUD_"))
    older.update(ALICLOUD_ACCESS_KEY=user_twin["ALIBABA_CLOUD_ACCESS_KEY_ID"],
                 ALICLOUD_SECRET_KEY=user_twin["ALIBABA_CLOUD_ACCESS_KEY_SECRET"])
    second = playbook(installed, tmp_path, "hosts.yml", "hubs.yml", older)
    assert all(host["changed"] == 0 and host["failed"] == 0 for host in recap(second).values()), second[-3000:]
