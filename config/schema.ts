import { z } from 'zod';
import { retentionPolicySchema } from '../core/retention/retention-policy';
import { ROLES } from '../identity/permissions';
import { recoveryFeaturesSchema } from '../core/rollback/recovery-features';
import { maskingProfileNameSchema, maskingProfileSchema } from '../core/masking/masking-profile';

/** A named PostgreSQL connection that restorepoint protects. Only its name travels in workflows. */
export const sourceSchema = z.strictObject({
  url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// connection URL'),
  /** Most connections one export may open against this source, to protect the live app. */
  maxConnections: z.number().int().min(1).max(64).default(4),
  /** Risky recovery flows this source allows; unset means all (docs/configuration.md, "Feature flags"). */
  features: recoveryFeaturesSchema.optional(),
  /** Recovery point objective: an alert is raised when no good export of this source is younger (docs/observability.md). */
  rpoTargetSeconds: z.number().int().min(60).optional(),
});
export type SourceConfig = z.infer<typeof sourceSchema>;

export const approvalPolicySchema = z.strictObject({
  approversRequired: z.number().int().min(1).default(1),
  approvers: z.array(z.string().min(1)).default([]),
  requesterMayApprove: z.boolean().default(false),
  timeoutSeconds: z.number().int().min(1).default(24 * 3600),
});

/** One role grant: a subject (the token's `sub`) or a group (from the groups claim) holds roles on a source, or on every one (`*`). */
export const roleGrantSchema = z
  .object({
    subject: z.string().min(1).optional(),
    group: z.string().min(1).optional(),
    source: z.string().min(1).default('*'),
    roles: z.array(z.enum(ROLES)).min(1),
  })
  .refine((g) => (g.subject === undefined) !== (g.group === undefined), 'a grant names either a subject or a group');

/**
 * Who callers are (docs/security.md): the OIDC issuer whose tokens the worker accepts, how
 * roles are found, and the key that encrypts workflow payloads. `stack up` creates a local
 * issuer and key and the local stack's defaults point here.
 */
export const identitySchema = z
  .object({
    /** The `iss` every token must carry. */
    issuer: z.string().min(1),
    /** The `aud` every token must include. */
    audience: z.string().min(1).default('restorepoint'),
    /** The issuer's JWKS: a URL (a real identity provider) or a file (the local issuer). */
    jwksUrl: z.string().url().optional(),
    jwksFile: z.string().min(1).optional(),
    /** Signature algorithms accepted; `none` and HMAC never are. */
    algorithms: z.array(z.enum(['ES256', 'ES384', 'RS256', 'RS384', 'PS256', 'EdDSA'])).min(1).default(['ES256', 'RS256']),
    /** A claim holding roles per source (`{"demo": ["approver"]}`), trusted from this issuer; unset: roles come from grants only. */
    roleClaim: z.string().min(1).optional(),
    /** The claim holding the caller's groups, matched against grants by group. */
    groupsClaim: z.string().min(1).default('groups'),
    grants: z.array(roleGrantSchema).default([]),
    /** Leeway for exp/nbf between clocks. */
    clockToleranceSeconds: z.number().int().min(0).max(300).default(5),
    /** AES-256 key (base64, 32 bytes) encrypting every workflow payload, so history exports hold no usable token. */
    payloadKeyFile: z.string().min(1).optional(),
  })
  .refine((i) => (i.jwksUrl === undefined) !== (i.jwksFile === undefined), { message: 'give exactly one of jwksUrl and jwksFile', path: ['jwksUrl'] });
export type IdentityConfig = z.infer<typeof identitySchema>;

/**
 * Accident detection on the change trail and alerting (docs/observability.md, "Accident
 * detection"). Thresholds apply per source table and operation over one window.
 */
