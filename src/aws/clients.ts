import type {MiddlewareStack} from '@smithy/types'

import {ConfiguredRetryStrategy} from '@smithy/util-retry'

import {backoffMs} from '../util/backoff.js'
import {operationInfo} from './errors.js'

/**
 * One client factory for every command: one shared configuration (region, profile,
 * endpoint, retries), one cached client per service and region.
 *
 * The factory imports no service package: a command loads only the SDK clients its
 * code imports, and asks the factory for an instance with `aws.client(RDSClient)`.
 */

export interface AwsOptions {
  /** Region; undefined lets the SDK resolve it from AWS_REGION or the profile. */
  region?: string
  /** Named profile from ~/.aws/config; undefined uses the default chain. */
  profile?: string
  /** Custom endpoint (local emulator); defaults to AWS_ENDPOINT_URL. */
  endpoint?: string
  /** Attempts per call, retries included. Default: AWS_MAX_ATTEMPTS, else 5. */
  maxAttempts?: number
  /** Debug sink: receives one line per API call (operation, status, duration). Never payloads. */
  debug?: (line: string) => void
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
  /** Close every client's sockets. */
  destroy(): void
}

/** Back-off for throttling and transient errors: 300 ms doubling, capped at 10 s, with jitter. */
export const retryDelay = (attempt: number): number => backoffMs(attempt, 300, 10_000)

export function createAwsClients(options: AwsOptions = {}): AwsClients {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL
  const shared = {
    region: options.region,
    profile: options.profile,
    retryStrategy: new ConfiguredRetryStrategy(options.maxAttempts ?? (Number(process.env.AWS_MAX_ATTEMPTS) || 5), retryDelay),
    ...(endpoint && {
      endpoint,
      // Local emulators listen on an IP address: no virtual-host buckets, no host prefixes.
      forcePathStyle: true,
      disableHostPrefix: true,
    }),
  }
  const cache = new Map<string, AnyClient>()
  let calls = 0

  const instrument = (client: AnyClient): void => {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const info = operationInfo(String(context.clientName ?? 'AWS'), String(context.commandName ?? 'Call'))
        const started = Date.now()
        calls++
        try {
          const out = await next(args)
          options.debug?.(`aws ${info.action} ${Date.now() - started}ms`)
          return out
        } catch (error) {
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
      c = new Ctor({...shared, ...(overrides.region && {region: overrides.region}), followRegionRedirects: true})
      instrument(c)
      cache.set(key, c)
    }

    return c
  }

  return {
    client,
    async region() {
      if (options.region) return options.region
      const {STSClient} = await import('@aws-sdk/client-sts')
      return client(STSClient).config.region()
    },
    options: {...options, endpoint},
    get calls() {
      return calls
    },
    destroy() {
      for (const c of cache.values()) c.destroy()
      cache.clear()
    },
  }
}
