import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Ctx } from '../../context.ts';
import { invalid, newId, unauthorized } from '../../kernel/index.ts';
import { appendEvents } from '../../db/index.ts';

export type StaffRole = 'admin' | 'agent' | 'auditor' | 'integration';
export const STAFF_ROLES: StaffRole[] = ['admin', 'agent', 'auditor', 'integration'];

export interface ApiKey {
  id: string;
  name: string;
  role: StaffRole;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

/** Keys are 32 random bytes; only their SHA-256 is stored, so a database leak exposes no key. */
const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export async function createApiKey(
  ctx: Ctx,
  input: { name: string; role: StaffRole },
): Promise<{ key: string; apiKey: ApiKey }> {
  if (!STAFF_ROLES.includes(input.role))
    throw invalid('invalid_role', `role must be one of ${STAFF_ROLES.join(', ')}.`);
  if (!input.name?.trim()) throw invalid('name_required', 'Give the key a name that says who uses it.');
  const key = `tb_${randomBytes(24).toString('base64url')}`;
  const now = ctx.clock.now();
  const id = newId('key', now);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('api_keys')
      .values({
        id,
        name: input.name.trim(),
        role: input.role,
        prefix: key.slice(0, 7),
        key_hash: hashKey(key),
        created_at: now,
      })
      .execute();
    await appendEvents(trx, ctx.actor, now, [
      { type: 'api_key.created', subjectId: id, payload: { name: input.name, role: input.role } },
    ]);
  });
  return {
    key,
    apiKey: {
      id,
      name: input.name.trim(),
      role: input.role,
      prefix: key.slice(0, 7),
      createdAt: now.toISOString(),
      revokedAt: null,
    },
  };
}

export async function authenticateApiKey(ctx: Ctx, key: string): Promise<ApiKey> {
  const hash = hashKey(key);
  const row = await ctx.db.selectFrom('api_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst();
  if (!row || !timingSafeEqual(Buffer.from(row.key_hash), Buffer.from(hash)) || row.revoked_at) {
    throw unauthorized('invalid_api_key', 'The API key is unknown or revoked.');
  }
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdAt: row.created_at.toISOString(),
    revokedAt: null,
  };
}

export async function listApiKeys(ctx: Ctx): Promise<ApiKey[]> {
  const rows = await ctx.db.selectFrom('api_keys').selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    role: r.role,
    prefix: r.prefix,
    createdAt: r.created_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
  }));
}

export async function revokeApiKey(ctx: Ctx, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('api_keys').set({ revoked_at: ctx.clock.now() }).where('id', '=', id).execute();
    await appendEvents(trx, ctx.actor, ctx.clock.now(), [
      { type: 'api_key.revoked', subjectId: id, payload: {} },
    ]);
  });
}
