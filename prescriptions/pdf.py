"""The printed prescription for the patient (issue 4, item 5), built with ReportLab: the
number and a QR code of it, IPS, professional, patient, payer, ámbito, diagnoses, every
line with its dose, frequency, duration, total quantity and junta state.

ReportLab draws the QR code itself and embeds no system library; the standard Helvetica
fonts cover Spanish (WinAnsi), so nothing is downloaded or installed at run time.
"""

from io import BytesIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .enums import PrescriptionStatus
from .models import Prescription, TechnologyLine
from .models.patients import age_text
from .selectors.prescriptions import amount_text, posology, technology_label

QR_SIZE = 30 * mm
GRID = colors.HexColor("#adb5bd")
SHADE = colors.HexColor("#e9ecef")
ANNULLED_RED = colors.HexColor("#b02a37")


def _styles() -> dict:
    sheet = getSampleStyleSheet()
    base = ParagraphStyle("base", parent=sheet["Normal"], fontSize=8.5, leading=10.5)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9),
        "small_bold": ParagraphStyle(
            "small_bold", parent=base, fontName="Helvetica-Bold", fontSize=7.5, leading=9
        ),
        "small_italic": ParagraphStyle(
            "small_italic", parent=base, fontName="Helvetica-Oblique", fontSize=7.5, leading=9
        ),
        "label": ParagraphStyle("label", parent=base, fontSize=7, textColor=colors.grey),
        "title": ParagraphStyle("title", parent=sheet["Title"], fontSize=13, leading=16),
        "number": ParagraphStyle(
            "number", parent=base, fontName="Helvetica-Bold", fontSize=14, leading=18
        ),
        "section": ParagraphStyle(
            "section", parent=base, fontName="Helvetica-Bold", fontSize=9.5, spaceBefore=6
        ),
        "annulled": ParagraphStyle(
            "annulled",
            parent=base,
            fontName="Helvetica-Bold",
            textColor=ANNULLED_RED,
            borderColor=ANNULLED_RED,
            borderWidth=1,
            borderPadding=4,
        ),
    }


def _text(value) -> str:
    return escape("" if value is None else str(value))


def _line_details(line: TechnologyLine) -> list[str]:
    details = []
    if line.technology_type == "M":
        details.append(line.get_medicine_type_display() or "")
        if line.pharmaceutical_form_id:
            details.append(line.pharmaceutical_form.name)
        if line.route_id:
            details.append(_("vía %(route)s") % {"route": line.route.name.lower()})
        if line.special_indication:
            details.append(line.get_special_indication_display())
    elif line.technology_type == "N":
        if line.nutritional_form_id:
            details.append(line.nutritional_form.name)
        if line.nutritional_route:
            details.append(_("vía %(route)s") % {"route": line.get_nutritional_route_display()})
    code = next(
        (
            getattr(line, name)
            for name in ("procedure", "device_type", "complementary_service", "nutritional_type")
            if getattr(line, f"{name}_id")
        ),
        None,
    )
    if code is not None:
        details.insert(0, _("código %(code)s") % {"code": code.code})
    return [d for d in details if d]


def _key_values(rows: list[tuple[str, str]], styles, widths) -> Table:
    """A two-column block of «label: value» pairs."""
    cells = [
        [Paragraph(_text(label), styles["label"]), Paragraph(_text(value), styles["base"])]
        for label, value in rows
    ]
    table = Table(cells, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def qr_code(number: str) -> Drawing:
    """A QR code of `number`, QR_SIZE square (the printed prescription's top right)."""
    widget = QrCodeWidget(number)
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x2 - x1), 0, 0, QR_SIZE / (y2 - y1), 0, 0]
    )
    drawing.add(widget)
    return drawing


def _people(prescription: Prescription, styles, width) -> Table:
    entity, prescriber, patient = (
        prescription.entity,
        prescription.prescriber,
        prescription.patient,
    )
    payer = prescription.payer
    payer_text = payer.name
    if prescription.payer_code_id:
        payer_text += f" ({_('código EPS')} {prescription.payer_code.code})"
    half = (width - 4 * mm) / 2
    left = _key_values(
        [
            (_("IPS"), entity.name),
            (_("NIT"), entity.nit_display),
            (_("Código de habilitación"), prescription.habilitation_code),
            *_sede_rows(prescription),
            (_("Profesional"), prescriber.get_full_name()),
            (_("Documento"), f"{prescriber.document_type} {prescriber.document_number}"),
            (_("Registro profesional"), prescription.prescriber_registration),
        ],
        styles,
        [28 * mm, half - 28 * mm],
    )
    right = _key_values(
        [
            (_("Paciente"), patient.get_full_name()),
            (_("Documento"), patient.document),
            (
                _("Edad"),
                age_text(patient.birth_date, timezone.localdate(prescription.prescribed_at)),
            ),
            (_("Sexo"), patient.get_sex_display()),
            (_("Pagador"), payer_text),
            (_("Ámbito de atención"), prescription.get_care_setting_display()),
        ],
        styles,
        [28 * mm, half - 28 * mm],
    )
    table = Table([[left, right]], colWidths=[half + 4 * mm, half])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _diagnoses(prescription: Prescription, styles, width) -> Table:
    rows = []
    for label, entry in (
        (_("Principal"), prescription.diagnosis),
        (_("Relacionado 1"), prescription.related_diagnosis_1),
        (_("Relacionado 2"), prescription.related_diagnosis_2),
        (_("Enfermedad huérfana"), prescription.orphan_disease),
    ):
        if entry is not None:
            rows.append((label, f"{entry.code} – {entry.name}"))
    return _key_values(rows, styles, [32 * mm, width - 32 * mm])


