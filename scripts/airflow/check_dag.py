#!/usr/bin/env python3
"""Checks scripts/airflow/marquee_daily.py without Airflow installed.

Parses the DAG with ast, collects every bash_command the DAG builds, and checks
each marquee subcommand and flag against `marquee <command> --help`. Exits
non-zero naming the bad command or flag.
Usage: check_dag.py MARQUEE_BINARY [DAG_FILE]
"""
import ast
import pathlib
import re
import subprocess
import sys

DAG = pathlib.Path(__file__).with_name("marquee_daily.py")


def const_str(node, env):
    """Evaluates the string-building expressions the DAG uses (constants, f-strings, +, names)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in env:
        return env[node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return const_str(node.left, env) + const_str(node.right, env)
    if isinstance(node, ast.JoinedStr):
        out = ""
        for v in node.values:
            if isinstance(v, ast.FormattedValue):
                out += const_str(v.value, env)
            else:
                out += v.value
        return out
    raise ValueError(f"line {getattr(node, 'lineno', '?')}: cannot evaluate {ast.dump(node)[:80]}")


def main():
    binary = sys.argv[1]
    dag = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else DAG
    tree = ast.parse(dag.read_text(), filename=str(dag))
    env = {}
    for node in tree.body:  # module-level string constants
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                env[node.targets[0].id] = const_str(node.value, env)
            except ValueError:
                pass
    # The step() helper's template and its calls.
    template, defaults, calls = None, {}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "step":
            argnames = [a.arg for a in node.args.args]
            for a, d in zip(argnames[len(argnames) - len(node.args.defaults):], node.args.defaults):
                defaults[a] = const_str(d, env)
            for kw in (k for c in ast.walk(node) if isinstance(c, ast.Call) for k in c.keywords):
                if kw.arg == "bash_command":
                    template = kw.value
                if kw.arg == "skip_on_exit_code":
                    assert ast.literal_eval(kw.value) == 99, "skip_on_exit_code must be 99"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "step":
            calls.append(node)
    if template is None or not calls:
        sys.exit("no step() helper with a bash_command found")
    commands = []
    for c in calls:
        local = dict(env, **defaults)
        for name, arg in zip(["task_id", "args", "date"], c.args):
            local[name] = const_str(arg, env)
        for kw in c.keywords:
            local[kw.arg] = const_str(kw.value, env)
        commands.append((local["task_id"], const_str(template, local)))
    helps = {}
    bad = []
    for task, cmd in commands:
        words = re.findall(r"'[^']*'|\S+", cmd)
        if not words[0].endswith("/marquee"):
            bad.append(f"{task}: does not run marquee: {cmd}")
            continue
        sub = words[1]
        if sub not in helps:
            p = subprocess.run([binary, sub, "--help"], capture_output=True, text=True)
            if p.returncode != 0:
                bad.append(f"{task}: unknown subcommand {sub!r}")
                continue
            helps[sub] = p.stdout
        for w in words[2:]:
            if w.startswith("--"):
                flag = w.split("=")[0]
                if not re.search(r"(^|\s)" + re.escape(flag) + r"\b", helps[sub]):
                    bad.append(f"{task}: {sub} has no flag {flag}")
        if "--date" not in words:
            bad.append(f"{task}: no --date")
    for b in bad:
        print("check_dag:", b, file=sys.stderr)
    print(f"check_dag: {len(commands)} tasks checked, {len(bad)} problems")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
