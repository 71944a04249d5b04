import { buildServer } from '../../src/http/server.ts';
import { createApiKey } from '../../src/modules/access/index.ts';
import { demoDeckCsv } from '../../src/modules/usage/index.ts';
import { seedReferenceData } from '../../src/setup/reference-data.ts';
import type { App } from '../../src/http/types.ts';
import { type TestRuntime, testRuntime } from './runtime.ts';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

export interface TestApi {
  rt: TestRuntime;
  app: App;
  key: string;
  get<T = any>(path: string): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  put<T = any>(path: string, body?: unknown): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

/**
 * A Tollbooth instance for a scenario: fresh database with the reference entities and catalog,
 * an admin API key, and helpers that go through the HTTP layer (routing, auth, validation,
 * serialisation) exactly as a client's request does.
 */
export async function testApi(opts: { simulatedClock?: string } = {}): Promise<TestApi> {
  const rt = await testRuntime(opts);
  await seedReferenceData(rt.ctx('test'));
  const { key } = await createApiKey(rt.ctx('test'), { name: 'test admin', role: 'admin' });
  const app = await buildServer(rt);
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers = {}) => {
    const res = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}`, ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    const text = res.body;
    return {
      status: res.statusCode,
      body: text && res.headers['content-type']?.toString().includes('json') ? JSON.parse(text) : text,
      headers: res.headers,
    };
  };
  return {
    rt,
    app,
    key,
    get: (path) => call('GET', path),
    post: (path, body, headers) => call('POST', path, body ?? {}, headers),
    put: (path, body) => call('PUT', path, body ?? {}),
    close: async () => {
      await app.close();
      await rt.close();
    },
  };
}

/** Creates an account through the API with sensible defaults; returns its body. */
export async function createTestAccount(api: TestApi, over: Record<string, unknown> = {}) {
  const res = await api.post('/v1/accounts', {
    companyName: 'Acme Dental',
    entity: 'US',
    address: { line1: '100 Main St', city: 'Austin', state: 'TX', postalCode: '78701', country: 'US' },
    invoiceRecipients: [{ email: 'billing@acme.example', primary: true }],
    ...over,
  });
  if (res.status !== 201) throw new Error(`account creation failed: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The demo rate deck of a currency, put through the API (CSV). */
export async function putDemoDeck(api: TestApi, currency = 'USD') {
  const res = await api.app.inject({
    method: 'PUT',
    url: `/v1/rate-decks/${currency}`,
    headers: { authorization: `Bearer ${api.key}`, 'content-type': 'text/csv' },
    payload: demoDeckCsv(currency),
  });
  if (res.statusCode !== 200) throw new Error(`rate deck failed: ${res.body}`);
}

/** CAT-2 as data: 10 included minutes per billable device (pooled), 50 per low-usage device. */
export async function putTestCallingPlan(api: TestApi, currency = 'USD') {
  const res = await api.put(`/v1/calling-plans/${currency}`, {
    includedMinutesPerDevice: 10,
    overageRatePerMinute: '0.02',
    lowUsageMinutesPerDevice: 50,
    lowUsageRatePerMinute: '0.02',
    rounding: 'nearest-minute',
  });
  if (res.status !== 200) throw new Error(`calling plan failed: ${JSON.stringify(res.body)}`);
}

/** A CDR as `POST /v1/usage/calls` takes it: a call of `seconds` from `start` (UTC). */
export const apiCall = (
  callId: string,
  account: string,
  origin: string,
  destination: string,
  start: string,
  seconds: number,
  direction = 'outbound',
) => ({
  callId,
  account,
  origin,
  destination,
  startTime: start,
  endTime: new Date(Date.parse(start) + seconds * 1000).toISOString(),
  direction,
});

/** An inventory item holding one phone number (a local, toll-free… number), for signAndEquip. */
export const numberItem = (itemCode: string, number: string, addedOn: string) => ({
  itemCode,
  quantity: 1,
  addedOn,
  attributes: { number },
});

/** Signs a contract and adds services through the API. */
export async function signAndEquip(
  api: TestApi,
  accountId: string,
  contract: Record<string, unknown>,
  items: { itemCode: string; quantity: number; addedOn: string; attributes?: Record<string, unknown> }[],
) {
  const c = await api.post(`/v1/accounts/${accountId}/contracts`, contract);
  if (c.status !== 201) throw new Error(`contract failed: ${JSON.stringify(c.body)}`);
  if (items.length) {
    const i = await api.post(`/v1/accounts/${accountId}/inventory`, { items });
    if (i.status !== 201) throw new Error(`inventory failed: ${JSON.stringify(i.body)}`);
  }
  return c.body;
}

/** The account's monthly invoice for a month, with lines (through the API). */
/**
 * The billed call details of an account-month as JSON (USG-5), and what they cost in all, in
 * minor units (each call's total cost, two decimals, summed as the invoice's lines are).
 */
export async function callDetailsFor(api: TestApi, accountId: string, month: string) {
  const res = await api.get(`/v1/accounts/${accountId}/call-details?month=${month}&format=json`);
  if (res.status !== 200) throw new Error(`call details failed: ${JSON.stringify(res.body)}`);
  const calls: any[] = res.body.calls;
  const cents = calls.reduce((t: number, c: any) => t + Math.round(Number(c.totalCost) * 100), 0);
  return { calls, cents };
}

export async function invoiceFor(api: TestApi, accountId: string, month: string) {
  const list = await api.get(`/v1/invoices?account=${accountId}&month=${month}`);
  if (list.status !== 200) throw new Error(JSON.stringify(list.body));
  // A rental invoice (RUN-10) carries the month too; this is the service invoice.
  const monthly = list.body.data.filter((i: { kind: string }) => i.kind === 'monthly');
  // RUN-12: a month reissued has its voided invoice and the one in force; the latter is the one.
  const inForce = monthly.filter((i: { status: string }) => i.status !== 'void');
  const found = inForce.length > 0 ? inForce : monthly;
  if (found.length === 0) return null;
  if (found.length > 1) throw new Error(`more than one invoice for ${month}`);
  return (await api.get(`/v1/invoices/${found[0].id}`)).body;
}

export { testRuntime };
