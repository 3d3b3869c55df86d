"""Write the therapist report (HTML from app.reports.export) as a PDF with Qt — app/ cannot import Qt, so this lives here.

Uses Qt's own rich-text engine (QTextDocument + QPdfWriter): no browser process, works offscreen. It does not
understand inline SVG or flexbox, so each inline <svg> chart is rendered to an image with QSvgRenderer and put
in a table row of three, which keeps the one-page layout.

Qt is imported inside the functions, so the launcher can hand `write_pdf` to `app.cli.history.set_pdf_writer`
without loading Qt for commands that never make a PDF.
"""

from __future__ import annotations

import pathlib
import re

_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_CHARTS = re.compile(r"<div class='charts'>(.*?)</div></div>", re.S)


def _svg_to_image(svg: str, scale: float = 3.0):
    from PySide6.QtCore import QByteArray, QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    size = renderer.defaultSize()
    img = QImage(int(size.width() * scale), int(size.height() * scale), QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.white)
    p = QPainter(img)
    renderer.render(p, QRectF(0, 0, img.width(), img.height()))
    p.end()
    return img


def html_for_qt(html: str) -> tuple[str, dict]:
    """Replace each chart row by a table of images; return the HTML and the QImages by resource name."""
    images: dict = {}

    def svg_img(match) -> str:
        name = f"chart{len(images)}.png"
        img = _svg_to_image(match.group(0))
        images[name] = img
        return f"<img src='{name}' width='{img.width() / 3 * 0.92:.0f}'>"

    def row(match) -> str:
        cells = _SVG.findall(match.group(1))
        return "<table width='100%'><tr>" + "".join(
            f"<td valign='top'>{_SVG.sub(svg_img, c)}</td>" for c in cells) + "</tr></table>"

    html = _CHARTS.sub(row, html)
    html = _SVG.sub(svg_img, html)
    # Qt's rich text has no flexbox: turn the summary boxes into one table row.
    html = re.sub(r"<div class='summary'>(.*?)</div></div>",
                  lambda m: "<table width='100%' cellpadding='3'><tr>" + "".join(
                      f"<td align='center'>{c.replace('</b> ', '</b><br>')}</td>" for c in re.findall(r"<div>(.*?)</div>", m.group(0) + "")
                  ) + "</tr></table>", html, flags=re.S)
    return html, images


def write_pdf(html: str, path: str | pathlib.Path) -> pathlib.Path:
    """Render the report HTML to an A4 PDF at `path`. Works without a display (from the CLI, too)."""
    import os

    from PySide6.QtCore import QMarginsF, QRectF, QSizeF, QUrl
    from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument

    if QGuiApplication.instance() is None:
        # Called from the command line: no window is needed, so never depend on a display.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.qt_env import ensure_app

    ensure_app()
    path = pathlib.Path(path)
    qt_html, images = html_for_qt(html)
    doc = QTextDocument()
    for name, img in images.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), img)
    doc.setDefaultStyleSheet("body { font-family: Helvetica, Arial, sans-serif; font-size: 9pt; } "
                             "th { background: #f3f3f3; } h1 { font-size: 16pt; } h2 { font-size: 11pt; }")
    doc.setHtml(qt_html)
    writer = QPdfWriter(str(path))
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
    writer.setResolution(150)
    writer.setTitle("Medius Coach exercise report")
    writer.setCreator("Medius Coach")
    doc.setPageSize(QSizeF(writer.width(), writer.height()))
    doc.documentLayout()
    # Scale the document to the page width so the charts and table keep their proportions.
    painter = QPainter(writer)
    width_px = 780.0
    scale = writer.width() / width_px
    doc.setPageSize(QSizeF(width_px, writer.height() / scale))
    painter.scale(scale, scale)
    pages = max(1, doc.pageCount())
    for page in range(pages):
        if page:
            writer.newPage()
        painter.save()
        painter.translate(0, -page * doc.pageSize().height())
        doc.drawContents(painter, QRectF(0, page * doc.pageSize().height(), width_px, doc.pageSize().height()))
        painter.restore()
    painter.end()
    return path
