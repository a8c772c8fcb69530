"""The three real published plans of the shared corpus, built in every version: each PDF passes
every check of verify, the grid, the sides and the continued tables measured."""
from __future__ import annotations

import re
import shutil

import pytest

from conftest import REALTEXT, needs_corpus
from pipeline.build import build

pytestmark = [pytest.mark.libreoffice, needs_corpus]

PLANS = ["nanjing", "shenzhen", "gov-work-report-2026"]


@pytest.fixture(scope="module", params=PLANS)
def built(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param) / request.param
    shutil.copytree(REALTEXT / "plans" / request.param, root)  # the corpus stays read-only
    return request.param, {b.version: b for b in build(root, ["draft", "review", "final"])}


def test_every_version_passes_verify(built):
    name, versions = built
    for version, result in versions.items():
        failing = {c.item: c.measured for c in result.checks if not c.ok}
        assert not failing, (name, version, failing)


def test_the_measured_figures(built):
    name, versions = built
    found = {c.item: c.measured for c in versions["final"].checks}
    worst = float(re.search(r"最大偏差 ([\d.]+) mm", found["行网格"])[1])
    assert worst <= 0.2, found["行网格"]
    assert "正文从第" in found["双面印刷"] and "与单双页相符" in found["双面印刷"]
    start = int(re.search(r"正文从第 (\d+) 页起", found["双面印刷"])[1])
    assert start % 2 == 1  # "— 1 —" on a recto
    if name == "nanjing":  # its 专栏 hold long tables: they go on with their header rows
        assert int(re.match(r"(\d+) 处续表均重复表头", found["续表表头"])[1]) >= 2
        assert "南京市国民经济和社会发展/第十五个五年规划纲要（节选）" in found["标题回行"]
    review = {c.item: c.measured for c in versions["review"].checks}
    assert re.match(r"\d+ 页 \d+ 行均有行号", review["行号"]), review["行号"]
