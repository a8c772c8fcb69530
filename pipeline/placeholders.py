"""Private-use characters the render stage puts into Markdown for the stages after it: line
marks (removed again by render) and the placeholder a table directive leaves for the parse
stage; and the template comment, which Jinja reads through private delimiters of its own. A
chapter file may not hold them itself (render refuses it)."""
from __future__ import annotations

import re

LINE_MARK = "\ue000{}\ue001"
LINE_MARKS = re.compile("\ue000(\\d+)\ue001")
BLOCK_MARK = "\ue002{}\ue003"
BLOCK_PLACEHOLDER = re.compile("^\ue002(\\w+)\ue003$")
PRIVATE = re.compile("[\ue000-\ue005]")
# A template comment is `{#`, a space or `-`, …, `#}`: `{# check: ignore P101 #}`. `{#` before
# anything else is text, such as pandoc's `{#id}`: Jinja's own comment delimiters are private
# characters, which render puts in place of these.
TEMPLATE_COMMENT = re.compile(r"\{#(?=[\s-]).*?#\}", re.S)
COMMENT_START, COMMENT_END = "\ue004", "\ue005"
# Everything Jinja reads: expressions, statements and comments.
TEMPLATE_TAG = re.compile(rf"\{{\{{.*?\}}\}}|\{{%.*?%\}}|{TEMPLATE_COMMENT.pattern}", re.S)