export const alertsSchema = z.strictObject({
  /** Where alerts are POSTed (Slack-compatible JSON); unset: alerts stay in the catalog, ledger and metrics. */
  webhookUrl: z.string().url().optional(),
  /** A file holding the secret that signs each delivery (HMAC-SHA256 header); required with webhookUrl. */
  webhookSecretFile: z.string().min(1).optional(),
  /** The detection window: changes newer than this are compared with the baseline. */
  windowSeconds: z.number().int().min(1).default(60),
  /** The baseline: per-window counts over this many earlier windows (median and MAD). */
  historyWindows: z.number().int().min(3).max(1440).default(60),
  /** Never alert on fewer deletes or updates than this in one window, whatever the baseline. */
  minChanges: z.number().int().min(1).default(500),
  /** Alert when one window's deletes or updates reach this share of the table's rows. */
  tableFraction: z.number().gt(0).max(1).default(0.2),
  /** Alert when a window's count exceeds this many times the baseline median (and its MAD band). */
  baselineFactor: z.number().min(1).default(5),
  /** Consecutive failed exports of a source that raise an alert. */
  failedExportsStreak: z.number().int().min(1).default(3),
  /** This many rollbacks or reverts of one source within `rollbackBurstSeconds` raise an alert: someone may be fighting a fire with more fire. */
  rollbackBurst: z.number().int().min(2).default(3),
  rollbackBurstSeconds: z.number().int().min(1).default(600),
  /** A change captured this long ago and still not sealed raises an alert (the trail stopped sealing); unset: not checked. */
  trailSealMaxAgeSeconds: z.number().int().min(1).optional(),
}).refine((a) => a.webhookUrl === undefined || a.webhookSecretFile !== undefined, { message: 'webhookUrl needs webhookSecretFile (deliveries are signed)', path: ['webhookSecretFile'] });
export type AlertsConfig = z.infer<typeof alertsSchema>;
export const ALERTS_DEFAULTS: AlertsConfig = alertsSchema.parse({});

/** A week: an unchanged object's bytes are read again at least this often. */
const REREAD_AFTER_HOURS = 7 * 24;

/**
 * The whole configuration: environment variables and an optional JSON file, validated here.
 * Every object is strict: a misspelt or unknown key is refused by name, never silently ignored.
 */
