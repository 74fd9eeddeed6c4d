"""The Dockerfile and .dockerignore: pinned bases, a non-root user, a stdlib health check, the lock."""

from __future__ import annotations

import dataclasses
import json
import pathlib
import posixpath
import re
import shlex

from tests.deploy.app_facts import LIVENESS_PATH
from tests.deploy.common import SERVICES, Problem, image_pinned, relative

DOCKERFILE = pathlib.Path("deploy/docker/Dockerfile")
INSTRUCTIONS = frozenset(
    [
        "FROM",
        "RUN",
        "CMD",
        "LABEL",
        "MAINTAINER",
        "EXPOSE",
        "ENV",
        "ADD",
        "COPY",
        "ENTRYPOINT",
        "VOLUME",
        "USER",
        "WORKDIR",
        "ARG",
        "ONBUILD",
        "STOPSIGNAL",
        "HEALTHCHECK",
        "SHELL",
    ]
)
EXEC_FORM = frozenset({"CMD", "ENTRYPOINT"})
# Paths that must never reach an image build context.
MUST_IGNORE = (".git/HEAD", ".venv/bin/python", "var/registry.db", ".env", "deploy/.env", "tests/conftest.py")


@dataclasses.dataclass
class Instruction:
    """One Dockerfile instruction, continuation lines joined."""

    keyword: str
    args: str
    line: int


@dataclasses.dataclass
class Stage:
    """A FROM and what follows it."""

    base: str
    name: str | None
    line: int
    instructions: list[Instruction] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Target:
    """What a final image gets from its stage chain: the last USER, HEALTHCHECK, CMD, EXPOSEd ports."""

    user: str | None = None
    healthcheck: Instruction | None = None
    cmd: list[str] | None = None
    entrypoint: list[str] | None = None
    exposed: set[str] = dataclasses.field(default_factory=set)


@dataclasses.dataclass
class DockerFacts:
    """What other checks need from the Dockerfile: its targets and their effective settings."""

    targets: dict[str, Target] = dataclasses.field(default_factory=dict)

    def uid(self, service: str) -> int | None:
        """The numeric user a service image runs as."""
        target = self.targets.get(service)
        if target is None or target.user is None:
            return None
        uid = target.user.split(":", 1)[0]
        return int(uid) if uid.isdigit() else None

    def port(self, service: str) -> int | None:
        """The port uvicorn listens on in the image's command."""
        cmd = (self.targets.get(service) or Target()).cmd or []
        for flag, value in zip(cmd, cmd[1:], strict=False):
            if flag == "--port" and value.isdigit():
                return int(value)
        return None

    def graceful_seconds(self, service: str) -> int:
        """uvicorn's --timeout-graceful-shutdown in the image's command (0 when absent)."""
        cmd = (self.targets.get(service) or Target()).cmd or []
        for flag, value in zip(cmd, cmd[1:], strict=False):
            if flag == "--timeout-graceful-shutdown" and value.isdigit():
                return int(value)
        return 0


def parse(text: str) -> tuple[list[Instruction], list[str]]:
    """The instructions of a Dockerfile, and the lines that are not instructions."""
    instructions: list[Instruction] = []
    errors: list[str] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        joined = " ".join(part for part in pending if part)
        pending = []
        keyword, _, args = joined.partition(" ")
        if keyword.upper() not in INSTRUCTIONS:
            errors.append(f"line {start}: unknown instruction {keyword!r}")
            continue
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
    if pending:
        errors.append(f"line {start}: the file ends inside a continued instruction")
    return instructions, errors


def stages_of(instructions: list[Instruction]) -> tuple[list[Stage], list[str]]:
    """Split the instructions into stages; errors for a malformed FROM or instructions before it."""
    stages: list[Stage] = []
    errors: list[str] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            words = [w for w in ins.args.split() if not w.startswith("--platform=")]
            if len(words) == 1:
                stages.append(Stage(words[0], None, ins.line))
            elif len(words) == 3 and words[1].upper() == "AS":
                stages.append(Stage(words[0], words[2], ins.line))
            else:
                errors.append(f"line {ins.line}: FROM needs `image [AS name]`, got {ins.args!r}")
        elif not stages:
            if ins.keyword != "ARG":
                errors.append(f"line {ins.line}: {ins.keyword} before the first FROM")
        else:
            stages[-1].instructions.append(ins)
    return stages, errors


def _json_list(ins: Instruction, text: str) -> list[str] | None | str:
    """The exec-form argument list; a string error when it is malformed; None for shell form."""
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"line {ins.line}: {ins.keyword} is not valid JSON ({exc.msg})"
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return f"line {ins.line}: {ins.keyword} must be a JSON list of strings"
    return value


