"""AWX's side of a job, re-enacted for tests: credential injection and the private data dir.

There is no AWX here, so these helpers do what AWX (ansible/awx, ``awx/main``) does before it hands
a job to ansible-runner, and nothing more:

- ``validate_injectors``: the checks AWX's ``CredentialTypeInjectorField`` runs when a custom
  credential type is saved (``awx/main/fields.py``): the JSON schema of ``injectors`` (file keys
  ``template`` or ``template.<name>``, env names of shell-word characters with ASCII values,
  extra_vars names), env names neither ``ANSIBLE_*`` nor in ``ENV_BLOCKLIST``
  (``awx/main/constants.py``), and every template rendered in a sandbox with ``StrictUndefined``
  against the declared fields set to ``'EXAMPLE'`` (an undefined field is an error), with
  ``tower.filename`` defined only when an unnamed file template exists.
- ``inject``: ``CredentialType.inject_credential`` (``awx/main/models/credential/__init__.py``):
  the namespace holds the credential's inputs (empty strings left out, so they are undefined;
  booleans default to False); file templates are rendered first with
  ``jinja2.sandbox.ImmutableSandboxedEnvironment()`` and written to ``<private data dir>/env/``
  (mode 0660), which sets ``tower.filename`` (or ``tower.filename.<name>``); then env templates,
  once with the secrets (the job's env) and once with secret fields as ``**********`` (what AWX
  stores as the job's env); extra_vars go to a file passed as ``-e @file``. AWX gives the path
  as seen inside the execution environment (``/runner/env/...``); a process-isolated run here
  sees the host path.
- ``inject_aws``: the built-in "Amazon Web Services" type's injector
  (``awx/main/models/credential/injectors.py``, ``aws``).
- ``build_safe_env``: how AWX masks the env it stores with a job.
- ``awx_inventory``: an inventory "Sourced from a Project" is imported with
  ``ansible-inventory --list --export`` (variables stay untemplated) and handed to each job as
  the executable script ``<private data dir>/inventory/hosts`` that prints that JSON
  (``BaseTask.build_inventory`` in ``awx/main/tasks/jobs.py``).
- ``run_job``: the job's ``env/envvars``, ``env/extravars`` and ``env/cmdline`` (``--check``,
  ``--diff``, ``--forks`` from the job template, as ``RunJob.build_args`` makes them), the project
  in ``project/``, then ``ansible-runner run`` in a clean environment, as AWX's worker does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

HIDDEN_PASSWORD = "**********"
# awx/main/constants.py ENV_BLOCKLIST: names a credential may not set.
ENV_BLOCKLIST = frozenset((
    "VIRTUAL_ENV", "PATH", "PYTHONPATH", "JOB_ID", "INVENTORY_ID", "INVENTORY_SOURCE_ID",
    "INVENTORY_UPDATE_ID", "AD_HOC_COMMAND_ID", "REST_API_URL", "REST_API_TOKEN", "MAX_EVENT_RES",
    "CALLBACK_QUEUE", "CALLBACK_CONNECTION", "CACHE", "JOB_CALLBACK_DEBUG", "INVENTORY_HOSTVARS",
    "AWX_HOST", "PROJECT_REVISION", "SUPERVISOR_WEB_CONFIG_PATH",
))
FILE_KEY = re.compile(r"^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$")
NAME_KEY = re.compile(r"^[a-zA-Z_]+[a-zA-Z0-9_]*$")
ASCII = re.compile(r"^[\x00-\x7F]*$")
# build_safe_env: env names whose values AWX hides in the stored job env.
HIDDEN_ENV = re.compile(r"API|TOKEN|KEY|SECRET|PASS", re.I)
BIN = Path(sys.executable).parent


class InjectorError(ValueError):
    """What AWX answers (HTTP 400) when a credential type's injectors are not valid."""


def load_credential_type(path: Path) -> Dict[str, Any]:
    return yaml.safe_load(Path(path).read_text())


def defined_fields(credential_type: Dict[str, Any]) -> List[str]:
    return [field["id"] for field in credential_type.get("inputs", {}).get("fields", [])]


def secret_fields(credential_type: Dict[str, Any]) -> List[str]:
    return [field["id"] for field in credential_type.get("inputs", {}).get("fields", []) if field.get("secret") is True]


