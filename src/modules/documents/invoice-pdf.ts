import { documentFonts } from './fonts.ts';
import { type DocumentFormats, type DocumentLabels, documentFormats, utcMidnight } from './i18n.ts';
import { PAGE_SIZES, type PageGeometry, PdfCanvas, type TextStyle } from './pdf-canvas.ts';
import {
  type DocumentSummary,
  type InvoiceDocument,
  type InvoiceDocumentLine,
  type LineSection,
  documentSummary,
  isFeeOrTaxLine,
  lineSections,
} from './view.ts';

/**
 * The invoice as a PDF: header with the entity and the invoice number, the bill-to block and a
 * box with the dates, account and amount due, the lines in RUN-5 sections, the totals, how to pay
 * (cheque lockbox and courier address, ACH, bank transfer with CLABE, SWIFT and the SPEI
 * reference) and "Page i of n" on every page. Long invoices break between lines and repeat the
 * column headers. The same document always renders to the same bytes: the PDF's dates come from
 * the invoice, never the clock.
 */
export async function renderInvoicePdf(doc: InvoiceDocument): Promise<Buffer> {
  const summary = documentSummary(doc);
  const formats = documentFormats(doc.invoice.locale, doc.invoice.currency);
  const canvas = new PdfCanvas({
    page: PAGE_SIZES[paperSizeFor(doc.entity.country)],
    fonts: documentFonts(),
    info: {
      Title: doc.invoice.number,
      Author: doc.entity.legalName,
      Subject: `${titleOf(doc, formats.labels)} ${doc.invoice.number}${doc.invoice.voided ? ` (${formats.labels.voided})` : ''} · ${doc.account.companyName}`,
      CreationDate: utcMidnight(doc.invoice.issueDate),
    },
    lang: formats.locale,
  });
  new InvoiceLayout(canvas, doc, formats, summary).draw();
  return canvas.end();
}

/** Countries of the Americas that print on Letter; everyone else uses A4. */
const LETTER_COUNTRIES = new Set(['US', 'CA', 'MX', 'PH', 'CL', 'CO', 'VE', 'GT', 'CR', 'PR']);

export function paperSizeFor(country: string): PageGeometry['size'] {
  return LETTER_COUNTRIES.has(country.toUpperCase()) ? 'LETTER' : 'A4';
}

const titleOf = (doc: InvoiceDocument, labels: DocumentLabels) =>
  doc.invoice.kind === 'credit_note' ? labels.creditNoteTitle : labels.invoiceTitle;

// ---- look -------------------------------------------------------------------------------------

const INK = '#1c2633';
const MUTED = '#5d6876';
const ACCENT = '#0b4f8a';
const RULE = '#d3dae3';
const BAND = '#eef2f7';
const HEADER_FILL = '#1f3a5a';
const WHITE = '#ffffff';
const VOID_RED = '#b42318';

const MARGIN_X = 48;
const TOP = 42;
/** Content stops here above the page bottom; the footer lives below it. */
const BOTTOM_RESERVE = 58;

const S = {
  legalName: { size: 13, bold: true, color: INK },
  small: { size: 8.5, color: MUTED },
  smallAccent: { size: 8.5, color: ACCENT },
  title: { size: 22, bold: true, color: ACCENT, spacing: 0.5 },
  number: { size: 11, bold: true, color: INK },
  caption: { size: 7, bold: true, color: MUTED, spacing: 0.6 },
  company: { size: 10.5, bold: true, color: INK },
  body: { size: 9, color: INK },
  bodyBold: { size: 9, bold: true, color: INK },
  boxLabel: { size: 8.5, color: MUTED },
  boxValue: { size: 8.5, bold: true, color: INK },
  dueLabel: { size: 8.5, bold: true, color: WHITE, spacing: 0.4 },
  dueValue: { size: 12, bold: true, color: WHITE },
  columnHead: { size: 7, bold: true, color: WHITE, spacing: 0.5 },
  section: { size: 8.5, bold: true, color: ACCENT },
  sectionAmount: { size: 8.5, bold: true, color: INK },
  line: { size: 8.5, color: INK },
  period: { size: 7.5, color: MUTED },
  totalLabel: { size: 9, color: INK },
  totalStrong: { size: 9.5, bold: true, color: INK },
  remitTitle: { size: 9, bold: true, color: INK },
  remitLabel: { size: 6.5, bold: true, color: MUTED, spacing: 0.5 },
  remitValue: { size: 8, color: INK },
  heading: { size: 11, bold: true, color: ACCENT },
  footer: { size: 7.5, color: MUTED },
  voided: { size: 11, bold: true, color: WHITE, spacing: 1 },
  voidedNote: { size: 8.5, color: WHITE },
} satisfies Record<string, TextStyle>;

