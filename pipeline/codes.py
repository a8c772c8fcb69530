"""Every code a stage of the pipeline can report, with what it means: one meaning per code.

The drafting rules of `plan check` register their own codes (check/registry.py, titles in
styles/rules.yaml); tests keep the two sets apart and every code used in pipeline/ registered.

Ranges: E0xx files and workspaces, E1xx plan.yaml, front matter, data files and templates,
E05x–E07x plan structure, E2xx Markdown, E3xx versions, E4xx layout profiles, E5xx check configuration and the Word writer,
E6xx LibreOffice, E7xx verify, E8xx version gates, E90x–E93x review, E91x diff, E95x–E97x intake,
E98x–E99x import."""
from __future__ import annotations


def registry(*entries: tuple[str, str]) -> dict[str, str]:
    codes: dict[str, str] = {}
    for code, title in entries:
        if code in codes:
            raise ValueError(f"code {code} registered twice")
        codes[code] = title
    return codes


CODES = registry(
    ("E000", "未分类的错误"),
    # files
    ("E001", "无法读取文件"),
    ("E002", "文件不是 UTF-8 编码"),
    ("E003", "找不到 plan.yaml"),
    ("E004", "plan.yaml 列出的章节文件不存在"),
    ("E005", "没有章节文件"),
    ("E006", "路径超出规划目录"),
    # plan structure
    ("E050", "章节属性缺少结束行"),
    ("E051", "章节文件未列入 plan.yaml"),
    ("E052", "空章节文件"),
    ("E053", "章节开头没有一级标题"),
    ("E054", "没有生成过的 PDF"),
    # plan.yaml and front matter
    ("E100", "章节属性中的版本未在 plan.yaml 中定义"),
    ("E101", "YAML 格式错误"),
    ("E102", "应为映射"),
    ("E103", "未知的键"),
    ("E104", "值的类型不对"),
    ("E105", "值不在可选范围内"),
    ("E106", "plan.yaml 缺少规划名称"),
    ("E107", "版本日期格式不对"),
    ("E108", "章节标识重复"),
    ("E109", "chapters 应为章节文件名的列表"),
    # data files
    ("E110", "缺少数据文件"),
    ("E111", "未知的数据文件"),
    ("E112", "同一数据有两个文件"),
    ("E113", "数据文件应为行的列表"),
    ("E114", "单元格应为单个值"),
    ("E115", "无法读取 Excel 文件"),
    ("E116", "Excel 单元格是日期或其他类型"),
    ("E117", "找不到表头行"),
    ("E118", "有值的列没有列名"),
    ("E119", "未知的列名"),
    ("E120", "缺少必填列"),
    ("E121", "取值只能是给定的标志"),
    ("E122", "id 格式不对"),
    ("E123", "取值不在可选范围内"),
    ("E124", "数值写法不对"),
    ("E125", "应为不带符号的数值"),
    ("E126", "累计数写法不对"),
    ("E127", "目标值与现状值无法比较"),
    ("E128", "应为确数"),
    ("E129", "缺少方向"),
    ("E130", "目标值与方向相矛盾"),
    ("E131", "项目只能属于一个县（市、区）"),
    ("E132", "数据行重复"),
    ("E140", "规划期限中找不到起止年份"),
    ("E141", "没有这个数据表"),
    # templates (render)
    ("E150", "数据中没有这一项"),
    ("E151", "须写明要引用的项"),
    ("E152", "没有这个 id"),
    ("E153", "空值不能写入正文"),
    ("E154", "私用区字符"),
    ("E155", "章节中不能引用其他模板或文件"),
    ("E156", "模板中不允许的操作"),
    ("E157", "模板语法错误"),
    ("E158", "未定义的名称"),
    ("E159", "模板计算出错"),
    ("E160", "只能写入数据的值"),
    ("E161", "没有这种写法"),
    # Markdown
    ("E201", "标题层级过深"),
    ("E202", "标题层级跳跃"),
    ("E203", "标题自带编号"),
    ("E204", "标题为空"),
    ("E210", "不支持的 Markdown 结构"),
    ("E211", "专栏缺少标题"),
    ("E212", "图片应单独成段"),
    ("E213", "未知的容器或缺少结束行"),
    ("E214", "脚注引用没有脚注内容"),
    ("E215", "图片不能引用网址"),
    ("E216", "找不到图片文件"),
    ("E217", "版本限定块的版本名不对"),
    ("E218", "表格指令应单独成段"),
    ("E219", "标题的井号后缺少空格"),
    ("E220", "不支持 HTML"),
    ("E221", "不支持删除线"),
    ("E222", "不支持任务列表"),
    ("E223", "引文中只能有段落和列表"),
    ("E224", "不支持代码块"),
    ("E225", "链接不是网址"),
    ("E226", "容器缺少结束行"),
    ("E227", "容器开头的冒号不足三个"),
    ("E228", "表题、图题或专栏标题自带编号"),
    ("E229", "段落意外成为标题"),
    ("E230", "表格行的单元格数与表头不符"),
    ("E231", "图片格式不受支持"),
    ("E232", "图片已损坏"),
    # versions
    ("E301", "plan.yaml 中没有这个版本"),
    # layout profiles
    ("E401", "找不到版式方案"),
    ("E402", "版式方案缺少必需的部分"),
    ("E403", "版式方案没有这个编号方案"),
    # check configuration and the Word writer
    ("E501", "找不到规则或术语文件"),
    ("E502", "规则文件应为映射"),
    ("E503", "规则条目有误"),
    ("E504", "规则文件缺少条目"),
    ("E505", "术语表条目有误"),
    ("E506", "同一字符有两种改法"),
    ("E507", "文件在检查后被改动"),
    ("E510", "图片格式不受支持"),
    # LibreOffice
    ("E601", "LibreOffice 不可用"),
    ("E602", "无法启动 LibreOffice"),
    ("E603", "要转换的文档不存在或不是 Word 文件"),
    ("E604", "LibreOffice 无法打开文档"),
    ("E605", "LibreOffice 转换失败"),
    ("E606", "转换超时"),
    ("E607", "LibreOffice 意外退出"),
    ("E608", "未能写出 PDF"),
    ("E609", "缺少 fontconfig"),
    # verify
    ("E701", "无法读取要检查的 PDF"),
    # version gates
    ("E801", "版本不能含有待办标记"),
    ("E802", "版本不能含有未答复的审阅意见"),
    ("E803", "版本不能含有起草规则错误"),
    # review
    ("E901", "外来文件无法安全读取"),
    ("E902", "无法读取生成记录"),
    ("E903", "单位对照表有误"),
    ("E904", "答复文件有误"),
    ("E905", "采纳情况取值不对"),
    ("E906", "找不到答复文件"),
    # diff
    ("E910", "找不到要比较的版本"),
    ("E911", "无法从 git 取出版本"),
    ("E912", "要比较的版本中没有 plan.yaml"),
    ("E913", "要比较的 Word 文件不存在"),
    ("E914", "不是本流水线生成的规划文本"),
    ("E915", "修改说明文件应为映射"),
    ("E916", "修改说明应为文本"),
    ("E917", "比较的 Word 文件已由其他软件保存"),
)


def title(code: str) -> str:
    return CODES[code]
