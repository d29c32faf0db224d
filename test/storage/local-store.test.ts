import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { LocalStore } from '../../storage/local-store';
import { describeObjectStoreContract } from './object-store-contract';

describeObjectStoreContract('local folder', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'restorepoint-store-'));
  return {
    store: new LocalStore(path.join(directory, 'not-yet-created')),
    reportsStorageClass: false,
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
});

describe('local folder: driver specifics', () => {
  let directory: string;
  let store: LocalStore;
  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'restorepoint-store-'));
    store = new LocalStore(directory);
  });
  after(() => rm(directory, { recursive: true, force: true }));

  it('has a file:// url and keeps each object as a plain file under it', async () => {
    assert.equal(store.url, pathToFileURL(directory).href);
    await store.putBytes('exports/2024/part-0001.bin', Buffer.from('inspectable'), { metadata: { k: 'v' } });
    assert.equal(await readFile(path.join(directory, 'exports', '2024', 'part-0001.bin'), 'utf8'), 'inspectable');
  });

  it('leaves no temp file behind when a write is destroyed', async () => {
    const writable = store.openWrite('scratch/abandoned');
    writable.write(Buffer.alloc(1024));
    writable.destroy(new Error('cancelled'));
    await assert.rejects(finished(writable), /cancelled/);
    assert.deepEqual(await readdir(path.join(directory, 'scratch')), []);
  });

  it('hides metadata sidecars from list() but keeps them beside the object', async () => {
    await store.putBytes('sidecar/object', Buffer.from('x'), { metadata: { a: 'b' } });
    const onDisk = await readdir(path.join(directory, 'sidecar'));
    assert.deepEqual(onDisk.sort(), ['.~meta-object.json', 'object']);
    const listed: string[] = [];
    for await (const stat of store.list('sidecar/')) listed.push(stat.key);
    assert.deepEqual(listed, ['sidecar/object']);
  });

  it('treats a file written by other tools as an object without metadata', async () => {
    await store.putBytes('foreign/file', Buffer.from('abc'));
    await rm(path.join(directory, 'foreign', '.~meta-file.json'));
    const stat = await store.stat('foreign/file');
    assert.equal(stat?.size, 3);
    assert.deepEqual(stat?.metadata, {});
    assert.equal(stat?.md5Base64, undefined);
  });

  it('lists files that other tools left under names no key can reach as nothing', async () => {
    await store.putBytes('foreign-names/ok', Buffer.from('x'));
    await writeFile(path.join(directory, 'foreign-names', 'back\\slash'), 'y');
    const listed: string[] = [];
    for await (const stat of store.list('foreign-names/')) listed.push(stat.key);
    assert.deepEqual(listed, ['foreign-names/ok']);
  });

  it('refuses a key that needs a folder where an object is, and the reverse', async () => {
    await store.putBytes('clash', Buffer.from('file'));
    await assert.rejects(store.putBytes('clash/inner', Buffer.from('x')), { code: 'INPUT_INVALID' });
    assert.equal(await store.stat('clash/inner'), undefined);
    await store.putBytes('folder/inner', Buffer.from('x'));
    await assert.rejects(store.putBytes('folder', Buffer.from('file')), { code: 'INPUT_INVALID' });
    assert.equal(await store.stat('folder'), undefined);
    await assert.rejects(store.getBytes('folder'), { code: 'OBJECT_MISSING' });
    assert.deepEqual((await readdir(directory)).filter((name) => name.startsWith('.~')), ['.~meta-clash.json']);
  });
});
