"""Review stage: reviewers' returned files read back into the plan.

reader.py     comments and tracked changes of a .docx, each with the `_Src` anchor at its start
collect.py    CommentRecord: located through build/<version>/manifest.json, with its unit
responses.py  reviews/<round>.yaml: drafters' 采纳情况 and 说明, merged on every collect
report.py     意见汇总表 and 征求意见采纳情况表 as .xlsx and official-format .docx
"""
