import {
  BatchGetSecretValueCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  type SecretValueEntry,
} from '@aws-sdk/client-secrets-manager'

import {classifyAwsError} from '../aws/errors.js'
import type {RunContext} from '../aws/context.js'
import {shq} from '../util/shell.js'

/**
 * Reading secrets for checks, once per run and in as few calls as the API allows.
 *
 * Values stay inside this module's results as parsed JSON; callers report key names
 * only. Nothing here formats a value into a message: JSON.parse errors quote the
 * input, so they are replaced by a fixed text.
 */

export type SecretLookup =
  | {state: 'found'; id: string; name: string; arn: string; json: Record<string, unknown>}
  | {state: 'invalid'; id: string; name: string; arn: string; reason: string}
  | {state: 'missing'; id: string}
  | {state: 'error'; id: string; error: unknown}

const BATCH_LIMIT = 20

function parseEntry(id: string, e: SecretValueEntry): SecretLookup {
  const base = {id, name: e.Name ?? id, arn: e.ARN ?? ''}
  if (e.SecretString === undefined) return {...base, state: 'invalid', reason: 'holds binary data, not a JSON object'}
  let parsed: unknown
  try {
    parsed = JSON.parse(e.SecretString)
  } catch {
    return {...base, state: 'invalid', reason: 'is not valid JSON'}
  }

  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return {...base, state: 'invalid', reason: 'is not a JSON object of key/value pairs'}
  }

  return {...base, state: 'found', json: parsed as Record<string, unknown>}
}

/** True when the batch entry answers the requested id (a name, a full ARN or a partial ARN). */
const answers = (id: string, e: SecretValueEntry): boolean =>
  id === e.Name || id === e.ARN || (Boolean(e.ARN) && e.ARN!.startsWith(`${id}-`))

async function fetchOne(ctx: RunContext, id: string): Promise<SecretLookup> {
  try {
    const out = await ctx.aws
      .client(SecretsManagerClient)
      .send(new GetSecretValueCommand({SecretId: id}), {abortSignal: ctx.signal})
    return parseEntry(id, out)
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return {state: 'missing', id}
    return {state: 'error', id, error}
  }
}

async function fetchBatch(ctx: RunContext, ids: string[]): Promise<Map<string, SecretLookup>> {
  const results = new Map<string, SecretLookup>()
  const client = ctx.aws.client(SecretsManagerClient)
  for (let i = 0; i < ids.length; i += BATCH_LIMIT) {
    const chunk = ids.slice(i, i + BATCH_LIMIT)
    let out
    try {
      out = await client.send(new BatchGetSecretValueCommand({SecretIdList: chunk}), {abortSignal: ctx.signal})
    } catch (error) {
      // Callers allowed GetSecretValue but not the batch action: one call per secret, concurrently.
      if (classifyAwsError(error) !== 'access-denied') throw error
      const single = await Promise.all(chunk.map((id) => fetchOne(ctx, id)))
      for (const r of single) results.set(r.id, r)
      continue
    }

    for (const id of chunk) {
      const entry = out.SecretValues?.find((e) => answers(id, e))
      if (entry) {
        results.set(id, parseEntry(id, entry))
        continue
      }

      const err = out.Errors?.find((e) => e.SecretId === id)
      if (!err || err.ErrorCode === 'ResourceNotFoundException') results.set(id, {state: 'missing', id})
      else
        results.set(id, {
          state: 'error',
          id,
          error: Object.assign(new Error(err.Message ?? err.ErrorCode), {name: err.ErrorCode ?? 'Error'}),
        })
    }
  }

  return results
}

/**
 * Looks up secrets by id (name or ARN). Each id is fetched at most once per run,
 * however many checks ask; ids asked for together go in one BatchGetSecretValue call.
 */
export async function loadSecrets(ctx: RunContext, ids: string[]): Promise<Map<string, SecretLookup>> {
  const pending: string[] = []
  const waiters = new Map<string, (r: SecretLookup) => void>()
  const promises = [...new Set(ids)].map((id) =>
    ctx.memo(`secret:${id}`, () => {
      pending.push(id)
      return new Promise<SecretLookup>((resolve) => waiters.set(id, resolve))
    }),
  )
  if (pending.length > 0) {
    fetchBatch(ctx, pending).then(
      (map) => {
        for (const id of pending) waiters.get(id)!(map.get(id) ?? {state: 'missing', id})
      },
      (error) => {
        for (const id of pending) waiters.get(id)!({state: 'error', id, error})
      },
    )
  }

  const found = await Promise.all(promises)
  return new Map(found.map((r) => [r.id, r]))
}

const PLACEHOLDER =
  /^(changeme|change[-_ ]?me|change[-_ ]?this|todo|tbd|fixme|placeholder|replace[-_ ]?me|x{3,}|dummy|example|none|null|undefined|your[-_ ].*|<[^>]*>|\$\{[^}]*\})$/i

/** Why a value is unusable ("empty", "placeholder"), or undefined when it looks real. Never echoes the value. */
export function valueProblem(value: unknown): string | undefined {
  if (value === undefined) return 'missing'
  if (value === null) return 'empty'
  if (typeof value !== 'string') return typeof value === 'object' ? 'not a string' : undefined
  const v = value.trim()
  if (v === '') return 'empty'
  if (PLACEHOLDER.test(v)) return 'a placeholder'
  return undefined
}

/**
 * How to add keys to a JSON secret without losing the others: put-secret-value replaces the
 * whole value, so the command reads the current one, merges, and writes it back.
 */
export const addKeysHint = (secretId: string): string =>
  `Add the keys without dropping the others (put-secret-value replaces the whole secret): aws secretsmanager get-secret-value --secret-id ${shq(secretId)} --query SecretString --output text > s.json, edit s.json, then aws secretsmanager put-secret-value --secret-id ${shq(secretId)} --secret-string file://s.json && rm s.json`
