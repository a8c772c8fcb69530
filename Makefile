# 规划文本编制流水线。`make help` 列出全部目标。
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup system draft review final all status check data verify comments adoption forms intake diff import test bench clean

help: ## 列出全部目标
	@echo "用法：make <目标>"
	@grep -hE '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "需要 Python 3.11（当前：$(PYTHON)）"; exit 1; }
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { [ "$$(id -u)" = 0 ] && \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv; } || \
	  { echo "缺少 python3-venv：请运行 sudo apt-get install python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $@

setup: $(STAMP) system ## 准备运行环境：虚拟环境、Python 依赖、LibreOffice 与字体（root 时经 apt 安装）

system: ## 检查并安装 LibreOffice、字体等系统组件（root 时经 apt 安装，否则提示安装命令）
	@scripts/install-system.sh

# 工作区（workspace.yaml）中生成、检查哪些规划，同时生成几份：make draft PLAN="章贡区 赣州市" JOBS=2
PLAN ?=
JOBS ?=
PLAN_ARGS = $(foreach p,$(PLAN),--plan $(p))
BUILD_ARGS = $(PLAN_ARGS) $(if $(JOBS),--jobs $(JOBS))

draft: setup ## 生成初稿：市级规划在 build/draft/，各县（市、区）在 build/<县（市、区）>/draft/；未改动的不重新生成（PLAN=、JOBS= 见 README）
	$(BIN)/plan build --version draft $(BUILD_ARGS)

review: setup ## 生成征求意见稿（带行号、无编者注）：build/review/
	$(BIN)/plan build --version review $(BUILD_ARGS)

final: setup ## 生成报批稿：有待办标记或起草规则错误（plan check）时拒绝生成
	$(BIN)/plan build --version final $(BUILD_ARGS)

all: setup ## 一次生成全部规划的初稿、征求意见稿、报批稿（PLAN=、JOBS= 同 draft）
	$(BIN)/plan build --version all $(BUILD_ARGS)

status: $(STAMP) ## 各章编写进度：责任科室、状态、字数、待办标记、所在版本
	$(BIN)/plan status

check: $(STAMP) ## 按起草规则检查章节（标点、引号、文号、日期、术语、标题、衔接）；工作区中检查全部规划（PLAN= 可选）；有错误时退出码为 1
	$(BIN)/plan check $(PLAN_ARGS)

data: $(STAMP) ## 检查 data/ 下的数据文件（列名、取值、重复的 id），列出样例数据行数
	$(BIN)/plan data

verify: $(STAMP) ## 实测最近一次生成的初稿 PDF 的版面（纸张、版心、行数、字数、页码、字体、目录页码）；工作区中实测全部规划的（PLAN= 可选）
	$(BIN)/plan verify --version draft $(PLAN_ARGS)

ROUND ?= 征求意见稿
RETURNED ?= reviews/returned

comments: $(STAMP) ## 收集 reviews/returned/ 中各单位返回的文件，合并进 reviews/<轮次>.yaml（ROUND=征求意见稿），生成意见汇总表；有文件被跳过时报错（plan 退出码 1，make 随之以 2 退出）
	@[ -d "$(RETURNED)" ] || { echo "请把各单位返回的 .docx/.doc/.wps 文件放在 $(RETURNED)/ 中"; exit 2; }
	@files=(); while IFS= read -r -d '' f; do files+=("$$f"); done < <(find "$(RETURNED)" -maxdepth 1 \
	  -type f \( -name '*.docx' -o -name '*.doc' -o -name '*.wps' \) ! -name '~$$*' -print0 | sort -z); \
	[ $${#files[@]} -gt 0 ] || { echo "$(RETURNED)/ 中没有 .docx/.doc/.wps 文件"; exit 2; }; \
	$(BIN)/plan comments collect --round "$(ROUND)" --format xlsx "$${files[@]}"

adoption: $(STAMP) ## 由 reviews/<轮次>.yaml 中的答复生成征求意见采纳情况表（Word 与 Excel）
	$(BIN)/plan comments report --round "$(ROUND)"

SUBMITTED ?= intake/returned

forms: $(STAMP) ## 为 plan.yaml 所列的每个报送单位生成报送表：build/intake/报送表/
	$(BIN)/plan intake template

intake: $(STAMP) ## 收回 intake/returned/ 中的报送表，检查并汇总进 data/，生成报送情况表（已报送 / 未报送）
	@[ -d "$(SUBMITTED)" ] || { echo "请把各单位返回的报送表（.xlsx/.xls/.et）放在 $(SUBMITTED)/ 中"; exit 2; }
	find "$(SUBMITTED)" -maxdepth 1 -type f \( -name '*.xlsx' -o -name '*.xls' -o -name '*.et' \) \
	  ! -name '~$$*' -print0 | sort -z | xargs -0 -r $(BIN)/plan intake collect; \
	  status=$$?; $(BIN)/plan intake status --format xlsx && $(BIN)/plan intake status; exit $$(( status != 0 ))

OLD ?= HEAD
NEW ?= .
VERSION ?= draft
diff: $(STAMP) ## 修订标记与修改对照表：make diff OLD=<提交/标签> [NEW=<提交/标签，默认当前文件>] [VERSION=draft]
	$(BIN)/plan diff $(OLD) $(NEW) --version $(VERSION)

FILE ?=
import: $(STAMP) ## 导入已有的 Word 文稿为章节：make import FILE=文稿.docx（也可为 .doc/.wps）[FORCE=1 覆盖已有章节，先备份]
	@[ -n "$(FILE)" ] || { echo "请指定要导入的文件：make import FILE=文稿.docx"; exit 2; }
	$(BIN)/plan import "$(FILE)" $(if $(FORCE),--force)

test: $(STAMP) system ## 运行全部测试
	$(BIN)/pytest -q

bench: $(STAMP) system ## 性能基准：约 170 面的规划与 pandoc 同场对比 docx；常驻与冷启动 LibreOffice 对比 PDF；工作区全量、无改动、改一章、1 个与 N 个进程
	$(BIN)/python tests/bench/bench_build.py

clean: ## 删除生成的文件（build/）
	rm -rf build
