"""The 报送 round: every 科室/单位 and county bureau gets a 报送表 (template.py), sends it back, and
the returned workbooks are checked cell by cell and merged into the plan's data files
(returned.py reads one, merge.py writes the data files, collect.py runs a batch); the record of
who sent what (log.py) gives the 已报送 / 未报送 table (status.py)."""
