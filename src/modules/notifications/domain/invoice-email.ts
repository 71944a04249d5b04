import { type CalendarDate, formatMoney } from '../../../kernel/index.ts';
import { documentLocale, type Language } from '../../documents/index.ts';
import { mailBody } from './mail-layout.ts';

// The invoice e-mail (RUN-7, ACC-3): one message per invoice to all its recipients — the primary
// billing contact in To, the others in Cc — with the amount due and the due date, in the
// account's language. Pure: the caller supplies every value.

export interface MailAddress {
  email: string;
  name?: string | null;
}

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

/** An e-mail ready for any transport. */
export interface MailMessage {
  from: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  replyTo?: MailAddress;
  subject: string;
  text: string;
  html: string;
  /** Stable per delivery, so a receiving system can drop a copy sent twice after a crash. */
  messageId?: string;
  headers?: Record<string, string>;
  attachments: MailAttachment[];
}

export interface InvoiceEmailInput {
  invoiceNumber: string;
  kind: string;
  issueDate: CalendarDate;
  billingMonth: string | null;
  total: number;
  currency: string;
  dueDate: CalendarDate;
  poNumber: string | null;
  legalName: string;
  billingEmail: string;
  accountNumber: string;
  companyName: string;
  locale: string;
  /** Primary billing contact first (ACC-3). */
  recipients: MailAddress[];
  attachmentNames: string[];
}

interface Words {
  subject: (number: string, total: string, legalName: string) => string;
  hello: (company: string) => string;
  ready: (number: string, legalName: string) => string;
  number: string;
  date: string;
  month: string;
  amountDue: string;
  dueDate: string;
  account: string;
  po: string;
  payBy: (due: string) => string;
  attached: (names: string) => string;
  questions: (email: string) => string;
}

const WORDS: Record<Language, Words> = {
  en: {
    subject: (n, t, l) => `Invoice ${n} from ${l}: ${t}`,
    hello: (c) => `Hello ${c},`,
    ready: (n, l) => `Your invoice ${n} from ${l} is ready.`,
    number: 'Invoice number',
    date: 'Invoice date',
    month: 'Billing month',
    amountDue: 'Amount due',
    dueDate: 'Due date',
    account: 'Account',
    po: 'PO number',
    payBy: (d) => `Please pay by ${d}.`,
    attached: (n) => `Attached: ${n}.`,
    questions: (e) => `Questions about this invoice? Reply to this e-mail or write to ${e}.`,
  },
  es: {
    subject: (n, t, l) => `Factura ${n} de ${l}: ${t}`,
    hello: (c) => `Hola, ${c}:`,
    ready: (n, l) => `Su factura ${n} de ${l} está disponible.`,
    number: 'Número de factura',
    date: 'Fecha de factura',
    month: 'Mes de facturación',
    amountDue: 'Importe a pagar',
    dueDate: 'Fecha de vencimiento',
    account: 'Cuenta',
    po: 'Orden de compra',
    payBy: (d) => `Por favor, pague antes del ${d}.`,
    attached: (n) => `Adjunto: ${n}.`,
    questions: (e) => `¿Preguntas sobre esta factura? Responda a este correo o escriba a ${e}.`,
  },
  pt: {
    subject: (n, t, l) => `Fatura ${n} de ${l}: ${t}`,
    hello: (c) => `Olá, ${c},`,
    ready: (n, l) => `Sua fatura ${n} de ${l} está disponível.`,
    number: 'Número da fatura',
    date: 'Data da fatura',
    month: 'Mês de faturamento',
    amountDue: 'Valor a pagar',
    dueDate: 'Vencimento',
    account: 'Conta',
    po: 'Pedido de compra',
    payBy: (d) => `Por favor, pague até ${d}.`,
    attached: (n) => `Anexo: ${n}.`,
    questions: (e) => `Dúvidas sobre esta fatura? Responda a este e-mail ou escreva para ${e}.`,
  },
};

// The e-mail speaks the invoice document's language and formats: es-MX → Spanish as in Mexico;
// a language without wording (fr-CA) → English as written in that region (en-CA).
const languageOf = (locale: string) => documentLocale(locale).language;
const formatLocaleOf = (locale: string) => documentLocale(locale).formatLocale;

// Intl formatters are costly to build and the batch formats thousands of dates in a few locales.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(locale: string, kind: 'date' | 'month'): Intl.DateTimeFormat {
  const key = `${kind} ${locale}`;
  let f = dateFormats.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'date'
        ? { dateStyle: 'long', timeZone: 'UTC' }
        : { month: 'long', year: 'numeric', timeZone: 'UTC' };
    f = new Intl.DateTimeFormat(formatLocaleOf(locale), options);
    dateFormats.set(key, f);
  }
  return f;
}

/** A calendar date in words ("September 16, 2026"), read as a date and never shifted by a zone. */
export function formatCalendarDate(date: CalendarDate, locale: string): string {
  return dateFormat(locale, 'date').format(new Date(`${date}T00:00:00Z`));
}

function formatMonth(month: string, locale: string): string {
  return dateFormat(locale, 'month').format(new Date(`${month}-01T00:00:00Z`));
}

export function invoiceEmail(input: InvoiceEmailInput): Omit<MailMessage, 'attachments' | 'messageId'> {
  const [primary, ...others] = input.recipients;
  if (!primary) throw new Error(`invoice ${input.invoiceNumber} has no recipient`);
  const w = WORDS[languageOf(input.locale)];
  const fmtLocale = formatLocaleOf(input.locale);
  const total = formatMoney(input.total, input.currency, fmtLocale);
  const due = formatCalendarDate(input.dueDate, input.locale);
  const rows: [string, string][] = [
    [w.number, input.invoiceNumber],
    [w.date, formatCalendarDate(input.issueDate, input.locale)],
    ...(input.billingMonth
      ? [[w.month, formatMonth(input.billingMonth, input.locale)] as [string, string]]
      : []),
    [w.amountDue, total],
    [w.dueDate, due],
    [w.account, `${input.accountNumber} · ${input.companyName}`],
    ...(input.poNumber ? [[w.po, input.poNumber] as [string, string]] : []),
  ];
  const attached = input.attachmentNames.length ? w.attached(input.attachmentNames.join(', ')) : null;
  const { text, html } = mailBody({
    greeting: w.hello(input.companyName),
    intro: [w.ready(input.invoiceNumber, input.legalName)],
    rows,
    emphasize: w.amountDue,
    after: [w.payBy(due)],
    notes: [...(attached ? [attached] : []), w.questions(input.billingEmail)],
    signature: input.legalName,
  });
  return {
    from: { email: input.billingEmail, name: input.legalName },
    to: [primary],
    cc: others,
    subject: w.subject(input.invoiceNumber, total, input.legalName),
    text,
    html,
    headers: { 'X-Invoice-Number': input.invoiceNumber },
  };
}
