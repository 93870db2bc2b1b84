import {describeAwsError, hintFor} from '../aws/errors.js'
import {loadSecrets, valueProblem} from '../lib/secret-values.js'
import {type Check, fail, pass, plural} from './types.js'

/** Every secret exists and holds JSON with each expected key set to a real value. Key names only, never values. */
export const secrets: Check = {
  id: 'secrets',
  title: 'Secrets exist and hold every expected key',
  iam: ['secretsmanager:BatchGetSecretValue', 'secretsmanager:GetSecretValue'],
  async run(ctx) {
    const {env} = ctx
    const found = await loadSecrets(ctx, env.secrets.map((s) => s.id))
    const problems: string[] = []
    const errors: string[] = []
    let firstError: unknown
    for (const s of env.secrets) {
      const r = found.get(s.id)!
      if (r.state === 'missing') problems.push(`${s.id}: does not exist`)
      else if (r.state === 'invalid') problems.push(`${s.id}: ${r.reason}`)
      else if (r.state === 'error') {
        errors.push(`${s.id}: ${describeAwsError(r.error)}`)
        firstError ??= r.error
      } else {
        const bad = s.keys.map((k) => [k, valueProblem(r.json[k])] as const).filter(([, why]) => why)
        for (const why of new Set(bad.map(([, w]) => w))) {
          problems.push(`${s.id}: ${why} ${bad.filter(([, w]) => w === why).map(([k]) => k).join(', ')}`)
        }
      }
    }

    const data = {secrets: env.secrets.map((s) => ({id: s.id, keys: s.keys, state: found.get(s.id)!.state}))}
    if (errors.length > 0) {
      return {status: 'error', summary: `${plural(errors.length, 'secret')} could not be read`, details: [...errors, ...problems], hint: hintFor(firstError), data}
    }

    if (problems.length > 0) {
      return fail(`${plural(problems.length, 'problem')} in ${env.secrets.length} secrets`, {
        details: problems,
        hint: `Set the values with: aws secretsmanager put-secret-value --secret-id <id> --secret-string file://secret.json, then redeploy the services that read them.`,
        data,
      })
    }

    const keyCount = env.secrets.reduce((n, s) => n + s.keys.length, 0)
    return pass(`${env.secrets.length} secrets, ${keyCount} keys set`, {details: env.secrets.map((s) => `${s.id}: ${s.keys.join(', ')}`), data})
  },
}