const LINE_STEP = 11;
const ROW_PAD = 4;
const PERIOD_STEP = 9.5;
const TABLE_HEAD_HEIGHT = 18;
const SECTION_HEIGHT = 19;

interface RemittanceItem {
  label: string;
  lines: string[];
}
interface RemittanceColumn {
  title: string;
  items: RemittanceItem[];
}

class InvoiceLayout {
  private readonly L: DocumentLabels;
  private readonly left = MARGIN_X;
  private readonly right: number;
  private readonly bottom: number;
  private y = TOP;
  private readonly sectionPeriods = new Map<LineSection, string>();
  private readonly wrappedDescriptions = new Map<InvoiceDocumentLine, string[]>();
  // line-table columns: right edges of the numbers, the description's left edge and width
  private readonly amountRight: number;
  private readonly rateRight: number;
  private readonly qtyRight: number;
  private readonly descLeft: number;
  private readonly descWidth: number;

  constructor(
    private readonly c: PdfCanvas,
    private readonly d: InvoiceDocument,
    private readonly f: DocumentFormats,
    private readonly s: DocumentSummary,
  ) {
    this.L = f.labels;
    this.right = c.page.width - MARGIN_X;
    this.bottom = c.page.height - BOTTOM_RESERVE;
    this.amountRight = this.right - 6;
    this.rateRight = this.amountRight - 92;
    this.qtyRight = this.rateRight - 96;
    this.descLeft = this.left + 6;
    this.descWidth = this.qtyRight - 56 - this.descLeft;
  }

  draw(): void {
    this.header();
    this.parties();
    this.lineTable();
    this.totals();
    this.remittance();
    this.footers();
  }

  private get width(): number {
    return this.right - this.left;
  }

  /** Starts a new page unless `height` still fits; returns whether it did. */
  private ensure(height: number): boolean {
    if (this.y + height <= this.bottom) return false;
    this.c.addPage();
    this.continuationHeader();
    return true;
  }

  private upper(text: string): string {
    return text.toLocaleUpperCase(this.f.locale);
  }

  // ---- header ---------------------------------------------------------------------------------

  private header(): void {
    const { c, d, L } = this;
    const title = titleOf(d, L);
    const titleWidth = c.measure(title, S.title);
    c.text(title, this.right, TOP - 4, S.title, 'right');
    c.text(d.invoice.number, this.right, TOP + 24, S.number, 'right');
    const subtitle = this.subtitle();
    if (subtitle) c.text(subtitle, this.right, TOP + 39, S.small, 'right');
    const rightBottom = TOP + (subtitle ? 50 : 36);

    // The legal name wraps rather than run under the title.
    let y = TOP;
    for (const line of c.wrap(d.entity.legalName, this.width - titleWidth - 24, S.legalName)) {
      c.text(line, this.left, y, S.legalName);
      y += 16;
    }
    y += 2;
    for (const line of d.entity.addressLines) {
      c.text(line, this.left, y, S.small);
      y += LINE_STEP;
    }
    c.text(d.entity.billingEmail, this.left, y, S.smallAccent);
    y += LINE_STEP;

    const ruleY = Math.max(y, rightBottom) + 8;
    c.rule(this.left, this.right, ruleY, ACCENT, 1.5);
    this.y = ruleY + 18;
    if (d.invoice.voided) {
      // A voided document says so before anything else is read, and that nothing is to be paid.
      const bandY = ruleY + 10;
      c.rect(this.left, bandY, this.width, 24, VOID_RED, 3);
      c.text(L.voided, this.left + 10, bandY + 6, S.voided);
      c.text(L.voidedNote, this.left + 20 + c.measure(L.voided, S.voided), bandY + 8, S.voidedNote);
      this.y = bandY + 24 + 16;
    }
  }

