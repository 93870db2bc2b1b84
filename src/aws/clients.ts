import type {MiddlewareStack} from '@smithy/types'

import {NodeHttpHandler} from '@smithy/node-http-handler'
import {ConfiguredRetryStrategy} from '@smithy/util-retry'

import {UserError} from '../errors.js'
import {backoffMs} from '../util/backoff.js'
import {parseDuration} from '../util/duration.js'
import {type CallRecord, type Chain, recordCall} from './critical-path.js'
import {type OperationInfo, operationInfo} from './errors.js'
import {STSClient} from './sdk/sts.js'

/**
 * One client factory for every command: one shared configuration (region, profile,
 * endpoint, retries), one cached client per service and region.
 *
 * The factory imports one service package, STS (the region and the caller's identity, which every
 * AWS command needs first); a command loads only the other SDK clients its code imports, and asks
 * the factory for an instance with `aws.client(RDSClient)`.
 */

export interface AwsOptions {
  /** Region; undefined lets the SDK resolve it from AWS_REGION or the profile. */
  region?: string
  /** Named profile from ~/.aws/config; undefined uses the default chain. */
  profile?: string
  /**
   * Custom endpoint for every client (local emulator). Without it the SDK resolves its own: AWS_ENDPOINT_URL_<SERVICE>
   * (AWS_ENDPOINT_URL_ECS, ...), then AWS_ENDPOINT_URL, then the profile's endpoint_url.
   */
  endpoint?: string
  /** Attempts per call, retries included. Default: AWS_MAX_ATTEMPTS, else 5. */
  maxAttempts?: number
  /** Debug sink: receives one line per API call (operation, status, duration). Never payloads. */
  debug?: (line: string) => void
  /** Time to open a connection. Default: ALLTHRIVE_CONNECT_TIMEOUT, else 3s. */
  connectTimeoutMs?: number
  /** Time for one HTTP request (each attempt) to answer. Default: ALLTHRIVE_REQUEST_TIMEOUT, else 10s. */
  requestTimeoutMs?: number
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 3000
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000
const MAX_TIMEOUT_MS = 600_000

/** "5s", "2m" or a number of seconds from an environment variable; unset or empty → the default. */
export function timeoutFromEnv(name: string, fallbackMs: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name]?.trim()
  if (!raw) return fallbackMs
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Math.round(Number(raw) * 1000) : tryParse(raw)
  if (ms === undefined || ms < 100 || ms > MAX_TIMEOUT_MS) {
    const forms = 'such as 5s or 30s (a bare number is seconds)'
    throw new UserError(`Invalid ${name}="${raw}": use a duration between 1s and 10m, ${forms}.`, {
      code: 'INVALID_TIMEOUT',
      suggestions: [`export ${name}=10s`],
    })
  }

  return ms
}

