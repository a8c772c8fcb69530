"""Extension point for the rules that need the plan's data (data/*.yaml|csv|xlsx).

Two rules are declared in styles/rules.yaml with `pending: true` and have no implementation yet,
because the data stage (indicators, table() / box() helpers) is not part of the pipeline yet:

  D701  数据引用无法解析: a template expression such as {{ indicator("pm25").target }} or a table
        directive names an indicator, table or column the data does not have.
  D702  文中数值与数据不一致: a sentence states an indicator (e.g. 森林覆盖率稳定在76.23%) with a
        number different from the value in the data.

To wire them once the data stage lands:
  1. give `Context` the loaded data (e.g. a `data` field filled in runner.check_plan);
  2. write each rule here as `@plan_rule("D701")` / `@plan_rule("D702")` functions yielding `Hit`s;
     ChapterText.body keeps the template expressions (the view masks them), and TEMPLATE in text.py
     finds them with their offsets;
  3. remove `pending: true` from both entries in styles/rules.yaml and import this module in
     pipeline/check/__init__.py; tests/test_check.py's test_data_rules_are_pending then fails on
     purpose and should become tests of the two rules.
"""
from __future__ import annotations

PENDING = ("D701", "D702")
