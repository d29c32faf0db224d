import { pipeline } from 'node:stream/promises';
import { objectNames } from '../../core/object-names';
import type { Manifest } from '../../core/manifest';
import { dumpSchema, type DumpScope } from '../../postgres/schema-dump';
import type { ObjectStore } from '../../storage/object-store';
import { ChecksumStream } from '../../streams/checksum-stream';

/** Stores pg_dump's pre-data and post-data DDL of the export's scope beside the data. */
export async function storeDdl(store: ObjectStore, url: string, exportId: string, scope: DumpScope, snapshotId: string): Promise<Manifest['ddl']> {
  const storeSection = async (section: 'pre-data' | 'post-data') => {
    const key = objectNames.ddl(exportId, section);
    const dump = dumpSchema(url, scope, section, snapshotId);
    const checksum = new ChecksumStream();
    await Promise.all([pipeline(dump.stdout, checksum, store.openWrite(key, { contentType: 'application/sql' })), dump.done]);
    const { bytes, sha256 } = checksum.result();
    return { key, bytes, sha256 };
  };
  return { preData: await storeSection('pre-data'), postData: await storeSection('post-data') };
}
