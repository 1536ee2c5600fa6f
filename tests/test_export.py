"""coopt export: the instantiated model written by Pyomo's writers, read back by another program.

The reference is independent of the writer: highspy reads the file and solves it, and its optimum is
compared with what `coopt solve` reports for the same problem and data.
"""

from __future__ import annotations

import highspy
import pytest

import coopt


def _highs_optimum(path) -> tuple[str, float]:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.run()
    return h.modelStatusToString(h.getModelStatus()), h.getInfo().objective_function_value


def test_coordinator_mps_solves_to_the_same_optimum(cli, tmp_path):
    out = tmp_path / "m.mps"
    r = cli("export", "itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "j=5",
            "--format", "mps", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "wrote" in r.stdout and "[qp]" in r.stdout and out.is_file()
    status, obj = _highs_optimum(out)
    ref = coopt.run("itinfra.coordinator", coopt.load("itinfra/paper-figure1"), solver="highs", j=5)
    assert status == "Optimal" and obj == pytest.approx(ref.objective, rel=1e-9)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left behind


def test_vaccine_market_lp_in_lp_format(cli, tmp_path):
    """vaccine.market's LP (18)-(23) at the exact v(S): the file's optimum, unscaled, is coopt solve's."""
    out = tmp_path / "market.lp"
    r = cli("export", "vaccine.market", "--data", "vaccine/example-3", "--format", "lp", "--out", str(out))
    assert r.returncode == 0, r.stderr
    status, obj = _highs_optimum(out)
    ref = coopt.run("vaccine.market", coopt.load("vaccine/example-3"), solver="highs")
    unit = float(r.stdout.split("objective times", 1)[1].split()[0])
    assert status == "Optimal" and ref.objective is not None and ref.objective > 1e-3  # no market allocation
    assert obj * unit == pytest.approx(ref.objective, rel=1e-7)


def test_cvxpy_formulation_goes_through_its_pyomo_twin(cli, tmp_path):
    out = tmp_path / "twin.lp"
    r = cli("export", "itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "j=3",
            "--formulation", "qp-cvxpy", "--format", "lp", "--out", str(out))
    assert r.returncode == 0 and "Pyomo twin qp" in r.stdout
    ref = coopt.run("itinfra.coordinator", coopt.load("itinfra/paper-figure1"), solver="clarabel", j=3)
    assert _highs_optimum(out)[1] == pytest.approx(ref.objective, rel=1e-7)


@pytest.mark.parametrize("fmt", ["nl", "gms"])
def test_nonlinear_models_in_nl_and_gams(cli, tmp_path, fmt):
    out = tmp_path / f"alloc.{fmt}"
    r = cli("export", "vaccine.allocation", "--data", "vaccine/example-3", "--format", fmt, "--out", str(out))
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert ("exp" in text) if fmt == "gms" else text.startswith("g")  # GAMS source / an AMPL nl header


@pytest.mark.parametrize(("args", "needle"), [
    (["vaccine.allocation", "--data", "vaccine/example-3", "--format", "lp"], "linear and quadratic models only"),
    (["itinfra.equilibrium", "--data", "itinfra/worked-case", "--format", "nl"], "declares no model to export"),
    (["vaccine.game", "--data", "vaccine/example-1", "--format", "nl"], "problems with a Pyomo model"),
    (["itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "j=5", "--format", "xls"],
     "--format 'xls'"),
    (["itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "j=5", "--formulation", "nope"],
     "unknown formulation 'nope'"),
])
def test_refusals_are_one_line_exit_2(cli, tmp_path, args, needle):
    r = cli("export", *args, "--out", str(tmp_path / "x.out"))
    assert r.returncode == 2 and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not list(tmp_path.iterdir())


def test_out_is_checked_before_the_model_is_built(cli, tmp_path, monkeypatch):
    import coopt.models

    def boom(*a, **k):
        raise AssertionError("built before --out was checked")

    monkeypatch.setattr(coopt.models, "export_model", boom)
    for bad, needle in [(tmp_path / "missing" / "m.mps", "does not exist"), (tmp_path, "is a directory")]:
        r = cli("export", "itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "j=5",
                "--format", "mps", "--out", str(bad))
        assert r.returncode == 2 and needle in r.stderr, r.stderr
    r = cli("export", "itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "j=5", "--format", "mps")
    assert r.returncode == 2 and "--out FILE is required" in r.stderr


def test_an_existing_file_is_replaced_whole(cli, tmp_path):
    out = tmp_path / "m.mps"
    out.write_text("old contents\n")
    r = cli("export", "itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "j=5", "--format", "mps",
            "--out", str(out))
    assert r.returncode == 0 and "old contents" not in out.read_text() and "OBJSENSE" in out.read_text()
