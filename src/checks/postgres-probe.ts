import {loadSecrets, valueProblem} from '../resources/secrets.js'
import {hostPort, PROBE_SKIP_REASON, unreachableSummary} from '../lib/probes/common.js'
import {parseDatabaseUrl, type PgTlsMode, probePostgres} from '../lib/probes/pg.js'
import {type Check, fail, pass, skip, warn} from './types.js'
import {shq} from '../util/shell.js'

/** Connections in use, as a share of max_connections, from which the check warns. */
const CONNECTIONS_WARN_PERCENT = 80

const TLS_WORDS: Record<PgTlsMode, string> = {
  off: 'without TLS',
  unverified:
    'over TLS (server certificate not verified: no RDS CA bundle here; sslmode=verify-full with NODE_EXTRA_CA_CERTS=<RDS global-bundle.pem> verifies it)',
  'verify-ca': 'over TLS (CA verified)',
  'verify-full': 'over TLS (CA and host name verified)',
}

/**
 * Connects with the DATABASE_URL of the database secret, from where the CLI runs, and
 * reads the server version and connections in use. The URL and password are never shown.
 * `probe` is injectable for tests.
 */
export function postgresProbeCheck(probe: typeof probePostgres = probePostgres): Check {
  return {
    id: 'postgres-probe',
    title: 'PostgreSQL answers from here',
    iam: ['secretsmanager:BatchGetSecretValue', 'secretsmanager:GetSecretValue'],
    applies: (ctx) => (ctx.probe ? true : PROBE_SKIP_REASON),
    async run(ctx) {
      const {env} = ctx
      const secret = env.secrets.find((s) => s.key === 'database')
      if (!secret)
        return fail('no database secret configured', {
          hint: 'Add secrets.database to the environment in allthrive.config.json.',
        })
      const found = (await loadSecrets(ctx, [secret.id])).get(secret.id)!
      const fixSecret = `Set it with: aws secretsmanager put-secret-value --secret-id ${shq(secret.id)} --secret-string file://database.json (JSON with DATABASE_URL=postgres://user:password@host:5432/db)`
      if (found.state === 'error') throw found.error
      if (found.state === 'missing')
        return fail(`secret ${secret.id} does not exist`, {
          details: [`${secret.id}: not found in Secrets Manager`],
          hint: fixSecret,
          data: {secret: secret.id},
        })
      if (found.state === 'invalid')
        return fail(`secret ${secret.id} ${found.reason}`, {hint: fixSecret, data: {secret: secret.id}})
      const problem = valueProblem(found.json.DATABASE_URL)
      if (problem)
        return fail(`secret ${secret.id}: ${problem} DATABASE_URL`, {hint: fixSecret, data: {secret: secret.id}})
      const target = parseDatabaseUrl(String(found.json.DATABASE_URL))
      if ('error' in target)
        return fail(`DATABASE_URL in ${secret.id} ${target.error}`, {hint: fixSecret, data: {secret: secret.id}})

      const where = `${hostPort(target.host, target.port)}/${target.database}`
      const base = {
        secret: secret.id,
        host: target.host,
        port: target.port,
        database: target.database,
        user: target.user,
      }
      const o = await probe(target, {timeoutMs: env.thresholds.probes.timeoutMs, signal: ctx.signal})
      if (o.kind === 'unreachable')
        return skip(unreachableSummary(o, ctx.env.name), {
          details: [`${where}: ${o.reason} (${o.code})`],
          data: {...base, code: o.code},
        })
      if (o.kind === 'tls') {
        const expired = o.code === 'CERT_HAS_EXPIRED'
        const result = expired ? fail : warn
        return result(
          `${where}: ${expired ? 'the server certificate has expired' : 'could not verify the server certificate'} (${o.code})`,
          {
            details: [`${where}: TLS handshake failed: ${o.reason}`],
            hint: expired
              ? `Rotate the instance's CA: aws rds modify-db-instance --db-instance-identifier ${shq(env.rds.instanceId)} --ca-certificate-identifier rds-ca-rsa2048-g1 --apply-immediately`
              : 'Trust the RDS CA bundle: NODE_EXTRA_CA_CERTS=/path/to/global-bundle.pem (from the RDS documentation), or use sslmode=require to encrypt without verifying.',
            data: {...base, code: o.code},
          },
        )
      }

      if (o.kind === 'rejected') {
        const summary =
          o.code === '28P01'
            ? `${o.reason}: the DATABASE_URL secret does not match the database`
            : `${where}: ${o.reason}`
        return fail(summary, {
          details: [`${where}: ${o.reason} (${o.code})`],
          hint: rejectionHint(o.code, secret.id, env.rds.instanceId),
          data: {...base, code: o.code},
        })
      }

      const percent = o.maxConnections > 0 ? Math.round((o.connections / o.maxConnections) * 100) : 0
      const warnAt =
        (env.thresholds.probes as {connectionsWarnPercent?: number}).connectionsWarnPercent ?? CONNECTIONS_WARN_PERCENT
      const tls =
        o.tls !== 'off' && !o.encrypted ? 'TLS was asked for but the session is not encrypted' : TLS_WORDS[o.tls]
      const details = [
        `${where}: connected as ${target.user} in ${o.latencyMs}ms ${tls}`,
        `${where}: PostgreSQL ${o.serverVersion}`,
        `${where}: ${o.connections} of ${o.maxConnections} connections in use (${percent}%)`,
      ]
      const data = {
        ...base,
        serverVersion: o.serverVersion,
        connections: o.connections,
        maxConnections: o.maxConnections,
        connectionsPercent: percent,
        tls: o.tls,
        encrypted: o.encrypted,
        latencyMs: o.latencyMs,
      }
      const version = o.serverVersion.split(' ')[0]
      if (percent >= warnAt) {
        return warn(
          `${o.connections} of ${o.maxConnections} connections in use (${percent}%) on PostgreSQL ${version}`,
          {
            details,
            hint: "See who holds them: SELECT usename, application_name, state, count(*) FROM pg_stat_activity GROUP BY 1, 2, 3 ORDER BY 4 DESC; then lower the app's pool sizes, add RDS Proxy, or raise max_connections in the parameter group.",
            data,
          },
        )
      }

      return pass(`PostgreSQL ${version} answers, ${o.connections} of ${o.maxConnections} connections in use`, {
        details,
        data,
      })
    },
  }
}

function rejectionHint(code: string, secretId: string, instanceId: string): string {
  switch (code) {
    case '28P01':
      return `Put the current password in ${secretId} (aws secretsmanager put-secret-value --secret-id ${shq(secretId)} …), or reset it: aws rds modify-db-instance --db-instance-identifier ${shq(instanceId)} --master-user-password <new> --apply-immediately; then redeploy the services.`
    case '3D000':
      return `Create the database (CREATE DATABASE …) or fix the database name at the end of DATABASE_URL in ${secretId}.`
    case '28000':
      return 'The server refused this client (pg_hba): RDS needs TLS (sslmode=require) and the user must exist.'
    case '53300':
      return "Every connection slot is taken: see pg_stat_activity from inside the VPC, lower the app's pool sizes, or add RDS Proxy."
    case 'QUERY_TIMEOUT':
      return `The database is overloaded or locked: aws rds describe-db-instances --db-instance-identifier ${shq(instanceId)}, and Performance Insights in the RDS console.`
    default:
      return `See what happened: aws rds describe-events --source-type db-instance --source-identifier ${shq(instanceId)} --duration 1440`
  }
}

export const postgresProbe = postgresProbeCheck()
