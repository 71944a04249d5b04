import { type CalendarDate, formatMoney } from '../../../kernel/index.ts';
import { documentLocale, type Language } from '../../documents/index.ts';
import { type MailAddress, type MailMessage, formatCalendarDate } from './invoice-email.ts';
import { mailBody } from './mail-layout.ts';

// The e-mails sent through the invoice-delivery queue that are not invoices: the payment receipt
// (PAY-4, to the account's single receipt address, ACC-3), the dunning reminder or notice (COL-2)
// and the failed autopay charge (PAY-6), both to the invoice recipients (primary in To, the others
// in Cc). Same language and formats as the invoice e-mail. Pure: the caller supplies every value.

export type NoticeKind = 'receipt' | 'dunning_notice' | 'autopay_failed';

/** What the queue stores in a notice delivery's payload (read from the event that announced it). */
export interface NoticePayload {
  amount: number;
  currency: string;
  invoiceNumbers?: string[];
  paymentId?: string | null;
  /** Receipt: the day the payment was received (account calendar). */
  receivedOn?: CalendarDate | null;
  /** Dunning: the schedule step (reminder, past_due, suspension_warning, …). */
  step?: string | null;
  daysPastDue?: number | null;
  dueDate?: CalendarDate | null;
  /** Autopay: the month charged, why the charge failed and when it may be retried (an instant). */
  month?: string | null;
  outcome?: string | null;
  retryAt?: string | null;
}

export interface NoticeEmailInput {
  kind: NoticeKind;
  payload: NoticePayload;
  legalName: string;
  billingEmail: string;
  accountNumber: string;
  companyName: string;
  locale: string;
  timeZone: string;
  /** Receipt: the one receipt address; notices: primary billing contact first. */
  recipients: MailAddress[];
}

interface Words {
  receiptSubject: (amount: string, legalName: string) => string;
  receiptBody: (amount: string) => string;
  reminderSubject: (numbers: string, legalName: string) => string;
  reminderBody: (numbers: string, amount: string, due: string) => string;
  pastDueSubject: (numbers: string, legalName: string) => string;
  pastDueBody: (numbers: string, amount: string, days: number) => string;
  autopaySubject: (amount: string, legalName: string) => string;
  autopayBody: (amount: string) => string;
  /**
   * Why the charge failed, by the outcome autopay records (the payment's status, or the code of
   * the error that stopped it); an unknown outcome says nothing more.
   */
  autopayReason: Partial<Record<string, string>>;
  /** What the customer can do now. */
  autopayNext: string;
  retryAfter: (at: string) => string;
  hello: (company: string) => string;
  amount: string;
  invoices: string;
  payment: string;
  date: string;
  dueDate: string;
  account: string;
  thanks: string;
  payNow: string;
  questions: (email: string) => string;
}

const WORDS: Record<Language, Words> = {
  en: {
    receiptSubject: (a, l) => `Payment receipt from ${l}: ${a}`,
    receiptBody: (a) => `We received your payment of ${a}. Thank you.`,
    reminderSubject: (n, l) => `Reminder: invoice ${n} from ${l} is due soon`,
    reminderBody: (n, a, d) => `Invoice ${n} (${a} open) is due on ${d}.`,
    pastDueSubject: (n, l) => `Past due: invoice ${n} from ${l}`,
    pastDueBody: (n, a, d) => `Invoice ${n} is ${d} days past due; ${a} remains open.`,
    autopaySubject: (a, l) => `Automatic payment failed: ${a} to ${l}`,
    autopayBody: (a) => `The automatic payment of ${a} from your default payment method was not accepted.`,
    autopayReason: {
      declined: 'Your bank or card issuer declined the charge.',
      failed: 'The payment processor could not complete the charge; nothing was taken.',
      no_payment_method: 'There is no default payment method on file.',
    },
    autopayNext:
      'Please update your default payment method or pay the balance yourself before it is past due.',
    retryAfter: (t) => `The payment can be tried again after ${t}.`,
    hello: (c) => `Hello ${c},`,
    amount: 'Amount',
    invoices: 'Invoices',
    payment: 'Payment',
    date: 'Date',
    dueDate: 'Due date',
    account: 'Account',
    thanks: 'Thank you for your business.',
    payNow: 'Please pay the open balance to avoid an interruption of service.',
    questions: (e) => `Questions? Reply to this e-mail or write to ${e}.`,
  },
  es: {
    receiptSubject: (a, l) => `Recibo de pago de ${l}: ${a}`,
    receiptBody: (a) => `Recibimos su pago de ${a}. Gracias.`,
    reminderSubject: (n, l) => `Recordatorio: la factura ${n} de ${l} vence pronto`,
    reminderBody: (n, a, d) => `La factura ${n} (${a} pendiente) vence el ${d}.`,
    pastDueSubject: (n, l) => `Vencida: factura ${n} de ${l}`,
    pastDueBody: (n, a, d) => `La factura ${n} tiene ${d} días de atraso; quedan ${a} pendientes.`,
    autopaySubject: (a, l) => `Falló el pago automático: ${a} a ${l}`,
    autopayBody: (a) => `El pago automático de ${a} con su método de pago predeterminado no fue aceptado.`,
    autopayReason: {
      declined: 'Su banco o el emisor de su tarjeta rechazó el cargo.',
      failed: 'El procesador de pagos no pudo completar el cargo; no se cobró nada.',
      no_payment_method: 'No hay un método de pago predeterminado registrado.',
    },
    autopayNext:
      'Actualice su método de pago predeterminado o pague el saldo usted mismo antes de que venza.',
    retryAfter: (t) => `Puede intentar el pago de nuevo después de ${t}.`,
    hello: (c) => `Hola, ${c}:`,
    amount: 'Importe',
    invoices: 'Facturas',
    payment: 'Pago',
    date: 'Fecha',
    dueDate: 'Fecha de vencimiento',
    account: 'Cuenta',
    thanks: 'Gracias por su preferencia.',
    payNow: 'Por favor, pague el saldo pendiente para evitar una interrupción del servicio.',
    questions: (e) => `¿Preguntas? Responda a este correo o escriba a ${e}.`,
  },
  pt: {
    receiptSubject: (a, l) => `Recibo de pagamento de ${l}: ${a}`,
    receiptBody: (a) => `Recebemos seu pagamento de ${a}. Obrigado.`,
    reminderSubject: (n, l) => `Lembrete: a fatura ${n} de ${l} vence em breve`,
    reminderBody: (n, a, d) => `A fatura ${n} (${a} em aberto) vence em ${d}.`,
    pastDueSubject: (n, l) => `Vencida: fatura ${n} de ${l}`,
    pastDueBody: (n, a, d) => `A fatura ${n} está ${d} dias vencida; ${a} em aberto.`,
    autopaySubject: (a, l) => `Falha no pagamento automático: ${a} para ${l}`,
    autopayBody: (a) => `O pagamento automático de ${a} com seu método de pagamento padrão não foi aceito.`,
    autopayReason: {
      declined: 'Seu banco ou o emissor do cartão recusou a cobrança.',
      failed: 'O processador de pagamentos não conseguiu concluir a cobrança; nada foi cobrado.',
      no_payment_method: 'Não há um método de pagamento padrão cadastrado.',
    },
    autopayNext: 'Atualize seu método de pagamento padrão ou pague o saldo você mesmo antes do vencimento.',
    retryAfter: (t) => `O pagamento pode ser tentado novamente após ${t}.`,
    hello: (c) => `Olá, ${c},`,
    amount: 'Valor',
    invoices: 'Faturas',
    payment: 'Pagamento',
    date: 'Data',
    dueDate: 'Vencimento',
    account: 'Conta',
    thanks: 'Obrigado pela preferência.',
    payNow: 'Por favor, pague o saldo em aberto para evitar a interrupção do serviço.',
    questions: (e) => `Dúvidas? Responda a este e-mail ou escreva para ${e}.`,
  },
};

