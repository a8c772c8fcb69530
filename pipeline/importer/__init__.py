"""`plan import`: bring an existing Word draft in as chapters the pipeline builds.

wordxml.py    what pandoc drops (alignment, fonts, borders, page breaks, automatic numbers),
              read from the XML; paragraph markers so pandoc's paragraphs match these cues;
              text boxes lifted out of their shapes
pandoc_ast.py pandoc's JSON AST → the pipeline's blocks; comments and tracked changes counted
text.py       indents, line breaks and stray spaces between Chinese characters
objects.py    captions, 专栏 (bordered, one-cell tables, text boxes), 编者注, typed lists, tables
              of contents
headings.py   headings from styles or typed numbering, levels and numbering scheme
chapters.py   one chapter per 章; title, period and organization from the cover
markdown.py   chapters as Markdown (merged cells as ^^ and ||, in the header too)
images.py     pictures into images/: decoded whole, GIF/BMP/TIFF converted, EMF/WMF drawn by
              LibreOffice
run.py        the whole import: safe-file checks, LibreOffice for .doc/.wps, files and backups
report.py     导入报告.txt
"""
from .run import REPORT_NAME, Imported, import_word

__all__ = ["REPORT_NAME", "Imported", "import_word"]
