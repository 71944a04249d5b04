import type { Selectable } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Ctx } from '../../context.ts';
import { invalid, newId, notFound } from '../../kernel/index.ts';
import { appendEvents } from '../../db/index.ts';
import { getAccount } from '../accounts/index.ts';
import {
  type CardInput,
  type ClabeInput,
  type UsBankInput,
  validateCard,
  validateClabe,
  validateUsBank,
} from './domain/methods.ts';
import { type MethodDetails, paymentProcessor } from './processor.ts';
import { lockPaymentAccount } from './repo.ts';
import { todayFor } from './ledger.ts';

/** PAY-2: what Tollbooth keeps of a payment method — the processor's token and what identifies it. */
export interface PaymentMethod {
  id: string;
  accountId: string;
  type: 'card' | 'us_bank' | 'clabe';
  brand: string | null;
  last4: string;
  expMonth: number | null;
  expYear: number | null;
  holderName: string | null;
  isDefault: boolean;
  createdAt: string;
}

export type AddPaymentMethodInput =
  | ({ type: 'card'; makeDefault?: boolean } & CardInput)
  | ({ type: 'us_bank'; makeDefault?: boolean } & UsBankInput)
  | ({ type: 'clabe'; makeDefault?: boolean } & ClabeInput);

type MethodRow = Selectable<Database['payment_methods']>;
const toMethod = (r: MethodRow, defaultId: string | null): PaymentMethod => ({
  id: r.id,
  accountId: r.account_id,
  type: r.type,
  brand: r.brand,
  last4: r.last4,
  expMonth: r.exp_month,
  expYear: r.exp_year,
  holderName: r.holder_name,
  isDefault: r.id === defaultId,
  createdAt: r.created_at.toISOString(),
});

/**
 * PAY-1..3: validates the details (card brand, Luhn and expiry; ABA routing checksum; CLABE check
 * digit), hands them to the processor and stores only its token, the brand, last 4 and expiry.
 * The first method of an account becomes its default.
 */
