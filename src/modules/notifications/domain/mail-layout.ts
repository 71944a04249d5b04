/**
 * The one layout every Tollbooth e-mail shares, as plain text and HTML: a greeting, the opening
 * paragraphs, a table of facts, what to do, muted notes and the sender's name. The composers
 * decide the words; this decides how they look.
 */
export interface MailBody {
  greeting: string;
  intro: string[];
  rows: [string, string][];
  /** The label of the row to set large and bold (the amount due). */
  emphasize?: string | undefined;
  /** Paragraphs after the table (what to do). */
  after: string[];
  /** Muted paragraphs before the signature (attachments, where to ask). */
  notes: string[];
  signature: string;
}

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function mailBody(b: MailBody): { text: string; html: string } {
  const width = Math.max(...b.rows.map(([k]) => k.length));
  const text = [
    b.greeting,
    '',
    ...b.intro,
    '',
    ...b.rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    '',
    ...b.after,
    ...b.notes,
    '',
    b.signature,
    '',
  ].join('\n');
  const e = escapeHtml;
  const muted = 'color:#5b6475';
  const p = (s: string, style: string) => `<p style="${style}">${e(s)}</p>`;
  const html = `<!doctype html>
<html><body style="margin:0;padding:24px;background:#f4f5f7;font-family:Helvetica,Arial,sans-serif;color:#1d2330">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:28px 32px">
${p(b.greeting, 'margin:0 0 16px')}
${b.intro.map((l) => p(l, 'margin:0 0 12px')).join('\n')}
<table style="border-collapse:collapse;width:100%;margin:8px 0 20px">
${b.rows
  .map(
    ([k, v]) =>
      `<tr><td style="padding:6px 12px 6px 0;${muted}">${e(k)}</td><td style="padding:6px 0;text-align:right;${
        k === b.emphasize ? 'font-weight:bold;font-size:18px' : ''
      }">${e(v)}</td></tr>`,
  )
  .join('\n')}
</table>
${b.after.map((l) => p(l, 'margin:0 0 12px')).join('\n')}
${b.notes.map((l, i) => p(l, `margin:0 0 ${i === b.notes.length - 1 ? 20 : 12}px;${muted}`)).join('\n')}
${p(b.signature, `margin:0;${muted}`)}
</div></body></html>
`;
  return { text, html };
}