def healthcheck_command(ins: Instruction) -> list[str] | None | str:
    """The exec-form command of a HEALTHCHECK instruction (None for shell form or NONE)."""
    words = ins.args.split(None, 1)
    rest = ins.args
    while words and words[0].startswith("--"):
        rest = words[1] if len(words) > 1 else ""
        words = rest.split(None, 1)
    if not words or words[0].upper() != "CMD":
        return None
    return _json_list(ins, rest.strip()[3:].strip())


def resolve_target(stages: list[Stage], index: int) -> Target:
    """A stage's effective settings, following FROM <earlier stage> back to the external base."""
    chain: list[Stage] = []
    names = {s.name: i for i, s in enumerate(stages) if s.name}
    current: int | None = index
    while current is not None and stages[current] not in chain:
        chain.append(stages[current])
        base = stages[current].base
        current = names.get(base) if names.get(base, len(stages)) < current else None
    target = Target()
    for stage in reversed(chain):
        for ins in stage.instructions:
            if ins.keyword == "USER":
                target.user = ins.args.strip()
            elif ins.keyword == "HEALTHCHECK":
                target.healthcheck = ins
            elif ins.keyword in EXEC_FORM:
                value = _json_list(ins, ins.args)
                parsed = value if isinstance(value, list) else None
                if ins.keyword == "CMD":
                    target.cmd = parsed
                else:
                    target.entrypoint = parsed
            elif ins.keyword == "EXPOSE":
                target.exposed |= {p.split("/")[0] for p in ins.args.split()}
    return target


def _check_from(stages: list[Stage], problems: list[str]) -> None:
    seen: dict[str, int] = {}
    external: set[str] = set()
    for i, stage in enumerate(stages):
        if stage.name:
            if stage.name in seen:
                problems.append(f"line {stage.line}: stage name {stage.name!r} used twice")
            seen[stage.name] = i
        if stage.base in seen:
            continue
        reason = image_pinned(stage.base)
        if reason:
            problems.append(f"line {stage.line}: base image {stage.base} {reason}; pin an exact version")
        if stage.base.split(":", 1)[0] == "python":
            tag = stage.base.split(":", 1)[1] if ":" in stage.base else ""
            if not re.fullmatch(r"3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", tag):
                problems.append(f"line {stage.line}: base {stage.base} is not an exact python:3.11.X-slim-bookworm")
            external.add(stage.base)
    # The virtualenv is built in one stage and copied into another: the interpreters must be the same.
    if len(external) > 1:
        problems.append(f"the Python stages use different bases {sorted(external)}; the copied venv needs one")


def _check_target(service: str, target: Target, problems: list[str]) -> None:
    where = f"target {service!r}"
    uid = (target.user or "").split(":", 1)[0]
    if target.user is None:
        problems.append(f"{where}: no USER, the image would run as root")
    elif not uid.isdigit() or int(uid) == 0:
        problems.append(f"{where}: USER {target.user!r} must be a numeric non-root uid (runAsNonRoot checks it)")
    if target.healthcheck is None:
        problems.append(f"{where}: no HEALTHCHECK")
    else:
        command = healthcheck_command(target.healthcheck)
        if isinstance(command, str):
            problems.append(command)
        elif command is None:
            problems.append(f'{where}: HEALTHCHECK must be `CMD ["python", ...]` in exec form')
        else:
            joined = " ".join(command)
            if command[0] not in ("python", "python3") or re.search(r"\b(curl|wget)\b", joined):
                problems.append(f"{where}: HEALTHCHECK must use Python's standard library, not {command[0]}")
            if LIVENESS_PATH not in joined:
                problems.append(f"{where}: HEALTHCHECK does not call {LIVENESS_PATH}")
    expected = ["uvicorn", f"services.{service}.main:app", "--host", "0.0.0.0", "--port", "8000"]
    if target.cmd is None:
        problems.append(f"{where}: CMD must be in exec form")
    elif target.cmd[: len(expected)] != expected:
        problems.append(f"{where}: CMD must start with {' '.join(expected)}")
    if target.entrypoint is not None:
        problems.append(f"{where}: no ENTRYPOINT expected (Kubernetes and compose override the CMD)")
    if "8000" not in target.exposed:
        problems.append(f"{where}: EXPOSE 8000 missing")


