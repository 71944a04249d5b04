// A real-clock instance refuses to move time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestApi, testApi } from '../support/api.ts';

let api: TestApi;
before(async () => (api = await testApi()));
after(() => api.close());

test('clock advance on a real clock → 409 real_clock with how to start a simulated one', async () => {
  const r = await api.post('/v1/clock/advance', { to: '2099-01-01' });
  assert.equal(r.status, 409);
  assert.equal(r.body.code, 'real_clock');
  assert.match(r.body.message, /--simulated-clock/);
  assert.equal((await api.get('/v1/clock')).body.kind, 'real');
});
