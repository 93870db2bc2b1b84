import {describeAwsError, hintFor} from '../aws/errors.js'
import {addKeysHint, loadSecrets, valueProblem} from '../resources/secrets.js'
import {type Check, fail, pass, plural} from './types.js'

/** Every secret exists and holds JSON with each expected key set to a real value. Key names only, never values. */
export const secrets: Check = {
  id: 'secrets',
  title: 'Secrets exist and hold every expected key',
  iam: ['secretsmanager:BatchGetSecretValue', 'secretsmanager:GetSecretValue'],
  async run(ctx) {
    const {env} = ctx
    const found = await loadSecrets(
      ctx,
      env.secrets.map((s) => s.id),
    )
    const problems: string[] = []
    const errors: {id: string; text: string}[] = []
    let firstError: unknown
    for (const s of env.secrets) {
      const r = found.get(s.id)!
      if (r.state === 'missing') problems.push(`${s.id}: does not exist`)
      else if (r.state === 'invalid') problems.push(`${s.id}: ${r.reason}`)
      else if (r.state === 'error') {
        errors.push({id: s.id, text: describeAwsError(r.error)})
        firstError ??= r.error
      } else {
        const bad = s.keys.map((k) => [k, valueProblem(r.json[k])] as const).filter(([, why]) => why)
        for (const why of new Set(bad.map(([, w]) => w))) {
          problems.push(
            `${s.id}: ${why} ${bad
              .filter(([, w]) => w === why)
              .map(([k]) => k)
              .join(', ')}`,
          )
        }
      }
    }

    const data = {secrets: env.secrets.map((s) => ({id: s.id, keys: s.keys, state: found.get(s.id)!.state}))}
    if (errors.length > 0) {
      // One failed batch call fails every secret the same way: say it once.
      const same = errors.length > 1 && errors.every((e) => e.text === errors[0].text)
      const lines = same
        ? [`${errors.map((e) => e.id).join(', ')}: ${errors[0].text}`]
        : errors.map((e) => `${e.id}: ${e.text}`)
      return {
        status: 'error',
        summary: `${plural(errors.length, 'secret')} could not be read`,
        details: [...lines, ...problems],
        hint: hintFor(firstError),
        data,
      }
    }

    const firstProblemId = env.secrets.find((s) => problems.some((p) => p.startsWith(`${s.id}:`)))?.id
    if (problems.length > 0) {
      return fail(`${plural(problems.length, 'problem')} in ${env.secrets.length} secrets`, {
        details: problems,
        hint: `${addKeysHint(firstProblemId!)}; then redeploy the services that read them (a missing secret: aws secretsmanager create-secret --name <id> --secret-string file://s.json).`,
        data,
      })
    }

    const keyCount = env.secrets.reduce((n, s) => n + s.keys.length, 0)
    return pass(`${env.secrets.length} secrets, ${keyCount} keys set`, {
      details: env.secrets.map((s) => `${s.id}: ${s.keys.join(', ')}`),
      data,
    })
  },
}
