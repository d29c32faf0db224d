import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newSchemaNameSchema } from '../../core/new-schema-name';
import { fittedName, scratchTableName } from '../../postgres/scratch-names';

describe('names restorepoint makes for copies keep every identifier PostgreSQL keeps, and never collide when cut', () => {
  it('a schema for copies may have any name of up to 63 bytes that PostgreSQL does not reserve', () => {
    const sixtyThree = 'Adjustments to Order.Lines made by the Warehouse Team: Q4 Ünï';
    for (const name of ['restored', 'Sales Copy', 'Then: Rebuilt', 'a"b', 'ünï', 'select', 'PG_upper', sixtyThree]) {
      assert.equal(newSchemaNameSchema.safeParse(name).success, true, name);
    }
    // 64 bytes in 62 characters: PostgreSQL would cut it silently, so the copy would land in another schema.
    for (const name of ['', `${sixtyThree}x`, 'x'.repeat(64), 'pg_copy', 'a\u0000b']) {
      assert.equal(newSchemaNameSchema.safeParse(name).success, false, JSON.stringify(name));
    }
  });

  it('a prefixed staging name too long for PostgreSQL is cut with a hash of the whole, so two long names stay two', () => {
    const q4 = 'rp_keys__Adjustments to Order.Lines made by the Warehouse Team: Q4 Ünï';
    const q3 = q4.replace('Q4', 'Q3');
    const [a, b] = [fittedName(q4), fittedName(q3)];
    assert.notEqual(a, b);
    for (const name of [a, b]) assert.ok(Buffer.byteLength(name) <= 63, name);
    assert.equal(fittedName('rp_keys__film'), 'rp_keys__film');
    assert.equal(scratchTableName({ schema: 'public', name: 't' }, [{ schema: 'public', name: 't' }, { schema: 'app', name: 't' }]), 'public.t');
  });
});