  private subtitle(): string {
    const { d, L, f } = this;
    if (d.invoice.kind === 'monthly') {
      return d.invoice.billingMonth ? L.monthlySubtitle(f.month(d.invoice.billingMonth)) : '';
    }
    if (d.invoice.kind === 'credit_note') return '';
    // A rental invoice names the month it rents for (RUN-10), as the monthly one does.
    const kind = L.kindSubtitle[d.invoice.kind];
    return d.invoice.kind === 'rental' && d.invoice.billingMonth
      ? `${kind} · ${f.month(d.invoice.billingMonth)}`
      : kind;
  }

  private continuationHeader(): void {
    const { c, d, L } = this;
    c.text(d.entity.legalName, this.left, TOP, S.bodyBold);
    const right = `${titleOf(d, L)} ${d.invoice.number}${d.invoice.voided ? ` · ${L.voided}` : ''} · ${L.continued}`;
    c.text(right, this.right, TOP, S.body, 'right');
    c.rule(this.left, this.right, TOP + 16, ACCENT, 1);
    this.y = TOP + 30;
  }

  // ---- bill to and the details box ------------------------------------------------------------

  private parties(): void {
    const { c, d, L, f } = this;
    const top = this.y;
    const boxWidth = 240;
    const boxLeft = this.right - boxWidth;
    const billWidth = boxLeft - 28 - this.left;

    let y = top;
    c.text(this.upper(L.billTo), this.left, y, S.caption);
    y += 13;
    for (const line of c.wrap(d.account.companyName, billWidth, S.company)) {
      c.text(line, this.left, y, S.company);
      y += 14;
    }
    y += 1;
    for (const address of d.account.addressLines) {
      for (const line of c.wrap(address, billWidth, S.body)) {
        c.text(line, this.left, y, S.body);
        y += 12;
      }
    }
    const billBottom = y;

    const rows: [string, string][] = [[L.invoiceDate, f.date(d.invoice.issueDate)]];
    if (d.invoice.sentOn) rows.push([L.sentOn, f.date(d.invoice.sentOn)]);
    rows.push([L.dueDate, f.date(d.invoice.dueDate)]);
    rows.push([L.accountNumber, d.account.number]);
    rows.push([L.currency, d.invoice.currency]);
    if (d.account.poNumber) rows.push([L.poNumber, d.account.poNumber]);
    if (d.invoice.replaces) rows.push([L.replaces, d.invoice.replaces]);
    if (d.invoice.replacedBy) rows.push([L.replacedBy, d.invoice.replacedBy]);
    if (d.invoice.kind === 'monthly' && d.invoice.billingMonth) {
      rows.push([L.billingMonth, f.month(d.invoice.billingMonth)]);
    }
    const rowStep = 14;
    const bandHeight = 28;
    const boxHeight = 8 + rows.length * rowStep + 4 + bandHeight;
    c.rect(boxLeft, top - 4, boxWidth, boxHeight, BAND, 4);
    let ry = top + 4;
    for (const [label, value] of rows) {
      c.text(label, boxLeft + 10, ry, S.boxLabel);
      c.text(value, this.right - 10, ry, S.boxValue, 'right');
      ry += rowStep;
    }
    const bandTop = top - 4 + boxHeight - bandHeight;
    c.rect(boxLeft, bandTop, boxWidth, bandHeight, ACCENT, 4);
    c.rect(boxLeft, bandTop, boxWidth, bandHeight / 2, ACCENT); // square top: it joins the box
    c.text(L.amountDue, boxLeft + 10, bandTop + 10, S.dueLabel);
    c.text(f.money(this.s.amountDue), this.right - 10, bandTop + 8, S.dueValue, 'right');

    this.y = Math.max(billBottom, top - 4 + boxHeight) + 22;
  }

