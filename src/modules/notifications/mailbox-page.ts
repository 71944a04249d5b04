import { escapeHtml as e } from './domain/mail-layout.ts';
import type { CaughtMessage } from './sink.ts';

// The embedded sink's mailbox as two plain HTML pages: the list and one message.

const STYLE = `
  :root { color-scheme: light; }
  body { margin: 0; font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d2330; background: #f4f5f7; }
  header { background: #1d2330; color: #fff; padding: 14px 28px; display: flex; align-items: baseline; gap: 16px; }
  header h1 { font-size: 17px; margin: 0; font-weight: 600; }
  header span { color: #aab2c0; font-size: 13px; }
  header a { color: #fff; }
  main { padding: 20px 28px; }
  table { width: 100%; border-collapse: collapse; background: #fff; border-radius: 6px; overflow: hidden; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
  th, td { text-align: left; padding: 9px 12px; border-bottom: 1px solid #eceef2; vertical-align: top; }
  th { background: #fafbfc; color: #5b6475; font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
  tr:last-child td { border-bottom: 0; }
  tbody tr:hover { background: #f7f9fc; }
  td.time { white-space: nowrap; color: #5b6475; font-variant-numeric: tabular-nums; }
  td a { color: #1b5fd1; text-decoration: none; }
  td a:hover { text-decoration: underline; }
  .muted { color: #7a8394; }
  .chip { display: inline-block; background: #eef1f6; border-radius: 10px; padding: 1px 8px; margin: 1px 4px 1px 0; font-size: 12px; white-space: nowrap; }
  .empty { background: #fff; border-radius: 6px; padding: 28px; text-align: center; color: #5b6475; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; background: #fff; padding: 16px 20px; border-radius: 6px; margin: 0 0 16px; }
  dt { color: #5b6475; }
  dd { margin: 0; }
  pre { background: #fff; padding: 16px 20px; border-radius: 6px; white-space: pre-wrap; font: 13px/1.5 ui-monospace, Menlo, Consolas, monospace; margin: 0 0 16px; }
  h2 { font-size: 14px; margin: 18px 0 8px; color: #5b6475; text-transform: uppercase; letter-spacing: .03em; }
  iframe { width: 100%; height: 520px; border: 0; background: #fff; border-radius: 6px; }
`;

const page = (title: string, subtitle: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title><style>${STYLE}</style></head>
<body><header><h1>${e(title)}</h1><span>${subtitle}</span></header><main>${body}</main></body></html>
`;

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const time = (iso: string) =>
  iso
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
    .replace(/Z$/, ' UTC');
const chips = (list: string[]) => list.map((x) => `<span class="chip">${e(x)}</span>`).join('');
const attachmentChips = (m: CaughtMessage) =>
  m.attachments.length
    ? m.attachments.map((a) => `<span class="chip">${e(a.filename)} · ${formatSize(a.size)}</span>`).join('')
    : '<span class="muted">—</span>';

export function mailboxPage(
  messages: readonly CaughtMessage[],
  info: { url: string; received: number },
): string {
  const subtitle = `${messages.length} kept of ${info.received} caught · embedded SMTP sink at ${e(info.url)} · nothing here left this machine`;
  if (messages.length === 0) {
    return page(
      'Mailbox',
      subtitle,
      '<div class="empty">No e-mail caught yet. Invoice e-mails appear here as they are sent.</div>',
    );
  }
  const rows = messages
    .map(
      (m) => `<tr>
<td class="time">${e(time(m.receivedAt))}</td>
<td>${chips(m.to)}</td>
<td>${m.cc.length ? chips(m.cc) : '<span class="muted">—</span>'}</td>
<td><a href="/dev/mailbox/${encodeURIComponent(m.id)}">${e(m.subject || '(no subject)')}</a></td>
<td>${attachmentChips(m)}</td>
</tr>`,
    )
    .join('\n');
  return page(
    'Mailbox',
    subtitle,
    `<table><thead><tr><th>Received</th><th>To</th><th>Cc</th><th>Subject</th><th>Attachments</th></tr></thead>
<tbody>${rows}</tbody></table>`,
  );
}

export function messagePage(m: CaughtMessage): string {
  const fields: [string, string][] = [
    ['Received', e(time(m.receivedAt))],
    ['From', e(m.from)],
    ['To', chips(m.to)],
    ['Cc', m.cc.length ? chips(m.cc) : '<span class="muted">—</span>'],
    ['Envelope', `${e(m.envelopeFrom ?? '')} → ${chips(m.envelopeTo)}`],
    ['Message-ID', e(m.messageId ?? '')],
    ['Size', formatSize(m.size)],
    ['Attachments', attachmentChips(m)],
  ];
  const html = m.html
    ? `<h2>HTML</h2><iframe sandbox="" srcdoc="${e(m.html)}" title="HTML body"></iframe>`
    : '';
  return page(
    m.subject || '(no subject)',
    '<a href="/dev/mailbox">← Mailbox</a>',
    `<dl>${fields.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
<h2>Text</h2><pre>${e(m.text)}</pre>${html}`,
  );
}
