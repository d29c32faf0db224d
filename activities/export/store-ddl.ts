import { pipeline } from 'node:stream/promises';
import { objectNames } from '../../core/object-names';
import type { Manifest } from '../../core/manifest';
import { dumpSchema, type DumpScope } from '../../postgres/schema-dump';
import type { ObjectCipher } from '../../crypto/object-cipher';
import type { ObjectStore } from '../../storage/object-store';
import { ChecksumStream } from '../../streams/checksum-stream';

/**
 * Stores pg_dump's pre-data and post-data DDL of the export's scope beside the data (encrypted
 * with a `cipher`; the checksums are of the stored bytes). `concurrent`: both pg_dumps at once,
 * two connections besides the leader's; each spends most of its time on its own catalog reads,
 * so two run in about the time of one. Else one after the other, one connection.
 */
export async function storeDdl(store: ObjectStore, url: string, exportId: string, scope: DumpScope, snapshotId: string, concurrent: boolean, cipher?: ObjectCipher): Promise<Manifest['ddl']> {
  const storeSection = async (section: 'pre-data' | 'post-data') => {
    const key = objectNames.ddl(exportId, section);
    const dump = dumpSchema(url, scope, section, snapshotId);
    const checksum = new ChecksumStream();
    const encrypt = cipher ? [cipher.encryptor(key)] : [];
    await Promise.all([pipeline([dump.stdout, ...encrypt, checksum, store.openWrite(key, { contentType: cipher ? 'application/octet-stream' : 'application/sql' })]), dump.done]);
    const { bytes, sha256 } = checksum.result();
    return { key, bytes, sha256 };
  };
  if (concurrent) {
    const [preData, postData] = await Promise.all([storeSection('pre-data'), storeSection('post-data')]);
    return { preData, postData };
  }
  return { preData: await storeSection('pre-data'), postData: await storeSection('post-data') };
}
