/** RUN-11: "IN" + 11 digits, gapless per billing entity from the entity's base. */
export function formatInvoiceNumber(base: number, sequence: number): string {
  const n = base + sequence;
  const digits = String(n);
  if (digits.length > 11) throw new Error(`Invoice number range of base ${base} is exhausted.`);
  return `IN${digits.padStart(11, '0')}`;
}
