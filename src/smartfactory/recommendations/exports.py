"""The recommender's official documents: the 推荐汇总表 (XLSX and PDF with a stamp block, columns
from the data file, rows in priority order) and the 推荐函 (DOCX)."""

from __future__ import annotations

import io

from django.utils import timezone

from smartfactory.documents.pdf import render_pdf
from smartfactory.documents.xlsx import write_table
from smartfactory.organisations.enums import Tier

from .services import columns_for, recommender_authority, table_rows


def _columns(batch):
    spec = columns_for(batch.quota.tier, batch.quota.campaign.year)
    return spec, [(c["value"], c["label"]) for c in spec["columns"]]


def summary_xlsx(batch) -> bytes:
    spec, columns = _columns(batch)
    quota = batch.quota
    return write_table(
        title=f"{quota.campaign.year}年度{spec['official_title']}（{quota.name}）", columns=columns,
        rows=table_rows(batch), sheet_name="推荐汇总表",
        notes=[f"推荐名额：{quota.quota}个（{quota.basis}）", "推荐单位（盖章）：＿＿＿＿＿＿　　　日期：＿＿＿＿年＿＿月＿＿日"],
    )


def summary_pdf(batch) -> bytes:
    spec, columns = _columns(batch)
    quota = batch.quota
    title = f"{quota.campaign.year}年度{spec['official_title']}"
    return render_pdf("recommendations/summary_pdf.html", {
        "title": title, "recommender": quota.name, "columns": columns, "rows": table_rows(batch), "quota": quota,
        "footer_text": f"{title} · {quota.name} · {timezone.localtime():%Y-%m-%d %H:%M}",
    })


def letter_docx(batch) -> bytes:
    """The recommender's 推荐函 to MIIT (central SOEs also to SASAC), applications in priority order."""
    quota = batch.quota
    authority = recommender_authority(quota)
    rows = table_rows(batch)
    label = Tier(quota.tier).label
    return _letter(
        title=f"关于推荐{quota.campaign.year}年度{label}智能工厂项目的函",
        addressee="工业和信息化部装备工业一司" + ("、国务院国资委科技创新局" if quota.recommender == "central_soe" else ""),
        body=f"根据《关于开展{quota.campaign.year}年度智能工厂梯度培育行动的通知》（{quota.campaign.notice_number}）要求，"
             f"经组织申报、审核，现推荐{len(rows)}个{label}智能工厂项目（推荐名额{quota.quota}个），"
             "按推荐优先顺序排列如下，请予审核。",
        rows=rows, signer=authority.name if authority else quota.name,
    )


def level_letter_docx(authority, campaign, tier: str) -> bytes:
    """An intermediate level's letter to the level above, listing what it approved and forwarded."""
    from .services import level_rows

    rows = level_rows(authority, campaign, tier)
    label = Tier(tier).label
    return _letter(
        title=f"关于报送{campaign.year}年度{label}智能工厂申报材料的函",
        addressee=f"{authority.parent.name if authority.parent_id else ''}",
        body=f"根据《关于开展{campaign.year}年度智能工厂梯度培育行动的通知》（{campaign.notice_number}）要求，"
             f"经审核，现报送本地区{len(rows)}个{label}智能工厂申报项目，排列如下，请予审核。",
        rows=rows, signer=authority.name,
    )


def _letter(*, title: str, addressee: str, body: str, rows: list[dict], signer: str) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold = True
    run.font.size = Pt(18)
    document.add_paragraph(f"{addressee}：")
    document.add_paragraph(body)
    for row in rows:
        document.add_paragraph(f"{row['priority']}. {row['enterprise_name']} — {row['project_name']}")
    document.add_paragraph("附件：推荐汇总表")
    document.add_paragraph("")
    document.add_paragraph(f"{signer}（盖章）")
    today = timezone.localdate()
    document.add_paragraph(f"{today.year}年{today.month}月{today.day}日")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def level_summary(authority, campaign, tier: str, fmt: str) -> bytes:
    """An intermediate level's own summary table of what it forwarded (its local paper copies)."""
    from .services import level_rows

    spec = columns_for(tier, campaign.year)
    columns = [(c["value"], c["label"]) for c in spec["columns"]]
    rows = level_rows(authority, campaign, tier)
    title = f"{campaign.year}年度{spec['official_title']}（{authority.name}报送）"
    if fmt == "xlsx":
        return write_table(title=title, columns=columns, rows=rows, sheet_name="推荐汇总表",
                           notes=["报送单位（盖章）：＿＿＿＿＿＿　　　日期：＿＿＿＿年＿＿月＿＿日"])
    return render_pdf("recommendations/summary_pdf.html", {
        "title": title, "recommender": authority.name, "columns": columns, "rows": rows, "quota": None,
        "footer_text": f"{title} · {timezone.localtime():%Y-%m-%d %H:%M}",
    })
