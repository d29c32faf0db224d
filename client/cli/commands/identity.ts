import fs from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../../config/load';
import { issueLocalToken } from '../../../identity/local-issuer';
import { ANY_RESOURCE, ROLES, type Role } from '../../../identity/permissions';
import { clearLogin, defaultTokenSource, loginFile, saveLogin } from '../../../identity/token-store';
import { verifyToken } from '../../../identity/verify-token';
import { action, emit, UsageError } from '../output';

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `15m`, `1h`, `30s`, `7d` as seconds. */
function duration(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text);
  if (!match || Number(match[1]) < 1) throw new InvalidArgumentError(`"${text}" is not a duration such as 15m, 1h or 7d`);
  return Number(match[1]) * UNIT_SECONDS[match[2]!]!;
}

function roleList(text: string): Role[] {
  const roles = text.split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || unknown.length > 0) throw new InvalidArgumentError(`roles are ${ROLES.join(', ')}; not ${unknown.join(', ') || '(none)'}`);
  return roles as Role[];
}

/** Shows a verified token's subject, roles and expiry (never the token). */
async function describeToken(token: string | undefined) {
  const principal = await verifyToken(loadConfig().identity, token);
  return { subject: principal.subject, roles: principal.roles, tokenId: principal.tokenId, expiresAt: principal.expiresAt };
}

export function registerIdentityCommands(program: Command): void {
  const token = program.command('token').description('tokens of the local identity issuer (docs/security.md)');
  token
    .command('issue')
    .description('sign a short-lived token with the local issuer key (an admin on the machine holding $RESTOREPOINT_HOME/identity)')
    .requiredOption('--subject <who>', 'the person or service the token proves')
    .requiredOption('--roles <list>', `comma-separated: ${ROLES.join(', ')}`, roleList)
    .option('--source <name>', 'the source (or restore target) the roles hold on; default every one (*)', ANY_RESOURCE)
    .option('--ttl <duration>', 'lifetime, e.g. 15m, 1h', duration, 15 * 60)
    .option('--json', 'print JSON')
    .action(
      action(async (o: { subject: string; roles: Role[]; source: string; ttl: number; json?: boolean }) => {
        const issued = await issueLocalToken({ subject: o.subject, roles: { [o.source]: o.roles }, ttlSeconds: o.ttl });
        emit(o, { ok: true, token: issued.token, tokenId: issued.tokenId, expiresAt: issued.expiresAt.toISOString() }, () => issued.token);
      }),
    );

  program
    .command('login')
    .description("check a token against the configured issuer and keep it as this user's (RESTOREPOINT_TOKEN still wins)")
    .option('--token <jwt>', 'the token; default read from standard input')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { token?: string; json?: boolean }) => {
        const given = (o.token ?? fs.readFileSync(0, 'utf8')).trim();
        if (!given) throw new UsageError('no token given (--token, or pipe it in)');
        const who = await describeToken(given);
        saveLogin(given);
        emit(o, { ok: true, ...who, file: loginFile() }, () => `logged in as ${who.subject} until ${who.expiresAt}; roles ${JSON.stringify(who.roles)}`);
      }),
    );

  program
    .command('logout')
    .description('forget the token `login` kept')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { json?: boolean }) => {
        clearLogin();
        emit(o, { ok: true }, () => 'logged out');
      }),
    );

  program
    .command('whoami')
    .description('who the current token proves, with which roles, until when')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { json?: boolean }) => {
        const who = await describeToken(await defaultTokenSource());
        emit(o, { ok: true, ...who }, () => `${who.subject} until ${who.expiresAt}; roles ${JSON.stringify(who.roles)}`);
      }),
    );
}
