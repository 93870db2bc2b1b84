import {DescribeSecretCommand, ResourceNotFoundException, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'

import type {RunContext} from '../aws/context.js'

/** When a secret was last changed: names and dates only (DescribeSecret never returns a value). */
export interface SecretChange {
  id: string
  name: string
  lastChanged?: Date
}

/** DescribeSecret of each id, concurrently, once per run; a secret that does not exist is left out. */
export async function secretChanges(ctx: RunContext, ids: string[]): Promise<SecretChange[]> {
  const client = ctx.aws.client(SecretsManagerClient)
  const all = await Promise.all(
    [...new Set(ids)].map((id) =>
      ctx.memo(`secret:describe:${id}`, async (): Promise<SecretChange | undefined> => {
        try {
          const out = await client.send(new DescribeSecretCommand({SecretId: id}), {abortSignal: ctx.signal})
          return {id, name: out.Name ?? id, lastChanged: out.LastChangedDate}
        } catch (error) {
          if (error instanceof ResourceNotFoundException) return undefined
          throw error
        }
      }),
    ),
  )
  return all.filter((s): s is SecretChange => Boolean(s))
}