const instantFormats = new Map<string, Intl.DateTimeFormat>();
function formatInstant(iso: string, locale: string, timeZone: string): string {
  const key = `${locale} ${timeZone}`;
  let f = instantFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(documentLocale(locale).formatLocale, {
      dateStyle: 'long',
      timeStyle: 'short',
      timeZone,
    });
    instantFormats.set(key, f);
  }
  return f.format(new Date(iso));
}

export function noticeEmail(input: NoticeEmailInput): Omit<MailMessage, 'attachments' | 'messageId'> {
  const [primary, ...others] = input.recipients;
  if (!primary) throw new Error(`${input.kind} for account ${input.accountNumber} has no recipient`);
  const p = input.payload;
  const w = WORDS[documentLocale(input.locale).language];
  const amount = formatMoney(p.amount, p.currency, documentLocale(input.locale).formatLocale);
  const numbers = (p.invoiceNumbers ?? []).join(', ');
  const date = (d: CalendarDate) => formatCalendarDate(d, input.locale);
  const rows: [string, string][] = [];
  let subject: string;
  const lines: string[] = [];
  if (input.kind === 'receipt') {
    subject = w.receiptSubject(amount, input.legalName);
    lines.push(w.receiptBody(amount));
    rows.push([w.amount, amount]);
    if (p.paymentId) rows.push([w.payment, p.paymentId]);
    if (p.receivedOn) rows.push([w.date, date(p.receivedOn)]);
    if (numbers) rows.push([w.invoices, numbers]);
  } else if (input.kind === 'dunning_notice') {
    const reminder = p.step === 'reminder' || (p.daysPastDue ?? 0) <= 0;
    subject = reminder
      ? w.reminderSubject(numbers, input.legalName)
      : w.pastDueSubject(numbers, input.legalName);
    lines.push(
      reminder
        ? w.reminderBody(numbers, amount, p.dueDate ? date(p.dueDate) : '')
        : w.pastDueBody(numbers, amount, p.daysPastDue ?? 0),
    );
    if (!reminder) lines.push(w.payNow);
    rows.push([w.invoices, numbers], [w.amount, amount]);
    if (p.dueDate) rows.push([w.dueDate, date(p.dueDate)]);
  } else {
    subject = w.autopaySubject(amount, input.legalName);
    lines.push(w.autopayBody(amount));
    const reason = p.outcome ? w.autopayReason[p.outcome] : undefined;
    if (reason) lines.push(reason);
    if (p.retryAt) lines.push(w.retryAfter(formatInstant(p.retryAt, input.locale, input.timeZone)));
    lines.push(w.autopayNext);
    rows.push([w.amount, amount]);
    if (p.paymentId) rows.push([w.payment, p.paymentId]);
    if (numbers) rows.push([w.invoices, numbers]);
  }
  rows.push([w.account, `${input.accountNumber} · ${input.companyName}`]);
  const closing = input.kind === 'receipt' ? w.thanks : w.questions(input.billingEmail);
  const { text, html } = mailBody({
    greeting: w.hello(input.companyName),
    intro: lines,
    rows,
    after: [],
    notes: [closing],
    signature: input.legalName,
  });
  return {
    from: { email: input.billingEmail, name: input.legalName },
    to: [primary],
    cc: others,
    subject,
    text,
    html,
    headers: { 'X-Tollbooth-Notice': input.kind },
  };
}
