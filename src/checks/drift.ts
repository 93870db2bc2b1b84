import {
  applyAllow,
  compareSnapshots,
  contextFor,
  type Difference,
  type DriftKind,
  type EnvSnapshot,
  notesFor,
  snapshot,
} from '../lib/drift/compare.js'
import {type Check, type CheckResult, pass, plural} from './types.js'
import {shq} from '../util/shell.js'

const WORDS: Record<DriftKind, string> = {
  env: 'variable',
  secret: 'secret reference',
  'secret-key': 'secret key',
  'secret-exists': 'secret',
  service: 'service',
  cpu: 'cpu',
  memory: 'memory',
}

/** "2 variables, 1 secret key". */
function byKind(diffs: Difference[]): string {
  const counts = new Map<DriftKind, number>()
  for (const d of diffs) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1)
  return [...counts].map(([kind, n]) => plural(n, WORDS[kind])).join(', ')
}

/** What to run next for the first difference of each family. */
function hintFor(
  problems: Difference[],
  envs: {snap: EnvSnapshot; region: string; secretIds: Map<string, string>}[],
  example: string,
): string {
  const lacking = (d: Difference) => envs.find((e) => e.snap.name !== d.onlyIn)!
  const steps: string[] = []
  const ref = problems.find((d) => d.kind === 'env' || d.kind === 'secret')
  if (ref) {
    const e = lacking(ref)
    const td = e.snap.services.get(ref.id.split(':')[0] as string)?.taskDefinition
    steps.push(
      `add what ${e.snap.name} lacks to its task definition and deploy a new revision (aws ecs describe-task-definition --task-definition ${shq(td)} --region ${shq(e.region)})`,
    )
  }

  const key = problems.find((d) => d.kind === 'secret-key' || d.kind === 'secret-exists')
  if (key) {
    const e = lacking(key)
    steps.push(
      `list the secret's key names, never its values: aws secretsmanager get-secret-value --secret-id ${shq(e.secretIds.get(key.id.split(':')[1]))} --region ${shq(e.region)} --query SecretString --output text | jq keys`,
    )
  }

  const svc = problems.find((d) => d.kind === 'service')
  if (svc) steps.push(`aws ecs list-services --cluster ${lacking(svc).snap.cluster} --region ${lacking(svc).region}`)
  return `If a difference is by design, allow it in drift.allow of allthrive.config.json (e.g. "${example}"); otherwise ${steps.join('; ')}.`
}

/** Variables, secret references, secret keys and services present in one environment and not in the other (--compare). */
export const drift: Check = {
  id: 'drift',
  title: 'No unexpected drift from the --compare environment',
  iam: [
    'ecs:DescribeServices',
    'ecs:ListServices',
    'ecs:DescribeTaskDefinition',
    'secretsmanager:BatchGetSecretValue',
    'secretsmanager:GetSecretValue',
  ],
  applies: (ctx) => (ctx.compare ? true : 'no --compare environment'),
  async run(ctx): Promise<CheckResult> {
    const otherCtx = contextFor(ctx, ctx.compare!.env)
    const [a, b] = await Promise.all([snapshot(ctx), snapshot(otherCtx)])
    const allow = [...new Set([...ctx.env.drift.allow, ...otherCtx.env.drift.allow])]
    const {reported, allowed, invalid, unused} = applyAllow(compareSnapshots(a, b), allow, [
      ...new Set([...a.serviceNames.keys(), ...b.serviceNames.keys()]),
    ])
    const problems = reported
      .filter((d) => d.status !== 'pass')
      .sort((x, y) => (x.status === y.status ? 0 : x.status === 'fail' ? -1 : 1))
    const notes = [
      ...reported.filter((d) => d.status === 'pass').map((d) => d.detail),
      ...notesFor(a, b),
      ...invalid.map(
        (e) =>
          `drift.allow entry "${e}" has no known shape and matches nothing (see README "Drift between environments")`,
      ),
    ]
    const side = (s: EnvSnapshot, key: string) => {
      const f = s.services.get(key)
      return f && {taskDefinition: f.taskDefinition, cpu: f.cpu, memory: f.memory, image: f.image}
    }

    const data = {
      environment: a.name,
      compare: b.name,
      compareRegion: otherCtx.region,
      differences: problems.map(({id, kind, onlyIn, status}) => ({id, kind, onlyIn, status})),
      allowed: allowed.map((d) => d.id),
      services: Object.fromEntries(
        ctx.env.services.map((s) => [s.key, {[a.name]: side(a, s.key), [b.name]: side(b, s.key)}]),
      ),
      ...(invalid.length > 0 && {invalidAllow: invalid}),
      ...(unused.length > 0 && {unusedAllow: unused}),
    }
    const services = ctx.env.services.filter((s) => a.services.has(s.key) && b.services.has(s.key)).length
    const secrets = [...a.secrets.values()].filter(
      (s) => s.state === 'found' && b.secrets.get(s.key)?.state === 'found',
    ).length
    const compared = `${plural(services, 'service')}, ${plural(secrets, 'secret')} compared`
    const allowedNote = allowed.length > 0 ? `; ${plural(allowed.length, 'difference')} allowed` : ''
    if (problems.length === 0) {
      return pass(`${a.name} matches ${b.name} (${compared}${allowedNote})`, {
        ...(notes.length > 0 && {details: notes}),
        data,
      })
    }

    const envs = [
      {snap: a, region: ctx.region, secretIds: new Map(ctx.env.secrets.map((s) => [s.key, s.id]))},
      {snap: b, region: otherCtx.region, secretIds: new Map(otherCtx.env.secrets.map((s) => [s.key, s.id]))},
    ]
    return {
      status: problems.some((d) => d.status === 'fail') ? 'fail' : 'warn',
      summary: `${a.name} vs ${b.name}: ${plural(problems.length, 'difference')} (${byKind(problems)})${allowedNote}`,
      details: [...problems.map((d) => d.detail), ...notes],
      hint: hintFor(problems, envs, problems[0].id),
      data,
    }
  },
}
