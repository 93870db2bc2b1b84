import {
  GetBucketEncryptionCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  NoSuchBucket,
  NotFound,
  S3Client,
} from '@aws-sdk/client-s3'

import {classifyAwsError} from '../aws/errors.js'
import {type Check, type CheckContext, fail, pass, plural} from './types.js'
import {shq} from '../util/shell.js'

const FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const
type Flag = (typeof FLAGS)[number]
type Role = 'frontend' | 'media' | 'backups'
type Problem = 'missing' | 'public' | 'unencrypted' | 'unversioned'
interface Finding {
  kind: Problem
  bucket: string
  line: string
}

interface BucketFacts {
  role: Role
  name: string
  exists: boolean
  /** null: the bucket has no public access block at all. */
  publicAccessBlock?: Record<Flag, boolean> | null
  /** Default encryption algorithm (AES256, aws:kms, aws:kms:dsse); null when none is set. */
  encryption?: string | null
  /** Backups only: Enabled, Suspended, or null when versioning was never enabled. */
  versioning?: string | null
}

/** A rejection with this error name means "not configured": resolves to null (the SDK models no class for these). */
const absentOn = (name: string) => (error: unknown) => {
  if ((error as Error | undefined)?.name === name) return null
  throw error
}

const isMissing = (r: PromiseSettledResult<unknown>) =>
  r.status === 'rejected' && (r.reason instanceof NotFound || r.reason instanceof NoSuchBucket)
const forbidden = (e: unknown) =>
  (e as {$metadata?: {httpStatusCode?: number}})?.$metadata?.httpStatusCode === 403 ||
  classifyAwsError(e) === 'access-denied'
const valueOf = <T>(r: PromiseSettledResult<T>): T => {
  if (r.status === 'rejected') throw r.reason
  return r.value
}

async function inspect(
  ctx: CheckContext,
  role: Role,
  name: string,
): Promise<{facts: BucketFacts; problems: Finding[]}> {
  const s3 = ctx.aws.client(S3Client)
  const opts = {abortSignal: ctx.signal}
  const settled = await Promise.allSettled([
    s3.send(new HeadBucketCommand({Bucket: name}), opts),
    s3
      .send(new GetPublicAccessBlockCommand({Bucket: name}), opts)
      .catch(absentOn('NoSuchPublicAccessBlockConfiguration')),
    s3
      .send(new GetBucketEncryptionCommand({Bucket: name}), opts)
      .catch(absentOn('ServerSideEncryptionConfigurationNotFoundError')),
    role === 'backups' ? s3.send(new GetBucketVersioningCommand({Bucket: name}), opts) : Promise.resolve(undefined),
  ])
  if (settled.some(isMissing))
    return {
      facts: {role, name, exists: false},
      problems: [{kind: 'missing', bucket: name, line: `${name}: does not exist`}],
    }
  const [head, pab, enc, ver] = settled
  // HeadBucket needs s3:ListBucket; its 403 (a bodiless "Unknown" error) still means the bucket exists: go on if other reads worked.
  const reads = role === 'backups' ? [pab, enc, ver] : [pab, enc]
  if (head.status === 'rejected' && (!forbidden(head.reason) || reads.every((r) => r.status === 'rejected')))
    throw head.reason

  const problems: Finding[] = []
  const found = (kind: Problem, what: string) => problems.push({kind, bucket: name, line: `${name}: ${what}`})
  const config = valueOf(pab)?.PublicAccessBlockConfiguration
  const block = config ? (Object.fromEntries(FLAGS.map((f) => [f, config[f] === true])) as Record<Flag, boolean>) : null
  const off = FLAGS.filter((f) => block && !block[f])
  if (!block) found('public', 'no public access block')
  else if (off.length > 0) found('public', `public access block off: ${off.join(', ')}`)
  const rules = valueOf(enc)?.ServerSideEncryptionConfiguration?.Rules ?? []
  const encryption =
    rules.find((r) => r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm)?.ApplyServerSideEncryptionByDefault
      ?.SSEAlgorithm ?? null
  if (!encryption) found('unencrypted', 'no default encryption')
  const facts: BucketFacts = {role, name, exists: true, publicAccessBlock: block, encryption}
  if (role === 'backups') {
    facts.versioning = valueOf(ver)?.Status ?? null
    if (facts.versioning !== 'Enabled')
      found('unversioned', `versioning ${facts.versioning ? facts.versioning.toLowerCase() : 'not enabled'}`)
  }

  return {facts, problems}
}

const each = (buckets: string[], command: (b: string) => string) => buckets.map(command).join(' && ')
const HINTS: Record<Problem, (buckets: string[]) => string> = {
  missing: () =>
    'Create the buckets with the S3 stack (infrastructure/cloudformation/05-s3.yaml), or fix "buckets" in allthrive.config.json',
  public: (bs) =>
    `Block public access (no bucket needs it: the frontend is served through CloudFront OAC): ${each(
      bs,
      (b) =>
        `aws s3api put-public-access-block --bucket ${shq(b)} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true`,
    )}`,
  unencrypted: (bs) =>
    `Set default encryption: ${each(
      bs,
      (b) =>
        `aws s3api put-bucket-encryption --bucket ${shq(b)} --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'`,
    )}`,
  unversioned: (bs) =>
    `Enable versioning: ${each(bs, (b) => `aws s3api put-bucket-versioning --bucket ${shq(b)} --versioning-configuration Status=Enabled`)}`,
}

/** The frontend, media and backups buckets exist, block public access and encrypt by default; backups are versioned. */
export const s3: Check = {
  id: 's3',
  title: 'S3 buckets private and encrypted, backups versioned',
  iam: ['s3:ListBucket', 's3:GetBucketPublicAccessBlock', 's3:GetEncryptionConfiguration', 's3:GetBucketVersioning'],
  async run(ctx) {
    const roles: Role[] = ['frontend', 'media', 'backups']
    const results = await Promise.all(roles.map((role) => inspect(ctx, role, ctx.env.buckets[role])))
    const data = {buckets: results.map((r) => r.facts)}
    const problems = results.flatMap((r) => r.problems)
    if (problems.length === 0) {
      return pass('3 buckets private, encrypted; backups versioned', {
        details: results.map(({facts: f}) => `${f.name}: private, ${f.encryption}${f.versioning ? ', versioned' : ''}`),
        data,
      })
    }

    const kinds = [...new Set(problems.map((p) => p.kind))]
    const hint = kinds.map((k) => HINTS[k](problems.filter((p) => p.kind === k).map((p) => p.bucket))).join('; ')
    const bad = results.filter((r) => r.problems.length > 0).length
    return fail(`${plural(problems.length, 'problem')} in ${bad} of ${results.length} buckets`, {
      details: problems.map((p) => p.line),
      hint,
      data,
    })
  },
}
