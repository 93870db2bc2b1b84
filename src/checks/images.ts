import {type ImageLookup, imageKey, imageLabel, lookupEcrImages, parseEcrImage} from '../resources/ecr.js'
import {describeEnvServices, taskDefinition, taskDefinitionLabel} from '../resources/ecs.js'
import {type Check, fail, type Finding, plural, resultFromFindings} from './types.js'
import {shq} from '../util/shell.js'

const PULL_FAILS = 'the next task start will fail with CannotPullContainerError'
const MB = 1024 * 1024

/** Every container image of every service's current task definition exists in its ECR repository. */
export const images: Check = {
  id: 'images',
  title: 'Container images of the task definitions exist in ECR',
  iam: ['ecs:DescribeServices', 'ecs:ListServices', 'ecs:DescribeTaskDefinition', 'ecr:DescribeImages'],
  async run(ctx) {
    const {env} = ctx
    const {services, missing, clusterMissing} = await describeEnvServices(ctx)
    if (clusterMissing) {
      return fail(`cluster ${env.cluster} not found: no task definitions to check`, {
        hint: `Compare "cluster" in the configuration with: aws ecs list-clusters --region ${shq(ctx.region)}`,
      })
    }

    const targets = env.services.filter((s) => services.has(s.key)).map((s) => ({s, svc: services.get(s.key)!}))
    const defs = await Promise.all(targets.map(({svc}) => taskDefinition(ctx, svc.taskDefinition!)))
    const containers = targets.flatMap(({s, svc}, i) =>
      (defs[i].containerDefinitions ?? []).map((c) => ({
        s,
        svc,
        td: defs[i],
        container: c.name ?? '?',
        image: c.image ?? '',
        ref: parseEcrImage(c.image ?? ''),
      })),
    )
    const found = await lookupEcrImages(
      ctx,
      containers.flatMap((c) => (c.ref ? [c.ref] : [])),
    )

    const findings: Finding[] = missing.map((key) => ({
      status: 'warn',
      short: `${key} not checked`,
      detail: `${key}: service ${env.services.find((s) => s.key === key)!.name} not found, its images were not checked`,
      hint: 'Services not found are reported by the ecs-services check.',
    }))
    const data = containers.map(({s, td, container, image, ref}) => {
      const who = `${s.key}${container === s.container ? '' : ` (container ${container})`}`
      if (!ref) {
        findings.push({status: 'pass', detail: `${who}: ${image || '(no image)'}: not in ECR, not verified`})
        return {service: s.key, container, image, state: 'not-ecr'}
      }

      const r: ImageLookup = found.get(imageKey(ref))!
      const label = imageLabel(ref)
      const revision =
        td.family && td.revision ? `${td.family}:${td.revision}` : taskDefinitionLabel(td.taskDefinitionArn)
      const previous =
        td.family && (td.revision ?? 0) > 1 ? `${td.family}:${td.revision! - 1}` : '<family>:<previous-revision>'
      const rollback = `push ${label} to ECR, or roll ${s.key} back to a revision whose image exists: aws ecs update-service --cluster ${shq(env.cluster)} --service ${shq(s.name)} --task-definition ${shq(previous)}`
      const facts = {
        service: s.key,
        container,
        image,
        registryId: ref.registryId,
        region: ref.region,
        repository: ref.repository,
        tag: ref.tag,
        digest: ref.digest,
        taskDefinition: revision,
      }
      if (r.state === 'repository-missing') {
        findings.push({
          status: 'fail',
          short: `${s.key} repository missing`,
          detail: `${who}: repository ${ref.repository} not found in registry ${ref.registryId} (${ref.region}): image ${label} cannot be pulled (${PULL_FAILS})`,
          hint: rollback,
        })
        return {...facts, state: 'repository-missing'}
      }

      if (r.state === 'missing') {
        findings.push({
          status: 'fail',
          short: `${s.key} image missing`,
          detail: `${who}: image ${label} not found in ECR (${PULL_FAILS})`,
          hint: rollback,
        })
        return {...facts, state: 'missing'}
      }

      const {imageStatus, imagePushedAt, imageSizeInBytes, imageDigest} = r.detail
      const size = imageSizeInBytes === undefined ? '' : `, ${Math.round(imageSizeInBytes / MB)} MB`
      if (imageStatus && imageStatus !== 'ACTIVE') {
        findings.push({
          status: 'fail',
          short: `${s.key} image ${imageStatus.toLowerCase()}`,
          detail: `${who}: image ${label} is ${imageStatus} in ECR: archived images cannot be pulled (${PULL_FAILS})`,
          hint: `restore ${label} from the ECR archive (console: ECR → ${ref.repository} → Images), or ${rollback}`,
        })
      } else {
        findings.push({
          status: 'pass',
          detail: `${who}: ${label} pushed ${imagePushedAt?.toISOString().slice(0, 10) ?? '(date unknown)'}${size}`,
        })
      }

      return {
        ...facts,
        state: imageStatus && imageStatus !== 'ACTIVE' ? imageStatus.toLowerCase() : 'found',
        imageDigest,
        pushedAt: imagePushedAt?.toISOString(),
        sizeBytes: imageSizeInBytes,
      }
    })

    const inEcr = containers.filter((c) => c.ref).length
    const other = containers.length - inEcr
    const healthy = `${plural(inEcr, 'image')} found in ECR${other ? `, ${other} from other registries not verified` : ''}`
    return resultFromFindings('', findings, healthy, {cluster: env.cluster, images: data})
  },
}