def validate_injectors(credential_type: Dict[str, Any]) -> None:
    """Raise ``InjectorError`` where AWX would refuse to save this credential type."""
    injectors = credential_type.get("injectors") or {}
    unknown = set(injectors) - {"file", "env", "extra_vars"}
    if unknown:
        raise InjectorError("injectors: unknown keys %s" % sorted(unknown))
    for key in injectors.get("file", {}):
        if not FILE_KEY.match(key):
            raise InjectorError("file injector key %r is not template or template.<name>" % key)
    for kind in ("env", "extra_vars"):
        for key, value in injectors.get(kind, {}).items():
            if not NAME_KEY.match(key) or not isinstance(value, str):
                raise InjectorError("%s injector %r: bad name or a value that is not a string" % (kind, key))
    for key, value in injectors.get("env", {}).items():
        if not ASCII.match(value):
            raise InjectorError("env injector %r: the value must be ASCII" % key)
        if key.startswith("ANSIBLE_") or key in ENV_BLOCKLIST:
            raise InjectorError("env injector %r is not allowed in credentials" % key)

    class ExplodingNamespace:
        def __str__(self):
            raise UndefinedError("Must define unnamed file injector in order to reference `tower.filename`.")

    class TowerNamespace:
        def __init__(self):
            self.filename = ExplodingNamespace()

        def __str__(self):
            raise UndefinedError("Cannot directly reference reserved `tower` namespace container.")

    namespace: Dict[str, Any] = dict((field, "EXAMPLE") for field in defined_fields(credential_type))
    namespace["tower"] = TowerNamespace()
    templates = [key for key in injectors.get("file", {}) if key.startswith("template")]
    if "template" in templates:
        if len(templates) > 1:
            raise InjectorError("Must use multi-file syntax when injecting multiple files")
        namespace["tower"].filename = "EXAMPLE_FILENAME"
    else:
        for name in templates:
            setattr(namespace["tower"].filename, name.split(".")[1], "EXAMPLE_FILENAME")
    for kind, injector in injectors.items():
        for key, template in injector.items():
            try:
                ImmutableSandboxedEnvironment(undefined=StrictUndefined).from_string(template).render(namespace)
            except UndefinedError as exc:
                raise InjectorError("%s uses an undefined field (%s)" % (key, exc)) from exc
            except SecurityError as exc:
                raise InjectorError("Encountered unsafe code execution: %s" % exc) from exc
            except TemplateSyntaxError as exc:
                raise InjectorError("Syntax error rendering template for %s inside of %s (%s)" % (key, kind, exc)) from exc


def inject(credential_type: Dict[str, Any], inputs: Dict[str, Any], private_data_dir: Path,
           env: Dict[str, str], safe_env: Dict[str, str], args: List[str]) -> Dict[str, Path]:
    """``CredentialType.inject_credential`` for one credential; returns the files it wrote by label."""
    secrets = secret_fields(credential_type)
    tower = SimpleNamespace()
    namespace: Dict[str, Any] = {"tower": tower}
    safe_namespace: Dict[str, Any] = {"tower": tower}
    for name, value in inputs.items():
        if isinstance(value, bool):
            namespace[name] = safe_namespace[name] = value
            continue
        if name in secrets:
            safe_namespace[name] = HIDDEN_PASSWORD
        elif len(value):
            safe_namespace[name] = value
        if len(value):
            namespace[name] = value
    for field in credential_type.get("inputs", {}).get("fields", []):
        if field.get("type") == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = safe_namespace[field["id"]] = False

    sandbox = ImmutableSandboxedEnvironment()
    injectors = credential_type.get("injectors") or {}
    env_dir = Path(private_data_dir) / "env"
    env_dir.mkdir(parents=True, exist_ok=True)
    written: Dict[str, Path] = {}
    for label, template in injectors.get("file", {}).items():
        data = sandbox.from_string(template).render(**namespace)
        handle, path = tempfile.mkstemp(dir=str(env_dir))
        with os.fdopen(handle, "w") as out:
            out.write(data)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IWGRP)
        written[label] = Path(path)
        if "." not in label:
            tower.filename = path
        else:
            if not hasattr(tower, "filename"):
                tower.filename = SimpleNamespace()
            setattr(tower.filename, label.split(".")[1], path)
    for name, template in injectors.get("env", {}).items():
        env[name] = sandbox.from_string(template).render(**namespace)
        safe_env[name] = sandbox.from_string(template).render(**safe_namespace)
    extra_vars = dict((name, sandbox.from_string(template).render(**namespace))
                      for name, template in injectors.get("extra_vars", {}).items())
    if extra_vars:
        handle, path = tempfile.mkstemp(dir=str(env_dir))
        with os.fdopen(handle, "w") as out:
            out.write(yaml.safe_dump(extra_vars))
        os.chmod(path, stat.S_IRUSR | stat.S_IRGRP)
        args.extend(["-e", "@%s" % path])
    return written


def inject_aws(inputs: Dict[str, str], env: Dict[str, str], safe_env: Dict[str, str]) -> None:
    """The built-in "Amazon Web Services" credential type (fields username, password, security_token)."""
    injected = {"AWS_ACCESS_KEY_ID": inputs.get("username", ""), "AWS_SECRET_ACCESS_KEY": inputs.get("password", "")}
    if inputs.get("security_token"):
        injected["AWS_SECURITY_TOKEN"] = inputs["security_token"]
    env.update(injected)
    safe_env.update(build_safe_env(injected))


def build_safe_env(env: Dict[str, str]) -> Dict[str, str]:
    """The env AWX stores with a job: values of names that look secret replaced by ``**********``."""
    url_password = re.compile(r"^.*?://[^:]+:(.*?)@.*?$")
    safe = dict(env)
    for key, value in safe.items():
        if key == "AWS_ACCESS_KEY_ID":
            continue
        if key.startswith("ANSIBLE_") and not key.startswith(("ANSIBLE_NET", "ANSIBLE_GALAXY_SERVER")):
            continue
        if HIDDEN_ENV.search(key):
            safe[key] = HIDDEN_PASSWORD
        elif isinstance(value, str) and url_password.match(value):
            safe[key] = url_password.sub(HIDDEN_PASSWORD, value)
    return safe


