import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type CopyPiece, PiecesAhead } from './import.ts';

const calls = (n: number): CopyPiece => ({ calls: new Uint8Array(n) });
const sets = (n: number): CopyPiece => ({ sets: new Uint8Array(n), classes: [] });
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise(setImmediate);
};

/** Pieces made one by one, counted as they are made; `fail` after that many pieces. */
function maker(pieces: CopyPiece[], fail = Infinity) {
  const state = { made: 0, returned: false };
  const gen = (async function* () {
    try {
      for (const piece of pieces) {
        if (state.made === fail) throw new Error('the file could not be read');
        await new Promise(setImmediate);
        state.made++;
        yield piece;
      }
    } finally {
      state.returned = true;
    }
  })();
  return { gen, state };
}

test('pieces come out in the order made, then null, the maker working ahead up to the limit', async () => {
  const pieces = [calls(40), calls(40), sets(10), calls(40), calls(40), calls(40), sets(5)];
  const { gen, state } = maker(pieces);
  const ahead = new PiecesAhead(gen, 100);
  // Nobody takes: the maker goes on until more than 100 bytes wait, and no further.
  await turns(30);
  assert.equal(state.made, 4, 'made ahead while nothing was taken: 40 + 40 + 10, then 40 more');
  const got: CopyPiece[] = [];
  for (let p = await ahead.next(); p !== null; p = await ahead.next()) got.push(p);
  assert.deepEqual(got, pieces);
  assert.equal(await ahead.next(), null, 'null again after the last');
  await ahead.close();
  assert.ok(state.returned);
});

test("a maker's failure reaches the taker after the pieces made before it", async () => {
  const { gen } = maker([calls(1), calls(2), calls(3)], 2);
  const ahead = new PiecesAhead(gen, 1_000);
  assert.deepEqual(await ahead.next(), calls(1));
  assert.deepEqual(await ahead.next(), calls(2));
  await assert.rejects(ahead.next(), /could not be read/);
  await ahead.close();
});

test('closing stops the maker where it waits for room, and its generator is returned', async () => {
  const { gen, state } = maker(Array.from({ length: 50 }, () => calls(10)));
  const ahead = new PiecesAhead(gen, 25);
  await turns(20);
  assert.equal(state.made, 3);
  assert.deepEqual(await ahead.next(), calls(10));
  await turns(20);
  assert.equal(state.made, 4, 'one taken, one more made');
  await ahead.close();
  assert.ok(state.returned, 'the generator was returned (its file closed)');
  assert.equal(state.made, 4, 'nothing made after the close');
});