function tryParse(raw: string): number | undefined {
  try {
    return parseDuration(raw)
  } catch {
    return undefined
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClient = {middlewareStack: MiddlewareStack<any, any>; config: {region: () => Promise<string>}; destroy(): void}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ClientClass<C extends AnyClient> = new (config: any) => C

export interface AwsClients {
  /** A cached client of this class; `region` overrides the shared region (ACM for CloudFront is us-east-1). */
  client<C extends AnyClient>(Ctor: ClientClass<C>, overrides?: {region?: string}): C
  /** The region the clients use, as the SDK resolves it (flag, config, AWS_REGION, profile). */
  region(): Promise<string>
  /** The options the factory was built with. */
  readonly options: Readonly<AwsOptions>
  /** Number of API calls made so far (a call retried after throttling counts once). */
  readonly calls: number
  /** Start and end of every call so far, and the call each waited on (see critical-path.ts). */
  readonly timeline?: readonly CallRecord[]
  /** The connect and per-request timeouts every client uses (ms). */
  readonly timeouts?: {connectMs: number; requestMs: number}
  /** Close every client's sockets. */
  destroy(): void
}

/** Back-off for throttling and transient errors: 300 ms doubling, capped at 10 s, with jitter. */
export const retryDelay = (attempt: number): number => backoffMs(attempt, 300, 10_000)

/** True when an endpoint variable the SDK honours is set (AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_<SERVICE>). */
export function endpointFromEnv(env: Record<string, string | undefined> = process.env): boolean {
  if (/^true$/i.test(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '')) return false
  return Object.entries(env).some(([k, v]) => v && (k === 'AWS_ENDPOINT_URL' || k.startsWith('AWS_ENDPOINT_URL_')))
}

export function createAwsClients(options: AwsOptions = {}): AwsClients {
  // Only an endpoint given in code is set on the clients: the SDK resolves the endpoint variables itself,
  // per service (AWS_ENDPOINT_URL_ECS wins over AWS_ENDPOINT_URL for ECS).
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL
  const timeouts = {
    connectMs: options.connectTimeoutMs ?? timeoutFromEnv('ALLTHRIVE_CONNECT_TIMEOUT', DEFAULT_CONNECT_TIMEOUT_MS),
    requestMs: options.requestTimeoutMs ?? timeoutFromEnv('ALLTHRIVE_REQUEST_TIMEOUT', DEFAULT_REQUEST_TIMEOUT_MS),
  }
  // A stuck endpoint (accepts, never answers) must end each attempt: connect, inactivity and whole-request bounds.
  const handler = (): NodeHttpHandler =>
    new NodeHttpHandler({
      connectionTimeout: timeouts.connectMs,
      requestTimeout: timeouts.requestMs,
      socketTimeout: timeouts.requestMs,
      throwOnRequestTimeout: true,
    })
  const shared = {
    region: options.region,
    profile: options.profile,
    retryStrategy: new ConfiguredRetryStrategy(
      options.maxAttempts ?? (Number(process.env.AWS_MAX_ATTEMPTS) || 5),
      retryDelay,
    ),
    ...(options.endpoint && {endpoint: options.endpoint}),
    // Local emulators listen on an IP address: no virtual-host buckets, no host prefixes.
    ...((options.endpoint || endpointFromEnv()) && {forcePathStyle: true, disableHostPrefix: true}),
  }
  const cache = new Map<string, AnyClient>()
  let calls = 0
  const timeline: CallRecord[] = []
  const origin = performance.now()
  const clock = () => performance.now() - origin
  const rootChain: Chain = {}

  const instrument = (client: AnyClient): void => {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const info: OperationInfo = operationInfo(
          String(context.clientName ?? 'AWS'),
          String(context.commandName ?? 'Call'),
        )
        const started = Date.now()
        calls++
        const ended = recordCall(timeline, info.action, clock, rootChain)
        try {
          const out = await next(args)
          ended()
          options.debug?.(`aws ${info.action} ${Date.now() - started}ms`)
          return out
        } catch (error) {
          ended(true)
          // The endpoint the call went to (set by the SDK's endpoint middleware): named when it cannot be reached.
          const url = (context as {endpointV2?: {url?: URL}}).endpointV2?.url
          if (url) info.endpoint = `${url.protocol}//${url.host}`
          if (error && typeof error === 'object') Object.assign(error, {$allthrive: info})
          options.debug?.(`aws ${info.action} failed after ${Date.now() - started}ms: ${(error as Error)?.name}`)
          throw error
        }
      },
      {step: 'initialize', name: 'allthriveOperationInfo', override: true},
    )
  }

  const client = <C extends AnyClient>(Ctor: ClientClass<C>, overrides: {region?: string} = {}): C => {
    const key = `${Ctor.name}@${overrides.region ?? ''}`
    let c = cache.get(key) as C | undefined
    if (!c) {
      c = new Ctor({
        ...shared,
        requestHandler: handler(),
        ...(overrides.region && {region: overrides.region}),
        followRegionRedirects: true,
      })
      instrument(c)
      cache.set(key, c)
    }

    return c
  }

  return {
    client,
    async region() {
      if (options.region) return options.region
      return client(STSClient).config.region()
    },
    options: {...options, endpoint},
    get calls() {
      return calls
    },
    timeline,
    timeouts,
    destroy() {
      for (const c of cache.values()) c.destroy()
      cache.clear()
    },
  }
}
