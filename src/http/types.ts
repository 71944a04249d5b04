import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Ctx } from '../context.ts';
import type { ApiKey } from '../modules/access/index.ts';

export type App = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The use-case context for this request: database, clock and the acting API key. */
    ctx: Ctx;
    apiKey: ApiKey | null;
    idempotency: { apiKeyId: string; key: string } | null;
  }
  interface FastifyContextConfig {
    /** Who may call the route: "read" (any staff key), "write" (not auditors), "admin". */
    access?: 'public' | 'read' | 'write' | 'admin';
  }
}