def _lines(prescription: Prescription, styles, width) -> Table:
    header = [_("Tec."), _("Tecnología"), _("Posología"), _("Cantidad total"), _("Junta")]
    rows = [[Paragraph(_text(h), styles["small_bold"]) for h in header]]
    for line in prescription.lines.all():
        # A cell holds a list of paragraphs, one per printed line, each in its own style:
        # ReportLab's inline tags (bold, line break, italic) are not written by hand (STYLE R20).
        name = [Paragraph(_text(technology_label(line)), styles["small_bold"])]
        details = _line_details(line)
        if details:
            name.append(Paragraph(_text(" · ".join(details)), styles["small"]))
        if line.recommendations:
            name.append(
                Paragraph(
                    _text(_("Recomendaciones: %s") % line.recommendations), styles["small_italic"]
                )
            )
        unit = line.presentation_unit.name if line.presentation_unit_id else ""
        quantity = f"{amount_text(line.total_quantity)} {unit}".strip()
        rows.append(
            [
                Paragraph(_text(line.key), styles["small"]),
                name,
                [
                    Paragraph(_text(posology(line)), styles["small"]),
                    Paragraph(
                        _text(_("Prestación %s") % line.get_supply_type_display().lower()),
                        styles["small"],
                    ),
                ],
                Paragraph(_text(quantity), styles["small"]),
                Paragraph(_text(line.get_junta_status_display()), styles["small"]),
            ]
        )
    widths = [12 * mm, width - 12 * mm - 45 * mm - 25 * mm - 38 * mm, 45 * mm, 25 * mm, 38 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def prescription_pdf(prescription: Prescription) -> bytes:
    """The PDF of `prescription` (fetched with `selectors.prescriptions.prescription_get`,
    which prefetches what is printed)."""
    buffer = BytesIO()
    title = _("Prescripción %(number)s") % {"number": prescription.number}
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=15 * mm,
        title=title,
        author=settings.SITE_NAME,
        subject=_("Prescripción de tecnologías en salud no financiadas con la UPC"),
    )
    styles = _styles()
    width = document.width
    annulled = prescription.status == PrescriptionStatus.ANULADA
    moment = timezone.localtime(prescription.prescribed_at)
    heading = [
        Paragraph(
            _text(_("Prescripción de tecnologías en salud no financiadas con la UPC")),
            styles["base"],
        ),
        Paragraph(_text(prescription.number), styles["number"]),
        Paragraph(
            _text(
                _("Fecha: %(date)s · Estado: %(status)s")
                % {
                    "date": moment.strftime("%Y-%m-%d %H:%M"),
                    "status": prescription.get_status_display(),
                }
            ),
            styles["base"],
        ),
    ]
    if prescription.referral:
        heading.append(Paragraph(_text(_("Con remisión")), styles["base"]))
    top = Table([[heading, qr_code(prescription.number)]], colWidths=[width - QR_SIZE, QR_SIZE])
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [
        top,
        Spacer(1, 3 * mm),
        _people(prescription, styles, width),
        Paragraph(_text(_("Diagnósticos")), styles["section"]),
        _diagnoses(prescription, styles, width),
        Paragraph(_text(_("Tecnologías prescritas")), styles["section"]),
        _lines(prescription, styles, width),
        Spacer(1, 4 * mm),
        Paragraph(_text(_closing_note(prescription)), styles["small"]),
    ]
    if annulled:
        story[1:1] = [Spacer(1, 2 * mm), _annulment_notice(prescription, styles)]

    def footer(canvas, doc):
        if annulled:
            _watermark(canvas, doc)
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(
            doc.leftMargin,
            8 * mm,
            f"{prescription.number} · {_('Página %(page)s') % {'page': doc.page}}",
        )
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _sede_rows(prescription) -> list[tuple[str, str]]:
    """The sede where the patient was attended (DirSedeIPS, TelSedeIPS), when chosen."""
    sede = prescription.sede
    if sede is None:
        return []
    address = f"{sede.name}: {sede.address}" + (f" · {sede.phone}" if sede.phone else "")
    return [(_("Sede"), address)]


def _closing_note(prescription: Prescription) -> str:
    """What the patient does with the paper: present it, unless it was annulled."""
    if prescription.status == PrescriptionStatus.ANULADA:
        return _(
            "Esta prescripción fue anulada: no es válida para reclamar ninguna tecnología. "
            "Consulte a su profesional de la salud."
        )
    return _(
        "Presente este documento o el número de prescripción a su EPS o al proveedor. Las "
        "tecnologías que requieren junta de profesionales se entregan solo si la junta las "
        "aprueba."
    )


def _annulment_notice(prescription: Prescription, styles) -> Paragraph:
    moment = timezone.localtime(prescription.annulled_at) if prescription.annulled_at else None
    text = _("PRESCRIPCIÓN ANULADA el %(date)s. Motivo: %(reason)s") % {
        "date": moment.strftime("%Y-%m-%d %H:%M") if moment else "",
        "reason": prescription.annulment_reason,
    }
    return Paragraph(_text(text), styles["annulled"])


def _watermark(canvas, doc) -> None:
    """«ANULADA» across every page, large, red and translucent, under the content."""
    canvas.saveState()
    canvas.setFillColor(ANNULLED_RED)
    canvas.setFillAlpha(0.25)
    canvas.setFont("Helvetica-Bold", 96)
    width, height = doc.pagesize
    canvas.translate(width / 2, height / 2)
    canvas.rotate(45)
    canvas.drawCentredString(0, -32, _("ANULADA"))
    canvas.restoreState()
