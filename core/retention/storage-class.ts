import { z } from 'zod';

/**
 * GCS storage classes from warmest to coldest. Colder classes cost less to hold and more to
 * read, and carry a minimum storage duration, so tiering only ever moves objects colder.
 */
export const STORAGE_CLASSES = ['STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE'] as const;

export const storageClassSchema = z.enum(STORAGE_CLASSES);
export type StorageClass = z.infer<typeof storageClassSchema>;

/** True when `candidate` is strictly colder than `current`. */
export function isColder(candidate: StorageClass, current: StorageClass): boolean {
  return STORAGE_CLASSES.indexOf(candidate) > STORAGE_CLASSES.indexOf(current);
}