export const configSchema = z.strictObject({
  temporal: z.strictObject({
    address: z.string().min(1).default('127.0.0.1:7233'),
    namespace: z.string().min(1).default('default'),
    taskQueue: z.string().min(1).default('restorepoint'),
    /** TLS to Temporal (docs/security.md): present means on; a client certificate and key make it mTLS. */
    tls: z
      .object({
        serverName: z.string().min(1).optional(),
        caFile: z.string().min(1).optional(),
        certFile: z.string().min(1).optional(),
        keyFile: z.string().min(1).optional(),
      })
      .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), 'certFile and keyFile go together')
      .optional(),
    /** A file holding a Temporal API key (Temporal Cloud); implies TLS. */
    apiKeyFile: z.string().min(1).optional(),
  }),
  /** The catalog and audit ledger live in a database of their own, never in a protected source. */
  catalog: z.strictObject({ url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// connection URL') }),
  sources: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a lower-case name'), sourceSchema).default({}),
  gcs: z.strictObject({
    /** fake-gcs-server's URL in tests and the local stack; unset means real GCS. */
    emulatorHost: z.string().url().optional(),
    projectId: z.string().min(1).default('restorepoint'),
  }),
  worker: z.strictObject({
    maxConcurrentActivities: z.number().int().min(1).default(8),
    shutdownGraceSeconds: z.number().int().min(0).default(30),
  }),
  export: z.strictObject({
    concurrency: z.number().int().min(1).max(64).default(2),
    partSizeBytes: z.number().int().min(1024).default(256 * 1024 * 1024),
    zstdLevel: z.number().int().min(1).max(19).default(3),
    /**
     * Tables of at least `minBytes` on disk are read as `ranges` ctid page ranges in parallel (docs/performance.md);
     * `acrossWorkers`: each range is an activity of its own that any worker of the task queue takes.
     */
    split: z
      .strictObject({ minBytes: z.number().int().min(0), ranges: z.number().int().min(1).max(64), acrossWorkers: z.boolean().default(false) })
      .default({ minBytes: 1024 * 1024 * 1024, ranges: 4, acrossWorkers: false }),
    /** Default cap on the uncompressed bytes per second one export reads from its source; unset means none. */
    maxBytesPerSecond: z.number().int().min(1024).optional(),
  }),
  approval: approvalPolicySchema.default({ approversRequired: 1, approvers: [], requesterMayApprove: false, timeoutSeconds: 24 * 3600 }),
  verification: z
    .strictObject({
      /**
       * Where a restore-level verification restores its scratch copy (a schema `rp_verify_*`,
       * dropped afterwards): a configured connection name. Unset: the export's own source
       * database (docs/verification.md says why and when to set it).
       */
      scratchTarget: z.string().min(1).optional(),
      /**
       * An incremental verification skips an object the store reports unchanged only while
       * its last full read is younger than this; older, its bytes are read and hashed again
       * even when size, generation and mtime match (a store edited behind its back can keep
       * those). 0 reads every object every time.
       */
      rereadAfterHours: z.number().min(0).default(REREAD_AFTER_HOURS),
    })
    .default({ rereadAfterHours: REREAD_AFTER_HOURS }),
  /**
   * Where the audit ledger's head is anchored besides each export's own destination
   * (docs/audit-ledger.md): a gs:// or file:/// location the catalog's owner cannot write.
   */
  ledger: z.strictObject({ anchorTo: z.string().min(1).optional() }).default({}),
  /** The default retention policy (docs/retention.md); a schedule or `--policy` may pass its own. */
  retention: retentionPolicySchema.optional(),
  /**
   * Client-side encryption of stored objects (docs/security.md): the key-encryption key that
   * wraps each export's data key. `local`: a keyring file (default `<state folder>/keys/keyring.json`);
   * `gcp-kms`: a Cloud KMS CryptoKey resource name.
   */
  encryption: z
    .strictObject({
      provider: z.enum(['local', 'gcp-kms']).default('local'),
      keyringFile: z.string().min(1).optional(),
      kmsKeyName: z.string().regex(/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/, 'projects/…/locations/…/keyRings/…/cryptoKeys/…').optional(),
    })
    .refine((e) => e.provider !== 'gcp-kms' || e.kmsKeyName !== undefined, 'provider gcp-kms needs kmsKeyName')
    .default({ provider: 'local' }),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Identities and roles (docs/security.md); unset: the worker refuses every request that needs one. */
  identity: identitySchema.optional(),
  /**
   * Masking profiles for `export --mask <profile>` (docs/masking.md): per-column rules, and the
   * key of keyed hashes (base64, 32 bytes; `stack up` creates one for the local stack).
   */
  masking: z
    .strictObject({
      keyFile: z.string().min(1).optional(),
      profiles: z.record(maskingProfileNameSchema, maskingProfileSchema).default({}),
    })
    .default({ profiles: {} }),
  /**
   * The operator console's redirect sign-in (docs/console.md): the authorization-code flow with
   * PKCE against `identity.issuer` (or `issuerUrl`, where discovery lives elsewhere). The access
   * token it gets is verified like any other; unset: only a pasted token signs in.
   */
  console: z
    .strictObject({
      oidc: z
        .strictObject({
          clientId: z.string().min(1),
          /** Unset: a public client (PKCE alone, `token_endpoint_auth_method: none`). */
          clientSecretEnv: z.string().min(1).optional(),
          /** Where to discover the provider; the issuer it reports must still be the one `identity` trusts for tokens. */
          issuerUrl: z.string().url().optional(),
          scope: z.string().min(1).default('openid'),
          /** The callback URL registered at the provider; unset: this console's own origin + `/login/callback`. */
          redirectUri: z.string().url().optional(),
        })
        .optional(),
    })
    .default({}),
  /** The worker's Prometheus endpoint, `GET /metrics` (docs/observability.md); port 0 picks a free one. */
  alerts: alertsSchema.default(ALERTS_DEFAULTS),
  metrics: z.object({ host: z.string().min(1).default('0.0.0.0'), port: z.number().int().min(0).max(65535).default(9464) }).default({ host: '0.0.0.0', port: 9464 }),
});
export type Config = z.infer<typeof configSchema>;
