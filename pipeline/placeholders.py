"""Private-use characters the render stage puts into Markdown for the stages after it: line
marks (removed again by render) and the placeholder a table directive leaves for the parse
stage. A chapter file may not hold them itself (render refuses it)."""
from __future__ import annotations

import re

LINE_MARK = "\ue000{}\ue001"
LINE_MARKS = re.compile("\ue000(\\d+)\ue001")
BLOCK_MARK = "\ue002{}\ue003"
BLOCK_PLACEHOLDER = re.compile("^\ue002(\\w+)\ue003$")
PRIVATE = re.compile("[\ue000-\ue003]")
