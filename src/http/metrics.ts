import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Runtime } from '../runtime.ts';

/** Prometheus metrics: process defaults, HTTP traffic, and billing state read at scrape time. */
export function createMetrics(rt: Runtime) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tollbooth_' });
  const requests = new Counter({
    name: 'tollbooth_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'tollbooth_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'tollbooth_invoices',
    help: 'Invoices by status and currency',
    labelNames: ['status', 'currency'],
    registers: [registry],
    async collect() {
      const rows = await rt.handle.db
        .selectFrom('invoices')
        .select(['status', 'currency', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy(['status', 'currency'])
        .execute();
      this.reset();
      for (const r of rows) this.set({ status: r.status, currency: r.currency }, Number(r.n));
    },
  });
  new Gauge({
    name: 'tollbooth_clock_seconds',
    help: 'The instance clock (simulated or real) as Unix seconds',
    registers: [registry],
    collect() {
      this.set(Math.floor(rt.clock.now().getTime() / 1000));
    },
  });
  return { registry, requests, duration };
}
