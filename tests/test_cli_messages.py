"""CLI messages: help text for every option, one-line Chinese errors that name the file."""
from __future__ import annotations

import argparse
import os

import pytest

from kg.cli import build_parser, main


def test_every_option_has_help():
    ap = build_parser()
    sub = next(a for a in ap._actions if isinstance(a, argparse._SubParsersAction))
    missing = [(name, a.option_strings or a.dest) for name, p in sub.choices.items() for a in p._actions
               if not isinstance(a, argparse._HelpAction) and not a.help]
    assert missing == []


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("错误："), err
    return err[0]


def test_unknown_canned_query(seeds_out, capsys):
    assert main(["query", "chain_leaderz", "--graph", str(seeds_out)]) == 2
    line = _one_line_error(capsys)
    assert "没有名为「chain_leaderz」的预置查询" in line and "chain_leaders" in line


def test_query_syntax_error_names_the_file(seeds_out, tmp_path, capsys):
    q = tmp_path / "mine.rq"
    q.write_text("SELECT ?x\nWHERE { ?x ?y }\n", encoding="utf-8")
    assert main(["query", str(q), "--graph", str(seeds_out)]) == 2
    line = _one_line_error(capsys)
    assert str(q) in line and "SPARQL 语法错误（第 3 行" in line  # the parser stops at the end


@pytest.mark.parametrize("cmd", ["analyze", "view"])
def test_damaged_graph_file_named(tmp_path, cmd, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.trig").write_text("", encoding="utf-8")
    # analyze/view read the graph through Oxigraph (store/, else graph.nq), never re-parse graph.trig
    (out / "graph.nq").write_text("<urn:a> <urn:b> <urn:c> <urn:g> .\n<urn:a> <urn:b> oops .\n", encoding="utf-8")
    assert main([cmd, str(out)]) == 2
    line = _one_line_error(capsys)
    assert str(out / "graph.nq") in line and "第 2 行" in line


def test_workers_default_to_the_usable_cores_and_must_be_positive(capsys):
    from kg import cli

    args = cli.build_parser().parse_args(["build", "docs"])
    assert args.workers is None  # resolved in main: the cores this process may use, at most 8
    assert 1 <= cli.default_workers() <= min(len(os.sched_getaffinity(0)), cli.MAX_AUTO_WORKERS)
    for bad in ("0", "-2", "two"):
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args(["extract", "a.txt", "--workers", bad])
        assert "应为正整数" in capsys.readouterr().err
