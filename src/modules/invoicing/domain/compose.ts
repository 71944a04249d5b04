import { sum } from '../../../kernel/index.ts';
import type { DraftLine } from './monthly-charges.ts';

/**
 * An invoice is composed in stages: charges (recurring now; usage from the rating module), then
 * amounts computed on the charges (regulatory fees), then taxes on the subtotal. Later modules
 * plug in a stage; each sees the lines before it.
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
