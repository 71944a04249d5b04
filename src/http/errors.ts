import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorKind, isBillingError } from '../kernel/index.ts';

const STATUS: Record<ErrorKind, number> = {
  invalid: 422,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  unavailable: 503,
  internal: 500,
  payment_failed: 402,
};

/** The one place where error codes become HTTP statuses and JSON bodies. */
export function handleError(error: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  if (isBillingError(error)) {
    return reply
      .status(STATUS[error.kind])
      .send({ code: error.code, message: error.message, details: error.details });
  }
  const fe = error as FastifyError;
  if (fe.validation) {
    return reply.status(400).send({
      code: 'invalid_request',
      message: `The request is not valid: ${fe.message}.`,
      details: {
        errors: fe.validation.map((v) => ({
          path: v.instancePath || v.params?.missingProperty,
          message: v.message,
        })),
      },
    });
  }
  if (fe.statusCode && fe.statusCode < 500) {
    return reply
      .status(fe.statusCode)
      .send({ code: (fe.code ?? 'bad_request').toLowerCase(), message: fe.message, details: {} });
  }
  req.log.error({ err: error }, 'unhandled error');
  return reply
    .status(500)
    .send({ code: 'internal', message: 'Something went wrong on our side; it was logged.', details: {} });
}