def awx_inventory(project_inventory: Path, private_data_dir: Path, env: Optional[Dict[str, str]] = None) -> Path:
    """Import ``project_inventory`` like an AWX project inventory source; write the job's inventory script."""
    proc = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(project_inventory), "--list", "--export"],
                          capture_output=True, text=True, env=env or clean_env(), check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(proc.stdout)
    inventory_dir = Path(private_data_dir) / "inventory"
    inventory_dir.mkdir(parents=True, exist_ok=True)
    script = inventory_dir / "hosts"
    script.write_text("#! /usr/bin/env python3\n# -*- coding: utf-8 -*-\nprint(%r)\n" % json.dumps(data))
    script.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IWUSR)
    return script


def clean_env(home: Optional[Path] = None) -> Dict[str, str]:
    """What the execution environment's own process has: no cloud, twin or Ansible settings."""
    env = {"PATH": "%s:/usr/local/bin:/usr/bin:/bin" % BIN, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost", "PYTHONWARNINGS": "ignore"}
    env["HOME"] = str(home) if home else os.environ.get("HOME", "/root")
    return env


def job_args(template: Dict[str, Any]) -> List[str]:
    """``RunJob.build_args`` for a job template definition (job_type, diff_mode, forks, verbosity)."""
    args = []
    if template.get("job_type", "run") == "check":
        args.append("--check")
    args.extend(["-u", "root"])
    if template.get("diff_mode"):
        args.append("--diff")
    if template.get("forks"):
        args.append("--forks=%d" % template["forks"])
    if template.get("verbosity"):
        args.append("-" + "v" * min(5, template["verbosity"]))
    return args


def run_job(private_data_dir: Path, project: Path, playbook: str, env: Dict[str, str], args: Iterable[str],
            extra_vars: Optional[Dict[str, Any]] = None, collections: Iterable[Path] = (),
            timeout: int = 600) -> SimpleNamespace:
    """Run ``playbook`` of ``project`` through ``ansible-runner run`` as AWX's worker does.

    ``env`` is the job's env (what AWX's build_env and the injectors produced); ``collections`` stand
    for the execution environment's collection paths. Returns rc, status, stdout, events, artifacts.
    """
    pdd = Path(private_data_dir)
    (pdd / "env").mkdir(parents=True, exist_ok=True)
    home = pdd / "home"
    home.mkdir(exist_ok=True)
    project_dir = pdd / "project"
    if not project_dir.exists():
        project_dir.symlink_to(project, target_is_directory=True)
    # RunJob.build_env: the job's collection path, then ~/.ansible/collections and the EE's own path.
    job_env = dict(env)
    job_env.setdefault("ANSIBLE_COLLECTIONS_PATH", ":".join(
        [str(pdd / "requirements_collections"), str(home / ".ansible" / "collections")] + [str(c) for c in collections]))
    job_env.setdefault("ANSIBLE_RETRY_FILES_ENABLED", "False")
    (pdd / "env" / "envvars").write_text(yaml.safe_dump(job_env))
    (pdd / "env" / "extravars").write_text(yaml.safe_dump(extra_vars or {}))
    (pdd / "env" / "cmdline").write_text(" ".join(args))
    ident = "1"
    proc = subprocess.run([str(BIN / "ansible-runner"), "run", str(pdd), "-p", playbook, "--ident", ident],
                          capture_output=True, text=True, env=clean_env(home), check=False, timeout=timeout)
    artifacts = pdd / "artifacts" / ident
    events = [json.loads(p.read_text()) for p in sorted((artifacts / "job_events").glob("*.json"))]
    status = (artifacts / "status").read_text().strip() if (artifacts / "status").exists() else "error"
    stdout = (artifacts / "stdout").read_text() if (artifacts / "stdout").exists() else proc.stdout
    return SimpleNamespace(rc=proc.returncode, status=status, stdout=stdout, runner_output=proc.stdout + proc.stderr,
                           events=events, artifacts=artifacts)


def files_containing(root: Path, needles: Iterable[str]) -> List[Tuple[str, str]]:
    """(file, needle) for every file under ``root`` whose text holds one of ``needles``."""
    found = []
    for path in sorted(Path(root).rglob("*")):
        if path.is_file() and not path.is_symlink():
            text = path.read_text(errors="replace")
            found.extend((str(path), needle) for needle in needles if needle and needle in text)
    return found


def copy_inventory(source: Path, dest: Path, drop: Iterable[str] = ()) -> Path:
    """A copy of an inventory directory without the paths in ``drop`` (relative to it)."""
    shutil.copytree(source, dest, ignore=lambda d, names: [n for n in names
                                                          if os.path.relpath(os.path.join(d, n), source) in set(drop)])
    return dest