  // ---- lines ----------------------------------------------------------------------------------

  private lineTable(): void {
    const sections = lineSections(this.d.lines);
    if (sections.length === 0) return;
    this.ensure(TABLE_HEAD_HEIGHT + SECTION_HEIGHT + 30);
    this.tableHead();
    for (const section of sections) {
      const first = section.lines[0]!;
      // never leave a section heading alone at the foot of a page
      if (this.ensure(SECTION_HEIGHT + this.rowHeight(section, first))) this.tableHead();
      this.sectionHeading(section, false);
      for (const line of section.lines) {
        if (this.ensure(this.rowHeight(section, line))) {
          this.tableHead();
          this.sectionHeading(section, true);
        }
        this.lineRow(section, line);
      }
    }
    this.y += 10;
  }

  private tableHead(): void {
    const { c, L } = this;
    const y = this.y;
    c.rect(this.left, y, this.width, TABLE_HEAD_HEIGHT, HEADER_FILL, 2);
    const ty = y + 6;
    c.text(this.upper(L.description), this.descLeft, ty, S.columnHead);
    c.text(this.upper(L.quantity), this.qtyRight, ty, S.columnHead, 'right');
    c.text(this.upper(L.rate), this.rateRight, ty, S.columnHead, 'right');
    c.text(this.upper(L.amount), this.amountRight, ty, S.columnHead, 'right');
    this.y = y + TABLE_HEAD_HEIGHT + 2;
  }

  private sectionHeading(section: LineSection, continued: boolean): void {
    const { c } = this;
    const y = this.y;
    c.rect(this.left, y, this.width, SECTION_HEIGHT - 2, BAND);
    const title = this.L.groups[section.group] + (continued ? ` (${this.L.continued})` : '');
    c.text(title, this.descLeft, y + 5, S.section);
    const period = this.sectionPeriod(section);
    if (period) c.text(period, this.descLeft + c.measure(title, S.section) + 8, y + 6, S.period);
    c.text(this.f.money(section.amount), this.amountRight, y + 5, S.sectionAmount, 'right');
    this.y = y + SECTION_HEIGHT;
  }

  private descriptionLines(line: InvoiceDocumentLine): string[] {
    let lines = this.wrappedDescriptions.get(line);
    if (!lines) {
      lines = this.c.wrap(this.f.line(line.description, isFeeOrTaxLine(line)), this.descWidth, S.line);
      this.wrappedDescriptions.set(line, lines);
    }
    return lines;
  }

  /**
   * The service period every line of a section shares (the month in advance, last month's
   * calls), printed once on the heading instead of on each line; '' when the lines differ.
   */
  private sectionPeriod(section: LineSection): string {
    let period = this.sectionPeriods.get(section);
    if (period === undefined) {
      const first = section.lines[0]!;
      const shared =
        first.periodStart !== null &&
        first.periodEnd !== null &&
        section.lines.every(
          (l) =>
            l.periodStart === first.periodStart && l.periodEnd === first.periodEnd && l.prorateDays === null,
        );
      period = shared ? this.f.period(first.periodStart!, first.periodEnd!) : '';
      this.sectionPeriods.set(section, period);
    }
    return period;
  }

  private periodText(section: LineSection, line: InvoiceDocumentLine): string {
    if (!line.periodStart || !line.periodEnd || this.sectionPeriod(section)) return '';
    const period = this.f.period(line.periodStart, line.periodEnd);
    if (line.prorateDays === null || line.periodDays === null) return period;
    return `${period} ${this.L.proratedDays(line.prorateDays, line.periodDays)}`;
  }

  private rowHeight(section: LineSection, line: InvoiceDocumentLine): number {
    const period = this.periodText(section, line) ? PERIOD_STEP : 0;
    return ROW_PAD * 2 + this.descriptionLines(line).length * LINE_STEP + period;
  }

