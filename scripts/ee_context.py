#!/usr/bin/env python3
"""Stage and write the execution environment's build context, then check it (`make ee`).

    scripts/ee_context.py --dist dist --context build/ee/context

1. Stage, in <context>/../src: docs/execution-environment.yml (it names no version), the collection
   tarball of galaxy.yml's version from --dist as ``multicloud-transit.tar.gz``, ``requirements.yml``
   (galaxy: that tarball, ``type: file``) and ``requirements.txt``: every package the runtime
   requirements (requirements.txt) need, pinned as in the lock file constraints.txt (its ``# via``
   notes give the dependency graph).
2. ``ansible-builder create`` writes the context (a Containerfile and _build/); no container engine.
3. Check it: the tarball in the context is the built one and carries galaxy.yml's version, the
   Containerfile installs it from requirements.yml, ansible-core and ansible-runner are pinned, every
   Python requirement is pinned exactly and agrees with the lock file; then run the Containerfile's
   galaxy step here (offline, into a scratch directory) to prove the collection installs from it.

Exit 0 and print a summary, or exit 1 naming what is wrong.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Dict, List, Set

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARBALL = "multicloud-transit.tar.gz"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path) -> Dict[str, str]:
    """``name==version`` lines of a requirements file -> {canonical name: version}."""
    pins = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[canonical(match.group(1))] = match.group(2)
    return pins


def lock_graph(constraints: Path) -> Dict[str, Set[str]]:
    """constraints.txt (pip-compile output) -> {package: the packages and -r files it is there for}."""
    parents: Dict[str, Set[str]] = {}
    current = None
    for raw in constraints.read_text().splitlines():
        line = raw.strip()
        match = PIN.match(line)
        if match:
            current = canonical(match.group(1))
            parents[current] = set()
            continue
        if current and line.startswith("#"):
            via = line.lstrip("#").strip()
            via = via[len("via"):].strip() if via.startswith("via") else via
            if via:
                parents[current].add(via if via.startswith("-r ") else canonical(via))
        elif not line:
            current = None
    return parents


def runtime_closure(constraints: Path, requirement_file: str = "requirements.txt") -> Dict[str, str]:
    """Every locked package reachable from ``-r requirements.txt``, with its locked version."""
    parents = lock_graph(constraints)
    pins = read_pins(constraints)
    wanted: Set[str] = set()
    grew = True
    while grew:
        grew = False
        for package, via in parents.items():
            if package not in wanted and ("-r " + requirement_file in via or via & wanted):
                wanted.add(package)
                grew = True
    return dict((name, pins[name]) for name in sorted(wanted))


def collection_version() -> str:
    return str(yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"])


def stage(dist: Path, src: Path) -> Path:
    """The staging directory ansible-builder reads; returns the tarball copied there."""
    version = collection_version()
    built = dist / ("multicloud-transit-%s.tar.gz" % version)
    if not built.is_file():
        raise SystemExit("ee: %s is missing: run `make dist` (galaxy.yml says version %s)" % (built, version))
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    shutil.copy2(ROOT / "docs" / "execution-environment.yml", src / "execution-environment.yml")
    shutil.copy2(built, src / TARBALL)
    (src / "requirements.yml").write_text(
        "---\n# The collection from the tarball `make dist` built (copied into the build context).\n"
        "collections:\n  - name: collections/%s\n    type: file\n" % TARBALL)
    closure = runtime_closure(ROOT / "constraints.txt")
    (src / "requirements.txt").write_text(
        "# The runtime requirements (requirements.txt) and everything they need, pinned as in constraints.txt.\n"
        + "".join("%s==%s\n" % item for item in closure.items()))
    return built


def check(context: Path, built: Path) -> List[str]:
    problems = []
    containerfile = (context / "Containerfile").read_text()
    build = context / "_build"
    shipped = build / "collections" / TARBALL
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    if not shipped.is_file() or digest(shipped) != digest(built):
        problems.append("the context's %s is not %s" % (shipped, built))
    else:
        with tarfile.open(shipped) as tar:
            manifest = json.load(tar.extractfile("MANIFEST.json"))["collection_info"]
        if (manifest["namespace"], manifest["name"], manifest["version"]) != ("multicloud", "transit",
                                                                               collection_version()):
            problems.append("the tarball's MANIFEST says %s.%s %s" % (manifest["namespace"], manifest["name"],
                                                                   manifest["version"]))
    galaxy = yaml.safe_load((build / "requirements.yml").read_text())
    if galaxy.get("collections") != [{"name": "collections/" + TARBALL, "type": "file"}]:
        problems.append("_build/requirements.yml does not name the tarball as a file source: %s" % galaxy)
    for needed in ("COPY _build /build", "ansible-galaxy collection install", "-r requirements.yml"):
        if needed not in containerfile:
            problems.append("the Containerfile lacks %r (the collection would not be installed)" % needed)
    runtime, lock = read_pins(ROOT / "requirements.txt"), read_pins(ROOT / "constraints.txt")
    refs = re.search(r'ARG ANSIBLE_INSTALL_REFS="([^"]*)"', containerfile)
    refs = dict(PIN.match(ref).groups() for ref in (refs.group(1).split() if refs else []) if PIN.match(ref))
    for name in ("ansible-core", "ansible-runner"):
        if canonical(name) in lock and refs.get(name) != lock[canonical(name)]:
            problems.append("the Containerfile installs %s %s, the lock file pins %s" % (
                name, refs.get(name), lock[canonical(name)]))
    python = (build / "requirements.txt").read_text().splitlines()
    unpinned = [line for line in python if line.strip() and not line.startswith("#") and not PIN.match(line)]
    if unpinned:
        problems.append("_build/requirements.txt has unpinned lines: %s" % unpinned)
    pinned = read_pins(build / "requirements.txt")
    for name, version in runtime.items():
        if pinned.get(name) != version:
            problems.append("%s: requirements.txt pins %s, the EE %s" % (name, version, pinned.get(name)))
    problems.extend("%s: the EE pins %s, the lock file %s" % (name, version, lock.get(name))
                    for name, version in pinned.items() if lock.get(name) != version)
    if "COPY _build/requirements.txt requirements.txt" not in containerfile:
        problems.append("the Containerfile does not install _build/requirements.txt")
    if not problems:
        problems.extend(galaxy_step(build))
    return problems


def galaxy_step(build: Path) -> List[str]:
    """The Containerfile's collection install, run here: WORKDIR /build, -r requirements.yml, offline."""
    with tempfile.TemporaryDirectory() as scratch:
        # As in the image: no ansible.cfg of this checkout, only the path installed into.
        env = dict((k, v) for k, v in os.environ.items() if not k.startswith("ANSIBLE_"))
        env["ANSIBLE_COLLECTIONS_PATH"] = scratch
        proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--offline", "-r",
                               "requirements.yml", "--collections-path", scratch], cwd=str(build), env=env,
                              capture_output=True, text=True, check=False)
        installed = Path(scratch) / "ansible_collections" / "multicloud" / "transit" / "MANIFEST.json"
        if proc.returncode != 0 or not installed.is_file():
            return ["ansible-galaxy collection install -r requirements.yml failed in the context:\n%s" % (
                proc.stdout + proc.stderr)[-2000:]]
        version = json.loads(installed.read_text())["collection_info"]["version"]
        if version != collection_version():
            return ["the installed collection is %s, galaxy.yml says %s" % (version, collection_version())]
    return []


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--context", type=Path, default=ROOT / "build" / "ee" / "context")
    args = parser.parse_args(argv)
    context = args.context.resolve()
    src = context.parent / "src"
    built = stage(args.dist.resolve(), src)
    shutil.rmtree(context, ignore_errors=True)
    subprocess.run([str(BIN / "ansible-builder"), "create", "--file", str(src / "execution-environment.yml"),
                    "--context", str(context), "--output-filename", "Containerfile"], check=True)
    problems = check(context, built)
    if problems:
        print("ee: the build context is not right:\n  - " + "\n  - ".join(problems), file=sys.stderr)
        return 1
    print("ee: %s is ready (collection %s, %d pinned Python packages). Build the image with:\n"
          "  podman build -f %s -t multicloud-transit-ee:%s %s" % (
              context, collection_version(), len(read_pins(context / "_build" / "requirements.txt")),
              context / "Containerfile", collection_version(), context))
    return 0


if __name__ == "__main__":
    sys.exit(main())
