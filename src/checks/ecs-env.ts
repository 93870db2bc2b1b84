import type {TaskDefinition} from '@aws-sdk/client-ecs'

import {describeAwsError, hintFor} from '../aws/errors.js'
import {
  describeEnvServices,
  parseSecretRef,
  secretLabel,
  type SecretRef,
  taskDefinition,
  taskDefinitionLabel,
} from '../resources/ecs.js'
import {loadSecrets, type SecretLookup} from '../resources/secrets.js'
import {type Check, fail, pass, plural, warn} from './types.js'
import {shq} from '../util/shell.js'

type SecretsManagerRef = Extract<SecretRef, {kind: 'secretsmanager'}>
type RefState = 'resolves' | 'missing' | 'key-missing' | 'not-json' | 'error' | 'not-verified'

/** What ECS will find when it pulls this reference; `problem` completes "web: NAME → ". Never a value. */
function judge(ref: SecretsManagerRef, r: SecretLookup): {state: RefState; problem?: string} {
  const shown = r.state === 'found' || r.state === 'invalid' ? r.name : secretLabel(ref.secretId)
  if (r.state === 'missing') return {state: 'missing', problem: `${shown} does not exist`}
  if (r.state === 'error') return {state: 'error', problem: `${shown}: ${describeAwsError(r.error)}`}
  if (!ref.jsonKey) return {state: 'resolves'}
  // Only AWSCURRENT is read: a key in a pinned version cannot be verified.
  if ((ref.versionStage && ref.versionStage !== 'AWSCURRENT') || ref.versionId) return {state: 'not-verified'}
  if (r.state === 'invalid')
    return {state: 'not-json', problem: `key ${ref.jsonKey} referenced but ${shown} ${r.reason}`}
  return ref.jsonKey in r.json
    ? {state: 'resolves'}
    : {state: 'key-missing', problem: `key ${ref.jsonKey} missing in ${shown}`}
}

