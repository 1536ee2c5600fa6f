"""MkDocs hooks of the coopt site (``hooks:`` in mkdocs.yml).

* ``on_config``: the "Problems" section of the navigation, one page per problem of the registry,
  grouped by family (so a new problem gets a page and a nav entry without editing mkdocs.yml).
* ``on_files``: adds the generated pages (``problems/*.md``, ``cli.md``, from ``scripts/docs_gen.py``)
  and the figures of the papers' pages, drawn at build time by ``coopt reproduce NAME --quick``
  (the experiments named in ``extra.coopt_docs.figures``) as ``figures/<experiment>/<file>.png``.

``extra.coopt_docs.require_math: true`` turns a problem without its LaTeX into a build error
(strict); while false the page shows a warning box and the build logs the problems at INFO.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

sys.path.insert(0, str(Path(__file__).resolve().parent))

import docs_gen  # noqa: E402

log = logging.getLogger("mkdocs.hooks.coopt")
_TMP: list[tempfile.TemporaryDirectory] = []
PROBLEMS_PLACEHOLDER = "problems/index.md"


def _settings(config: Any) -> dict[str, Any]:
    return dict((config.extra or {}).get("coopt_docs") or {})


def on_config(config: Any) -> Any:
    """Replace the nav entry ``Problems: problems/index.md`` by the generated section."""
    probs = docs_gen.registry()
    nav = config.nav or []
    for i, item in enumerate(nav):
        if isinstance(item, dict) and list(item.values()) == [PROBLEMS_PLACEHOLDER]:
            key = next(iter(item))
            nav[i] = {key: docs_gen.problems_nav(probs)}
    config.nav = nav
    return config


def _figures(config: Any) -> list[File]:
    names = list(_settings(config).get("figures") or [])
    if not names:
        return []
    tmp = tempfile.TemporaryDirectory(prefix="coopt-docs-figures-")
    _TMP.append(tmp)  # kept until the process ends: the files are copied at the end of the build
    out = Path(tmp.name)
    t0 = time.perf_counter()
    cmd = [sys.executable, "-c", "from coopt.cli import main; main()",
           "reproduce", *names, "--quick", "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=docs_gen.ROOT)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise PluginError(f"coopt docs: `coopt reproduce {' '.join(names)} --quick` failed: {' / '.join(tail)}")
    files = []
    for name in names:
        pngs = sorted((out / name).glob("*.png"))
        if not pngs:
            raise PluginError(f"coopt docs: experiment {name} drew no PNG in {out / name}")
        files += [File.generated(config, f"figures/{name}/{p.name}", abs_src_path=str(p)) for p in pngs]
    log.info("coopt docs: %d figures from %d experiments in %.1f s", len(files), len(names), time.perf_counter() - t0)
    return files


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages and the build-time figures."""
    t0 = time.perf_counter()
    pages = docs_gen.generated_pages()
    for rel, text in pages.items():
        if files.get_file_from_path(rel) is not None:
            raise PluginError(f"coopt docs: docs/{rel} exists but is generated: delete it")
        files.append(File.generated(config, rel, content=text))
    missing = docs_gen.missing_math()
    if missing:
        msg = f"coopt docs: no LaTeX yet for {', '.join(missing)} (docs/_math/<problem>.md)"
        if _settings(config).get("require_math"):
            raise PluginError(msg)
        log.info(msg)
    log.info("coopt docs: %d generated pages in %.1f s", len(pages), time.perf_counter() - t0)
    for f in _figures(config):
        files.append(f)
    return files
