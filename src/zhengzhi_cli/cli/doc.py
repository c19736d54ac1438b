"""zz doc: what an office's own 公文 template may contain."""

from __future__ import annotations

from typing import Annotated

import typer

from . import output

app = typer.Typer(no_args_is_help=True, help="公文：模板可用的占位符")


@app.command("vars")
def doc_vars(
    kind: Annotated[str, typer.Argument(help="文种：通报")],
    json_: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
):
    """列出某文种的模板占位符（在 .docx 模板中写作 {{名称}}）。示例：zz doc vars 通报"""
    from ..errors import Invalid

    if kind.strip() != "通报":
        raise Invalid(f"文种：“{kind}”暂无模板占位符；目前可用模板的文种：通报", field="kind")
    from ..documents.bulletin import VARIABLE_HELP

    if json_:
        output.emit_json([{"name": k, "placeholder": "{{" + k + "}}", "meaning": v} for k, v in VARIABLE_HELP.items()])
    else:
        output.table("通报模板占位符", ["占位符", "含义"], [("{{" + k + "}}", v) for k, v in VARIABLE_HELP.items()])
