import { Type } from '@sinclair/typebox';
import type { App } from './types.ts';
import { errorResponses } from './schemas.ts';
import type { Runtime } from '../runtime.ts';
import { parseInstant } from '../runtime.ts';
import { advanceClock } from '../scheduler.ts';

export function clockRoutes(app: App, rt: Runtime) {
  const tags = ['Clock'];
  app.get(
    '/v1/clock',
    {
      schema: {
        tags,
        summary: "The instance's time and whether it is simulated",
        response: { 200: Type.Object({ kind: Type.String(), now: Type.String() }) },
      },
    },
    async () => ({ kind: rt.clock.kind, now: rt.clock.now().toISOString() }),
  );
  app.post(
    '/v1/clock/advance',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Move a simulated clock forward, running every scheduled billing event on the way',
        body: Type.Object({ to: Type.String({ description: 'A date (2026-09-01) or an ISO instant' }) }),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            billRuns: Type.Array(
              Type.Object({
                at: Type.String(),
                month: Type.String(),
                timeZone: Type.String(),
                invoicesCreated: Type.Integer(),
              }),
            ),
            rentalRuns: Type.Array(
              Type.Object({
                at: Type.String(),
                month: Type.String(),
                timeZone: Type.String(),
                invoicesCreated: Type.Integer(),
              }),
              { description: "RUN-10: rental invoices issued on the entity's rental business day" },
            ),
            deliveries: Type.Object(
              {
                queued: Type.Integer(),
                attempted: Type.Integer(),
                sent: Type.Integer(),
                retrying: Type.Integer(),
                failed: Type.Integer(),
                bounced: Type.Integer(),
              },
              { description: 'Invoice e-mails queued and attempted while the clock moved (RUN-7)' },
            ),
            collections: Type.Optional(
              Type.Object(
                {
                  runs: Type.Integer(),
                  notices: Type.Integer(),
                  suspended: Type.Integer(),
                  reactivated: Type.Integer(),
                  deactivated: Type.Integer(),
                  autopayAttempted: Type.Integer(),
                  autopayFailed: Type.Integer(),
                },
                {
                  description:
                    'Daily collections checks run at each midnight (account time zones): autopay on the 10th (PAY-6), notices, suspensions (COL-2..4)',
                },
              ),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => advanceClock(rt, parseInstant(req.body.to, 'to'), req.ctx.actor),
  );
}
