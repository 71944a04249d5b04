import Fastify from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { forbidden, unauthorized } from '../kernel/index.ts';
import type { Runtime } from '../runtime.ts';
import {
  authenticateApiKey,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  STAFF_ROLES,
} from '../modules/access/index.ts';
import { accountRoutes } from '../modules/accounts/index.ts';
import { catalogRoutes } from '../modules/catalog/index.ts';
import { inventoryRoutes } from '../modules/inventory/index.ts';
import { invoicingRoutes } from '../modules/invoicing/index.ts';
import { deliveryRoutes, invoiceDeliveryOf } from '../modules/notifications/index.ts';
import { taxRoutes } from '../modules/taxes/index.ts';
import { usageRoutes } from '../modules/usage/index.ts';
import { paymentRoutes } from '../modules/payments/index.ts';
import { collectionRoutes } from '../modules/collections/index.ts';
import { disputeRoutes } from '../modules/disputes/index.ts';
import { clockRoutes } from './clock.ts';
import { handleError } from './errors.ts';
import { claimIdempotencyKey, recordIdempotentResponse } from './idempotency.ts';
import { createMetrics } from './metrics.ts';
import { ErrorBody, IdParams, errorResponses } from './schemas.ts';
import type { App } from './types.ts';

export interface ServerOptions {
  logger?: boolean;
}

function apiKeyFrom(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  const x = headers['x-api-key'];
  return typeof x === 'string' ? x : undefined;
}

/** Composition root of the HTTP API: wiring only; every rule lives in a module. */
export async function buildServer(rt: Runtime, opts: ServerOptions = {}): Promise<App> {
  const app = Fastify({
    logger: opts.logger ?? false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const metrics = createMetrics(rt);

  app.addSchema(ErrorBody);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tollbooth API',
        version: '1',
        description:
          'Billing for cloud-communications providers. Money is in integer minor units (cents). ' +
          'Every POST accepts an Idempotency-Key header. Lists are cursor-paginated (limit, cursor → nextCursor). ' +
          'Errors are JSON {code, message, details}.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'Staff or integration API key' },
        },
      },
      security: [{ apiKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.decorateRequest('ctx', null as never);
  app.decorateRequest('apiKey', null);
  app.decorateRequest('idempotency', null);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send({ code: 'route_not_found', message: `No route ${req.method} ${req.url}.`, details: {} }),
  );

  app.addHook('onRequest', async (req) => {
    req.ctx = rt.ctx('anonymous');
    const path = req.url.split('?')[0]!;
    if (!path.startsWith('/v1/')) return;
    const key = apiKeyFrom(req.headers);
    if (!key) throw unauthorized('api_key_required', 'Send an API key as "Authorization: Bearer tb_…".');
    req.apiKey = await authenticateApiKey(req.ctx, key);
    req.ctx = rt.ctx(req.apiKey.id);
  });
  app.addHook('preHandler', async (req, reply) => {
    const access = req.routeOptions.config.access ?? 'read';
    const role = req.apiKey?.role;
    if (role === 'auditor' && access !== 'read' && access !== 'public') {
      throw forbidden('read_only_key', 'This API key belongs to an auditor and can only read.');
    }
    if (access === 'admin' && role && role !== 'admin') {
      throw forbidden('admin_only', 'Only an admin API key can do this.');
    }
    return claimIdempotencyKey(req, reply);
  });
  app.addHook('onSend', async (req, reply, payload) => recordIdempotentResponse(req, reply, payload));
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unknown';
    metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  app.get('/health', { schema: { hide: true } }, async () => {
    await rt.handle.db.selectFrom('instance_settings').select('key').limit(1).execute();
    return {
      status: 'ok',
      database: rt.handle.kind,
      clock: rt.clock.kind,
      now: rt.clock.now().toISOString(),
    };
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  accountRoutes(app);
  catalogRoutes(app);
  inventoryRoutes(app);
  invoicingRoutes(app);
  deliveryRoutes(app, () => invoiceDeliveryOf(rt));
  taxRoutes(app);
  usageRoutes(app);
  paymentRoutes(app);
  collectionRoutes(app);
  disputeRoutes(app);
  clockRoutes(app, rt);

  const KeySchema = Type.Object({
    id: Type.String(),
    name: Type.String(),
    role: Type.String(),
    prefix: Type.String(),
    createdAt: Type.String(),
    revokedAt: Type.Union([Type.String(), Type.Null()]),
  });
  app.post(
    '/v1/api-keys',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['Access'],
        summary: 'Create an API key; the key itself is shown only in this response',
        body: Type.Object({
          name: Type.String({ minLength: 1 }),
          role: Type.Union(STAFF_ROLES.map((r) => Type.Literal(r))),
        }),
        response: { 201: Type.Object({ key: Type.String(), apiKey: KeySchema }), ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await createApiKey(req.ctx, req.body)),
  );
  app.get(
    '/v1/api-keys',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['Access'],
        response: { 200: Type.Object({ data: Type.Array(KeySchema), nextCursor: Type.Null() }) },
      },
    },
    async (req) => ({ data: await listApiKeys(req.ctx), nextCursor: null }),
  );
  app.post(
    '/v1/api-keys/:id/revoke',
    { config: { access: 'admin' }, schema: { tags: ['Access'], params: IdParams } },
    async (req, reply) => {
      await revokeApiKey(req.ctx, req.params.id);
      return reply.status(204).send();
    },
  );

  return app;
}
