import { CAPTURE_TRIGGER, TRUNCATE_TRIGGER } from './install-sql';

const CAPTURE_DDL = new RegExp(`^(CREATE TRIGGER (${CAPTURE_TRIGGER}|${TRUNCATE_TRIGGER}) |ALTER TABLE .* TRIGGER (${CAPTURE_TRIGGER}|${TRUNCATE_TRIGGER});$)`);

/**
 * Whether a line of pg_dump's DDL installs or enables the trail's capture triggers. A dump of
 * a tracked schema holds them (they belong to the tables), but their functions live in the
 * `restorepoint_trail` schema of the source, so a restore target has none: restores leave
 * these lines out. pg_dump writes each such statement on one line.
 */
export function isTrailCaptureDdl(line: string): boolean {
  return CAPTURE_DDL.test(line);
}