/** Each service's task definition sets its required variables, and every Secrets Manager reference resolves. */
export const ecsEnv: Check = {
  id: 'ecs-env',
  title: 'Task definitions set required variables and their secrets resolve',
  iam: [
    'ecs:DescribeServices',
    'ecs:ListServices',
    'ecs:DescribeTaskDefinition',
    'secretsmanager:BatchGetSecretValue',
    'secretsmanager:GetSecretValue',
  ],
  async run(ctx) {
    const {env} = ctx
    const {services, missing, clusterMissing} = await describeEnvServices(ctx)
    if (clusterMissing) {
      return fail(`cluster ${env.cluster} not found: no task definitions to check`, {
        hint: `Compare "cluster" in the configuration with: aws ecs list-clusters --region ${shq(ctx.region)}`,
      })
    }

    const targets = env.services
      .filter((s) => services.has(s.key))
      .map((s) => ({s, arn: services.get(s.key)!.taskDefinition!}))
    const defs = new Map<string, TaskDefinition>(
      await Promise.all(
        [...new Set(targets.map((t) => t.arn))].map(async (arn) => [arn, await taskDefinition(ctx, arn)] as const),
      ),
    )

    const envProblems: string[] = []
    const warnings = missing.map(
      (key) =>
        `${key}: service ${env.services.find((s) => s.key === key)!.name} not found, its task definition was not checked`,
    )
    const notes: string[] = []
    const uses: {key: string; name: string; ref: SecretRef}[] = []
    const perService = targets.map(({s, arn}) => {
      const td = defs.get(arn)!
      const label = td.family ? `${td.family}:${td.revision}` : taskDefinitionLabel(arn)
      const containers = td.containerDefinitions ?? []
      let c = containers.find((x) => x.name === s.container)
      if (!c && containers.length === 1) {
        c = containers[0]
        notes.push(`${s.key}: no container ${s.container} in ${label}; checked its only container ${c.name}`)
      }

      if (!c) {
        envProblems.push(
          `${s.key}: container ${s.container} not in task definition ${label} (it has ${containers.map((x) => x.name).join(', ') || 'none'})`,
        )
        return {key: s.key, taskDefinition: label, container: s.container, missingEnv: s.requiredEnv}
      }

      const set = new Set([
        ...(c.environment ?? []).filter((e) => e.value).map((e) => e.name),
        ...(c.secrets ?? []).map((x) => x.name),
      ])
      const missingEnv = s.requiredEnv.filter((n) => !set.has(n))
      if (missingEnv.length > 0) {
        const line = `${s.key} (${label}): missing ${missingEnv.join(', ')}`
        // S3 environment files may set them; this check does not read them.
        if (c.environmentFiles?.length) warnings.push(`${line} (unless its environmentFiles set them; not read)`)
        else envProblems.push(line)
      }

      for (const x of c.secrets ?? [])
        uses.push({key: s.key, name: x.name ?? '?', ref: parseSecretRef(x.valueFrom ?? '')})
      return {key: s.key, taskDefinition: label, container: c.name, missingEnv}
    })

    // A secret in another region is not read with this region's client: listed, not judged.
    const verifiable = (r: SecretRef): r is SecretsManagerRef =>
      r.kind === 'secretsmanager' && (!r.secretId.startsWith('arn:') || r.secretId.split(':')[3] === ctx.region)
    const found = await loadSecrets(ctx, [
      ...new Set(
        uses
          .map((u) => u.ref)
          .filter(verifiable)
          .map((r) => r.secretId),
      ),
    ])
    const secretProblems: string[] = []
    const errors: string[] = []
    let firstError: unknown
    const broken = new Set<string>()
    const refs = uses.map(({key, name, ref}) => {
      const where =
        ref.kind === 'ssm'
          ? {parameter: ref.name}
          : ref.kind === 'unknown'
            ? {valueFrom: ref.valueFrom}
            : {secretId: ref.secretId, jsonKey: ref.jsonKey}
      if (!verifiable(ref)) return {service: key, name, kind: ref.kind, ...where, state: 'not-verified' as RefState}
      const r = found.get(ref.secretId)!
      const {state, problem} = judge(ref, r)
      if (state === 'error') {
        errors.push(`${key}: ${name} → ${problem}`)
        firstError ??= (r as Extract<SecretLookup, {state: 'error'}>).error
      } else if (problem) {
        secretProblems.push(`${key}: ${name} → ${problem}`)
        broken.add(key)
      }

      return {
        service: key,
        name,
        kind: ref.kind,
        ...where,
        ...(ref.versionStage && {versionStage: ref.versionStage}),
        ...(ref.versionId && {versionId: ref.versionId}),
        state,
      }
    })

    const data = {
      services: Object.fromEntries(
        perService.map(({key, ...rest}) => [
          key,
          {...rest, refs: refs.filter((r) => r.service === key).map(({service: _, ...r}) => r)},
        ]),
      ),
    }
    const problems = [...envProblems, ...secretProblems]
    if (errors.length > 0) {
      return {
        status: 'error',
        summary: `${plural(errors.length, 'secret reference')} could not be read`,
        details: [...errors, ...problems, ...warnings],
        hint: hintFor(firstError),
        data,
      }
    }

    if (problems.length > 0) {
      const hint = [
        ...(broken.size > 0
          ? [
              `Running tasks keep the values they started with, but the next deployment of ${[...broken].join(', ')} will fail with ResourceInitializationError: unable to pull secrets. Add the secret or key (read, edit and write back the whole JSON: put-secret-value replaces it) or fix valueFrom in the task definition.`,
            ]
          : []),
        ...(envProblems.length > 0
          ? [
              "Add the missing variables to the container's environment or secrets, register a new task definition revision and deploy it.",
            ]
          : []),
      ].join(' ')
      return fail(`${plural(problems.length, 'problem')} in ${plural(targets.length, 'task definition')}`, {
        details: [...problems, ...warnings, ...notes],
        hint,
        data,
      })
    }

    const checked = refs.filter((r) => r.state === 'resolves').length
    const unverified = refs.length - checked
    const summary = `${plural(targets.length, 'task definition')}: required variables set, ${plural(checked, 'secret reference')} resolve${checked === 1 ? 's' : ''}${unverified ? `, ${unverified} not verified` : ''}`
    const details = [
      ...warnings,
      ...notes,
      ...refs
        .filter((r) => r.state === 'not-verified')
        .map(
          (r) =>
            `${r.service}: ${r.name} → ${'parameter' in r ? `Parameter Store ${r.parameter}` : 'secretId' in r ? `${r.secretId} (other region or pinned version)` : r.valueFrom}: not verified`,
        ),
    ]
    if (warnings.length > 0)
      return warn(summary, {
        details,
        hint: 'Services not found are reported by the ecs-services check; variables in environmentFiles are not read.',
        data,
      })
    return pass(summary, {...(details.length > 0 && {details}), data})
  },
}
