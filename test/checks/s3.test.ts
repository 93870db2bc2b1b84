import {
  GetBucketEncryptionCommand,
  type GetBucketEncryptionCommandOutput,
  GetBucketVersioningCommand,
  type GetBucketVersioningCommandOutput,
  GetPublicAccessBlockCommand,
  type GetPublicAccessBlockCommandOutput,
  HeadBucketCommand,
  type HeadBucketCommandOutput,
  NoSuchBucket,
  NotFound,
  type PublicAccessBlockConfiguration,
  S3ServiceException,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3'
import {beforeEach, describe, expect, it} from 'vitest'

import {s3} from '../../src/checks/s3.js'
import {accessDenied, awsError, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, expectErrorNaming} from '../helpers/context.js'

const FRONTEND = 'production-allthrive-frontend'
const MEDIA = 'production-allthrive-media'
const BACKUPS = 'production-allthrive-backups'
const PUT_PAB =
  'aws s3api put-public-access-block --bucket %s --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true'

const head: HeadBucketCommandOutput = {$metadata: {httpStatusCode: 200}, BucketRegion: 'us-east-1'}
const blocked = (over: PublicAccessBlockConfiguration = {}): GetPublicAccessBlockCommandOutput => ({
  $metadata: {},
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
    ...over,
  },
})
const encrypted = (SSEAlgorithm: ServerSideEncryption = 'AES256'): GetBucketEncryptionCommandOutput => ({
  $metadata: {},
  ServerSideEncryptionConfiguration: {
    Rules: [{ApplyServerSideEncryptionByDefault: {SSEAlgorithm}, BucketKeyEnabled: SSEAlgorithm !== 'AES256'}],
  },
})
const versioning = (Status?: GetBucketVersioningCommandOutput['Status']): GetBucketVersioningCommandOutput => ({
  $metadata: {},
  ...(Status && {Status}),
})

/** Every bucket healthy; tests override one bucket after (general first, specific after). */
function healthy(): void {
  mocks.s3.on(HeadBucketCommand).resolves(head)
  mocks.s3.on(GetPublicAccessBlockCommand).resolves(blocked())
  mocks.s3.on(GetBucketEncryptionCommand).resolves(encrypted())
  mocks.s3.on(GetBucketVersioningCommand).resolves(versioning('Enabled'))
}

/** A HeadBucket 403 as the SDK deserialises it: no body, so an "Unknown" S3ServiceException. */
const headForbidden = () =>
  new S3ServiceException({
    name: 'Unknown',
    $fault: 'client',
    message: 'UnknownError',
    $metadata: {httpStatusCode: 403, requestId: 'req-403'},
  })

