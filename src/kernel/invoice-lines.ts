import type { CalendarDate } from './dates.ts';
import { sum } from './money.ts';

/**
 * The line every module contributes to an invoice (recurring charges, usage, regulatory fees,
 * taxes). It lives in the kernel because modules on every level of the dependency order produce
 * it; the invoicing module assembles and stores them.
 */
export interface DraftLine {
  lineType: string;
  description: string;
  itemCode: string | null;
  quantity: number;
  unitPrice: number;
  periodStart: CalendarDate | null;
  periodEnd: CalendarDate | null;
  prorateDays: number | null;
  periodDays: number | null;
  amount: number;
  /**
   * Usage lines only: the rate per minute in RATE_SCALE millionths of the currency, exact. The
   * quantity is then billed seconds, and unitPrice is that rate rounded to minor units (display).
   */
  ratePerMinute?: number | null;
}

/**
 * An invoice is composed in stages: charges (recurring, usage), then amounts computed on the
 * charges (regulatory fees), then taxes on the subtotal. Each stage sees the lines before it.
 */
export interface InvoiceStage<Input> {
  name: string;
  lines(input: Input, linesSoFar: readonly DraftLine[]): DraftLine[];
}

export interface ComposedInvoice {
  lines: DraftLine[];
  /** Sum of the charge lines (before fees and taxes). */
  subtotal: number;
  /** Sum of every line: an invoice total is always the sum of its lines. */
  total: number;
}

export function composeInvoice<Input>(
  input: Input,
  stages: readonly InvoiceStage<Input>[],
  isCharge: (l: DraftLine) => boolean = () => true,
): ComposedInvoice {
  const lines: DraftLine[] = [];
  for (const stage of stages) lines.push(...stage.lines(input, lines));
  return {
    lines,
    subtotal: sum(lines.filter(isCharge).map((l) => l.amount)),
    total: sum(lines.map((l) => l.amount)),
  };
}
