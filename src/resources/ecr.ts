import {
  DescribeImagesCommand,
  ECRClient,
  type ImageDetail,
  type ImageIdentifier,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr'

import type {RunContext} from '../aws/context.js'

/** A container image stored in a private ECR registry, parsed from its reference. */
export interface EcrImageRef {
  /** The reference as written in the task definition. */
  image: string
  /** The registry's account id. */
  registryId: string
  region: string
  repository: string
  /** Set when the reference names a tag (`latest` when it names neither tag nor digest). */
  tag?: string
  /** Set when the reference pins a digest (ECS pulls by digest then, whatever the tag). */
  digest?: string
}

// <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repo> and the dual-stack <account>.dkr-ecr.<region>.on.aws/<repo>
const ECR_HOST =
  /^(\d{12})\.dkr(?:\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?|-ecr\.([a-z0-9-]+)\.on\.aws)\/(.+)$/

/** Parses `<account>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag|@sha256:digest]`; undefined for other registries. */
export function parseEcrImage(image: string): EcrImageRef | undefined {
  const m = ECR_HOST.exec(image.trim())
  if (!m) return undefined
  const [, registryId, region1, region2, path] = m
  const at = path.indexOf('@')
  const nameTag = at === -1 ? path : path.slice(0, at)
  const digest = at === -1 ? undefined : path.slice(at + 1)
  const colon = nameTag.lastIndexOf(':')
  const repository = colon > nameTag.lastIndexOf('/') ? nameTag.slice(0, colon) : nameTag
  const tag = colon > nameTag.lastIndexOf('/') ? nameTag.slice(colon + 1) : undefined
  if (!repository) return undefined
  return {image, registryId, region: region1 ?? region2, repository, ...(digest ? {digest} : {tag: tag || 'latest'})}
}

/** "allthrive-web:abc123" / "allthrive-web@sha256:1234567890ab…" */
export const imageLabel = (ref: EcrImageRef): string =>
  ref.digest ? `${ref.repository}@${ref.digest.slice(0, 19)}…` : `${ref.repository}:${ref.tag}`

export type ImageLookup = {state: 'found'; detail: ImageDetail} | {state: 'missing'} | {state: 'repository-missing'}

const DESCRIBE_IMAGES_LIMIT = 100

const idOf = (ref: EcrImageRef): ImageIdentifier => (ref.digest ? {imageDigest: ref.digest} : {imageTag: ref.tag})
const keyOf = (ref: EcrImageRef): string =>
  `${ref.registryId}|${ref.region}|${ref.repository}|${ref.digest ?? `:${ref.tag}`}`
const matches = (ref: EcrImageRef, d: ImageDetail): boolean =>
  ref.digest ? d.imageDigest === ref.digest : Boolean(d.imageTags?.includes(ref.tag!))

/**
 * Looks every image up in its repository: one DescribeImages per repository (100 ids a call),
 * with an ECR client of the image's region. DescribeImages fails whole when any id is missing
 * (ImageNotFoundException): then each id of that call is asked for alone to find which.
 * Keyed by `imageKey(ref)`.
 */
export async function lookupEcrImages(ctx: RunContext, refs: EcrImageRef[]): Promise<Map<string, ImageLookup>> {
  const groups = new Map<string, EcrImageRef[]>()
  for (const ref of refs) {
    const g = `${ref.registryId}|${ref.region}|${ref.repository}`
    const list = groups.get(g) ?? groups.set(g, []).get(g)!
    if (!list.some((r) => keyOf(r) === keyOf(ref))) list.push(ref)
  }

  const result = new Map<string, ImageLookup>()
  const describe = (batch: EcrImageRef[]) => {
    const {registryId, region, repository} = batch[0]
    const input = {registryId, repositoryName: repository, imageIds: batch.map((r) => idOf(r))}
    return ctx.aws.client(ECRClient, {region}).send(new DescribeImagesCommand(input), {abortSignal: ctx.signal})
  }

  const record = (batch: EcrImageRef[], details: ImageDetail[]): void => {
    for (const ref of batch) {
      const detail = details.find((d) => matches(ref, d))
      result.set(keyOf(ref), detail ? {state: 'found', detail} : {state: 'missing'})
    }
  }

  const lookBatch = async (batch: EcrImageRef[]): Promise<void> => {
    try {
      record(batch, (await describe(batch)).imageDetails ?? [])
    } catch (error) {
      if (error instanceof RepositoryNotFoundException) {
        for (const ref of batch) result.set(keyOf(ref), {state: 'repository-missing'})
      } else if (error instanceof ImageNotFoundException && batch.length > 1) {
        await Promise.all(batch.map((ref) => lookBatch([ref])))
      } else if (error instanceof ImageNotFoundException) {
        result.set(keyOf(batch[0]), {state: 'missing'})
      } else {
        throw error
      }
    }
  }

  const batches = [...groups.values()].flatMap((list) =>
    Array.from({length: Math.ceil(list.length / DESCRIBE_IMAGES_LIMIT)}, (_, i) =>
      list.slice(i * DESCRIBE_IMAGES_LIMIT, (i + 1) * DESCRIBE_IMAGES_LIMIT),
    ),
  )
  await Promise.all(batches.map((batch) => lookBatch(batch)))
  return result
}

/** The key of an image in `lookupEcrImages`' answer. */
export const imageKey = keyOf