  private lineRow(section: LineSection, line: InvoiceDocumentLine): void {
    const { c, f, L } = this;
    const top = this.y;
    let y = top + ROW_PAD;
    const desc = this.descriptionLines(line);
    for (const text of desc) {
      c.text(text, this.descLeft, y, S.line);
      y += LINE_STEP;
    }
    const period = this.periodText(section, line);
    if (period) {
      c.text(period, this.descLeft, y - 0.5, S.period);
      y += PERIOD_STEP;
    }
    // Fee and tax lines carry their rate in the description ("USF 36.2%"): no quantity or price.
    const computed = section.group === 'fees' || section.group === 'taxes';
    const ny = top + ROW_PAD;
    if (!computed) {
      if (line.ratePerMinute != null) {
        c.text(`${f.minutes(line.quantity)} ${L.minutesUnit}`, this.qtyRight, ny, S.line, 'right');
        c.text(`${f.rate(line.ratePerMinute)}${L.perMinute}`, this.rateRight, ny, S.line, 'right');
      } else {
        c.text(f.quantity(line.quantity), this.qtyRight, ny, S.line, 'right');
        c.text(f.money(line.unitPrice), this.rateRight, ny, S.line, 'right');
      }
    }
    c.text(f.money(line.amount), this.amountRight, ny, S.line, 'right');
    this.y = y + ROW_PAD;
    c.rule(this.left, this.right, this.y - 0.25, RULE, 0.5);
  }

  // ---- totals ---------------------------------------------------------------------------------

  private totals(): void {
    const { c, d, f, L, s } = this;
    const sections = lineSections(d.lines);
    const has = (g: string) => sections.some((x) => x.group === g);
    const top: [string, number][] = [[L.subtotal, s.subtotal]];
    if (has('fees') || s.fees !== 0) top.push([L.regulatoryFees, s.fees]);
    if (has('taxes') || s.taxes !== 0) top.push([L.taxes, s.taxes]);
    // Without a balance carried over (or while no payments are recorded) the two rows would
    // only assert a zero nobody has checked: the amount due is then this invoice's total.
    const balance: [string, number][] =
      s.previousBalance === 0 && s.paymentsAndCredits === 0
        ? []
        : [
            [L.previousBalance, s.previousBalance],
            [L.paymentsAndCredits, -s.paymentsAndCredits],
          ];
    const step = 16;
    const bandHeight = 28;
    const height = (top.length + 1 + balance.length) * step + 17 + bandHeight;
    this.ensure(height);

    const blockLeft = this.right - 260;
    let y = this.y;
    for (const [label, amount] of top) {
      c.text(label, blockLeft, y, S.totalLabel);
      c.text(f.money(amount), this.amountRight, y, S.totalLabel, 'right');
      y += step;
    }
    c.rule(blockLeft, this.right, y - 2, INK, 0.75);
    y += 5;
    c.text(L.total, blockLeft, y, S.totalStrong);
    c.text(f.money(s.total), this.amountRight, y, S.totalStrong, 'right');
    y += step + 4;
    for (const [label, amount] of balance) {
      c.text(label, blockLeft, y, S.totalLabel);
      c.text(f.money(amount), this.amountRight, y, S.totalLabel, 'right');
      y += step;
    }
    y += 2;
    c.rect(blockLeft - 8, y, this.right - blockLeft + 8, bandHeight, ACCENT, 3);
    c.text(L.amountDue, blockLeft, y + 10, S.dueLabel);
    c.text(f.money(s.amountDue), this.amountRight, y + 8, S.dueValue, 'right');
    const blockBottom = y + bandHeight;

    // Beside the totals: when to pay and what to quote.
    const noteWidth = blockLeft - 36 - this.left;
    let ny = this.y;
    c.text(`${L.dueDate}: ${f.date(d.invoice.dueDate)}`, this.left, ny, S.bodyBold);
    ny += 15;
    for (const text of [L.quoteInvoiceNumber(d.invoice.number), L.questions(d.entity.billingEmail)]) {
      for (const line of c.wrap(text, noteWidth, S.small)) {
        c.text(line, this.left, ny, S.small);
        ny += LINE_STEP;
      }
      ny += 3;
    }
    this.y = Math.max(blockBottom, ny) + 26;
  }

