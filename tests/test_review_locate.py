"""Locating items whose anchor the reviewer's edits removed, and items outside the body."""
from __future__ import annotations

from conftest import W_XMLNS, docx_with
from pipeline.review.collect import records_from
from pipeline.review.locations import BuiltVersion
from pipeline.review.units import UnitMap
from pipeline.wordfile import read_returned

BUILT = BuiltVersion("review", "", {
    "_Src00001": {"anchor": "_Src00001", "file": "chapters/01.md", "line": 7, "text": "原文一段。"},
    "_Src00002": {"anchor": "_Src00002", "file": "chapters/01.md", "line": 30,
                  "text": "注释内容。"}})


def document(body: str) -> bytes:
    return f"<w:document {W_XMLNS}><w:body>{body}</w:body></w:document>".encode()


def anchored(name: str, inner: str) -> str:
    return (f'<w:p><w:bookmarkStart w:id="{name[-1]}" w:name="{name}"/>{inner}'
            f'<w:bookmarkEnd w:id="{name[-1]}"/></w:p>')


def test_a_paragraph_the_reviewer_added_sits_after_the_one_before(tmp_path):
    """No anchor and no built text to match: located after the last anchored paragraph."""
    path = docx_with(tmp_path / "added.docx", document(
        anchored("_Src00001", "<w:r><w:t>原文一段。</w:t></w:r>")
        + '<w:p><w:ins w:id="9" w:author="A" w:date="2020-12-01T10:00:00Z"><w:r><w:t>新段'
          "</w:t></w:r></w:ins></w:p>"))
    (record,) = records_from(read_returned(path), path.name, BUILT, UnitMap())
    assert (record.kind, record.text, record.chapter_file, record.line, record.located_by) == \
        ("insertion", "新段", "chapters/01.md", 7, "after")


def test_a_paragraph_without_its_anchor_is_matched_by_text(tmp_path):
    path = docx_with(tmp_path / "retyped.docx", document(
        '<w:p><w:r><w:t>原文</w:t></w:r><w:del w:id="3" w:author="A"><w:r><w:delText>一段'
        "</w:delText></w:r></w:del><w:r><w:t>。</w:t></w:r></w:p>"))
    (record,) = records_from(read_returned(path), path.name, BUILT, UnitMap())
    assert (record.kind, record.text, record.line, record.located_by) == \
        ("deletion", "一段", 7, "text")


def test_a_comment_in_a_footnote_is_found_at_the_footnote_line(tmp_path):
    footnotes = (f'<w:footnotes {W_XMLNS}><w:footnote w:id="1">'
                 + anchored("_Src00002", '<w:commentRangeStart w:id="5"/><w:r><w:t>注释内容。'
                            '</w:t></w:r><w:commentRangeEnd w:id="5"/>'
                            '<w:r><w:commentReference w:id="5"/></w:r>')
                 + "</w:footnote></w:footnotes>").encode()
    comments = (f'<w:comments {W_XMLNS}><w:comment w:id="5" w:author="专家" '
                'w:date="0-00-00T00:00:00Z"><w:p><w:r><w:t>出处？</w:t></w:r></w:p></w:comment>'
                "</w:comments>").encode()
    path = docx_with(tmp_path / "footnote.docx",
                     document(anchored("_Src00001", "<w:r><w:t>原文一段。</w:t></w:r>")),
                     {"word/footnotes.xml": footnotes, "word/comments.xml": comments})
    (record,) = records_from(read_returned(path), "专家组意见.docx", BUILT, UnitMap())
    assert (record.text, record.date, record.anchor_text, record.line, record.unit) == \
        ("出处？", "", "注释内容。", 30, "专家组")


def test_untracked_edits_and_units_from_the_mapping(tmp_path):
    units = tmp_path / "units.yaml"
    units.write_text("审阅人:\n  lm: 市发展改革委\n文件名:\n  水利: 市水利局\n", "utf-8")
    mapping = UnitMap.load(units)
    path = docx_with(tmp_path / "x.docx", document(
        anchored("_Src00001", "<w:r><w:t>原文一段落。</w:t></w:r>")))
    (record,) = records_from(read_returned(path), "水利意见.docx", BUILT, mapping, "lm")
    assert (record.kind, record.text, record.unit) == ("untracked", "增加“落”", "市发展改革委")
    assert mapping.unit("someone", "市水利局反馈.docx") == "市水利局"


def test_a_unit_comes_from_the_mapping_then_the_file_name_then_the_user_name():
    from pipeline.review.units import unit_from_file_name
    mapping = UnitMap({"lm": "市发展改革委"}, {"水利": "市水利局"})
    assert mapping.unit("lm", "水利意见.docx") == "市发展改革委"
    assert mapping.unit("王五", "市水利局反馈.docx") == "市水利局"
    assert mapping.unit("王五", "规划（征求意见稿）-章贡区生态环境局意见.docx") == "章贡区生态环境局"
    assert mapping.unit("王五", "专家组意见.docx") == "专家组"
    # A file name that names no unit: the Word user name, not “comments” or “v2”.
    assert mapping.unit("王五", "pandoc__golden_comments.docx") == "王五"
    assert mapping.unit("王五", "意见[v2]汇总.docx") == "王五"
    assert unit_from_file_name("2020-12-01 李四") == ""
