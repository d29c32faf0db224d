import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { destinationSchema } from '../../core/export-input';
import { GcsStore } from '../../storage/gcs-store';
import { LocalStore } from '../../storage/local-store';
import { openStore, parseDestination } from '../../storage/open-store';

describe('parseDestination', () => {
  it('reads gs://bucket and gs://bucket/prefix, ignoring trailing slashes', () => {
    assert.deepEqual(parseDestination('gs://rp-backups'), { kind: 'gcs', bucket: 'rp-backups', prefix: '' });
    assert.deepEqual(parseDestination('gs://rp-backups/'), { kind: 'gcs', bucket: 'rp-backups', prefix: '' });
    assert.deepEqual(parseDestination('gs://rp-backups/team/app/'), { kind: 'gcs', bucket: 'rp-backups', prefix: 'team/app' });
  });

  it('reads file:///absolute/dir and file://localhost/dir', () => {
    assert.deepEqual(parseDestination('file:///var/backups/rp/'), { kind: 'local', directory: '/var/backups/rp' });
    assert.deepEqual(parseDestination('file://localhost/var/backups'), { kind: 'local', directory: '/var/backups' });
    assert.deepEqual(parseDestination('file:///'), { kind: 'local', directory: '/' });
    assert.deepEqual(parseDestination('file:///tmp/with%20space'), { kind: 'local', directory: '/tmp/with space' });
  });

  it('refuses anything else with INPUT_INVALID naming the accepted forms', () => {
    for (const destination of ['/var/backups', 'backups', 's3://bucket/x', 'gs://', 'gs://UPPER', 'gs://a', 'gs://bucket//x', 'gs://bucket/../x', 'file://relative/dir', 'file:///tmp?x=1', '']) {
      assert.throws(() => parseDestination(destination), { code: 'INPUT_INVALID' }, destination);
    }
    assert.throws(() => parseDestination('/var/backups'), /gs:\/\/bucket\/prefix or file:\/\/\/absolute\/dir/);
  });

  it('refuses a destination that would leave its folder or mean something else than it says (issue 18)', () => {
    const refusals: readonly [string, RegExp][] = [
      ['file:///var/backups/../elsewhere', /\. or \.\. segment/],
      ['file:///var/backups/%2e%2e/elsewhere', /\. or \.\. segment/],
      ['file:///var/backups/%2E%2e', /\. or \.\. segment/],
      ['file:///var/./backups', /\. or \.\. segment/],
      ['file:///var/backups/%2fetc', /means "\/"/],
      ['file:///var//backups', /empty segment/],
      ['file:///var/backups/%zz', /malformed %-escape/],
      ['file:///tmp?x=1', /\?query or #fragment/],
      ['file:///tmp#x', /\?query or #fragment/],
      ['gs://bucket/../x', /\. or \.\. segment/],
      ['gs://bucket/a/%2e%2e/x', /\. or \.\. segment/],
      ['gs://bucket/x?y=1', /\?query or #fragment/],
      ['gs://bucket/x#y', /\?query or #fragment/],
      ['gs://bucket/x\\y', /backslash/],
    ];
    for (const [destination, why] of refusals) {
      assert.throws(() => parseDestination(destination), (e: Error & { code?: string }) => e.code === 'INPUT_INVALID' && why.test(e.message), destination);
      const schema = destinationSchema.safeParse(destination);
      assert.equal(schema.success, false, destination);
      assert.match(schema.error!.issues[0]!.message, why, destination);
    }
  });
});

describe('openStore', () => {
  const gcs = { emulatorHost: 'http://127.0.0.1:1', projectId: 'restorepoint-test' };

  it('opens the driver the destination names, with its url normalised', () => {
    const remote = openStore('gs://rp-backups/team/', gcs);
    assert.ok(remote instanceof GcsStore);
    assert.equal(remote.url, 'gs://rp-backups/team');
    const local = openStore('file:///var/backups/rp/', gcs);
    assert.ok(local instanceof LocalStore);
    assert.equal(local.url, 'file:///var/backups/rp');
  });
});
