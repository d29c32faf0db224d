import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { appendLedger, GENESIS_HASH, ledgerHash, listLedger, verifyLedger, type LedgerEntry } from '../../catalog/ledger';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';

let catalog: FreshCatalog;
before(async () => {
  catalog = await freshCatalog();
});
after(() => catalog.close());

test('an empty ledger verifies with no head', async () => {
  assert.deepEqual(await verifyLedger(catalog.db), { ok: true, entries: 0, head: null });
});

test('appended entries link into one chain that verifies across pages', async () => {
  const appended: LedgerEntry[] = [];
  for (let i = 0; i < 50; i++) {
    appended.push(await appendLedger(catalog.db, { actor: 'alice', action: 'export.requested', subject: `exp-${i}`, outcome: 'ok', details: { i } }));
  }
  assert.equal(appended[0]!.prevHash, GENESIS_HASH);
  appended.forEach((entry, i) => {
    assert.equal(entry.seq, i + 1);
    if (i > 0) assert.equal(entry.prevHash, appended[i - 1]!.hash);
    assert.ok(entry.at >= (appended[i - 1]?.at ?? ''), 'time never runs backwards along the chain');
  });
  // What append returned is exactly what the database gives back.
  assert.deepEqual(await listLedger(catalog.db, { limit: 1000 }), appended);
  const whole = { ok: true, entries: 50, head: { seq: 50, hash: appended[49]!.hash } };
  assert.deepEqual(await verifyLedger(catalog.db, { pageSize: 7 }), whole);
  assert.deepEqual(await verifyLedger(catalog.db, { pageSize: 10 }), whole, 'a last page that is exactly full');
});

test('details that jsonb reorders and renumbers still hash the same after the round trip', async () => {
  const entry = await appendLedger(catalog.db, {
    actor: 'Zoë 🙂',
    action: 'rollback.approved',
    subject: null,
    outcome: 'ok',
    details: {
      zeta: 1,
      a: { longer_key: true, b: null, '': 'empty key', é: 'accent', '😀': 'astral', B: 'upper' },
      numbers: [1e21, 1e-7, 0.1 + 0.2, -0, 2 ** 53 + 2, 5e-324, 1.7976931348623157e308, -12.5, 100],
      when: new Date('2026-01-02T03:04:05.678Z'),
      dropped: undefined,
    },
  });
  assert.equal(entry.details.when, '2026-01-02T03:04:05.678Z', 'a Date is stored as its JSON string');
  assert.equal('dropped' in entry.details, false);
  const [stored] = await listLedger(catalog.db, { afterSeq: entry.seq - 1, limit: 1 });
  assert.deepEqual(stored, entry);
  assert.equal(ledgerHash(stored!), entry.hash);
});

test('any JSON details survive storage with their hash intact (property)', async () => {
  // jsonb rejects \u0000 and unpaired surrogates outright (the append fails), so they are not round-trip cases.
  const storable = (value: unknown): boolean => {
    const text = JSON.stringify(value);
    return !text.includes('\\u0000') && !/\\ud[89a-f]/i.test(text);
  };
  await fc.assert(
    fc.asyncProperty(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })).filter(storable), async (details) => {
      const entry = await appendLedger(catalog.db, { actor: 'prop', action: 'test.roundtrip', outcome: 'ok', details });
      const [stored] = await listLedger(catalog.db, { afterSeq: entry.seq - 1, limit: 1 });
      assert.equal(ledgerHash(stored!), entry.hash);
    }),
    { numRuns: 100 },
  );
  const verification = await verifyLedger(catalog.db);
  assert.equal(verification.ok, true);
});
