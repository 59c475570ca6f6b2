"""Every fenced block of the README is run, or checked against what runs it.

Each block is dispatched on what it is (a command, its output, a configuration for
httplint, flake8, pre-commit or ruff, a CI workflow); a block that no handler claims fails
the test, so the README cannot hold a snippet that nothing runs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, re.S)
BIN = Path(sys.executable).parent


def sh(command: str, cwd: Path, extra_env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "NO_COLOR": "1", **(extra_env or {})}
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, env=env, check=False, **kwargs)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the repository's sample, so that `--fix` commands do not touch the real one."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path


def commands(block: str) -> list[str]:
    lines = []
    for line in block.splitlines():
        line = re.sub(r"\s+#\s.*$", "", line).strip()
        if line:
            lines.append(line)
    return lines


def test_every_block_is_claimed() -> None:
    kinds = [kind for kind, _ in BLOCKS]
    assert kinds.count("console") >= 5 and "text" in kinds
    for kind, body in BLOCKS:
        assert classify(kind, body) is not None, f"no test runs this README block:\n{body}"


def classify(kind: str, body: str) -> str | None:
    if kind == "console" and body.startswith("pip install httpclint"):
        return "install"
    if kind == "console" and "pytest" in body:
        return "tests"
    if kind == "console" and "benchmarks/run.py" in body:
        return "benchmark"
    if kind == "console" and "benchmarks/realbugs/score.py" in body:
        return "realbugs"
    if kind == "console":
        return "commands"
    if kind == "text" and body.startswith("examples/weather_service/"):
        return "output"
    if kind in ("lua", "elisp", "json") or (kind == "toml" and "[language-server.httplint]" in body):
        return "editor"
    if kind == "toml" and "[tool.httplint]" in body:
        return "httplint-config"
    if kind == "toml" and "[tool.ruff.lint]" in body:
        return "ruff"
    if kind == "ini" and "[flake8]" in body:
        return "flake8"
    if kind == "yaml" and body.startswith("repos:"):
        return "pre-commit"
    if kind == "yaml" and "uses: httpclint/httpclint@" in body:
        return "workflow"
    return None


def blocks_of(name: str) -> list[str]:
    found = [body for kind, body in BLOCKS if classify(kind, body) == name]
    assert found, name
    return found


def test_first_command_and_its_output(sample: Path) -> None:
    first = blocks_of("commands")[0]
    install, _, command = first.strip().partition(" && ")
    assert install == "pip install ."  # done by the environment that runs these tests
    result = sh(command, sample)
    assert result.returncode == 1
    assert result.stdout == blocks_of("output")[0]


def test_test_command_is_what_ci_runs() -> None:
    [block] = blocks_of("tests")
    install, _, command = block.strip().partition(" && ")
    assert install == "pip install -e '.[test]'" and command == "pytest"
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install --quiet -e '.[test]'" in ci and "python -m pytest" in ci


def test_console_commands_run(sample: Path) -> None:
    ran = 0
    for block in blocks_of("commands")[1:]:
        for command in commands(block):
            result = sh(command, sample)
            assert result.returncode in (0, 1), f"{command}\n{result.stdout}\n{result.stderr}"
            assert "Traceback" not in result.stderr, command
            ran += 1
    assert ran >= 10
    assert "with requests.Session() as session:" in (sample / "examples/weather_service/legacy.py").read_text()


def test_httplint_configuration(tmp_path: Path) -> None:
    [block] = blocks_of("httplint-config")
    (tmp_path / "pyproject.toml").write_text(block)
    (tmp_path / "tests").mkdir()
    leak = "import httpx\n\n\ndef f(urls):\n    client = httpx.Client()\n    return [client.get(u) for u in urls]\n"
    (tmp_path / "tests" / "test_x.py").write_text(leak)
    (tmp_path / "app.py").write_text(leak)
    shown = sh("httplint --show-settings", tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "ignore = ['HTL102']" in shown.stdout and "'myproject.http.make_session' = 'requests.Session'" in shown.stdout
    result = sh("httplint", tmp_path)
    assert result.returncode == 1 and "app.py:5:14: HTL104" in result.stdout and "tests/" not in result.stdout


def test_flake8_configuration(tmp_path: Path) -> None:
    [block] = blocks_of("flake8")
    (tmp_path / ".flake8").write_text(block)
    (tmp_path / "tests").mkdir()
    leak = "import httpx\n\n\ndef f(urls):\n    client = httpx.Client()\n    return [client.get(u) for u in urls]\n"
    (tmp_path / "tests" / "test_x.py").write_text(leak)
    (tmp_path / "app.py").write_text(leak)
    result = sh(f"{shlex.quote(sys.executable)} -m flake8 app.py tests", tmp_path)
    assert "app.py:5:14: HTL104" in result.stdout
    assert "tests/test_x.py:5:14: HTL104" not in result.stdout


def test_pre_commit_snippet(tmp_path: Path) -> None:
    [block] = blocks_of("pre-commit")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    config = re.sub(r"repo: \S+", f"repo: {ROOT}", block)
    config = re.sub(r"rev: \S+", f"rev: {head}", config)
    assert config != block
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".pre-commit-config.yaml").write_text(config)
    (repo / "app.py").write_text(
        "import requests\n\n\ndef f(u):\n    r = requests.get(u, stream=True, timeout=5)\n    return r.headers\n"
    )
    env_setup = "git init -q && git add . && git -c user.name=t -c user.email=t@t commit -qm init"
    assert sh(env_setup, repo).returncode == 0
    home = Path.home() / ".cache" / "httplint-tests" / "pre-commit"
    result = sh(f"PRE_COMMIT_HOME={home} {shlex.quote(sys.executable)} -m pre_commit run --all-files", repo)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "app.py:5:9: HTL201" in result.stdout


def test_ruff_external_keeps_noqa_comments(tmp_path: Path) -> None:
    [block] = blocks_of("ruff")
    source = "import httpx\n\nclient = httpx.Client()  # noqa: HTL104\n"
    (tmp_path / "m.py").write_text(source)
    ruff = f"{shlex.quote(sys.executable)} -m ruff check --no-cache --select RUF100,RUF102 --output-format concise m.py"
    (tmp_path / "pyproject.toml").write_text("")
    without = sh(ruff, tmp_path)
    assert "RUF102" in without.stdout and "HTL104" in without.stdout  # ruff would flag the code...
    (tmp_path / "pyproject.toml").write_text(block)
    with_external = sh(ruff, tmp_path)
    assert with_external.returncode == 0 and "HTL104" not in with_external.stdout  # ...not with `external`


def test_install_line_names_the_distribution() -> None:
    [block] = blocks_of("install")
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    name = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]
    assert commands(block) == [f"pip install {name}"]


def action_steps() -> list[dict]:
    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    return action["runs"]["steps"], {k: v.get("default", "") for k, v in action["inputs"].items()}


def test_ci_workflow_uses_the_action_and_its_steps_run(sample: Path, sarif_schema: dict) -> None:
    """The README's workflow uses this repository's action; the action's shell steps run here with
    their inputs' defaults (the install step is what the environment running these tests did; the
    setup-python and upload steps are other actions)."""
    import yaml

    [block] = blocks_of("workflow")
    workflow = yaml.safe_load(block)
    steps = workflow["jobs"]["httplint"]["steps"]
    [ours] = [step for step in steps if step.get("uses", "").startswith("httpclint/httpclint@")]
    assert workflow["jobs"]["httplint"]["permissions"]["security-events"] == "write"
    action, defaults = action_steps()
    inputs = {**defaults, **ours.get("with", {})}
    assert set(inputs) == set(defaults)
    uses = [step["uses"] for step in action if "uses" in step]
    assert uses == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]
    ran = 0
    for step in action:
        if "run" not in step or "pip install" in step["run"]:
            continue
        env = {key: re.sub(r"\$\{\{ inputs\.([\w-]+) }}", lambda m: inputs[m.group(1)], value)
               for key, value in step.get("env", {}).items()}
        result = sh(step["run"], sample / "examples", extra_env=env)
        ran += 1
        if "github" in step["run"]:  # the annotations, failing the step on findings
            assert result.returncode == 1 and "::warning title=httplint (HTL201),file=" in result.stdout
        else:
            assert result.returncode == 0, result.stderr
    assert ran == 2
    log = json.loads((sample / "examples" / inputs["sarif-file"]).read_text())
    jsonschema.validate(log, sarif_schema)
    assert len(log["runs"][0]["results"]) == 8


def test_benchmark_command_is_runnable() -> None:
    [block] = blocks_of("benchmark")
    install, _, command = block.strip().partition(" && ")
    assert install == "pip install -e '.[bench]'"
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the package depends on tomli there
        import tomli as tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert {"ruff", "pylint", "bandit", "flake8-async", "matplotlib"} <= {re.split(r"[<>=]", d)[0] for d in extras["bench"]}
    assert command.startswith("python ")
    result = sh(f"{shlex.quote(sys.executable)} {command[len('python '):]} --help", ROOT)  # a full run takes minutes
    assert result.returncode == 0 and "--runs" in result.stdout


def test_realbugs_command_is_runnable() -> None:
    """The real-bug scorer needs PyPI to download releases; its manifest check does not."""
    [block] = blocks_of("realbugs")
    [command] = commands(block)
    result = sh(command.replace("score.py", "score.py --check"), ROOT)
    assert result.returncode == 0 and "manifest valid" in result.stdout, result.stderr


def test_editor_setups_start_the_server_that_exists() -> None:
    """Each editor block names the `httplint server` command; the structured ones parse."""
    blocks = blocks_of("editor")
    assert len(blocks) == 4
    for body in blocks:
        assert re.search(r'"httplint"[\s,]*"server"|command = "httplint"\nargs = \["server"\]|'
                         r'"glspc.server.command": "httplint"', body), body
    [helix] = [b for b in blocks if "[language-server.httplint]" in b]
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    config = tomllib.loads(helix)
    assert config["language-server"]["httplint"] == {"command": "httplint", "args": ["server"]}
    [vscode] = [b for b in blocks if "glspc" in b]
    assert json.loads(vscode)["glspc.server.commandArguments"] == ["server"]
    help_text = sh("httplint server --help", ROOT)
    assert help_text.returncode == 0 and "Language Server Protocol" in help_text.stdout