describe('s3 check', () => {
  beforeEach(() => resetMocks())

  it('passes when all three buckets are private and encrypted and backups are versioned', async () => {
    healthy()
    mocks.s3.on(GetBucketEncryptionCommand, {Bucket: MEDIA}).resolves(encrypted('aws:kms'))
    const ctx = ctxWith()
    const r = await s3.run(ctx)
    expect(r.status).toBe('pass')
    expect(r.summary).toBe('3 buckets private, encrypted; backups versioned')
    expect(r.details).toEqual([
      `${FRONTEND}: private, AES256`,
      `${MEDIA}: private, aws:kms`,
      `${BACKUPS}: private, AES256, versioned`,
    ])
    const all = {BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
    expect(r.data).toEqual({
      buckets: [
        {role: 'frontend', name: FRONTEND, exists: true, publicAccessBlock: all, encryption: 'AES256'},
        {role: 'media', name: MEDIA, exists: true, publicAccessBlock: all, encryption: 'aws:kms'},
        {
          role: 'backups',
          name: BACKUPS,
          exists: true,
          publicAccessBlock: all,
          encryption: 'AES256',
          versioning: 'Enabled',
        },
      ],
    })
    for (const Cmd of [HeadBucketCommand, GetPublicAccessBlockCommand, GetBucketEncryptionCommand]) {
      expect(mocks.s3).toHaveReceivedCommandTimes(Cmd, 3)
      for (const Bucket of [FRONTEND, MEDIA, BACKUPS]) expect(mocks.s3).toHaveReceivedCommandWith(Cmd, {Bucket})
    }

    expect(mocks.s3).toHaveReceivedCommandTimes(GetBucketVersioningCommand, 1)
    expect(mocks.s3).toHaveReceivedCommandWith(GetBucketVersioningCommand, {Bucket: BACKUPS})
    for (const call of mocks.s3.calls()) expect((call.args as unknown[])[1]).toEqual({abortSignal: ctx.signal})
  })

  it('sends every call of every bucket before any answers', async () => {
    let started = 0
    let release!: () => void
    const allStarted = new Promise<void>((resolve) => {
      release = resolve
    })
    const gate =
      <T>(out: T) =>
      async () => {
        if (++started === 10) release()
        await allStarted
        return out
      }

    mocks.s3.on(HeadBucketCommand).callsFake(gate(head))
    mocks.s3.on(GetPublicAccessBlockCommand).callsFake(gate(blocked()))
    mocks.s3.on(GetBucketEncryptionCommand).callsFake(gate(encrypted()))
    mocks.s3.on(GetBucketVersioningCommand).callsFake(gate(versioning('Enabled')))
    const timeout = new Promise((_, reject) => {
      setTimeout(() => reject(new Error(`only ${started} of 10 calls were sent concurrently`)), 1000)
    })
    const r = await Promise.race([s3.run(ctxWith()), timeout])
    expect(r).toMatchObject({status: 'pass'})
  })

  it('fails naming the public access block flags that are off', async () => {
    healthy()
    mocks.s3
      .on(GetPublicAccessBlockCommand, {Bucket: MEDIA})
      .resolves(blocked({BlockPublicPolicy: false, RestrictPublicBuckets: false}))
    const r = await s3.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.summary).toBe('1 problem in 1 of 3 buckets')
    expect(r.details).toEqual([`${MEDIA}: public access block off: BlockPublicPolicy, RestrictPublicBuckets`])
    expect(r.hint).toContain(PUT_PAB.replace('%s', MEDIA))
    expect(r.hint).toContain('CloudFront OAC')
    expect((r.data as {buckets: {publicAccessBlock: unknown}[]}).buckets[1].publicAccessBlock).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    })
  })

  it('treats a flag missing from the configuration as off', async () => {
    healthy()
    mocks.s3
      .on(GetPublicAccessBlockCommand, {Bucket: BACKUPS})
      .resolves({$metadata: {}, PublicAccessBlockConfiguration: {BlockPublicAcls: true, IgnorePublicAcls: true}})
    const r = await s3.run(ctxWith())
    expect(r.details).toEqual([`${BACKUPS}: public access block off: BlockPublicPolicy, RestrictPublicBuckets`])
  })

  it('fails when a bucket has no public access block at all, the frontend included', async () => {
    healthy()
    mocks.s3
      .on(GetPublicAccessBlockCommand, {Bucket: FRONTEND})
      .rejects(
        awsError('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', 404),
      )
    const r = await s3.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', details: [`${FRONTEND}: no public access block`]})
    expect(r.hint).toContain(PUT_PAB.replace('%s', FRONTEND))
    expect((r.data as {buckets: {publicAccessBlock: unknown}[]}).buckets[0].publicAccessBlock).toBeNull()
  })

  it('fails when a bucket has no default encryption', async () => {
    healthy()
    mocks.s3
      .on(GetBucketEncryptionCommand, {Bucket: MEDIA})
      .rejects(
        awsError(
          'ServerSideEncryptionConfigurationNotFoundError',
          'The server side encryption configuration was not found',
          404,
        ),
      )
    const r = await s3.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', details: [`${MEDIA}: no default encryption`]})
    expect(r.hint).toContain(`aws s3api put-bucket-encryption --bucket ${MEDIA}`)
    expect((r.data as {buckets: {encryption: unknown}[]}).buckets[1].encryption).toBeNull()
  })

  it.each([
    ['Suspended', 'versioning suspended'],
    [undefined, 'versioning not enabled'],
  ] as const)('fails when backups versioning is %s', async (status, line) => {
    healthy()
    mocks.s3.on(GetBucketVersioningCommand).resolves(versioning(status))
    const r = await s3.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', details: [`${BACKUPS}: ${line}`]})
    expect(r.hint).toBe(
      `Enable versioning: aws s3api put-bucket-versioning --bucket ${BACKUPS} --versioning-configuration Status=Enabled`,
    )
    expect((r.data as {buckets: {versioning?: unknown}[]}).buckets[2].versioning).toBe(status ?? null)
  })

  it('fails when a bucket does not exist, whatever its other calls answered', async () => {
    healthy()
    mocks.s3
      .on(HeadBucketCommand, {Bucket: MEDIA})
      .rejects(new NotFound({message: 'UnknownError', $metadata: {httpStatusCode: 404}}))
    mocks.s3
      .on(GetPublicAccessBlockCommand, {Bucket: MEDIA})
      .rejects(new NoSuchBucket({message: 'The specified bucket does not exist', $metadata: {httpStatusCode: 404}}))
    mocks.s3
      .on(GetBucketEncryptionCommand, {Bucket: MEDIA})
      .rejects(new NoSuchBucket({message: 'The specified bucket does not exist', $metadata: {httpStatusCode: 404}}))
    const r = await s3.run(ctxWith())
    expect(r).toMatchObject({
      status: 'fail',
      summary: '1 problem in 1 of 3 buckets',
      details: [`${MEDIA}: does not exist`],
    })
    expect(r.hint).toContain('05-s3.yaml')
    expect((r.data as {buckets: unknown[]}).buckets[1]).toEqual({role: 'media', name: MEDIA, exists: false})
  })

  it('lists every finding and one hint per kind naming each bucket', async () => {
    healthy()
    mocks.s3.on(GetPublicAccessBlockCommand, {Bucket: FRONTEND}).resolves(blocked({BlockPublicAcls: false}))
    mocks.s3.on(GetPublicAccessBlockCommand, {Bucket: BACKUPS}).resolves(blocked({IgnorePublicAcls: false}))
    mocks.s3.on(GetBucketVersioningCommand).resolves(versioning('Suspended'))
    const r = await s3.run(ctxWith())
    expect(r.summary).toBe('3 problems in 2 of 3 buckets')
    expect(r.details).toEqual([
      `${FRONTEND}: public access block off: BlockPublicAcls`,
      `${BACKUPS}: public access block off: IgnorePublicAcls`,
      `${BACKUPS}: versioning suspended`,
    ])
    expect(r.hint).toContain(`${PUT_PAB.replace('%s', FRONTEND)} && ${PUT_PAB.replace('%s', BACKUPS)}`)
    expect(r.hint).toContain(`put-bucket-versioning --bucket ${BACKUPS}`)
  })

  it('reads on when HeadBucket is forbidden but the other calls answer', async () => {
    healthy()
    mocks.s3.on(HeadBucketCommand).rejects(headForbidden())
    const r = await s3.run(ctxWith())
    expect(r.status).toBe('pass')
  })

  it('rejects with the HeadBucket error when nothing about the bucket can be read', async () => {
    healthy()
    mocks.s3.on(HeadBucketCommand, {Bucket: BACKUPS}).rejects(headForbidden())
    mocks.s3.on(GetPublicAccessBlockCommand, {Bucket: BACKUPS}).rejects(accessDenied('s3:GetBucketPublicAccessBlock'))
    mocks.s3.on(GetBucketEncryptionCommand, {Bucket: BACKUPS}).rejects(accessDenied('s3:GetEncryptionConfiguration'))
    mocks.s3.on(GetBucketVersioningCommand, {Bucket: BACKUPS}).rejects(accessDenied('s3:GetBucketVersioning'))
    await expect(s3.run(ctxWith())).rejects.toMatchObject({name: 'Unknown', $metadata: {httpStatusCode: 403}})
  })

  it('is an error naming the IAM action when a read is denied', async () => {
    healthy()
    mocks.s3.on(GetPublicAccessBlockCommand, {Bucket: MEDIA}).rejects(accessDenied('s3:GetBucketPublicAccessBlock'))
    const r = await expectErrorNaming(s3, 's3:GetBucketPublicAccessBlock')
    expect(r.summary).toContain('AccessDeniedException')
  })

  it('does not take a non-404 HeadBucket error for a missing bucket', async () => {
    healthy()
    mocks.s3
      .on(HeadBucketCommand, {Bucket: FRONTEND})
      .rejects(awsError('InternalError', 'We encountered an internal error', 500))
    await expect(s3.run(ctxWith())).rejects.toMatchObject({name: 'InternalError'})
  })

  it('declares the IAM actions it calls', () => {
    expect(s3.iam).toEqual([
      's3:ListBucket',
      's3:GetBucketPublicAccessBlock',
      's3:GetEncryptionConfiguration',
      's3:GetBucketVersioning',
    ])
  })
})