def _check_build(stages: list[Stage], uv_version: str | None, problems: list[str]) -> None:
    instructions = [ins for stage in stages for ins in stage.instructions]
    runs = [ins.args for ins in instructions if ins.keyword == "RUN"]
    if uv_version and not any(re.search(rf"pip install[^&;]*\buv=={re.escape(uv_version)}\b", r) for r in runs):
        problems.append(f"uv is not installed pinned as uv=={uv_version} (the Makefile's UV_VERSION)")
    syncs = [r for r in runs if re.search(r"\buv sync\b", r)]
    if not syncs:
        problems.append("no `uv sync`: the dependencies must come from uv.lock")
    for run in syncs:
        if "--frozen" not in run and "--locked" not in run:
            problems.append("`uv sync` without --frozen/--locked may change the lock instead of obeying it")
        if "--no-dev" not in run:
            problems.append("`uv sync` without --no-dev puts the dev tools in the image")
    envs = " ".join(ins.args for ins in instructions if ins.keyword == "ENV")
    if not re.search(r"\bUV_PYTHON_DOWNLOADS=never\b", envs):
        problems.append("ENV UV_PYTHON_DOWNLOADS=never missing: uv must use the image's Python")
    copies = " ".join(ins.args for ins in instructions if ins.keyword == "COPY")
    if "uv.lock" not in copies:
        problems.append("uv.lock is never copied into the build")
    for ins in instructions:
        if ins.keyword == "ADD" and re.search(r"\b(https?|git)://", ins.args):
            problems.append(f"line {ins.line}: ADD of a remote URL; download in a pinned, checked RUN instead")
        if ins.keyword in ("RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK") and re.search(
            r"\bcurl\b.*\|\s*(ba)?sh", ins.args
        ):
            problems.append(f"line {ins.line}: piping a download into a shell")


def copied_sources(stages: list[Stage]) -> list[str]:
    """The build-context paths COPY/ADD take (not those copied from another stage)."""
    sources: list[str] = []
    for stage in stages:
        for ins in stage.instructions:
            if ins.keyword not in ("COPY", "ADD"):
                continue
            words = shlex.split(ins.args)
            if any(w.startswith("--from=") for w in words):
                continue
            words = [w for w in words if not w.startswith("--")]
            sources.extend(words[:-1])
    return sources


def _ignore_patterns(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    patterns: list[tuple[bool, re.Pattern[str]]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = posixpath.normpath(line.lstrip("!").strip()).lstrip("/")
        regex, i = "", 0
        while i < len(line):
            if line.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif line.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif line[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif line[i] == "?":
                regex, i = regex + "[^/]", i + 1
            else:
                regex, i = regex + re.escape(line[i]), i + 1
        patterns.append((negated, re.compile(f"^{regex}$")))
    return patterns


def is_ignored(path: str, patterns: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parent directories decides."""
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for negated, pattern in patterns:
        if any(pattern.match(c) for c in candidates):
            ignored = not negated
    return ignored


def _check_dockerignore(root: pathlib.Path, stages: list[Stage]) -> list[Problem]:
    path = root / ".dockerignore"
    if not path.is_file():
        return [Problem(".dockerignore", "missing: the whole checkout (.git, .venv, .env files) would be sent")]
    patterns = _ignore_patterns(path.read_text(encoding="utf-8"))
    problems = []
    for source in copied_sources(stages):
        probe = source.rstrip("/") + ("/__init__.py" if (root / source).is_dir() else "")
        if is_ignored(probe, patterns):
            problems.append(Problem(".dockerignore", f"excludes {source}, which the Dockerfile copies"))
    for probe in MUST_IGNORE:
        if not is_ignored(probe, patterns):
            problems.append(Problem(".dockerignore", f"lets {probe} into the build context"))
    return problems


def check(root: pathlib.Path) -> tuple[list[Problem], DockerFacts]:
    """Every problem of the Dockerfile and .dockerignore, and the targets' facts for the other checks."""
    path = root / DOCKERFILE
    shown = relative(path, root)
    facts = DockerFacts()
    if not path.is_file():
        return [Problem(shown, "missing")], facts
    instructions, errors = parse(path.read_text(encoding="utf-8"))
    stages, stage_errors = stages_of(instructions)
    errors += stage_errors
    _check_from(stages, errors)
    names = {s.name: i for i, s in enumerate(stages) if s.name}
    for service in SERVICES:
        if service not in names:
            errors.append(f"no target {service!r} (`FROM ... AS {service}`)")
            continue
        facts.targets[service] = resolve_target(stages, names[service])
        _check_target(service, facts.targets[service], errors)
    _check_build(stages, makefile_uv_version(root), errors)
    problems = [Problem(shown, e) for e in errors] + _check_dockerignore(root, stages)
    return problems, facts


def makefile_uv_version(root: pathlib.Path) -> str | None:
    """UV_VERSION from the Makefile, the one version of uv the project uses."""
    makefile = root / "Makefile"
    if not makefile.is_file():
        return None
    match = re.search(r"^UV_VERSION\s*:?=\s*(\S+)", makefile.read_text(encoding="utf-8"), re.MULTILINE)
    return match.group(1) if match else None
