import { RestorepointError } from '../../core/errors';

/** A size option such as `256MB`, `64kib` or `1.5GB` in bytes (units are powers of 1024). */
export function parseSize(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?$/i.exec(text.trim());
  if (!match) throw new RestorepointError('INPUT_INVALID', `${option} "${text}": expected a size such as 256MB`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('g') ? 1024 ** 3 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('k') ? 1024 : 1;
  return Math.round(Number(match[1]) * factor);
}
