import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { conflict, invalid } from '../kernel/index.ts';

/**
 * Idempotency-Key on POST: the first request's response is stored with the key; a retry with the
 * same key and body gets that response again (header Idempotent-Replayed: true) and does nothing;
 * the same key with another body is refused; a retry while the first is still running gets 409.
 * Server errors release the key so the client may retry.
 */
export async function claimIdempotencyKey(req: FastifyRequest, reply: FastifyReply) {
  const key = req.headers['idempotency-key'];
  if (req.method !== 'POST' || key === undefined) return;
  if (typeof key !== 'string' || key.length < 1 || key.length > 255) {
    throw invalid('invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 characters.');
  }
  const apiKeyId = req.apiKey?.id ?? 'anonymous';
  const requestHash = createHash('sha256')
    .update(`${req.method} ${req.url}\n${JSON.stringify(req.body ?? null)}`)
    .digest('hex');
  const db = req.ctx.db;
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({
      api_key_id: apiKeyId,
      key,
      method: req.method,
      path: req.url,
      request_hash: requestHash,
      created_at: req.ctx.clock.now(),
    })
    .onConflict((oc) => oc.columns(['api_key_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) {
    req.idempotency = { apiKeyId, key };
    return;
  }
  const previous = await db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('api_key_id', '=', apiKeyId)
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  if (previous.request_hash !== requestHash) {
    throw invalid(
      'idempotency_key_reused',
      `Idempotency-Key "${key}" was already used for a different request (${previous.method} ${previous.path}).`,
    );
  }
  if (previous.status_code === null) {
    throw conflict(
      'idempotency_in_progress',
      `A request with Idempotency-Key "${key}" is still being processed; retry shortly.`,
    );
  }
  reply.header('idempotent-replayed', 'true');
  reply.header('content-type', 'application/json; charset=utf-8');
  return reply.status(previous.status_code).send(JSON.stringify(previous.response));
}

export async function recordIdempotentResponse(req: FastifyRequest, reply: FastifyReply, payload: unknown) {
  if (!req.idempotency) return payload;
  const { apiKeyId, key } = req.idempotency;
  req.idempotency = null;
  const q = req.ctx.db
    .updateTable('idempotency_keys')
    .where('api_key_id', '=', apiKeyId)
    .where('key', '=', key);
  if (reply.statusCode >= 500) {
    await req.ctx.db
      .deleteFrom('idempotency_keys')
      .where('api_key_id', '=', apiKeyId)
      .where('key', '=', key)
      .execute();
  } else {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload ?? null);
    await q.set({ status_code: reply.statusCode, response: body }).execute();
  }
  return payload;
}