export async function addPaymentMethod(
  ctx: Ctx,
  accountId: string,
  input: AddPaymentMethodInput,
): Promise<PaymentMethod> {
  const account = await getAccount(ctx, accountId);
  let details: MethodDetails;
  if (input.type === 'card') {
    details = {
      type: 'card',
      card: validateCard(input, todayFor(ctx, account)),
      holderName: input.holderName,
    };
  } else if (input.type === 'us_bank') {
    if (account.currency !== 'USD') {
      throw invalid('method_not_for_currency', 'A US bank account can pay only USD accounts.');
    }
    details = { type: 'us_bank', ...validateUsBank(input) };
  } else if (input.type === 'clabe') {
    if (account.currency !== 'MXN') {
      throw invalid('method_not_for_currency', 'A CLABE can pay only MXN (Mexican) accounts.');
    }
    details = { type: 'clabe', ...validateClabe(input) };
  } else {
    throw invalid('invalid_method_type', 'type must be card, us_bank or clabe.');
  }
  const processor = paymentProcessor();
  const tok = await processor.tokenize(details, ctx.clock.now());
  const holderName = details.type === 'card' ? (details.holderName ?? null) : details.holderName;
  return ctx.db.transaction().execute(async (trx) => {
    const pa = await lockPaymentAccount(trx, account.id, ctx.clock.now());
    const id = newId('pm', ctx.clock.now());
    const row = await trx
      .insertInto('payment_methods')
      .values({
        id,
        account_id: account.id,
        type: details.type,
        processor: processor.name,
        token: tok.token,
        brand: tok.brand,
        last4: tok.last4,
        exp_month: tok.expMonth,
        exp_year: tok.expYear,
        holder_name: holderName,
        created_at: ctx.clock.now(),
        removed_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    let defaultId = pa.default_method_id;
    if (!defaultId || input.makeDefault) {
      defaultId = id;
      await trx
        .updateTable('payment_accounts')
        .set({ default_method_id: id, updated_at: ctx.clock.now() })
        .where('account_id', '=', account.id)
        .execute();
    }
    await appendEvents(trx, ctx.actor, ctx.clock.now(), [
      {
        type: 'payment_method.added',
        subjectId: id,
        accountId: account.id,
        payload: { type: row.type, brand: row.brand, last4: row.last4, isDefault: defaultId === id },
      },
    ]);
    return toMethod(row, defaultId);
  });
}

export async function listPaymentMethods(ctx: Ctx, accountId: string): Promise<PaymentMethod[]> {
  const account = await getAccount(ctx, accountId);
  const pa = await ctx.db
    .selectFrom('payment_accounts')
    .select('default_method_id')
    .where('account_id', '=', account.id)
    .executeTakeFirst();
  const rows = await ctx.db
    .selectFrom('payment_methods')
    .selectAll()
    .where('account_id', '=', account.id)
    .where('removed_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => toMethod(r, pa?.default_method_id ?? null));
}

async function activeMethod(ctx: Ctx, accountId: string, methodId: string): Promise<MethodRow> {
  const row = await ctx.db
    .selectFrom('payment_methods')
    .selectAll()
    .where('id', '=', methodId)
    .where('account_id', '=', accountId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw notFound('payment_method_not_found', `No payment method ${methodId} on this account.`);
  return row;
}

/** PAY-3: the default method (autopay charges it). */
export async function setDefaultPaymentMethod(ctx: Ctx, accountId: string, methodId: string) {
  const account = await getAccount(ctx, accountId);
  const row = await activeMethod(ctx, account.id, methodId);
  await ctx.db.transaction().execute(async (trx) => {
    await lockPaymentAccount(trx, account.id, ctx.clock.now());
    await trx
      .updateTable('payment_accounts')
      .set({ default_method_id: row.id, updated_at: ctx.clock.now() })
      .where('account_id', '=', account.id)
      .execute();
    await appendEvents(trx, ctx.actor, ctx.clock.now(), [
      { type: 'payment_method.default_set', subjectId: row.id, accountId: account.id, payload: {} },
    ]);
  });
  return toMethod(row, row.id);
}

/**
 * PAY-3: removes a method (the row stays, marked removed, for the payments that used it). The
 * default method cannot be removed while autopay is on: choose another default first.
 */
export async function removePaymentMethod(ctx: Ctx, accountId: string, methodId: string): Promise<void> {
  const account = await getAccount(ctx, accountId);
  const row = await activeMethod(ctx, account.id, methodId);
  await ctx.db.transaction().execute(async (trx) => {
    const pa = await lockPaymentAccount(trx, account.id, ctx.clock.now());
    const isDefault = pa.default_method_id === row.id;
    if (isDefault && pa.autopay) {
      throw invalid(
        'default_method_in_use',
        'This is the default method and autopay is on: choose another default method or turn autopay off first.',
      );
    }
    await trx
      .updateTable('payment_methods')
      .set({ removed_at: ctx.clock.now() })
      .where('id', '=', row.id)
      .execute();
    if (isDefault) {
      await trx
        .updateTable('payment_accounts')
        .set({ default_method_id: null, updated_at: ctx.clock.now() })
        .where('account_id', '=', account.id)
        .execute();
    }
    await appendEvents(trx, ctx.actor, ctx.clock.now(), [
      { type: 'payment_method.removed', subjectId: row.id, accountId: account.id, payload: {} },
    ]);
  });
}

/** PAY-6: autopay on or off; turning it on needs a default method. */
export async function setAutopay(ctx: Ctx, accountId: string, on: boolean) {
  const account = await getAccount(ctx, accountId);
  return ctx.db.transaction().execute(async (trx) => {
    const pa = await lockPaymentAccount(trx, account.id, ctx.clock.now());
    if (on && !pa.default_method_id) {
      throw invalid(
        'no_default_method',
        'Add a payment method (it becomes the default) before turning autopay on.',
      );
    }
    await trx
      .updateTable('payment_accounts')
      .set({ autopay: on, updated_at: ctx.clock.now() })
      .where('account_id', '=', account.id)
      .execute();
    await appendEvents(trx, ctx.actor, ctx.clock.now(), [
      {
        type: on ? 'autopay.enabled' : 'autopay.disabled',
        subjectId: account.id,
        accountId: account.id,
        payload: {},
      },
    ]);
    return { accountId: account.id, autopay: on, defaultMethodId: pa.default_method_id };
  });
}