  // ---- how to pay -----------------------------------------------------------------------------

  private remittanceColumns(): RemittanceColumn[] {
    const { d, L } = this;
    const r = d.entity.remittance;
    const columns: RemittanceColumn[] = [];
    if (r.cheque) {
      columns.push({
        title: L.byCheque,
        items: [
          { label: L.payableTo, lines: [r.cheque.payableTo] },
          { label: L.mailTo, lines: r.cheque.lockbox },
          { label: L.overnightCourier, lines: r.cheque.overnight },
        ],
      });
    }
    if (r.ach) {
      columns.push({
        title: L.byAch,
        items: [
          { label: L.bank, lines: [r.ach.bank] },
          { label: L.accountName, lines: [r.ach.accountName] },
          { label: L.bankAccountNumber, lines: [r.ach.accountNumber] },
          { label: L.routingNumber, lines: [r.ach.routingNumber] },
        ],
      });
    }
    if (r.bankTransfer) {
      const t = r.bankTransfer;
      const items: RemittanceItem[] = [
        { label: L.bank, lines: [t.bank] },
        { label: L.accountName, lines: [t.accountName] },
        { label: L.bankAccountNumber, lines: [t.accountNumber] },
      ];
      if (t.clabe) items.push({ label: L.clabe, lines: [t.clabe] });
      items.push({ label: L.swift, lines: [t.swift] });
      if (r.speiReferenceIsInvoiceNumber) items.push({ label: L.speiReference, lines: [d.invoice.number] });
      columns.push({ title: L.byBankTransfer, items });
    }
    return columns;
  }

  private remittance(): void {
    const { c, L } = this;
    const columns = this.remittanceColumns();
    if (columns.length === 0) return;
    const gap = 18;
    const colWidth = (this.width - gap * (columns.length - 1)) / columns.length;
    const wrapped = columns.map((col) => ({
      title: col.title,
      items: col.items.map((item) => ({
        label: this.upper(item.label),
        lines: item.lines.flatMap((line) => c.wrap(line, colWidth - 4, S.remitValue)),
      })),
    }));
    const colHeight = (col: (typeof wrapped)[number]) =>
      23 + col.items.reduce((h, item) => h + 10 + item.lines.length * 10 + 5, 0);
    const height = 26 + Math.max(...wrapped.map(colHeight));
    this.ensure(height);

    c.text(L.howToPay, this.left, this.y, S.heading);
    c.rule(this.left, this.right, this.y + 17, RULE, 0.75);
    const top = this.y + 26;
    wrapped.forEach((col, i) => {
      const x = this.left + i * (colWidth + gap);
      c.rect(x, top, colWidth, 2, ACCENT);
      let y = top + 7;
      c.text(col.title, x, y, S.remitTitle);
      y += 16;
      for (const item of col.items) {
        c.text(item.label, x, y, S.remitLabel);
        y += 10;
        for (const line of item.lines) {
          c.text(line, x, y, S.remitValue);
          y += 10;
        }
        y += 5;
      }
    });
    this.y = top + height - 26;
  }

  // ---- footers --------------------------------------------------------------------------------

  private footers(): void {
    const { c, d, L } = this;
    const y = c.page.height - 38;
    const full = `${d.entity.legalName} · ${titleOf(d, L)} ${d.invoice.number}`;
    const left = c.wrap(full, this.width - 90, S.footer)[0] ?? '';
    c.eachPage((index, count) => {
      c.rule(this.left, this.right, y - 7, RULE, 0.5);
      c.text(left, this.left, y, S.footer);
      c.text(L.page(index + 1, count), this.right, y, S.footer, 'right');
    });
  }
}
